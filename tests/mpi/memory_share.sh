#!/bin/sh
# Each rank checks the memory of its own slab, not the whole lattice's: a
# lattice refused in one process under a per-process address-space limit
# (ulimit -v) runs when two ranks share it under the same limit each.
#   memory_share.sh CLI MPIRUN
set -u
cli=$1 mpirun=$2
root=""
[ "$(id -u)" = 0 ] && root=--allow-run-as-root
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# 1024 x 1024 x 64 neurons: about 2.7 GB in one process, 1.4 GB per rank of two
args="run --preset cube-4 --set model.n=1024 --set model.depth=64 --set readout.enabled=false --steps 1 --quiet"
limit=2000000  # kB of address space per process
one=$(sh -c "ulimit -v $limit; exec $cli $args" 2>&1)
code=$?
if [ "$code" -ne 2 ] || ! printf '%s\n' "$one" | grep -q '^spikecube-cli: not enough memory'; then
  echo "one process: exit $code, expected 2 with 'not enough memory':"
  printf '%s\n' "$one"
  exit 1
fi
two=$("$mpirun" $root --oversubscribe -np 2 sh -c "ulimit -v $limit; exec $cli $args" 2>&1)
code=$?
if [ "$code" -ne 0 ]; then
  echo "two ranks: exit $code, expected 0:"
  printf '%s\n' "$two"
  exit 1
fi
exit 0
