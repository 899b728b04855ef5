"""Learning curves of 01_02 (the single-layer experiment) and cube-4 (the
48 x 48 x 4 lattice): iou100 and the hidden firing rate over 6,000 steps,
with the input off over steps 3001-4000, plotted to a PNG.

    PYTHONPATH=build/python python3 examples/learning_curve.py [out.png] [--seed S] [--steps 6000]
"""

import argparse

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt
import numpy as np
import spikecube


def off_windows(input_on, steps):
    """(first, last) step of each stretch with the input off."""
    off = np.flatnonzero(~input_on)
    if off.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(off) > 1)
    starts = np.r_[off[0], off[breaks + 1]]
    ends = np.r_[off[breaks], off[-1]]
    return [(steps[a], steps[b]) for a, b in zip(starts, ends)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="learning_curve.png")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=6000)
    args = parser.parse_args()

    fig, (ax_iou, ax_fire) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True)
    for preset, colour in (("01_02", "tab:blue"), ("cube-4", "tab:red")):
        sim = spikecube.Simulation(preset=preset, seed=args.seed)
        summary = sim.run(args.steps, progress=True).summary()
        m = sim.metrics()
        label = f"{preset} (first_iou80 {summary['first_iou80']}, resume_iou80 {summary['resume_iou80']})"
        ax_iou.plot(m["step"], m["iou100"], color=colour, lw=1.2, label=label)
        # the firing rate per step is noisy: show its mean over the last 50
        # steps; a silent stretch (cube-4 without input) leaves a gap on the log axis
        c = np.cumsum(np.r_[0.0, m["fire"]])
        fire = (c[50:] - c[:-50]) / 50
        ax_fire.plot(m["step"][49:], np.where(fire > 0, fire, np.nan), color=colour, lw=1.2, label=preset)
        print(f"{preset}: {summary}")
    for first, last in off_windows(m["input_on"], m["step"]):
        for ax in (ax_iou, ax_fire):
            ax.axvspan(first, last, color="0.85", zorder=0)
        ax_iou.text((first + last) / 2, 0.86, "input off", ha="center", color="0.35")

    ax_iou.set_ylabel("iou100 (mean IoU, last 100 steps)")
    ax_iou.set_ylim(-0.02, 1.05)
    ax_iou.legend(loc="lower right", fontsize=9)
    ax_fire.set_yscale("log")
    ax_fire.set_ylabel("hidden firing rate (50-step mean)")
    ax_fire.set_xlabel("step")
    ax_fire.legend(loc="center right", fontsize=9)
    fig.suptitle(f"spikecube learning curves, seed {args.seed}")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
