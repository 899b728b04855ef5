"""Checkpoints go both ways between the CLI and Python, bit for bit."""

import numpy as np
import pytest
import spikecube
from conftest import read_summary, run_cli


@pytest.mark.parametrize("preset,a,b", [("01_02", 600, 200), ("groups-thin", 150, 100)])
def test_cli_checkpoint_loads_in_python_and_python_checkpoint_resumes_in_the_cli(tmp_path, preset, a, b):
    run_cli("run", "--preset", preset, "--steps", a + b, "--quiet", "--out", tmp_path / "straight")
    straight = read_summary(tmp_path / "straight")

    # CLI writes, Python continues
    run_cli("run", "--preset", preset, "--steps", a, "--quiet", "--checkpoint", tmp_path / "cli.h5")
    sim = spikecube.Simulation.load(tmp_path / "cli.h5")
    assert sim.step_count == a and sim.model == straight["model"]
    summary = sim.run(b).summary()
    assert sim.state_hash() == straight["state_hash"]
    for key in ("steps", "iou100_final", "fire_final", "first_iou80", "resume_iou80"):
        assert summary[key] == straight[key], key
    assert len(sim.metrics()["step"]) == b and sim.metrics()["step"][0] == a + 1

    # Python writes, the CLI continues
    sim = spikecube.Simulation(preset=preset)
    sim.run(a)
    sim.save(tmp_path / "py.h5")
    run_cli("run", "--resume", tmp_path / "py.h5", "--steps", b, "--quiet", "--out", tmp_path / "resumed")
    assert read_summary(tmp_path / "resumed")["state_hash"] == straight["state_hash"]


def test_load_restores_the_whole_state(tmp_path):
    sim = spikecube.Simulation(preset="cube-4", seed=2)
    sim.run(120)
    sim.input = False
    sim.save(tmp_path / "ck.h5")
    back = spikecube.Simulation.load(str(tmp_path / "ck.h5"))
    assert back.input is False and back.step_count == 120 and back.config == sim.config
    for name in ("potential", "threshold", "spikes"):
        np.testing.assert_array_equal(getattr(back, name)(), getattr(sim, name)(), err_msg=name)
    np.testing.assert_array_equal(back.weights("zm"), sim.weights("zm"))
    sim.step(30)
    back.step(30)
    assert back.state_hash() == sim.state_hash()


def test_bad_checkpoints_raise_oserror_with_the_cli_message(tmp_path):
    sim = spikecube.Simulation(preset="cube-4")
    sim.step(5)
    sim.save(tmp_path / "ck.h5")
    data = (tmp_path / "ck.h5").read_bytes()
    (tmp_path / "short.h5").write_bytes(data[: len(data) // 2])
    flipped = bytearray(data)
    flipped[-100] ^= 0xFF
    (tmp_path / "flipped.h5").write_bytes(bytes(flipped))
    for name, cause in (("short.h5", "truncated"), ("flipped.h5", "corrupted"), ("missing.h5", "")):
        with pytest.raises(spikecube.CheckpointError) as err:
            spikecube.Simulation.load(tmp_path / name)
        assert isinstance(err.value, OSError) and cause in str(err.value)
        r = run_cli("run", "--resume", tmp_path / name, "--steps", 1, "--quiet", check=False)
        assert r.returncode == 2 and r.stderr.strip() == "spikecube-cli: " + str(err.value)
