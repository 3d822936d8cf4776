"""The memory bench's probe counts its own peak, not the bench process's that spawned it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_a_probe_spawned_by_a_big_process_reports_its_own_peak() -> None:
    """Linux keeps ``ru_maxrss`` across exec: bench/run.py, grown to 140 MB by the benches before it,
    made the memory probe report 137.6 MB before the app had opened anything."""
    ballast = bytearray(200 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # resident, not just reserved
    code = "from bench.common import own_peak_rss; print(own_peak_rss())"
    peak = int(
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    )
    assert 1024 * 1024 < peak < 100 * 1024 * 1024
    del ballast
