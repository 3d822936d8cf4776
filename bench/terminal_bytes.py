"""Bytes written to the terminal: at start-up, per idle minute and per key, vs a bare Textual app.

Over SSH on a mobile link every byte the app writes is latency, so this counts them. The real
``smstui`` runs on a 100x30 pseudo-terminal (the real Linux driver, as a user's terminal runs it)
against the simulator (in this process, over loopback HTTP, real clock, the demo history, nothing
changing); every byte is read from the pty's master side. The child is driven by keys written
to the pty and told apart from timing by a control pipe (bench/apps/bytes_probe.py): "settle"
answers once the app is at rest, so each key's bytes are exactly what that key caused.

Baselines, from the same run:

- **bare**: a Textual app with one Label, started beside smstui and left idle as long: its
  start-up bytes (the terminal set-up every Textual app writes) and its idle bytes (none).
- **replay**: a one-widget Textual app that shows the screens smstui showed (recorded from what
  smstui painted, cell by cell) and, for each key, repaints only the lines that changed, from
  their first to their last changed cell. That is what a minimal Textual app writes for the same
  visible change (Textual sends a partly repainted line from the widget's left edge); the
  target is ≤ 1.5x. The notes add what the changed cells alone encode to (a lower bound no
  Textual app reaches: it would need a widget edge at every change).

The idle minute is a real minute with the refresh every 15 s and the device refresh every 60 s
(the defaults); ``--smoke`` (and ``idle_seconds``) shortens it, with proportionally shorter
intervals, and scales the bytes to a minute.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Row, bench_args, bench_env, print_rows  # noqa: E402
from bench.sandbox import make_sandbox  # noqa: E402

PROBE = str(ROOT / "bench" / "apps" / "bytes_probe.py")
SIZE = (100, 30)
IDLE_TARGET = 1024  # bytes per idle minute
KEY_RATIO = 1.5

KEYS = {
    "down": b"\x1b[B",
    "up": b"\x1b[A",
    "enter": b"\r",
    "escape": b"\x1b",
    "pageup": b"\x1b[5~",
    "ctrl+p": b"\x10",
}

# What each measured key is called in the table.
LABELS = {
    "down": "down in the conversation list",
    "up": "up in the conversation list",
    "open": "open a thread (Enter)",
    "page": "scroll the thread a page (PgUp)",
    "type": "type a character in compose",
    "palette": "open the palette (Ctrl+P)",
}


class Child:
    """One app on its own pty, with the control pipes of bench/apps/bytes_probe.py."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = SIZE) -> None:
        self.master, slave = pty.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        child_env = dict(
            env,
            COLUMNS=str(cols),
            LINES=str(rows),
            BENCH_CTL_IN=str(to_child_r),
            BENCH_CTL_OUT=str(from_child_w),
        )
        self.received = 0
        self.writes: list[tuple[float, int]] = []  # (monotonic time, bytes) of each read
        self.output = bytearray()
        self.keys = 0
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=child_env,
            pass_fds=(to_child_r, from_child_w),
            start_new_session=True,
        )
        os.close(slave)
        os.close(to_child_r)
        os.close(from_child_w)
        self._answers = os.fdopen(self._from_child, "r", encoding="utf-8")
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO once the child closed its side
                return
            if not data:
                return
            with self._lock:
                self.received += len(data)
                self.writes.append((time.monotonic(), len(data)))
                self.output += data

    def ask(self, command: str, timeout: float = 60.0) -> str:
        os.write(self._to_child, (command + "\n").encode())
        ready, _, _ = select.select([self._answers], [], [], timeout)
        if not ready:
            raise RuntimeError(f"no answer to {command!r} within {timeout:g} s; output: {self.tail()}")
        answer = self._answers.readline().strip()
        if not answer.startswith("ok"):
            raise RuntimeError(f"{command!r}: {answer or 'the app exited'}; output: {self.tail()}")
        return answer

    def settle(self) -> int:
        """Wait until the app is at rest and every byte it wrote has arrived; the bytes so far."""
        written = int(self.ask(f"settle {self.keys}").split()[1])
        deadline = time.monotonic() + 10
        while self.received < written and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.received

    def press(self, key: str) -> None:
        os.write(self.master, KEYS.get(key, key.encode()))
        self.keys += 1

    def focused(self) -> str:
        return self.ask("focus").split(maxsplit=1)[1]

    def tail(self, limit: int = 600) -> str:
        import re

        text = bytes(self.output[-20000:]).decode("utf-8", "replace")
        text = re.sub(r"\x1b\[[0-9;?<>=]*[A-Za-z~]|\x1b\][^\x1b\x07]*(\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>]", "", text)
        return " ".join(text.split())[-limit:]

    def close(self) -> None:
        try:
            os.write(self._to_child, b"quit\n")
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_child,):
            try:
                os.close(fd)
            except OSError:
                pass
        self._answers.close()
        self._reader.join(timeout=5)
        try:
            os.close(self.master)
        except OSError:
            pass


@dataclass
class Step:
    label: str | None  # None: not measured (gets the app where the next key is measured)
    key: str
    before: int = 0  # index of the recorded screen before the key
    after: int = 0
    nbytes: int = 0


@dataclass
class Measured:
    startup: int = 0
    idle: int = 0
    idle_seconds: float = 0.0
    idle_writes: list[tuple[float, int]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    screens: list[object] = field(default_factory=list)


def _wait_synced(child: Child, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, status, synced = child.ask("status").split()
        if status == "idle" and synced == "1":
            return
        time.sleep(0.1)
    raise RuntimeError(f"smstui did not finish its first sync; output: {child.tail()}")


def _screen(child: Child, tmp: Path, measured: Measured) -> int:
    import pickle

    path = tmp / f"screen-{len(measured.screens)}.pickle"
    child.ask(f"screen {path}")
    measured.screens.append(pickle.loads(path.read_bytes()))
    return len(measured.screens) - 1


def _to_list(child: Child) -> None:
    """Escape until the conversation list has focus again (compose pane, thread, palette)."""
    for _ in range(5):
        if child.focused() == "threads":
            return
        child.press("escape")
        child.settle()
    raise RuntimeError(f"could not get back to the conversation list (focus: {child.focused()})")


def _script(repeats: int) -> list[Step]:
    steps: list[Step] = []
    for _ in range(repeats):
        steps += [Step("down", "down"), Step("up", "up")]
    for _ in range(repeats):
        steps += [
            Step(None, "down"),
            Step("open", "enter"),
            Step(None, "up"),  # selects the newest message
            Step("page", "pageup"),  # ten older: the view moves up by a page or so
            Step(None, "r"),
            Step("type", "a"),
            Step("type", "b"),
            Step(None, "back"),  # escape until the list is focused
            Step("palette", "ctrl+p"),
            Step(None, "back"),
        ]
    return steps


def measure_smstui(child: Child, tmp: Path, *, idle_seconds: float, repeats: int) -> Measured:
    measured = Measured()
    child.settle()
    _wait_synced(child)
    measured.startup = child.settle()
    current = _screen(child, tmp, measured)
    # The idle minute: nothing pressed, nothing changing at the gateway.
    t0, b0 = time.monotonic(), child.received
    time.sleep(idle_seconds)
    child.settle()
    measured.idle_seconds = time.monotonic() - t0
    measured.idle = child.received - b0
    measured.idle_writes = [(t - t0, n) for t, n in child.writes if t >= t0]
    current = _screen(child, tmp, measured)
    for step in _script(repeats):
        before = child.received
        if step.key == "back":
            _to_list(child)
        else:
            child.press(step.key)
            child.settle()
        step.nbytes = child.received - before
        step.before, step.after = current, _screen(child, tmp, measured)
        current = step.after
        measured.steps.append(step)
    return measured


def _press(child: Child, key: str) -> int:
    before = child.received
    child.press(key)
    return child.settle() - before


def measure_replay(child: Child, steps: list[Step]) -> tuple[dict[int, int], dict[int, int]]:
    """For each measured step: the bytes the replay app writes to go from its screen before to
    its screen after, and the bytes of the changed cells alone."""
    child.settle()
    shown = 0
    app: dict[int, int] = {}
    alone: dict[int, int] = {}
    for i, step in enumerate(steps):
        if step.label is None:
            continue
        if shown != step.before:
            child.ask(f"show {step.before}")
            child.settle()
        before = child.received
        alone[i] = int(child.ask(f"show {step.after}").split()[1])
        app[i] = child.settle() - before
        shown = step.after
    return app, alone


def _sim(idle_seconds: float):  # type: ignore[no-untyped-def]
    from smstui.simulator.runner import SimulatorServer, make_state

    # Real clock, the demo history (all of it final), nothing arriving: a gateway where nothing changes.
    # Statuses move on at once (step_seconds), so the demo's message "still on its way" is final
    # before the app first syncs and nothing is left to change.
    state = make_state(data="demo", ambient_seconds=None, step_seconds=0.05)
    return state, SimulatorServer(state).start()


def run(*, idle_seconds: float = 60.0, repeats: int = 3, smoke: bool = False) -> list[Row]:
    import pickle

    import httpx

    from smstui.demo import seed_local_contacts
    from smstui.simulator.seed import DEMO_EMAIL, DEMO_PASSWORD

    scale = idle_seconds / 60.0
    refresh = max(2, round(15 * scale))  # the config's minimums
    devices = max(5, round(60 * scale))
    state, sim = _sim(idle_seconds)
    children: list[Child] = []
    try:
        with tempfile.TemporaryDirectory(prefix="smstui-bench-bytes-") as tmp_name:
            tmp = Path(tmp_name)
            token = httpx.post(sim.url + "gettoken", data={"email": DEMO_EMAIL, "pass": DEMO_PASSWORD}).json()["token"]
            box = make_sandbox(
                tmp / "box",
                None,
                api_url=sim.url,
                token=token,
                refresh_interval=refresh,
                extra_toml=f"[sync]\ndevice_interval = {devices}\n",
            )
            _seed_names(box, state, seed_local_contacts)
            env = bench_env(box.env())
            env.pop("COLORTERM", None)
            env["TERM"] = "xterm-256color"
            # As the users who asked for this run it: over SSH (the app then does not blink).
            env["SSH_CONNECTION"] = "127.0.0.1 50022 127.0.0.1 22"
            bare = Child([sys.executable, PROBE, "bare"], env)
            children.append(bare)
            app = Child([sys.executable, PROBE, "smstui"], env)
            children.append(app)
            bare_startup = bare.settle()
            bare_before = bare.received
            measured = measure_smstui(app, tmp, idle_seconds=idle_seconds, repeats=repeats)
            bare_idle = bare.received - bare_before
            # The palette is Textual's own: what opening it costs in the bare app, for comparison.
            bare_palette = _press(bare, "ctrl+p")
            frames = tmp / "frames.pickle"
            frames.write_bytes(pickle.dumps(measured.screens))
            replay = Child([sys.executable, PROBE, "replay", str(frames)], env)
            children.append(replay)
            replay_startup = replay.settle()
            baseline, alone = measure_replay(replay, measured.steps)
    finally:
        for child in children:
            child.close()
        sim.stop()
    return _rows(measured, baseline, alone, bare_startup, bare_idle, bare_palette, replay_startup, smoke=smoke)


def _seed_names(box, state, seed_local_contacts) -> None:  # type: ignore[no-untyped-def]
    """Contact names in the store, as the demo gives them (the gateway cannot list contacts)."""
    saved = dict(os.environ)
    try:
        box.apply()
        from smstui.core.session import open_session

        session = open_session()
        try:
            seed_local_contacts(session.store, state)
        finally:
            session.store.close()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _b(n: float) -> str:
    return f"{n:,.0f} B" if n < 10_240 else f"{n / 1024:.1f} KB"


def _rows(
    m: Measured,
    baseline: dict[int, int],
    alone: dict[int, int],
    bare_startup: int,
    bare_idle: int,
    bare_palette: int,
    replay_startup: int,
    *,
    smoke: bool,
) -> list[Row]:
    per_minute = m.idle * 60.0 / m.idle_seconds if m.idle_seconds else float("nan")
    bursts = _bursts(m.idle_writes)
    rows = [
        Row(
            "terminal bytes: start-up to the synced conversations screen (100x30)",
            _b(m.startup),
            f"{_b(replay_startup)} (the same screen, minimal app); {_b(bare_startup)} (bare app, one label)",
            f"{m.startup / replay_startup:.2f}x" if replay_startup else "—",
            "",
            None,
            note="includes the first sync's repaints; the replay app paints the final screen once",
        ),
        Row(
            "terminal bytes per idle minute, conversations screen, refresh every 15 s",
            _b(per_minute),
            f"{_b(bare_idle * 60.0 / m.idle_seconds)} (bare app)",
            "—",
            f"≤ {_b(IDLE_TARGET)}",
            None if smoke else per_minute <= IDLE_TARGET,
            note=(
                f"{_b(m.idle)} in {m.idle_seconds:.1f} s; writes at "
                + (", ".join(f"{t:.1f} s: {_b(n)}" for t, n in bursts[:12]) or "none")
                + ("…" if len(bursts) > 12 else "")
            ),
            data={"writes": m.idle_writes},
        ),
    ]
    for label, title in LABELS.items():
        indexed = [(i, s) for i, s in enumerate(m.steps) if s.label == label]
        if not indexed:
            continue
        got = statistics.median(s.nbytes for _, s in indexed)
        base = statistics.median(baseline.get(i, 0) for i, _ in indexed)
        cells = statistics.median(alone.get(i, 0) for i, _ in indexed)
        ratio = got / base if base else float("inf")
        rows.append(
            Row(
                f"terminal bytes per key: {title}",
                _b(got),
                f"{_b(base)} (minimal app, same change)",
                f"{ratio:.2f}x",
                f"≤ {KEY_RATIO}x",
                None if smoke else ratio <= KEY_RATIO,
                note=(
                    (
                        f"the bare app (one label) opening its palette: {_b(bare_palette)}; "
                        if label == "palette"
                        else ""
                    )
                    + f"the changed cells alone encode to {_b(cells)}; each press: "
                    + ", ".join(f"{s.nbytes} vs {baseline.get(i, 0)}" for i, s in indexed)
                ),
                data={
                    "app": [s.nbytes for _, s in indexed],
                    "replay": [baseline.get(i, 0) for i, _ in indexed],
                    "cells": [alone.get(i, 0) for i, _ in indexed],
                },
            )
        )
    return rows


def _bursts(writes: list[tuple[float, int]], gap: float = 0.2) -> list[tuple[float, int]]:
    """Reads closer than ``gap`` seconds joined: one burst per repaint."""
    out: list[tuple[float, int]] = []
    for t, n in writes:
        if out and t - out[-1][0] < gap:
            out[-1] = (out[-1][0], out[-1][1] + n)
        else:
            out.append((t, n))
    return out


def main() -> None:
    args = bench_args(__doc__.splitlines()[0], 0, 0)
    print_rows(run(idle_seconds=8.0 if args.smoke else 60.0, repeats=1 if args.smoke else 3, smoke=args.smoke))


if __name__ == "__main__":
    main()
