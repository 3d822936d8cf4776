"""Cold start: `smstui` on a 100k-message store, offline, to its first frame vs a bare Textual app.

Each run is a fresh Python process on a pseudo-terminal (120x40), so imports, CSS parsing, the
driver's terminal set-up, opening the store and the first paint all count. The clock runs from
spawn to the moment Textual posts ``Ready`` (first frame written; see bench/apps/first_frame.py).
Runs alternate bare/smstui so drift in machine load hits both; the best of each is compared
(the minimum is the least noisy estimate of what the code itself costs).

The profile's API URL is a loopback port where nothing listens, so the app is offline.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Row, bench_args, bench_env, median, ms, print_rows  # noqa: E402
from bench.generate import store_file  # noqa: E402
from bench.procs import run_on_pty  # noqa: E402
from bench.sandbox import make_sandbox  # noqa: E402

TARGET_RATIO = 1.3
APP = str(ROOT / "bench" / "apps" / "first_frame.py")


def run(size: int = 100_000, *, repeats: int = 11, smoke: bool = False) -> list[Row]:
    store = store_file(size)
    with tempfile.TemporaryDirectory(prefix="smstui-bench-cold-") as tmp:
        box = make_sandbox(Path(tmp), store)
        env = bench_env(box.env())
        bare: list[float] = []
        app: list[float] = []
        app_ready: list[float] = []
        walls: dict[str, list[float]] = {"bare": [], "smstui": []}
        failure = ""
        # One warm-up of each (page cache, .pyc files), not counted.
        for which in ("bare", "smstui"):
            run_on_pty([sys.executable, APP, which], env)
        for _ in range(repeats):
            for which, sink in (("bare", bare), ("smstui", app)):
                result = run_on_pty([sys.executable, APP, which], env)
                walls[which].append(result.wall)
                if result.returncode != 0 or result.ready is None:
                    failure = _tail(result.output)
                    continue
                sink.append(result.ready)
                if which == "smstui" and result.textual_ready is not None:
                    app_ready.append(result.textual_ready)
    if not bare:
        return [Row("cold start: bare Textual app", "failed", ok=False, note=failure)]
    best_bare = min(bare)
    if not app:
        return [
            Row(
                f"cold start to first frame ({size:,} msgs, offline)",
                "failed",
                ms(best_bare),
                target=f"≤ {TARGET_RATIO}x bare",
                ok=False,
                note=f"smstui did not reach its first frame: {failure}",
            )
        ]
    best_app = min(app)
    ratio = best_app / best_bare
    return [
        Row(
            f"cold start to first frame ({size:,} msgs, offline)",
            ms(best_app),
            ms(best_bare),
            f"{ratio:.2f}x",
            f"≤ {TARGET_RATIO}x bare",
            None if smoke else ratio <= TARGET_RATIO,
            note=(
                f"best of {len(app)}; medians {ms(median(app))} vs {ms(median(bare))}; "
                f"smstui's first (blank) frame {ms(min(app_ready, default=float('nan')))}; "
                f"process incl. exit {ms(min(walls['smstui']))} vs {ms(min(walls['bare']))}"
            ),
            data={"app": app, "bare": bare},
        )
    ]


def _tail(output: bytes, limit: int = 600) -> str:
    import re

    text = output.decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;?<>=]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]", "", text)
    text = " ".join(text.split())
    return text[-limit:]


def main() -> None:
    args = bench_args(__doc__.splitlines()[0], 100_000, 300)
    print_rows(run(args.size, repeats=2 if args.smoke else 11, smoke=args.smoke))


if __name__ == "__main__":
    main()
