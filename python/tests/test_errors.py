"""Bad input raises ValueError with spikecube-cli's one-line message."""

import pytest
import spikecube
from conftest import cli_error


@pytest.mark.parametrize(
    "kwargs,cli_args",
    [
        ({"stdp.a_plsu": 0.1}, ["--set", "stdp.a_plsu=0.1"]),
        ({"neuron": {"rho": 2}}, ["--set", "neuron.rho=2"]),
        ({"neuron.threshold": "sometimes"}, ["--set", "neuron.threshold=sometimes"]),
        ({"model": {"type": "sphere"}}, ["--set", "model.type=sphere"]),
        ({"layer.radius": 60}, ["--set", "layer.radius=60"]),
        ({"schedule.input_off": [[10, 5]]}, ["--set", "schedule.input_off=[[10,5]]"]),
    ],
)
def test_bad_overrides(kwargs, cli_args):
    with pytest.raises(ValueError) as err:
        spikecube.Simulation(preset="01_01", **kwargs)
    assert str(err.value) == cli_error("run", "--preset", "01_01", "--steps", 1, *cli_args)


def test_unknown_preset_and_bad_config_files(tmp_path):
    with pytest.raises(ValueError) as err:
        spikecube.Simulation(preset="cube-5")
    assert str(err.value) == cli_error("run", "--preset", "cube-5")

    bad = tmp_path / "bad.toml"
    bad.write_text("[stdp]\na_plus = 0.01\nw_maxx = 1\n")
    with pytest.raises(ValueError) as err:
        spikecube.Simulation(config=bad)
    assert str(err.value) == cli_error("run", "--config", bad)

    broken = tmp_path / "broken.toml"
    broken.write_text("[stdp\n")
    with pytest.raises(ValueError) as err:
        spikecube.Simulation(config=broken)
    assert str(err.value) == cli_error("run", "--config", broken)
    with pytest.raises(ValueError, match="malformed TOML"):
        spikecube.Simulation(config="[stdp\na_plus = 1\n")
    with pytest.raises(ValueError, match="cannot open config file"):
        spikecube.Simulation(config=tmp_path / "missing.toml")
    with pytest.raises(ValueError, match="give one of them"):
        spikecube.Simulation(preset="01_01", config=bad)


def test_seed_and_threads_ranges():
    with pytest.raises(ValueError, match=r"threads: 300 is out of range; expected an integer in \[0, 256\]"):
        spikecube.Simulation(threads=300)
    with pytest.raises(ValueError, match=r"seed: -1 is out of range"):
        spikecube.Simulation(seed=-1)
    with pytest.raises(TypeError):
        spikecube.Simulation(stdp={"a_plus": object()})


def test_set_live_keys_and_refusals():
    sim = spikecube.Simulation(preset="cube-4")
    sim.step(3)
    sim.set("stdp.a_plus", 0.01)
    sim.set("stdp.plastic", False)
    assert sim.get("stdp.a_plus") == 0.01 and sim.config["stdp"]["plastic"] is False
    before = sim.config
    cases = [
        ("stdp.a_plsu", 0.1, "stdp.a_plsu: unknown key; did you mean stdp.a_plus?"),
        ("neuron.rho", 2, "neuron.rho: 2 is out of range; expected a number in [0, 1]"),
        ("model.n", 12, "model.n: cannot change while running; set it in the config and reset"),
    ]
    for key, value, message in cases:
        with pytest.raises(ValueError) as err:
            sim.set(key, value)
        assert str(err.value) == message
    assert sim.config == before
    # the CLI refuses the same out-of-range value with the same text after "--set "
    assert cli_error("run", "--set", "neuron.rho=2") == "--set " + cases[1][2]


def test_bad_arguments_of_calls():
    sim = spikecube.Simulation(preset="cube-4")
    with pytest.raises(ValueError, match=r"unknown link set 'in'; expected one of \{xp, xm, yp, ym, zp, zm\}"):
        sim.weights("in")
    with pytest.raises(ValueError, match="steps: -1 is out of range"):
        sim.step(-1)
    with pytest.raises(ValueError, match="every: 0 is out of range"):
        sim.run(10, every=0)
    assert sim.step_count == 0
