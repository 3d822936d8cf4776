"""Run every smstui benchmark and print one table (also written to bench/results/latest.md).

    python bench/run.py            # full sizes: 100k-message history, 10k bulk (a few minutes)
    python bench/run.py --smoke    # tiny sizes: checks that the benches run; numbers mean nothing
    python bench/run.py --only cold_start,scroll

Each bench compares against a baseline measured in the same run where there is one; see
bench/README.md for how each number is measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import platform
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, Row, markdown_table, print_rows  # noqa: E402

# (name, full-size kwargs, smoke kwargs)
BENCHES: list[tuple[str, dict, dict]] = [
    ("open_filter", {"size": 100_000}, {"size": 300, "smoke": True}),
    ("memory", {"size": 100_000}, {"size": 300, "smoke": True, "scroll_limit": 10.0}),
    ("scroll", {"size": 100_000}, {"size": 300, "smoke": True, "limit": 10.0}),
    ("cold_start", {"size": 100_000, "repeats": 11}, {"size": 300, "repeats": 1, "smoke": True}),
    ("idle_refresh", {"size": 100_000, "small": 10_000}, {"size": 400, "small": 100, "smoke": True}),
    ("bulk_send", {"size": 10_000, "sample": 300}, {"size": 120, "sample": 10, "batch": 50, "smoke": True}),
    ("key_latency", {"size": 100_000, "presses": 100}, {"size": 400, "presses": 8, "smoke": True}),
    ("search", {"size": 1_000_000}, {"size": 2_000, "smoke": True}),
    ("terminal_bytes", {"idle_seconds": 60.0, "repeats": 3}, {"idle_seconds": 8.0, "repeats": 1, "smoke": True}),
    ("dashboard", {"size": 100_000}, {"size": 300, "smoke": True}),
    ("webhook_receive", {"size": 100_000, "posts": 400}, {"size": 300, "posts": 40, "smoke": True}),
    ("webhook_latency", {"webhooks": 200, "size": 100_000}, {"webhooks": 10, "size": 300, "smoke": True}),
    ("first_sync", {"size": 100_000, "repeats": 2}, {"size": 2_000, "repeats": 1, "smoke": True}),
]


def run_all(*, smoke: bool = False, only: set[str] | None = None, echo: Callable[[str], None] = print) -> list[Row]:
    rows: list[Row] = []
    for name, full, small in BENCHES:
        if only and name not in only:
            continue
        kwargs = small if smoke else full
        echo(f"== {name} {kwargs}")
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
            got = module.run(**kwargs)
        except Exception as exc:  # one broken bench must not hide the others' numbers
            got = [Row(name, "error", ok=False, note=f"{type(exc).__name__}: {exc}")]
            traceback.print_exc()
        print_rows(got)
        echo(f"   ({time.perf_counter() - started:.1f} s)")
        rows.extend(got)
    return rows


def report(rows: list[Row], *, smoke: bool, seconds: float) -> str:
    head = (
        f"smstui benchmarks, {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{'smoke sizes' if smoke else 'full sizes'}, {seconds:.0f} s"
    )
    lines = [f"# {head}", "", markdown_table(rows), "", "Notes:", ""]
    lines += [f"- **{r.measure}**: {r.note}" for r in rows if r.note]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (the test suite's smoke run)")
    parser.add_argument("--only", default="", help="comma-separated bench names: " + ", ".join(b[0] for b in BENCHES))
    args = parser.parse_args(argv)
    only = {n.strip() for n in args.only.split(",") if n.strip()} or None
    started = time.perf_counter()
    rows = run_all(smoke=args.smoke, only=only)
    seconds = time.perf_counter() - started
    text = report(rows, smoke=args.smoke, seconds=seconds)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "smoke" if args.smoke else "latest"
    (RESULTS / f"{stem}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"{stem}.json").write_text(
        json.dumps([r.as_dict() for r in rows], indent=1, default=str, ensure_ascii=False), encoding="utf-8"
    )
    print()
    print(markdown_table(rows))
    print(f"\n{len(rows)} rows in {seconds:.0f} s; written to {RESULTS / ('smoke.md' if args.smoke else 'latest.md')}")
    return 0 if all(r.ok is not False for r in rows) or args.smoke else 1


if __name__ == "__main__":
    sys.exit(main())
