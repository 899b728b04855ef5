#!/bin/sh
# A checkpoint written at 3 ranks is the file one process writes; it resumes
# at 2 ranks and in one process, and
# both go on exactly as the run that never stopped: the same metrics.csv
# rows after the checkpoint, the same final state_hash.
#   checkpoint_ranks.sh CLI MPIRUN WORKDIR STEPS -- run arguments...
set -eu
cli=$1 mpirun=$2 work=$3 steps=$4
shift 5
root=""
[ "$(id -u)" = 0 ] && root=--allow-run-as-root
export OMPI_MCA_btl_vader_single_copy_mechanism=none
half=$((steps / 2))
rm -rf "$work"
mkdir -p "$work"
"$cli" run "$@" --steps "$steps" --quiet --out "$work/straight"
"$mpirun" $root --oversubscribe -np 3 "$cli" run "$@" --steps "$half" --quiet --checkpoint "$work/ck.h5"
"$cli" run "$@" --steps "$half" --quiet --checkpoint "$work/ck_one.h5"
"$mpirun" $root --oversubscribe -np 2 "$cli" run --resume "$work/ck.h5" --steps $((steps - half)) --quiet \
  --out "$work/two"
"$cli" run --resume "$work/ck.h5" --steps $((steps - half)) --quiet --out "$work/one"
status=0
# one file in the usual format: the bytes a one-process run writes
cmp "$work/ck.h5" "$work/ck_one.h5" || { echo "the checkpoint of 3 ranks differs from one process's"; status=1; }
want=$(grep state_hash "$work/straight/summary.json")
tail -n $((steps - half)) "$work/straight/metrics.csv" > "$work/straight_tail.csv"
for r in two one; do
  got=$(grep state_hash "$work/$r/summary.json")
  [ "$got" = "$want" ] || { echo "resumed ($r): $got, straight: $want"; status=1; }
  tail -n $((steps - half)) "$work/$r/metrics.csv" | cmp - "$work/straight_tail.csv" ||
    { echo "resumed ($r): metrics.csv differs after the checkpoint"; status=1; }
done
exit $status
