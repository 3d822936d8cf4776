"""The benchmarks still run (tiny sizes, no timing assertions): `python bench/run.py --smoke`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = (
    "open_filter",
    "memory",
    "scroll",
    "cold_start",
    "idle_refresh",
    "bulk_send",
    "key_latency",
    "search",
    "terminal_bytes",
    "dashboard",
    "webhook_receive",
    "webhook_latency",
    "first_sync",
)
# A word of each bench's row titles: every bench must report, and report numbers.
EXPECTED = (
    "store: open conversation",
    "store: phone filter",
    "UI: open conversation",
    "UI: phone filter",
    "store: name filter",
    "UI: name filter",
    "peak RSS",
    "scroll to the top",
    "cold start",
    "idle refresh",
    "bulk:",
    "key → repaint",
    "search: query",
    "search: index size",
    "export: every message",
    "terminal bytes per idle minute",
    "terminal bytes per key",
    "store: dashboard counts",
    "UI: open the dashboard",
    "webhook → stored",
    "webhook received → shown in the app",
    "store watcher at",
    "first sync:",
)


def test_every_bench_runs_in_smoke_mode(tmp_path: Path) -> None:
    env = dict(os.environ, SMSTUI_BENCH_RESULTS=str(tmp_path / "results"))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = json.loads((tmp_path / "results" / "smoke.json").read_text(encoding="utf-8"))
    titles = [row["measure"] for row in rows]
    for word in EXPECTED:
        assert any(word in title for title in titles), f"no row for {word!r} in {titles}"
    broken = [row for row in rows if row["value"] in ("error", "failed", "not measured") or row["ok"] is False]
    assert not broken, broken
    table = (tmp_path / "results" / "smoke.md").read_text(encoding="utf-8")
    assert "| measure | value |" in table


def test_generator_is_deterministic_and_realistic() -> None:
    sys.path.insert(0, str(ROOT))
    from bench.generate import BIG_THREAD_PHONE, history

    first, second = history(3000, seed=3), history(3000, seed=3)
    assert [(m.phone, m.body, m.status) for m in first.messages] == [
        (m.phone, m.body, m.status) for m in second.messages
    ]
    msgs = first.messages
    assert len(msgs) == 3000
    assert sum(1 for m in msgs if BIG_THREAD_PHONE == m.phone or m.phone == "0151 23450001") == 300
    statuses = {m.status for m in msgs}
    assert {1, 5, 7}.issubset(statuses) and statuses & {8, 9, 10, 12, 100}
    assert {m.slot for m in msgs} >= {0, 1, None}
    assert any(len(m.body) > 160 for m in msgs)
    assert any(any(ord(ch) > 0x3000 for ch in m.body) for m in msgs)
    assert [m.created for m in msgs] == sorted(m.created for m in msgs)
    assert len({m.sms_id for m in msgs}) == 3000
