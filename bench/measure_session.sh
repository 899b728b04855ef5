#!/usr/bin/env bash
# One measuring session of the README's Performance table: the engine's cube
# 48^3 bench, the plain loop (bench-plain-loop) and the groups bench,
# alternating for ROUNDS rounds, Brian2 in the first and a later round
# (it is slow), then the big lattices. Every run appends its record to FILE
# (JSON Lines; see `spikecube-cli bench --json`), so the figures keep the
# machine they were measured on. Summarise with bench/summarise_records.py.
#
#   bench/measure_session.sh [FILE] [ROUNDS] [BUILD_DIR]
#   defaults: bench/records/<cpu>-<UTC date>.jsonl, 5, build
#   SIDES_BIG="256 512" (default) picks the --scaling sides run at the end;
#   BRIAN2=0 skips Brian2.
set -euo pipefail
cd "$(dirname "$0")/.."

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //; s/^AMD //; s/^Intel(R) Xeon(R) //' | tr 'A-Z ' 'a-z-' |
      tr -cd 'a-z0-9-' | sed 's/-cpu.*//; s/^-*//; s/-*$//')
file=${1:-bench/records/${cpu:-cpu}-$(date -u +%Y-%m-%d).jsonl}
rounds=${2:-5}
build=${3:-build}
sides_big=${SIDES_BIG-256 512}  # set but empty: none
cli="$build/app/spikecube-cli"
plain="$build/bench/bench-plain-loop"
mkdir -p "$(dirname "$file")"
for exe in "$cli" "$plain"; do
  [[ -x $exe ]] || { echo "measure_session.sh: $exe not built (cmake --build $build)" >&2; exit 2; }
done
brian2=${BRIAN2:-1}
if [[ $brian2 == 1 ]] && ! /usr/bin/python3 -c 'import brian2' 2>/dev/null; then
  echo "measure_session.sh: Brian2 not installed (apt-get install python3-brian): skipping it" >&2
  brian2=0
fi

echo "records: $file; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
  echo "== round $r/$rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$cli" bench --model cube --n 48 --L 48 --steps 3000 --json "$file" | tail -1
  "$plain" --n 48 --L 48 --steps 3000 --warmup 200 --json "$file" | tail -1
  "$cli" bench --model groups --n 48 --L 48 --group 4 --steps 1000 --json "$file" | tail -1
  if [[ $brian2 == 1 ]] && ((r == 1 || r == (rounds + 1) / 2 + 1)); then
    /usr/bin/python3 bench/brian2_cube48.py --n 48 --L 48 --steps 1000 --warmup 200 --json "$file" 2>/tmp/brian2_cube48.err | tail -1 ||
      echo "brian2_cube48.py failed: see /tmp/brian2_cube48.err"
  fi
done
for side in $sides_big; do
  for threads in 1 2; do
    echo "== --scaling --sides $side --threads $threads, load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$cli" bench --model cube --scaling --sides "$side" --threads "$threads" --repeat 1 --json "$file" | tail -1
  done
done
