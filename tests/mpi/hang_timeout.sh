#!/bin/sh
# A rank that stops answering does not leave the others waiting forever:
# with --mpi-timeout 3, stopping rank 1 (SIGSTOP) ends the whole run within
# seconds, with a line that says why, and a non-zero exit code.
#   hang_timeout.sh CLI MPIRUN WORKDIR
set -u
cli=$1 mpirun=$2 work=$3
root=""
[ "$(id -u)" = 0 ] && root=--allow-run-as-root
export OMPI_MCA_btl_vader_single_copy_mechanism=none
rm -rf "$work"
mkdir -p "$work"
"$mpirun" $root --oversubscribe -np 2 "$cli" run --preset cube-4 --steps 100000000 --quiet --mpi-timeout 3 \
  --log-level info --out "$work/run" > "$work/output.txt" 2>&1 &
runner=$!
# rank 0 logs "run: ..." once every rank is set up and stepping
for _ in $(seq 1 120); do
  grep -q "run: " "$work/output.txt" && break
  sleep 0.5
done
sleep 1
rank1=""
for d in /proc/[0-9]*; do  # (no pgrep: procps is not in every image)
  tr '\0' ' ' < "$d/cmdline" 2>/dev/null | grep -q -- "$work/run" || continue
  tr '\0' '\n' < "$d/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1" && rank1=${d#/proc/}
done
if [ -z "$rank1" ]; then
  echo "rank 1 not found"; cat "$work/output.txt"; kill "$runner"; exit 1
fi
kill -STOP "$rank1"
ended=0
for _ in $(seq 1 120); do  # 60 s at most
  if ! kill -0 "$runner" 2>/dev/null; then ended=1; break; fi
  sleep 0.5
done
kill -CONT "$rank1" 2>/dev/null
if [ "$ended" -eq 0 ]; then
  echo "the run still waits 60 s after rank 1 stopped"
  kill -9 "$rank1" "$runner" 2>/dev/null
  exit 1
fi
wait "$runner"
code=$?
grep '^spikecube-cli: rank 0 waited 3 s' "$work/output.txt" || { echo "no timeout line:"; cat "$work/output.txt"; exit 1; }
[ "$code" -ne 0 ] || { echo "exit code 0 after the timeout"; exit 1; }
exit 0
