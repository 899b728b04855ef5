"""Shared helpers of the Python suite: where spikecube-cli is, and running it.

ctest sets PYTHONPATH=build/python and SPIKECUBE_CLI; run by hand, the
suite falls back to the build/ folder of this checkout."""

import csv
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(os.environ.get("SPIKECUBE_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
if "SPIKECUBE_CLI" not in os.environ:
    sys.path.insert(0, str(ROOT / "build" / "python"))
CLI = os.environ.get("SPIKECUBE_CLI", str(ROOT / "build" / "app" / "spikecube-cli"))


def run_cli(*args, check=True):
    """Runs spikecube-cli with args; returns the CompletedProcess (text)."""
    r = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"spikecube-cli {' '.join(map(str, args))} failed ({r.returncode}): {r.stderr}")
    return r


def cli_error(*args):
    """The one-line error spikecube-cli prints for bad input, without its 'spikecube-cli: ' prefix."""
    r = run_cli(*args, check=False)
    assert r.returncode == 2, r
    line = r.stderr.strip()
    assert line.startswith("spikecube-cli: ") and "\n" not in line, line
    return line[len("spikecube-cli: "):]


def read_summary(out_dir):
    return json.loads((pathlib.Path(out_dir) / "summary.json").read_text())


def read_metrics_csv(out_dir):
    """metrics.csv as {column: float64 array}."""
    with open(pathlib.Path(out_dir) / "metrics.csv") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], np.array(rows[1:], dtype=np.float64)
    return {name: body[:, k] for k, name in enumerate(header)}


@pytest.fixture
def cli():
    return run_cli
