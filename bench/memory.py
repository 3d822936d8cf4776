"""Peak memory (RSS) with the 100k (or --size) store open and its big thread shown: ≤ 150 MB.

A fresh process (bench/apps/memory_probe.py) opens the real app headless (120x40, offline) on the
generated store, waits for the conversation list, opens the big thread (10k messages at 100k, 50k at 1M), then presses
Home until every page of it is loaded. Its peak resident set (``VmHWM``: ``ru_maxrss`` would
carry the spawning bench process's) is read after each step, so each number is the peak up to
that point, Python and Textual included.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Row, bench_args, bench_env, mb, print_rows  # noqa: E402
from bench.generate import big_thread_label, store_file  # noqa: E402
from bench.sandbox import make_sandbox  # noqa: E402

LIMIT = 150 * 1024 * 1024
PROBE = str(ROOT / "bench" / "apps" / "memory_probe.py")


def run(size: int = 100_000, *, smoke: bool = False, scroll_limit: float = 90.0) -> list[Row]:
    store = store_file(size)
    with tempfile.TemporaryDirectory(prefix="smstui-bench-mem-") as tmp:
        box = make_sandbox(Path(tmp), store)
        proc = subprocess.run(
            [sys.executable, PROBE, str(scroll_limit)],
            env=bench_env(box.env()),
            capture_output=True,
            text=True,
            timeout=scroll_limit + 120,
        )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return [Row("peak RSS", "failed", ok=False, note=" / ".join(tail))]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    verdict = (lambda v: None) if smoke else (lambda v: v <= LIMIT)
    return [
        Row(
            f"peak RSS: {size:,}-msg store, {big_thread_label(size)} thread open",
            mb(data["opened"]),
            target="≤ 150 MB",
            ok=verdict(data["opened"]),
            note=f"after the list showed {mb(data['listed'])}; {data['opened_messages']} messages loaded in the view",
            data=data,
        ),
        Row(
            "peak RSS: same, scrolled to the thread's first message",
            mb(data["scrolled"]),
            target="≤ 150 MB",
            ok=verdict(data["scrolled"]),
            note=(
                f"{data['scrolled_messages']:,} messages loaded"
                + ("" if data["complete"] else f" (stopped after {scroll_limit:g} s, not at the top)")
            ),
            data=data,
        ),
    ]


def main() -> None:
    args = bench_args(__doc__.splitlines()[0], 100_000, 300)
    print_rows(run(args.size, smoke=args.smoke))


if __name__ == "__main__":
    main()
