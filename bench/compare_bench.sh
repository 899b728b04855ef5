#!/usr/bin/env bash
# Compares the lattice benchmarks of two spikecube-cli binaries, old and new
# alternating so that both see the same machine load, and prints the median
# and the best run of each figure, and new/old.
#
#   bench/compare_bench.sh OLD_CLI NEW_CLI [ROUNDS] [-- extra bench flags]
#
# ROUNDS (default 7) runs of each binary per model (cube, groups). Figures:
# cpu_steps_per_s of the lattice alone (cube only) and with the readout
# (process CPU time: steadier than wall time on a shared machine), and the
# wall-clock steps_per_s. bytes_per_neuron must match exactly. On a loaded
# machine the best runs (the least disturbed) compare more fairly than the
# medians.
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
best() { sort -g | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b / a}'; }
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
  echo "model=$model rounds=$rounds"
  printf '  %-30s %8s %8s %7s   %8s %8s %7s\n' figure "old med" "new med" new/old "old best" "new best" new/old
  for f in lattice readout wall; do
    [[ -s $tmp/$model.old.$f ]] || continue
    o=$(median < "$tmp/$model.old.$f") n=$(median < "$tmp/$model.new.$f")
    label=$f
    [[ $f == lattice ]] && label="lattice_only cpu_steps_per_s"
    [[ $f == readout ]] && label="with_readout cpu_steps_per_s"
    [[ $f == wall ]] && label="steps_per_s (wall)"
    bo=$(best < "$tmp/$model.old.$f") bn=$(best < "$tmp/$model.new.$f")
    printf '  %-30s %8s %8s %7s   %8s %8s %7s\n' "$label" "$o" "$n" "$(ratio "$o" "$n")" "$bo" "$bn" "$(ratio "$bo" "$bn")"
  done
  echo "  bytes_per_neuron old=$(sort -u "$tmp/$model.old.bytes" | tr '\n' ' ')new=$(sort -u "$tmp/$model.new.bytes" | tr '\n' ' ')"
done
