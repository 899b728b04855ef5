"""A parameter sweep with multiprocessing: how fast a preset learns as one
config key varies, over several seeds, one process per core; prints a table
and plots a PNG. By default: 01_02's Hebbian input rate layer.eta.

    PYTHONPATH=build/python python3 examples/sweep.py [out.png] [--preset 01_02]
        [--key layer.eta] [--values 0.0025,0.005,0.01,0.02,0.04] [--seeds 3] [--steps 6000]
"""

import argparse
import itertools
import multiprocessing
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import spikecube

FIELDS = ("first_iou80", "resume_iou80", "iou100_final", "fire_final")


def one_run(job):
    """Runs in a worker process. A Simulation cannot be pickled, so each
    worker builds its own from the job's parameters."""
    preset, key, value, seed, steps = job
    sim = spikecube.Simulation(preset=preset, seed=seed, threads=1, **{key: value})
    summary = sim.run(steps).summary()
    return {"value": value, "seed": seed, **{k: summary[k] for k in FIELDS}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="sweep.png")
    parser.add_argument("--preset", default="01_02")
    parser.add_argument("--key", default="layer.eta")
    parser.add_argument("--values", default="0.0025,0.005,0.01,0.02,0.04")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--processes", type=int, default=os.cpu_count())
    args = parser.parse_args()
    values = [float(v) for v in args.values.split(",")]

    # a bad key or value fails here, in one line, before any worker starts
    spikecube.Simulation(preset=args.preset, **{args.key: values[0]})

    jobs = list(itertools.product([args.preset], [args.key], values, range(args.seeds), [args.steps]))
    with multiprocessing.Pool(args.processes) as pool:
        results = pool.map(one_run, jobs)

    print(f"{args.key:>16} {'seed':>4} " + " ".join(f"{f:>12}" for f in FIELDS))
    for r in results:
        print(f"{r['value']:>16g} {r['seed']:>4} " + " ".join(f"{r[f]:>12.4g}" for f in FIELDS))

    def column(name, value):
        v = np.array([r[name] for r in results if r["value"] == value], dtype=float)
        return np.where(v < 0, np.nan, v)  # -1: never reached

    fig, (ax_t, ax_q) = plt.subplots(1, 2, figsize=(10.5, 4.2))
    for name, colour in (("first_iou80", "tab:blue"), ("resume_iou80", "tab:orange")):
        for v in values:
            y = column(name, v)
            ax_t.scatter(np.full(y.size, v), y, color=colour, alpha=0.6, label=name if v == values[0] else None)
        medians = [np.nanmedian(column(name, v)) if np.isfinite(column(name, v)).any() else np.nan for v in values]
        ax_t.plot(values, medians, color=colour, lw=1)
    never = [v for v in values if np.isnan(column("first_iou80", v)).all()]
    for v in never:
        ax_t.annotate("never", (v, 0), xycoords=("data", "axes fraction"), xytext=(0, 6), textcoords="offset points",
                      ha="center", color="tab:blue")
    xlim = (min(values) / 1.5, max(values) * 1.5)  # fixed: a sweep where nothing learns still plots
    ax_t.set_xscale("log")
    ax_t.set_xlim(*xlim)
    ax_t.set_xticks(values, [f"{v:g}" for v in values], minor=False)
    ax_t.minorticks_off()
    ax_t.set_xlabel(args.key)
    ax_t.set_ylabel("steps until iou100 >= 0.8")
    ax_t.set_title("learning and relearning time (dots: seeds, line: median)", fontsize=10)
    ax_t.legend(fontsize=9)
    for v in values:
        y = column("iou100_final", v)
        ax_q.scatter(np.full(y.size, v), y, color="tab:green", alpha=0.6)
    ax_q.plot(values, [np.mean(column("iou100_final", v)) for v in values], color="tab:green", lw=1)
    ax_q.set_xscale("log")
    ax_q.set_xlim(*xlim)
    ax_q.set_xticks(values, [f"{v:g}" for v in values], minor=False)
    ax_q.minorticks_off()
    ax_q.set_ylim(-0.02, 1.05)
    ax_q.set_xlabel(args.key)
    ax_q.set_ylabel(f"iou100 at step {args.steps}")
    ax_q.set_title("final prediction quality (line: mean)", fontsize=10)
    fig.suptitle(f"{args.preset}: {len(jobs)} runs of {args.steps} steps on {args.processes} processes")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
