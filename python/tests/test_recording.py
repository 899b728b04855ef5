"""Recordings: the SONATA spike-file layout, read back by read_recording and
by docs/recording_example.py."""

import subprocess
import sys

import numpy as np
import pytest

h5py = pytest.importorskip("h5py", reason="recordings need h5py (Debian: python3-h5py)")
import spikecube
from conftest import ROOT, read_metrics_csv, run_cli

STEPS = 300


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    d = tmp_path_factory.mktemp("rec")
    run_cli("run", "--preset", "cube-4", "--steps", STEPS, "--quiet", "--out", d, "--record", d / "rec.h5",
            "--record-every", 10, "--record-slice", "z:3", "--record-slice", "y:5")
    return d


def test_spikes_follow_the_sonata_spike_file_layout(recording):
    # what the SONATA spec requires of a spike file: a /spikes group holding one
    # group per population, each with a float64 'timestamps' and a uint64
    # 'node_ids' dataset of one length, and an optional 'sorting' attribute that
    # is an enum of none / by_id / by_time telling how both are ordered
    with h5py.File(recording / "rec.h5", "r") as f:
        assert isinstance(f["spikes"], h5py.Group)
        assert set(f["spikes"]) == {"input", "hidden", "output"}
        for name, pop in f["spikes"].items():
            assert isinstance(pop, h5py.Group)
            t, ids = pop["timestamps"], pop["node_ids"]
            assert t.dtype == np.float64 and t.ndim == 1, name
            assert ids.dtype == np.uint64 and ids.shape == t.shape, name
            assert t.attrs["units"] == "ms"
            enum = h5py.check_enum_dtype(pop.attrs.get_id("sorting").dtype)
            assert enum == {"none": 0, "by_id": 1, "by_time": 2}, name
            assert pop.attrs["sorting"] == enum["by_time"]
            assert np.all(np.diff(t[:]) >= 0), f"{name} is not sorted by time"
            assert len(t) > 0 and t[0] >= 1.0 and t[-1] <= STEPS  # one step = 1 ms: step k at k ms
        assert f.attrs["format_version"] == 2 and f.attrs["step_ms"] == 1.0


def test_read_recording_agrees_with_the_metrics(recording):
    rec = spikecube.read_recording(recording / "rec.h5")
    m = read_metrics_csv(recording)
    assert rec.model == "cube" and rec.shape == (4, 48, 48) and rec.n == 48
    assert (rec.first_step, rec.last_step) == (1, STEPS)
    hidden = rec.spikes["hidden"]
    assert hidden.sorting == "by_time" and hidden.size == 4 * 48 * 48
    np.testing.assert_array_equal(hidden.counts(1, STEPS), np.rint(m["fire"] * hidden.size).astype(int))
    np.testing.assert_array_equal(rec.spikes["output"].counts(1, STEPS), m["out_px"].astype(int))
    # the input of step t is the target of step t-1
    np.testing.assert_array_equal(rec.spikes["input"].counts(2, STEPS), m["target_px"][:-1].astype(int))
    z, y, x = np.unravel_index(hidden.node_ids, hidden.shape)
    assert z.max() <= 3 and y.max() < 48 and x.max() < 48
    assert set(rec.potential) == {"z3", "y5"} and rec.potential["z3"].shape == (STEPS // 10, 48, 48)
    np.testing.assert_array_equal(rec.potential_steps, np.arange(10, STEPS + 1, 10))
    # the recorded config rebuilds the run
    sim = spikecube.Simulation(config=rec.config)
    sim.run(STEPS)
    assert (sim.spikes().reshape(-1).nonzero()[0] == hidden.node_ids[hidden.steps == STEPS]).all()


def test_the_docs_example_reads_it(recording):
    r = subprocess.run([sys.executable, ROOT / "docs" / "recording_example.py", recording / "rec.h5"],
                       capture_output=True, text=True, check=True)
    assert "cube: " in r.stdout and "steps 1-300" in r.stdout and "potential y5: 30 samples of 4x48" in r.stdout
