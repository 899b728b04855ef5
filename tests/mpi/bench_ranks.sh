#!/bin/sh
# bench under mpirun: the cube and groups benches split over 2 ranks print
# one row with each rank's planes and record it (--json) with per-rank figures.
#   bench_ranks.sh CLI MPIRUN WORKDIR
set -u
cli=$1 mpirun=$2 work=$3
root=""
[ "$(id -u)" = 0 ] && root=--allow-run-as-root
export OMPI_MCA_btl_vader_single_copy_mechanism=none
rm -rf "$work" && mkdir -p "$work" || exit 1
for model in cube groups; do
  out=$("$mpirun" $root --oversubscribe -np 2 "$cli" bench --model "$model" --n 16 --L 16 --group 4 --steps 40 \
        --json "$work/$model.jsonl" 2>&1)
  code=$?
  if [ "$code" -ne 0 ]; then
    echo "$model: exit $code"; printf '%s\n' "$out"; exit 1
  fi
  python3 - "$work/$model.jsonl" "$model" <<'PY' || exit 1
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, f"{len(lines)} records, expected 1 (rank 0 alone writes)"
rows = json.loads(lines[0])["figures"]["rows"]
assert len(rows) == 1 and rows[0]["ranks"] == 2 and rows[0]["steps_per_s"] > 0, rows
planes = [(r["first_plane"], r["planes"]) for r in rows[0]["per_rank"]]
assert planes == [(0, 8), (8, 8)], f"{sys.argv[2]}: slabs {planes}, expected planes 0-7 and 8-15"
assert rows[0]["halo_bytes_per_step"] == 2 * 16 * 16 * 5, rows[0]["halo_bytes_per_step"]
PY
done
exit 0
