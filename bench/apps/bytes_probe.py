"""A Textual app on a pseudo-terminal that the terminal-bytes bench can drive and ask questions.

    python bench/apps/bytes_probe.py smstui          # the real `smstui` command
    python bench/apps/bytes_probe.py bare            # a bare Textual app showing one Label
    python bench/apps/bytes_probe.py replay FRAMES   # shows recorded screens, repainting only changed cells

The parent (bench/terminal_bytes.py) owns the pty and counts every byte the child writes to it.
It talks to the child over two pipes whose descriptors are in ``BENCH_CTL_IN`` / ``BENCH_CTL_OUT``,
one command a line, one answer a line:

- ``settle KEYS``: wait until the app has received ``KEYS`` key events in all, then until it is
  at rest: no worker running except the long-lived sync loop, no bytes written and no frame
  painted for ``QUIET`` seconds (timers such as the open-on-highlight delay fire within that).
  Answers ``ok BYTES FRAMES``: bytes handed to the terminal driver so far, frames painted.
- ``screen PATH``: pickle what the terminal shows now to PATH (the shadow screen below).
- ``status``: ``ok SYNC_STATUS SYNCED`` (smstui: its sync state; others ``ok idle 1``).
- ``focus``: ``ok ID``, the focused widget's id (or class name).
- ``show INDEX`` (replay only): show recorded screen INDEX; answers ``ok BYTES``, what the
  changed runs of cells alone encode to (Textual's own encoding, no frame around them).

Finding where bytes come from: ``BENCH_FRAME_LOG=FILE`` writes one line per frame (its bytes and
the widgets it repainted, in cells) and one per smstui core message; ``BENCH_TRACE_REFRESH=ScrollBar,Footer``
adds who called ``refresh`` on widgets of those classes.

The shadow screen is kept from what the app paints: every compositor update handed to
``App._display`` is applied to a grid of (character, style) cells, so it is exactly what a
terminal would show, modal screens and all. The replay app shows such recorded screens with one
Line-API widget and, on ``show``, refreshes only the runs of cells that differ from the screen
before: the bytes Textual needs for that visible change and nothing else (the bench's baseline).
"""

from __future__ import annotations

import asyncio
import os
import pickle
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

QUIET = 0.4  # seconds without a write or a frame that count as "at rest"
STEP = 0.02
# Workers that live as long as the session (the refresh loop): never "at rest", so not waited for.
LONG_LIVED_GROUPS = {"sync"}

Cell = tuple[str, Any]  # (text, rich Style); a wide character's second cell has text ""


class Probe:
    def __init__(self) -> None:
        self.app: Any = None
        self.bytes = 0
        self.frames = 0
        self.keys = 0
        self.last_activity = time.monotonic()
        self.grid: list[list[Cell]] = []
        self._styles: dict[Any, Any] = {}

    # --------------------------------------------------------------- hooks into Textual

    def install(self) -> None:
        from textual import events
        from textual.app import App
        from textual.drivers.linux_driver import LinuxDriver

        probe = self
        original_write = LinuxDriver.write
        original_display = App._display
        original_post = App.post_message

        def write(self: LinuxDriver, data: str) -> None:
            probe.bytes += len(data.encode("utf-8", "replace"))
            probe.last_activity = time.monotonic()
            original_write(self, data)

        def _display(self: App, screen: Any, renderable: Any) -> None:
            if renderable is not None and not self._batch_count:
                probe.frames += 1
                probe.last_activity = time.monotonic()
                try:
                    probe.log(screen, renderable)
                    probe.apply(renderable)
                except Exception as exc:  # the shadow screen must never break the app
                    print(f"bytes_probe: shadow screen: {exc!r}", file=sys.stderr)
            original_display(self, screen, renderable)

        def post_message(self: App, message: Any) -> bool:
            if probe.app is None and type(message) is events.Ready:
                probe.app = self
            if type(message) is events.Key:
                probe.keys += 1
            elif type(message).__module__ == "smstui.tui.messages":
                probe.note(type(message).__name__, getattr(message, "event", None))
            return original_post(self, message)

        trace = os.environ.get("BENCH_TRACE_REFRESH")
        if trace:
            from textual.widget import Widget

            original_refresh = Widget.refresh

            def refresh(self: Widget, *args: Any, **kwargs: Any) -> Any:
                if type(self).__name__ in trace.split(","):
                    import traceback

                    frames = traceback.extract_stack(limit=9)[:-1]
                    chain = " < ".join(f"{Path(f.filename).stem}.{f.name}:{f.lineno}" for f in reversed(frames))
                    probe.note("refresh", f"{type(self).__name__}#{self.id}", chain)
                return original_refresh(self, *args, **kwargs)

            Widget.refresh = refresh  # type: ignore[method-assign]

        if os.environ.get("BENCH_FRAME_LOG"):
            from textual._compositor import Compositor

            original_reflow = Compositor.reflow

            def reflow(self: Compositor, parent: Any, size: Any) -> Any:
                old = dict(self._full_map)
                result = original_reflow(self, parent, size)
                changed = []
                for widget, geometry in self._full_map.items():
                    before = old.get(widget)
                    if before != geometry:
                        what = (
                            "new"
                            if before is None
                            else ",".join(
                                name for name in geometry._fields if getattr(before, name) != getattr(geometry, name)
                            )
                        )
                        changed.append(f"{type(widget).__name__}#{widget.id}({geometry.region.area}:{what})")
                probe.note("reflow", " ".join(changed) or "no change")
                return result

            Compositor.reflow = reflow  # type: ignore[method-assign]

        LinuxDriver.write = write  # type: ignore[method-assign]
        App._display = _display  # type: ignore[method-assign]
        App.post_message = post_message  # type: ignore[method-assign]

    def log(self, screen: Any, update: Any) -> None:
        """With ``BENCH_FRAME_LOG`` set: one line per frame, naming the widgets it repainted
        and how many cells of each (where a bench number's bytes come from)."""
        path = os.environ.get("BENCH_FRAME_LOG")
        if not path:
            return
        from textual._compositor import ChopsUpdate, LayoutUpdate

        cells: dict[str, int] = {}
        if isinstance(update, ChopsUpdate):
            kind = "partial"
            for y, x1, x2 in update.spans:
                x = x1
                while x < x2:
                    try:
                        widget, region = screen.get_widget_at(x, y)
                        name = f"{type(widget).__name__}#{widget.id}" if widget.id else type(widget).__name__
                        end = min(x2, region.right)
                    except Exception:
                        name, end = "?", x2
                    end = max(end, x + 1)
                    cells[name] = cells.get(name, 0) + end - x
                    x = end
        elif isinstance(update, LayoutUpdate):
            kind = "full"
        else:
            kind = type(update).__name__
        size = len(update.render_segments(self.app.console).encode("utf-8", "replace"))
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{time.monotonic():.3f} {kind} {size} keys={self.keys} {cells}\n")

    def note(self, *what: object) -> None:
        path = os.environ.get("BENCH_FRAME_LOG")
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(f"{time.monotonic():.3f} message {' '.join(map(repr, what))}\n")

    def apply(self, update: Any) -> None:
        """Paint a compositor update onto the shadow grid (cursor moves and styled text only)."""
        from rich.cells import cell_len
        from rich.segment import ControlType
        from textual._compositor import CompositorUpdate

        if not isinstance(update, CompositorUpdate):
            return
        app = self.app
        width, height = app.size
        if len(self.grid) != height or (self.grid and len(self.grid[0]) != width):
            self.grid = [[(" ", None) for _ in range(width)] for _ in range(height)]
        x = y = 0
        plain = self._plain
        for segment in update.__rich_console__(app.console, app.console.options):
            if segment.control:
                for code in segment.control:
                    if code[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = code[1], code[2]
                continue
            if segment.text == "\n":
                continue
            if not 0 <= y < height:
                continue
            row = self.grid[y]
            for ch in segment.text:
                w = cell_len(ch)
                if w == 0:  # a combining mark joins the cell before
                    if x > 0:
                        prev = row[x - 1]
                        row[x - 1] = (prev[0] + ch, prev[1])
                    continue
                if x + w > width:
                    break
                style = plain(segment.style)
                row[x] = (ch, style)
                if w == 2:
                    row[x + 1] = ("", style)
                x += w

    def _plain(self, style: Any) -> Any:
        """The style as the terminal sees it: without the meta Textual keeps for mouse handling
        (two cells that look the same are the same cell)."""
        if style is None:
            return None
        found = self._styles.get(style)
        if found is None:
            found = self._styles[style] = style.clear_meta_and_links()
        return found

    # --------------------------------------------------------------- commands

    def busy(self) -> bool:
        app = self.app
        for worker in app.workers:
            if worker.group in LONG_LIVED_GROUPS:
                continue
            if worker.state.name in ("PENDING", "RUNNING"):
                return True
        return False

    async def settle(self, keys: int) -> str:
        deadline = time.monotonic() + 30
        while self.keys < keys and time.monotonic() < deadline:
            await asyncio.sleep(STEP)
        while time.monotonic() < deadline:
            await asyncio.sleep(STEP)
            if self.busy():
                self.last_activity = time.monotonic()
            elif time.monotonic() - self.last_activity >= QUIET:
                break
        return f"ok {self.bytes} {self.frames}"

    def status(self) -> str:
        state = getattr(self.app, "sync_state", None)
        if state is None:
            return "ok idle 1"
        return f"ok {state.status} {1 if state.last_synced is not None else 0}"

    async def command(self, line: str) -> str:
        name, _, arg = line.partition(" ")
        if name == "settle":
            return await self.settle(int(arg or 0))
        if name == "screen":
            Path(arg).write_bytes(pickle.dumps(self.grid))
            return "ok"
        if name == "status":
            return self.status()
        if name == "focus":
            focused = self.app.focused
            return f"ok {focused.id or type(focused).__name__}" if focused is not None else "ok none"
        if name == "show":
            return f"ok {self.app.show(int(arg))}"
        return f"error unknown command {name!r}"

    def serve(self) -> None:
        """The control thread: commands from the parent run on the app's event loop."""
        inbox = os.fdopen(int(os.environ["BENCH_CTL_IN"]), "r", encoding="utf-8")
        outbox = os.fdopen(int(os.environ["BENCH_CTL_OUT"]), "w", encoding="utf-8")
        for raw in inbox:
            line = raw.strip()
            while self.app is None or not self.app.is_running:
                time.sleep(STEP)
            if line == "quit":
                self.app.call_from_thread(self.app.exit)
                break
            try:
                answer = self.app.call_from_thread(self.command, line)
            except Exception as exc:
                answer = f"error {type(exc).__name__}: {exc}"
            outbox.write(answer + "\n")
            outbox.flush()

    def start(self) -> None:
        threading.Thread(target=self.serve, daemon=True, name="bench-control").start()


# ------------------------------------------------------------------- the apps


def bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Label("Hello from a bare Textual app")

    Bare().run()


def replay(frames_file: str) -> None:
    from rich.control import Control
    from textual.app import App, ComposeResult
    from textual.geometry import Region
    from textual.strip import Strip
    from textual.widget import Widget

    screens: list[list[list[Cell]]] = pickle.loads(Path(frames_file).read_bytes())

    class Screenful(Widget):
        DEFAULT_CSS = "Screenful { width: 1fr; height: 1fr; }"

        def __init__(self) -> None:
            super().__init__()
            self.index = 0

        def render_line(self, y: int) -> Strip:
            grid = screens[self.index]
            if y >= len(grid):
                return Strip.blank(self.size.width)
            return _strip(grid[y])

        def show(self, index: int) -> int:
            """Show screen ``index``, repainting the lines that changed from the first to the
            last changed cell; returns the bytes of the changed runs of cells alone."""
            before, after = screens[self.index], screens[index]
            self.index = index
            if len(before) != len(after) or any(len(a) != len(b) for a, b in zip(before, after, strict=True)):
                self.refresh()
                return -1
            alone = 0
            console = self.app.console
            for y, (old, new) in enumerate(zip(before, after, strict=True)):
                runs = _changed_runs(old, new)
                if runs:
                    # Textual sends a partly repainted line from the widget's left edge to the
                    # end of the change (ChopsUpdate.render_segments), so one region per line.
                    self.refresh(Region(runs[0][0], y, runs[-1][1] - runs[0][0], 1))
                for x0, x1 in runs:
                    alone += len(Control.move_to(x0, y).segment.text)
                    alone += len(_strip(new[x0:x1]).render(console).encode("utf-8"))
            return alone

    class Replay(App[None]):
        def compose(self) -> ComposeResult:
            yield Screenful()

        def show(self, index: int) -> int:
            return self.query_one(Screenful).show(index)

    Replay().run()


def _strip(cells: list[Cell]) -> Any:
    """Cells as a Strip: one segment per run of one style (a wide character's "" cell skipped)."""
    from rich.segment import Segment
    from textual.strip import Strip

    segments: list[Segment] = []
    text: list[str] = []
    style = None
    for ch, cell_style in cells:
        if ch == "":
            continue
        if text and cell_style != style:
            segments.append(Segment("".join(text), style))
            text = []
        style = cell_style
        text.append(ch)
    if text:
        segments.append(Segment("".join(text), style))
    return Strip(segments, len(cells))


def _changed_runs(old: list[Cell], new: list[Cell], gap: int = 8) -> list[tuple[int, int]]:
    """Column ranges [x0, x1) where two rows differ; runs closer than ``gap`` cells are joined
    (repainting a few equal cells is cheaper than another cursor move)."""
    runs: list[tuple[int, int]] = []
    for x, (a, b) in enumerate(zip(old, new, strict=True)):
        if a == b:
            continue
        if runs and x - runs[-1][1] < gap:
            runs[-1] = (runs[-1][0], x + 1)
        else:
            runs.append((x, x + 1))
    return runs


def smstui() -> None:
    from smstui.main import main

    sys.argv = ["smstui"]
    try:
        main()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise


if __name__ == "__main__":
    which = sys.argv[1]
    probe = Probe()
    probe.install()
    probe.start()
    if which == "replay":
        replay(sys.argv[2])
    else:
        {"bare": bare, "smstui": smstui}[which]()
