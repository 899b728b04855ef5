#!/usr/bin/env bash
# Compares the lattice benchmarks of two spikecube-cli binaries, old and new
# alternating so that both see the same machine load, and prints the median
# of each figure and new/old.
#
#   bench/compare_bench.sh OLD_CLI NEW_CLI [ROUNDS] [-- extra bench flags]
#
# ROUNDS (default 7) runs of each binary per model (cube, groups). Figures:
# cpu_steps_per_s of the lattice alone (cube only) and with the readout
# (process CPU time: steadier than wall time on a shared machine), and the
# wall-clock steps_per_s. bytes_per_neuron must match exactly.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 OLD_CLI NEW_CLI [ROUNDS] [-- extra bench flags]" >&2
  exit 2
fi
old=$1 new=$2
shift 2
rounds=7
if [[ $# -gt 0 && $1 != "--" ]]; then rounds=$1; shift; fi
[[ $# -gt 0 && $1 == "--" ]] && shift
extra=("$@")

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
field() { grep -o "$1=[0-9.e+]*" | head -1 | cut -d= -f2 || true; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for model in cube groups; do
  for ((r = 0; r < rounds; ++r)); do
    for which in old new; do
      cli=$old
      [[ $which == new ]] && cli=$new
      out=$("$cli" bench --model "$model" "${extra[@]}" 2>&1)
      # cube: "lattice_only: cpu_steps_per_s=" and "with_readout: ... cpu_steps_per_s=";
      # groups: one "cpu_steps_per_s=" line (with its readout)
      { echo "$out" | grep '^lattice_only' || true; } | field cpu_steps_per_s >> "$tmp/$model.$which.lattice"
      { echo "$out" | grep -E '^(with_readout|cpu_steps_per_s)' || true; } | field cpu_steps_per_s >> "$tmp/$model.$which.readout"
      { echo "$out" | grep '^steps_per_s' || true; } | field steps_per_s >> "$tmp/$model.$which.wall"
      echo "$out" | field bytes_per_neuron >> "$tmp/$model.$which.bytes"
    done
  done
  echo "model=$model rounds=$rounds (medians)"
  printf '  %-34s %10s %10s %8s\n' figure old new new/old
  for f in lattice readout wall; do
    [[ -s $tmp/$model.old.$f ]] || continue
    o=$(median < "$tmp/$model.old.$f") n=$(median < "$tmp/$model.new.$f")
    label=$f
    [[ $f == lattice ]] && label="lattice_only cpu_steps_per_s"
    [[ $f == readout ]] && label="with_readout cpu_steps_per_s"
    [[ $f == wall ]] && label="steps_per_s (wall)"
    printf '  %-34s %10s %10s %8.3f\n' "$label" "$o" "$n" "$(awk -v a="$o" -v b="$n" 'BEGIN {print b / a}')"
  done
  bo=$(sort -u "$tmp/$model.old.bytes" | tr '\n' ' ') bn=$(sort -u "$tmp/$model.new.bytes" | tr '\n' ' ')
  echo "  bytes_per_neuron old=$bo new=$bn"
done
