"""Module-level calls and the documentation help(spikecube) shows."""

import pydoc
import re

import spikecube
from conftest import run_cli


def test_presets_match_the_cli():
    listed = dict(line.split("\t", 1) for line in run_cli("presets").stdout.splitlines())
    assert spikecube.presets() == listed
    assert spikecube.preset_text("cube-4").startswith("# cube-4")


def test_params_match_the_cli_table():
    rows = [line for line in run_cli("params").stdout.splitlines() if line.startswith("| `")]
    table = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        table[cells[0].strip("`")] = cells
    params = spikecube.params()
    assert [p["key"] for p in params] == list(table)
    for p in params:
        key, default, allowed, live, help_text = table[p["key"]]
        assert p["live"] == (live == "yes") and p["help"] == help_text, key
        if p["type"] in ("int", "uint", "float"):
            assert float(default.strip("`")) == p["default"], key
            lo, hi = re.match(r"[[(](.*), (.*)\]", allowed).groups()  # ( marks an open lower bound
            assert p["range"] == (float(lo), float(hi)), key
        if p["choices"]:
            assert "/".join(p["choices"]) == allowed, key
    assert {p["type"] for p in params} == {"int", "uint", "float", "bool", "str", "intervals"}


def test_version_matches_the_cli():
    assert run_cli("--version").stdout.strip() == "spikecube-cli " + spikecube.version
    assert spikecube.__version__ == spikecube.version


def test_help_documents_every_call():
    text = pydoc.render_doc(spikecube, renderer=pydoc.plaintext)
    for name in ("Simulation", "presets", "params", "read_recording", "Recording", "ModelFault", "CheckpointError"):
        assert name in text, name
    for method in ("run", "step", "set", "get", "potential", "threshold", "spikes", "weights", "frames", "layer_rates",
                   "metrics", "summary", "state_hash", "save", "load"):
        doc = getattr(spikecube.Simulation, method).__doc__
        assert doc and len(doc.strip().splitlines()) >= 1 and method in doc, method
    for prop in ("input", "config", "config_toml", "step_count", "model", "shape", "last"):
        assert getattr(spikecube.Simulation, prop).__doc__, prop


def test_repr_and_properties():
    sim = spikecube.Simulation(preset="cube-4", seed=5)
    sim.step(2)
    sim.input = False
    assert repr(sim) == "<spikecube.Simulation cube 4x48x48 seed=5 step=2 input=off>"
    assert sim.config["run"]["seed"] == 5 and "[stdp]" in sim.config_toml


def test_input_mode_replays_from_memory_like_the_schedule():
    import pytest
    scheduled = spikecube.Simulation(preset="cube-4", seed=1, schedule={"input_off": [], "replay": [[151, 180]]})
    manual = spikecube.Simulation(preset="cube-4", seed=1, schedule={"input_off": []})
    assert manual.input_mode == "on"
    scheduled.run(200)
    manual.run(150)
    before = manual.frames().prediction
    manual.input_mode = "replay"
    manual.step()
    # the network's input is its own last prediction, and the readout reports replay
    assert (manual.frames().input == before).all()
    assert manual.metrics()["replay"][-1] and not manual.metrics()["input_on"][-1]
    manual.run(29)
    manual.input_mode = "on"
    manual.run(20)
    assert manual.state_hash() == scheduled.state_hash()
    s = manual.summary()
    assert s["replay_iou100"] == scheduled.summary()["replay_iou100"] and 0 <= s["replay_steps_80"] <= 30
    with pytest.raises(ValueError, match="input_mode: 'sideways' is not allowed"):
        manual.input_mode = "sideways"
