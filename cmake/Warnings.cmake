# Warnings are set per target (never globally) so third-party headers stay quiet.
function(spikecube_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
endfunction()

# Optimisation flags for the hot engine code; -ffast-math is never used because
# determinism needs IEEE semantics.
function(spikecube_optimise target)
  # fp-contract=off: fused multiply-adds would make vector body and scalar tail
  # round differently, so results could depend on how work is partitioned.
  target_compile_options(${target} PRIVATE -ffp-contract=off $<$<CONFIG:Release>:-O3>)
endfunction()
