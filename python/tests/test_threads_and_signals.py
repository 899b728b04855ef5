"""Stepping releases the GIL; Ctrl-C stops a run between steps."""

import os
import signal
import threading
import time

import pytest
import spikecube
from conftest import run_cli


def test_another_python_thread_runs_while_stepping():
    sim = spikecube.Simulation(preset="01_02")
    ticks = 0
    started = threading.Event()
    stop = threading.Event()

    def count():
        nonlocal ticks
        started.set()
        while not stop.is_set():
            ticks += 1

    t = threading.Thread(target=count)
    t.start()
    started.wait()
    before = ticks
    t0 = time.perf_counter()
    sim.run(1500)
    elapsed = time.perf_counter() - t0
    during = ticks - before
    stop.set()
    t.join()
    # with the GIL held for the whole run the counter could not move at all
    assert sim.step_count == 1500
    assert during > 10000, (during, elapsed)


def test_reading_a_simulation_while_it_steps_raises():
    sim = spikecube.Simulation(preset="01_02")
    errors, done = [], threading.Event()

    def poke():
        while not done.is_set():
            try:
                sim.potential()
            except RuntimeError as e:
                errors.append(str(e))
                return

    t = threading.Thread(target=poke)
    t.start()
    sim.run(2000)
    done.set()
    t.join()
    assert errors and "stepping in another thread" in errors[0]


def test_ctrl_c_stops_between_steps_and_the_run_can_go_on():
    sim = spikecube.Simulation(preset="01_02")
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        sim.run(10_000_000)
    timer.join()
    done = sim.step_count
    assert 0 < done < 10_000_000
    assert len(sim.metrics()["step"]) == done and sim.last["step"] == done
    sim.step(10)
    assert sim.step_count == done + 10
    # the interrupted run continued equals a straight one
    straight = spikecube.Simulation(preset="01_02")
    straight.step(done + 10)
    assert straight.state_hash() == sim.state_hash()


def test_callback_every_k_steps_can_change_the_run():
    sim = spikecube.Simulation(preset="cube-4")
    seen = []

    def cb(s):
        seen.append(s.step_count)
        if s.step_count == 100:
            s.input = False

    sim.run(250, every=50, callback=cb)
    assert seen == [50, 100, 150, 200, 250]
    on = sim.metrics()["input_on"]
    assert on[:100].all() and not on[100:].any()


def test_model_fault_is_raised_with_the_clis_message(tmp_path):
    # a small cube where every neuron fires at every step
    config = tmp_path / "runaway.toml"
    config.write_text('[model]\ntype = "cube"\nn = 8\ndepth = 2\n[neuron]\nbias = 10.0\nrefractory = 0\n')
    sim = spikecube.Simulation(config=config)
    with pytest.raises(spikecube.ModelFault) as err:
        sim.run(3000)
    assert isinstance(err.value, RuntimeError) and str(err.value).startswith(f"step {sim.step_count}: runaway firing")
    assert sim.step_count < 3000
    r = run_cli("run", "--config", config, "--steps", 3000, "--quiet", check=False)
    assert r.returncode == 3 and r.stderr.strip() == "spikecube-cli: " + str(err.value)
