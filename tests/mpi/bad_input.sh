#!/bin/sh
# Bad input under mpirun: every rank ends with exit code 2 and the run
# prints exactly one line of its own (mpirun adds its report of the exit
# code; those lines do not start with "spikecube-cli:").
#   bad_input.sh CLI MPIRUN RANKS -- run arguments...
set -u
cli=$1 mpirun=$2 ranks=$3
shift 4
root=""
[ "$(id -u)" = 0 ] && root=--allow-run-as-root
export OMPI_MCA_btl_vader_single_copy_mechanism=none
out=$("$mpirun" $root --oversubscribe -np "$ranks" "$cli" "$@" 2>&1)
code=$?
lines=$(printf '%s\n' "$out" | grep -c '^spikecube-cli:')
printf '%s\n' "$out" | grep '^spikecube-cli:'
if [ "$code" -ne 2 ]; then
  echo "exit code $code, expected 2"
  exit 1
fi
if [ "$lines" -ne 1 ]; then
  echo "$lines lines from spikecube-cli, expected 1"
  exit 1
fi
exit 0
