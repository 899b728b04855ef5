#!/usr/bin/python3
"""Brian2 (C++ standalone, one thread) on the cube benchmark scenario.

The scenario of `spikecube-cli bench --model cube` (docs/cube.md, Benchmark)
and of bench/plain_loop.cpp, written the way a Brian2 user would: an n x n x L
NeuronGroup of discrete-time LIF neurons (v <- rho v + I + b + sigma randn,
fixed threshold 1, reset 0, 3 steps refractory), a Synapses object with the
six-neighbour links (w ~ U(0.08, 0.12), at most 0.25) and pair STDP on every
link from one trace per neuron (tau 20: pre and post traces are equal), and a
dot moving diagonally over face z = 0 with input gain 2. Not bit-identical to
the engine (other random numbers, Brian2's own ordering within a step); the
same model and the same work per step.

Prints steps_per_s of the timed run (Brian2's own measure of the simulation
loop, without code generation, compilation or synapse creation), spikes per
step and the firing fraction. --json FILE appends a record like
`spikecube-cli bench --json` (model "brian2").

    /usr/bin/python3 bench/brian2_cube48.py [--n 48] [--L 48] [--steps 1000] [--warmup 200] [--json FILE]

Needs Debian's python3-brian (Brian2 2.5, for the system's /usr/bin/python3;
setup.sh installs it) and a C++ compiler.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile


def machine():
    """The same machine fields as spikecube-cli's record (app/cli/bench_record.cpp)."""
    m = {"cpu_model": "", "vendor": "", "logical_cores": 0, "l1d": "", "l2": "", "l3": "",
         "avx512": False, "memory_bytes": 0, "load_average": ""}
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "processor":
                m["logical_cores"] += 1
            elif key == "model name" and not m["cpu_model"]:
                m["cpu_model"] = value
            elif key == "vendor_id" and not m["vendor"]:
                m["vendor"] = value
            elif key == "flags" and m["logical_cores"] == 1:
                m["avx512"] = "avx512f" in value.split()
    base = "/sys/devices/system/cpu/cpu0/cache"
    for index in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        d = os.path.join(base, index)
        try:
            level = open(os.path.join(d, "level")).read().strip()
            kind = open(os.path.join(d, "type")).read().strip()
            size = open(os.path.join(d, "size")).read().strip()
        except OSError:
            continue
        name = {"1": "l1d", "2": "l2", "3": "l3"}.get(level)
        if name and kind in ("Data", "Unified") and not m[name]:
            m[name] = size
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                m["memory_bytes"] = int(line.split()[1]) * 1024
    m["load_average"] = " ".join(open("/proc/loadavg").read().split()[:3])
    return m


def git_revision():
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=here, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def neighbour_links(n, depth):
    """Sources and targets of every six-neighbour link (none across a face)."""
    import numpy as np
    idx = np.arange(n * n * depth).reshape(depth, n, n)  # [z, y, x]
    sources, targets = [], []
    for axis in range(3):
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[axis] = slice(0, -1)
        hi[axis] = slice(1, None)
        a, b = idx[tuple(lo)].ravel(), idx[tuple(hi)].ravel()
        sources += [a, b]
        targets += [b, a]
    return np.concatenate(sources), np.concatenate(targets)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--L", type=int, default=48)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="append a record of the run to FILE (JSON Lines)")
    args = ap.parse_args()
    if args.n < 3 or args.L < 1 or args.steps < 1 or args.warmup < 0:
        sys.exit("brian2_cube48.py: expected --n >= 3, --L >= 1, --steps >= 1, --warmup >= 0")
    record = None
    if args.json:
        try:
            record = open(args.json, "a")
        except OSError as e:
            print(f"brian2_cube48.py: --json {args.json}: cannot open for appending ({e.strerror})", file=sys.stderr)
            sys.exit(2)

    import numpy as np
    import brian2 as b2

    build_dir = tempfile.mkdtemp(prefix="brian2_cube48_")
    b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    b2.prefs.core.default_float_dtype = np.float32  # the engine and the plain loop are float32
    b2.defaultclock.dt = 1 * b2.ms  # one step
    b2.seed(args.seed)

    n, depth = args.n, args.L
    count = n * n * depth
    rng = np.random.default_rng(args.seed)
    x0 = int(rng.integers(1, n - 1))
    params = dict(rho=0.9, bias=0.05, sigma=0.2, gain=2.0, n_side=n, period=2 * n - 2, x0=x0,
                  decay=float(np.exp(-1.0 / 20.0)), a_plus=0.0025, a_minus=1.05 * 0.0025, w_max=0.25)

    G = b2.NeuronGroup(count, """
        v : 1
        I : 1               # the links' current of last step's spikes
        x : 1               # STDP trace
        ref : integer       # refractory steps left
        rest : integer
        ix : integer (constant)
        iy : integer (constant)
        iz : integer (constant)
        """, threshold="v >= 1", reset="v = 0; ref = 3; x += 1", namespace=params)
    flat = np.arange(count)
    G.ix = flat % n
    G.iy = (flat // n) % n
    G.iz = flat // (n * n)
    # the dot: starts at (x0, 0) and moves diagonally, reflecting at the faces
    G.run_regularly("""
        k = int(t / dt + 0.5)
        dot_x = (n_side - 1) - abs((x0 + k + n_side - 1) % period - (n_side - 1))
        dot_y = (n_side - 1) - abs((k + n_side - 1) % period - (n_side - 1))
        rest = int(ref > 0)
        ref = ref - rest
        v = (1 - rest) * (rho * v + I + bias + sigma * randn() + gain * int(iz == 0 and ix == dot_x and iy == dot_y))
        I = 0
        """, when="start")
    # traces decay before this step's spikes add 1 (reset): the STDP of the
    # next step reads x = decay x + s, as the engine's does
    G.run_regularly("x = decay * x", when="before_resets")

    S = b2.Synapses(G, G, "w : 1", on_pre="""
        I_post += w
        w = clip(w - a_minus * x_post, 0, w_max)
        """, on_post="w = clip(w + a_plus * x_pre, 0, w_max)", namespace=params)
    sources, targets = neighbour_links(n, depth)
    S.connect(i=sources, j=targets)
    S.w = np.minimum(rng.uniform(0.08, 0.12, len(sources)), 0.25).astype(np.float32)

    spikes = b2.PopulationRateMonitor(G)
    net = b2.Network(G, S, spikes)
    net.run(args.warmup * b2.ms)
    net.run(args.steps * b2.ms)
    b2.device.build(directory=build_dir, compile=True, run=True, debug=False)

    run_s = float(b2.device._last_run_time)  # the last net.run's loop, as the standalone program timed it
    rate = np.asarray(spikes.rate / b2.Hz) * 1e-3  # fraction of neurons spiking per 1-ms step
    fire = float(rate[args.warmup:].mean())
    shutil.rmtree(build_dir, ignore_errors=True)
    steps_per_s = args.steps / run_s
    print(f"model=brian2 n={n} L={depth} steps={args.steps} threads=1 links={len(sources)} "
          f"brian2={b2.__version__} float32 cpp_standalone")
    print(f"steps_per_s={steps_per_s:.1f} spikes_per_step={fire * count:.2f} fire={fire:.4f}")
    if record:
        rec = {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": machine(),
            "build": {"git_revision": git_revision(), "brian2": b2.__version__, "python": platform.python_version(),
                      "device": "cpp_standalone", "float": "float32"},
            "command_line": sys.argv,
            "options": {"model": "brian2", "n": n, "L": depth, "steps": args.steps, "warmup": args.warmup,
                        "seed": args.seed},
            "figures": {"steps": args.steps, "threads": 1, "steps_per_s": steps_per_s,
                        "spikes_per_step": fire * count, "spikes_frac": fire, "run_s": run_s,
                        "links": int(len(sources))},
        }
        record.write(json.dumps(rec) + "\n")  # one write of one line, in append mode
        record.close()


if __name__ == "__main__":
    main()
