#!/bin/sh
# A run under mpirun must write what the same run in one process writes:
# metrics.csv and layers.csv byte for byte, summary.json's state_hash.
#   compare_ranks.sh CLI MPIRUN RANKS WORKDIR -- run arguments...
set -eu
cli=$1 mpirun=$2 ranks=$3 work=$4
shift 5
root=""
[ "$(id -u)" = 0 ] && root=--allow-run-as-root  # CI runs as root
# containers often forbid the cross-memory attach of Open MPI's shared memory
export OMPI_MCA_btl_vader_single_copy_mechanism=none
rm -rf "$work"
mkdir -p "$work"
"$cli" run "$@" --quiet --out "$work/one"
"$mpirun" $root --oversubscribe -np "$ranks" "$cli" run "$@" --quiet --out "$work/ranks"
status=0
for f in metrics.csv layers.csv; do
  if ! cmp "$work/one/$f" "$work/ranks/$f"; then
    echo "$f differs between 1 and $ranks ranks"
    status=1
  fi
done
one=$(grep state_hash "$work/one/summary.json")
many=$(grep state_hash "$work/ranks/summary.json")
if [ "$one" != "$many" ]; then
  echo "state_hash differs: 1 rank $one, $ranks ranks $many"
  status=1
fi
# a comparison of two silent runs would prove little
awk -F, 'NR > 1 && $3 > 0 { active = 1 } END { exit active ? 0 : 1 }' "$work/one/metrics.csv" ||
  { echo "no spikes in the run: nothing was compared"; status=1; }
exit $status
