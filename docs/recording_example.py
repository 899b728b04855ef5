# Read a spikecube recording: spikecube-cli run --preset 01_01 --steps 3000 --record rec.h5 --record-slice z:0
import sys, h5py, numpy as np
with h5py.File(sys.argv[1] if len(sys.argv) > 1 else "rec.h5", "r") as f:
    hidden = f["spikes/hidden"]  # SONATA layout: timestamps (ms, 1 step = 1 ms) and node_ids per population
    t, ids = hidden["timestamps"][:], hidden["node_ids"][:]
    nx, ny, nz = (int(f.attrs[k]) for k in ("nx", "ny", "nz"))
    steps = np.rint(t / f.attrs["step_ms"]).astype(np.int64)  # node_ids[i] = (z*ny + y)*nx + x spiked at step steps[i]
    first, last = int(f.attrs["first_step"]), int(f.attrs["last_step"])  # both -1 when no step was recorded
    rate = len(steps) / (nx * ny * nz) / max(1, last - first + 1)  # mean firing rate per step
    print(f"{f.attrs['model']}: {len(steps)} hidden spikes, steps {first}-{last}, mean rate {rate:.4f}")
    for name in (k for k in f.get("potential", {}) if k != "step"):  # slices, e.g. z0: [samples, y, x] of v/theta
        v = f["potential"][name]
        print(f"potential {name}: {v.shape[0]} samples of {v.shape[1]}x{v.shape[2]}, last max {v[-1].max() if len(v) else np.nan:.3f}")
    print(next(l for l in f["config"][()].decode().splitlines() if l.startswith("type")))  # resolved config (TOML)
