#!/bin/sh
# A recording of a run under mpirun is the file the same run in one process
# records, byte for byte (spikes, output, input and potential slices).
#   record_ranks.sh CLI MPIRUN RANKS WORKDIR -- run arguments...
set -eu
cli=$1 mpirun=$2 ranks=$3 work=$4
shift 5
root=""
[ "$(id -u)" = 0 ] && root=--allow-run-as-root
export OMPI_MCA_btl_vader_single_copy_mechanism=none
rm -rf "$work"
mkdir -p "$work"
"$cli" run "$@" --quiet --record "$work/one.h5"
"$mpirun" $root --oversubscribe -np "$ranks" "$cli" run "$@" --quiet --record "$work/ranks.h5"
cmp "$work/one.h5" "$work/ranks.h5" || { echo "the recording of $ranks ranks differs from one process's"; exit 1; }
