"""spikecube from Python: spiking networks that learn with local rules.

The same engine as spikecube-cli and the GUI, so a config and seed give the
same spikes and weights (state_hash) everywhere.

    import spikecube
    sim = spikecube.Simulation(preset="01_02", seed=0)
    sim.run(6000)                       # the GIL is released while stepping
    m = sim.metrics()                   # metrics.csv as a dict of 1-D arrays
    print(sim.summary()["first_iou80"]) # summary.json as a dict
    v = sim.potential()                 # (z, y, x) NumPy arrays of the state

    sim = spikecube.Simulation(preset="cube-4", stdp={"a_plus": 0.01})
    sim.input = False; sim.step(500); sim.input = True
    sim.set("stdp.a_plus", 0.002)       # live keys, see params()
    sim.save("ck.h5")                   # spikecube-cli run --resume ck.h5 continues it
    sim = spikecube.Simulation.load("ck.h5")

    rec = spikecube.read_recording("rec.h5")   # spikecube-cli run --record rec.h5
    rec.spikes["hidden"].steps, rec.spikes["hidden"].node_ids

Contents: Simulation, presets(), preset_text(), params(), read_recording(),
version; errors: ValueError (bad config, with the CLI's message), OSError /
CheckpointError (files), ModelFault (the model diverged).
"""

from ._core import CheckpointError, Frames, ModelFault, Simulation, params, preset_text, presets, version
from .recording import Population, Recording, read_recording

# shown as spikecube.Simulation etc. in help() and tracebacks
for _cls in (Simulation, CheckpointError, ModelFault):
    _cls.__module__ = __name__
del _cls

__version__ = version
__all__ = [
    "Simulation",
    "Frames",
    "presets",
    "preset_text",
    "params",
    "read_recording",
    "Recording",
    "Population",
    "CheckpointError",
    "ModelFault",
    "version",
]
