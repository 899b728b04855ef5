"""State arrays: documented shapes and dtypes, and values that agree with
the metrics and with the lattice geometry."""

import numpy as np
import pytest
import spikecube

SMALL = {
    "layer": {"model": {"type": "layer", "n": 12}, "layer": {"radius": 1}},
    "cube": {"model": {"type": "cube", "n": 8, "depth": 3}, "stimulus": {"gain": 4.0}},
    "groups": {"model": {"type": "groups", "n": 8, "depth": 4, "group": 2}, "stimulus": {"gain": 4.0}},
}


@pytest.fixture(params=sorted(SMALL))
def sim(request):
    s = spikecube.Simulation(config=SMALL[request.param], seed=1)
    s.run(300)
    return s


def test_lattice_arrays_have_the_documented_shapes_and_dtypes(sim):
    cfg = sim.config["model"]
    n = cfg["n"]
    shape = (1, n, n) if sim.model == "layer" else (cfg["depth"], n, n)
    assert sim.shape == shape
    for name, dtype in (("potential", np.float32), ("threshold", np.float32), ("spikes", np.bool_)):
        a = getattr(sim, name)()
        assert a.shape == shape and a.dtype == dtype, name
    frames = sim.frames()
    assert frames._fields == ("input", "target", "prediction")
    for f in frames:
        assert f.shape == (n, n) and f.dtype == np.bool_
    rates = sim.layer_rates()
    assert rates.dtype == np.float64 and rates.shape == (shape[0],)


def test_arrays_agree_with_the_metrics(sim):
    last = sim.last
    spikes = sim.spikes()
    assert spikes.sum() == round(last["fire"] * spikes.size)
    np.testing.assert_allclose(sim.layer_rates(), spikes.reshape(spikes.shape[0], -1).mean(axis=1))
    frames = sim.frames()
    assert frames.prediction.sum() == last["out_px"] and frames.target.sum() == last["target_px"]
    # the input is the target of the step before
    sim.step()
    assert np.array_equal(sim.frames().input, frames.target)
    m = sim.metrics()
    assert list(m)[:8] == ["step", "iou100", "fire", "out_px", "iou", "target_px", "input_on", "replay"]
    assert m["step"].dtype == np.int64 and m["out_px"].dtype == np.int64 and m["input_on"].dtype == np.bool_
    assert m["iou100"].dtype == np.float64 and all(len(v) == 301 for v in m.values())
    np.testing.assert_array_equal(m["step"], np.arange(1, 302))
    if sim.model != "layer":
        assert list(m)[8:] == ["focus", "focus_lagged"]


def test_lattice_weights_follow_the_geometry(sim):
    if sim.model == "layer":
        n = sim.config["model"]["n"]
        w = sim.weights("in")
        assert w.shape == (n, n, n, n) and w.dtype == np.float32
        assert w.min() >= 0 and w.max() <= sim.config["layer"]["w_in_max"]
        return
    w_max = sim.config["stdp"]["w_max"]
    for d in ("xp", "xm", "yp", "ym", "zp", "zm"):
        w = sim.weights(d)
        assert w.shape == sim.shape and w.dtype == np.float32
        assert w.min() >= 0 and w.max() <= np.float32(w_max), d
    # a link travelling towards +z into plane 0 (or -z into the last plane, +x into column 0) has no source
    assert not sim.weights("zp")[0].any() and not sim.weights("zm")[-1].any() and not sim.weights("xp")[:, :, 0].any()
    assert sim.weights("zp")[1:].any()
    if sim.model == "groups":
        g = sim.config["model"]["group"]
        intra = sim.weights("intra")
        nz, ny, nx = sim.shape
        assert intra.shape == ((nz // g) * (ny // g) * (nx // g), g**3, g**3) and intra.dtype == np.float32
        assert not intra[:, np.arange(g**3), np.arange(g**3)].any()  # no link from a neuron to itself
        assert intra.max() <= np.float32(w_max / g**3)
        # links inside a group do not exist on the lattice: +x links into even x (group starts) only
        assert not sim.weights("xp")[:, :, 1::2].any()


@pytest.mark.parametrize("rule", ["fixed", "adaptive", "homeostatic"])
def test_threshold_follows_the_rule(rule):
    sim = spikecube.Simulation(config=SMALL["cube"], neuron={"threshold": rule, "theta_init": 0.8, "theta0": 0.5})
    sim.run(100)
    theta = sim.threshold()
    if rule == "fixed":
        assert (theta == np.float32(0.8)).all()
    elif rule == "adaptive":
        assert theta.min() >= np.float32(0.5) and theta.max() > np.float32(0.5)  # jumps after spikes
    else:
        assert theta.min() >= np.float32(0.3) and not (theta == theta.flat[0]).all()
    if rule == "fixed":  # a neuron at or above a fixed threshold would have spiked and been reset
        quiet = ~sim.spikes()
        assert (sim.potential()[quiet] < theta[quiet]).all()


def test_arrays_are_copies():
    s = spikecube.Simulation(config=SMALL["cube"])
    s.step(5)
    v = s.potential()
    v[:] = 123
    assert not (s.potential() == 123).any()
