"""The examples run (briefly) and write their PNGs."""

import subprocess
import sys

import pytest
from conftest import ROOT

pytest.importorskip("matplotlib", reason="the examples plot with matplotlib (Debian: python3-matplotlib)")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "script,args,expect",
    [
        ("learning_curve.py", ["--steps", "150"], "cube-4: {'model': 'cube'"),
        ("sweep.py", ["--steps", "100", "--seeds", "1", "--values", "0.01,0.02", "--processes", "2"], "layer.eta seed"),
        ("replay.py", ["--learn", "200", "--replay", "50"], "cube-4: replay_iou100="),
    ],
)
def test_example_writes_its_png(tmp_path, script, args, expect):
    png = tmp_path / "out.png"
    r = subprocess.run([sys.executable, ROOT / "examples" / script, png, *args], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert expect in r.stdout and f"wrote {png}" in r.stdout
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 10000
