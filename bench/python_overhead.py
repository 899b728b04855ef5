"""Overhead of the Python module: alternates `spikecube-cli run --preset
01_02` (6,000 steps) and `sim.run(6000)` from Python, and prints the medians
and minima of the stepping loop's wall time and CPU time, and the median of
the pairs' ratios. A benchmark, not
a test (speed targets live in benchmarks); on a shared machine alternate
many runs and compare medians and minima, never one pair.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead.py [pairs=15] [--cli build/app/spikecube-cli]

CLI wall time: 6000 / its steps_per_s (the stepping loop only). CLI CPU
time: the process's CPU time for 6,000 steps minus that for 0 steps (the
construction). Python: wall and CPU time around sim.run(6000).
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import time

import spikecube


def cli_run(cli, steps):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([cli, "run", "--preset", "01_02", "--steps", str(steps), "--quiet"], capture_output=True,
                         text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    sps = int(re.search(r"steps_per_s=(\d+)", out).group(1))
    return (steps / sps if sps else 0.0), cpu


def python_run():
    sim = spikecube.Simulation(preset="01_02")
    wall, cpu = time.perf_counter(), time.process_time()
    sim.run(6000)
    return time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="?", type=int, default=15)
    parser.add_argument("--cli", default=os.path.join("build", "app", "spikecube-cli"))
    args = parser.parse_args()
    cli_wall, cli_cpu, py_wall, py_cpu = [], [], [], []
    for i in range(args.pairs):
        _, base = cli_run(args.cli, 0)
        wall, cpu = cli_run(args.cli, 6000)
        cli_wall.append(wall)
        cli_cpu.append(cpu - base)
        wall, cpu = python_run()
        py_wall.append(wall)
        py_cpu.append(cpu)
        print(f"pair {i}: cli wall {cli_wall[-1]:.3f} cpu {cli_cpu[-1]:.3f} | python wall {wall:.3f} cpu {cpu:.3f}",
              flush=True)
    for name, f in (("median", statistics.median), ("min", min)):
        print(f"{name:>6} wall: cli {f(cli_wall):.3f} s, python {f(py_wall):.3f} s, python/cli {f(py_wall) / f(cli_wall):.3f}")
        print(f"{name:>6} cpu:  cli {f(cli_cpu):.3f} s, python {f(py_cpu):.3f} s, python/cli {f(py_cpu) / f(cli_cpu):.3f}")
    # neighbouring runs see about the same load: the median of the pairs' ratios
    ratios = sorted(p / c for p, c in zip(py_wall, cli_wall))
    print(f"median of the {args.pairs} pairs' wall-time ratios python/cli: {statistics.median(ratios):.3f}")
    print("load average", " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
