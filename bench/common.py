"""What every bench shares: result rows, the table printer, paths and small timing helpers.

Machines here are noisy, so benches compare against a baseline measured in the same run and
report ratios; absolute times are printed for context only.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where results, the generated-store cache and bytecode go; the smoke test points it at a temp dir.
RESULTS = Path(os.environ.get("SMSTUI_BENCH_RESULTS") or ROOT / "bench" / "results")

if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/ first, not the repo root
    sys.path.insert(0, str(ROOT))


@dataclass
class Row:
    """One line of the results table."""

    measure: str
    value: str
    baseline: str = "—"
    ratio: str = "—"
    target: str = ""
    ok: bool | None = None  # None: informational, no target
    note: str = ""
    data: dict = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return "—" if self.ok is None else ("PASS" if self.ok else "MISS")

    def as_dict(self) -> dict:
        out = asdict(self)
        out["verdict"] = self.verdict
        return out


def own_peak_rss() -> int:
    """This process's peak resident set in bytes since its exec: VmHWM where there is /proc.

    Not ``ru_maxrss``: Linux keeps it across exec, so a probe spawned by a bench process that had
    grown to 140 MB reported 140 MB before it had opened anything (inside bench/run.py).
    """
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KB elsewhere


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mb(nbytes: float) -> str:
    return f"{nbytes / 1048576:.1f} MB"


def kb(nbytes: float) -> str:
    return f"{nbytes / 1024:.1f} KB" if nbytes < 1048576 else mb(nbytes)


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), nearest-rank: with 100 samples p99 is the 2nd largest."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def first_and_median(fn, repeats: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Seconds of ``fn``'s first call (cold caches) and the median of ``repeats`` more."""
    import time

    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return first, median(times)


def markdown_table(rows: Sequence[Row]) -> str:
    lines = [
        "| measure | value | baseline (same run) | ratio | target | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r.measure} | {r.value} | {r.baseline} | {r.ratio} | {r.target} | {r.verdict} |")
    return "\n".join(lines)


def print_rows(rows: Sequence[Row], file=None) -> None:
    file = file or sys.stdout
    for r in rows:
        line = f"{r.verdict:4}  {r.measure}: {r.value}"
        if r.baseline != "—":
            line += f"  (baseline {r.baseline}, ratio {r.ratio})"
        if r.target:
            line += f"  target: {r.target}"
        print(line, file=file)
        if r.note:
            print(f"      {r.note}", file=file)
    file.flush()


def bench_args(description: str, default_size: int, smoke_size: int) -> argparse.Namespace:
    """The flags every bench script takes: --size N, --smoke (tiny sizes, for the test suite)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", type=int, default=None, help=f"messages in history (default {default_size})")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, fewer repeats; numbers are meaningless")
    args = parser.parse_args()
    if args.size is None:
        args.size = smoke_size if args.smoke else default_size
    return args


def bench_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for subprocesses: the repo importable, no colour negotiation surprises."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("TEXTUAL", None)  # devtools would slow everything down
    # An installed smstui has compiled .pyc files; without them every start compiles ~60 modules
    # (this environment sets PYTHONDONTWRITEBYTECODE). Keep them out of the work tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(RESULTS / "pycache")
    env.setdefault("TERM", "xterm-256color")
    if extra:
        env.update(extra)
    return env
