#!/bin/sh
# Runs each fuzz target for a bounded time: fuzz/run.sh BUILD_DIR SECONDS
# Seeds come from fuzz/seeds/<target>; new corpus entries go to BUILD_DIR/corpus.
set -u
build=${1:-build-fuzz}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for t in fuzz_config fuzz_checkpoint fuzz_checkpoint_hdf5; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus" "$build/artifacts/$t"
  echo "== $t ($secs s)"
  # libhdf5 1.10 leaks a few bytes on some malformed files (its error paths,
  # not ours); leak checks stay on for the other targets
  leaks=1
  [ "$t" = fuzz_checkpoint_hdf5 ] && leaks=0
  "$build/fuzz/$t" -detect_leaks=$leaks -max_total_time="$secs" -rss_limit_mb=4096 -max_len=1048576 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t/" "$corpus" "$here/seeds/$t" 2>&1 | grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)" || true
  [ -z "$(ls "$build/artifacts/$t")" ] || status=1
done
exit $status
