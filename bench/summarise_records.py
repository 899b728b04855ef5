#!/usr/bin/env python3
"""Summarises bench records (JSON Lines of `spikecube-cli bench --json`,
bench-plain-loop --json and bench/brian2_cube48.py --json): per CPU and
scenario the number of runs, the best and the median steps/s, and the load
averages seen, as a markdown table; then the scaling rows; then the ratios the
README's Performance table gives (spikecube / plain loop, spikecube / Brian2),
as best / best, median / median, and run by run: each reference run against
the cube run recorded just before it (bench/measure_session.sh alternates
them, so the two saw about the same load).

    python3 bench/summarise_records.py bench/records/*.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict


CUBE = "cube 48x48x48, 1 thread(s)"
PLAIN = "plain_loop 48x48x48, 1 thread(s)"
BRIAN2 = "brian2 48x48x48, 1 thread(s)"


def scenario(rec):
    o = rec["options"]
    model = o["model"]
    if o.get("scaling"):
        return None
    size = f"{o['n']}x{o['n']}x{o['L']}"
    if model == "groups":
        return f"groups {size}, g = {o['group']}, {rec['figures']['threads']} thread(s)"
    return f"{model} {size}, {rec['figures'].get('threads', 1)} thread(s)"


def main(paths):
    pairs = defaultdict(list)  # (cpu, reference) -> ratios of alternating runs
    cpu_pairs = defaultdict(list)  # the same in process CPU time, where both runs recorded it
    last_cube = {}  # cpu -> figures of the latest cube 48^3 record
    runs = defaultdict(list)
    cpu_runs = defaultdict(list)  # steps per second of process CPU time, where recorded
    loads = defaultdict(list)
    scaling = []
    for path in paths:
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                cpu = rec["machine"]["cpu_model"]
                load = float(rec["machine"]["load_average"].split()[0])
                name = scenario(rec)
                if name is None:
                    # the cube's --scaling rows (the groups' have no side)
                    scaling += [(cpu, row, load) for row in rec["figures"].get("rows", []) if "side" in row]
                    continue
                steps_per_s = rec["figures"]["steps_per_s"]
                if name == CUBE:
                    last_cube[cpu] = rec["figures"]
                elif name in (PLAIN, BRIAN2) and cpu in last_cube:
                    pairs[(cpu, name)].append(last_cube[cpu]["steps_per_s"] / steps_per_s)
                    if "cpu_steps_per_s" in rec["figures"]:
                        cpu_pairs[(cpu, name)].append(last_cube[cpu]["cpu_steps_per_s"] / rec["figures"]["cpu_steps_per_s"])
                runs[(cpu, name)].append(steps_per_s)
                if "cpu_steps_per_s" in rec["figures"]:
                    cpu_runs[(cpu, name)].append(rec["figures"]["cpu_steps_per_s"])
                loads[(cpu, name)].append(load)
    print("| CPU | scenario | runs | best steps/s | median steps/s | CPU-time steps/s: runs, median | 1-min load |")
    print("|---|---|---:|---:|---:|---:|---|")
    for (cpu, name), v in sorted(runs.items()):
        ld = loads[(cpu, name)]
        c = cpu_runs.get((cpu, name), [])
        c_text = f"{len(c)}, {statistics.median(c):,.1f}" if c else "-"
        print(f"| {cpu} | {name} | {len(v)} | {max(v):,.1f} | {statistics.median(v):,.1f} | {c_text} | "
              f"{min(ld):.2f}-{max(ld):.2f} |")
    if scaling:
        print()
        print("| CPU | side | threads | steps | steps/s | ns per neuron-step | bytes/neuron | spikes | 1-min load |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for cpu, row, load in scaling:
            print(f"| {cpu} | {row['side']} | {row['threads']} | {row['steps']} | {row['steps_per_s']:.2f} | "
                  f"{row['ns_per_neuron_step']:.2f} | {row['bytes_per_neuron']:.2f} | {100 * row['spikes_frac']:.2f}% | "
                  f"{load:.2f} |")
    print()
    for cpu in sorted({cpu for cpu, _ in runs}):
        engine = runs.get((cpu, CUBE))
        for ref in (PLAIN, BRIAN2):
            other = runs.get((cpu, ref))
            if engine and other:
                paired = pairs.get((cpu, ref), [])
                text = (f"{cpu}: cube 48^3 / {ref.split()[0]}: best/best {max(engine) / max(other):.2f}x, "
                        f"median/median {statistics.median(engine) / statistics.median(other):.2f}x")
                if paired:
                    text += (f", each run against the cube run just before it: median {statistics.median(paired):.2f}x, "
                             f"range {min(paired):.2f}-{max(paired):.2f}x ({len(paired)} pairs)")
                print(text)
            c = cpu_pairs.get((cpu, ref))
            if c:
                print(f"{cpu}: cube 48^3 / {ref.split()[0]} in process CPU time, run against run: median "
                      f"{statistics.median(c):.2f}x, range {min(c):.2f}-{max(c):.2f}x ({len(c)} pairs)")

if __name__ == "__main__":
    main(sys.argv[1:])
