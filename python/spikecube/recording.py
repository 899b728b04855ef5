"""Reading spikecube recordings (spikecube-cli run --record PATH).

A recording is HDF5 with the spikes in the SONATA spike-file layout, one
population per layer of neurons:

    /spikes/<population>/timestamps   float64, ms (one step = 1 ms)
    /spikes/<population>/node_ids     uint64
    /spikes/<population>              attribute sorting (by_time)

populations "input" (lit input pixels, y*n + x), "hidden" (neurons,
(z*ny + y)*nx + x) and "output" (lit prediction pixels, y*n + x); beside
them spikecube's own data: sampled potential slices (/potential) and the
resolved config (/config).
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Population:
    """The spikes of one population, in time order.

    timestamps: float64 ms; node_ids: uint64 unit index; steps: int64 step
    of each spike (timestamps / step_ms); size: units in the population;
    shape: their grid ((nz, ny, nx) for hidden, (n, n) for input/output),
    so np.unravel_index(node_ids, shape) gives their coordinates.
    """

    name: str
    timestamps: np.ndarray
    node_ids: np.ndarray
    steps: np.ndarray
    shape: tuple
    sorting: str = "by_time"

    @property
    def size(self):
        return int(np.prod(self.shape))

    def counts(self, first_step, last_step):
        """Spikes per step for steps first_step..last_step (int64 array)."""
        s = self.steps[(self.steps >= first_step) & (self.steps <= last_step)]
        return np.bincount(s - first_step, minlength=last_step - first_step + 1)

    def rates(self, first_step, last_step):
        """Fraction of the population that spiked at each step first_step..last_step."""
        return self.counts(first_step, last_step) / self.size


@dataclass
class Recording:
    """A recording, read whole into memory.

    model, seed, shape (nz, ny, nx of the hidden lattice), n (input grid
    side), first_step, last_step, step_ms; spikes: {population: Population};
    potential: {"z0": float32 [samples, rows, cols] of v/theta, ...};
    potential_steps: int64 steps of those samples; config: resolved TOML
    text (spikecube.Simulation(config=rec.config) rebuilds the run's model).
    """

    path: str
    model: str
    seed: int
    shape: tuple
    n: int
    first_step: int
    last_step: int
    step_ms: float
    config: str
    spikes: dict = field(default_factory=dict)
    potential: dict = field(default_factory=dict)
    potential_steps: np.ndarray = None


def _sorting_name(group):
    import h5py

    if "sorting" not in group.attrs:
        return "none"
    value = group.attrs["sorting"]
    mapping = h5py.check_enum_dtype(group.attrs.get_id("sorting").dtype) or {}
    names = {v: k for k, v in mapping.items()}
    return names.get(int(value), str(value))


def read_recording(path):
    """Reads a recording written by spikecube-cli run --record (format 2, the
    SONATA spike layout) into a Recording. Needs h5py (Debian: python3-h5py).

        rec = spikecube.read_recording("rec.h5")
        hidden = rec.spikes["hidden"]
        z, y, x = np.unravel_index(hidden.node_ids, hidden.shape)
        rate = hidden.rates(rec.first_step, rec.last_step)
    """
    import h5py

    with h5py.File(path, "r") as f:
        a = f.attrs
        if a.get("format") != "spikecube-recording":
            raise ValueError(f"{path}: not a spikecube recording")
        if int(a["format_version"]) != 2:
            raise ValueError(f"{path}: recording format version {int(a['format_version'])}; this reader reads version 2")
        shape = (int(a["nz"]), int(a["ny"]), int(a["nx"]))
        n = int(a["n"])
        step_ms = float(a["step_ms"])
        rec = Recording(
            path=str(path),
            model=str(a["model"]),
            seed=int(a["seed"]),
            shape=shape,
            n=n,
            first_step=int(a["first_step"]),
            last_step=int(a["last_step"]),
            step_ms=step_ms,
            config=f["config"][()].decode(),
        )
        for name, group in f["spikes"].items():
            t = group["timestamps"][:]
            rec.spikes[name] = Population(
                name=name,
                timestamps=t,
                node_ids=group["node_ids"][:],
                steps=np.rint(t / step_ms).astype(np.int64),
                shape=shape if name == "hidden" else (n, n),
                sorting=_sorting_name(group),
            )
        if "potential" in f:
            rec.potential_steps = f["potential/step"][:]
            rec.potential = {k: v[:] for k, v in f["potential"].items() if k != "step"}
        else:
            rec.potential_steps = np.zeros(0, dtype=np.int64)
    return rec
