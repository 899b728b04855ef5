"""Replay from memory: 01_02 (one layer) and cube-4 (a 48 x 48 x 4 lattice)
learn the moving dot with the input on, then replay: the network's input is
its own last prediction while the dot moves on unseen. Plots the per-step
IoU of prediction and true dot around the switch to a PNG.

    PYTHONPATH=build/python python3 examples/replay.py [out.png] [--learn 3000] [--replay 300] [--seed S]
"""

import argparse

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt
import numpy as np
import spikecube


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="replay.png")
    parser.add_argument("--learn", type=int, default=3000, help="steps with the input on")
    parser.add_argument("--replay", type=int, default=300, help="steps replayed from memory")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    fig, ax = plt.subplots(figsize=(9, 4))
    shown = min(100, args.learn)
    for preset, colour in (("01_02", "tab:blue"), ("cube-4", "tab:red")):
        sim = spikecube.Simulation(preset=preset, seed=args.seed, schedule={"input_off": []})
        sim.run(args.learn)
        sim.input_mode = "replay"
        sim.run(args.replay)
        summary = sim.summary()
        m = sim.metrics()
        steps, iou = m["step"], m["iou"]
        # a 10-step running mean, as replay_steps_80 measures it
        smooth = np.convolve(iou, np.ones(10) / 10, mode="full")[: len(iou)]
        keep = steps > args.learn - shown
        ax.plot(steps[keep], smooth[keep], color=colour,
                label=f"{preset}: replay_iou100 {summary['replay_iou100']:.2f}, "
                      f"replay_steps_80 {summary['replay_steps_80']}")
        print(f"{preset}: replay_iou100={summary['replay_iou100']:.3f} replay_steps_80={summary['replay_steps_80']}")
    ax.axvspan(args.learn + 0.5, args.learn + args.replay + 0.5, color="0.9", zorder=0, label="replay from memory")
    ax.axhline(0.8, color="0.5", lw=0.8, ls="--")
    ax.set_xlabel("step")
    ax.set_ylabel("IoU, mean of 10 steps")
    ax.set_ylim(-0.02, 1.05)
    ax.set_title("prediction vs. the unseen dot, input on then replay from memory")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
