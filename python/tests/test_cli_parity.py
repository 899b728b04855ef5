"""The same config and seed give the same run from Python as from
spikecube-cli run: state_hash, summary.json and metrics.csv."""

import numpy as np
import pytest
import spikecube
from conftest import read_metrics_csv, read_summary, run_cli

# (preset, steps): 01_02 in full (input off over 3001-4000), the lattices briefly
CASES = [("01_02", 6000), ("cube-4", 400), ("groups-thin", 200)]


@pytest.mark.parametrize("preset,steps", CASES)
def test_same_hash_summary_and_metrics_as_the_cli(tmp_path, preset, steps):
    run_cli("run", "--preset", preset, "--seed", 3, "--steps", steps, "--quiet", "--out", tmp_path)
    sim = spikecube.Simulation(preset=preset, seed=3)
    summary = sim.run(steps).summary()
    cli_summary = read_summary(tmp_path)
    assert sim.state_hash() == cli_summary["state_hash"]
    timing = {"seconds", "steps_per_s"}
    assert {k: v for k, v in summary.items() if k not in timing} == {k: v for k, v in cli_summary.items() if k not in timing}

    # metrics.csv holds 6 significant digits; the Python arrays are exact
    csv_metrics, metrics = read_metrics_csv(tmp_path), sim.metrics()
    assert list(metrics) == list(csv_metrics)
    for name, column in csv_metrics.items():
        assert len(metrics[name]) == steps
        np.testing.assert_allclose(metrics[name].astype(np.float64), column, rtol=1e-5, atol=1e-9, err_msg=name)


def test_config_forms_and_overrides_match_the_cli_set(tmp_path):
    run_cli("run", "--preset", "cube-4", "--steps", 150, "--set", "stdp.a_plus=0.01", "--set", "neuron.noise=0",
            "--quiet", "--out", tmp_path)
    expected = read_summary(tmp_path)["state_hash"]
    toml = spikecube.preset_text("cube-4")
    path = tmp_path / "cube4.toml"
    path.write_text(toml)
    forms = [
        spikecube.Simulation(preset="cube-4", stdp={"a_plus": 0.01}, neuron={"noise": 0}),
        spikecube.Simulation(preset="cube-4", **{"stdp.a_plus": 0.01, "neuron.noise": 0.0}),
        spikecube.Simulation(config=toml, stdp={"a_plus": 0.01}, neuron={"noise": 0}),
        spikecube.Simulation(config=path, **{"stdp.a_plus": 0.01, "neuron.noise": 0}),
        spikecube.Simulation(config=str(path), stdp={"a_plus": 0.01}, neuron={"noise": 0}),
    ]
    resolved = forms[0].config
    forms.append(spikecube.Simulation(config=resolved))  # the dict form, from a resolved config
    for sim in forms:
        sim.run(150)
        assert sim.state_hash() == expected, sim.config_toml


def test_thread_count_does_not_change_results(tmp_path):
    run_cli("run", "--preset", "cube-4", "--steps", 200, "--threads", 1, "--quiet", "--out", tmp_path)
    sim = spikecube.Simulation(preset="cube-4", threads=2)
    sim.run(200)
    assert sim.state_hash() == read_summary(tmp_path)["state_hash"]


def test_run_without_steps_runs_the_configs_steps(tmp_path):
    run_cli("run", "--preset", "cube-4", "--set", "run.steps=120", "--quiet", "--out", tmp_path)
    sim = spikecube.Simulation(preset="cube-4", run={"steps": 120})
    assert sim.run().summary()["steps"] == 120
    assert sim.state_hash() == read_summary(tmp_path)["state_hash"]
    assert sim.run().step_count == 120  # nothing left to run


def test_input_switch_matches_the_cli_input_off_window(tmp_path):
    # switching the input off by hand over steps 101-150 equals --input-off 101:150
    run_cli("run", "--preset", "cube-4", "--steps", 200, "--input-off", "101:150", "--quiet", "--out", tmp_path)
    sim = spikecube.Simulation(preset="cube-4")
    sim.run(100)
    sim.input = False
    sim.run(50)
    assert not sim.frames().target.any() and not sim.metrics()["input_on"][100:].any()
    sim.input = True
    sim.run(50)
    assert sim.state_hash() == read_summary(tmp_path)["state_hash"]
    np.testing.assert_array_equal(sim.metrics()["input_on"], read_metrics_csv(tmp_path)["input_on"] == 1)


def test_a_callback_switching_the_input_reproduces_the_01_02_schedule(tmp_path):
    # the example of docs/python.md: 01_01 with the input switched off by hand
    # over steps 3001-4000 is the run of preset 01_02
    run_cli("run", "--preset", "01_02", "--steps", 4200, "--quiet", "--out", tmp_path)

    def gap(sim):
        sim.input = not (3000 <= sim.step_count < 4000)

    sim = spikecube.Simulation(preset="01_01")
    sim.run(4200, every=1000, callback=gap)
    assert sim.state_hash() == read_summary(tmp_path)["state_hash"]
