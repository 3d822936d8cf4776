"""Run an app until its first useful frame is painted, then exit (the cold-start bench's child).

    python bench/apps/first_frame.py bare      # a bare Textual app showing one Label
    python bench/apps/first_frame.py smstui    # the real `smstui` command (CLI -> session -> app)

"Frame painted" is ``App._display`` returning after a compositor update: the frame has been
encoded and handed to the terminal driver. For the bare app the first such frame counts; for
smstui the first frame in which the conversations screen is current and its list shows the
stored conversations (the user can act on it). Both apps get the same hook (a wrapper around
``App._display``), so smstui's own code is untouched. The wall-clock moment is written to the file
named by ``BENCH_REPORT`` (and, as context, the moment of Textual's ``Ready`` to ``BENCH_REPORT.ready``).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable


def _install_hook(useful: Callable[[object], bool]) -> None:
    from textual import events
    from textual.app import App

    report = os.environ.get("BENCH_REPORT")
    original_display = App._display
    original_post = App.post_message

    def _write(path: str | None) -> None:
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(repr(time.time()))

    def _display(self: App, screen, renderable) -> None:  # type: ignore[no-untyped-def]
        original_display(self, screen, renderable)
        if renderable is None or getattr(self, "_bench_done", False):
            return
        try:
            ok = useful(self)
        except Exception:
            ok = False
        if ok:
            self._bench_done = True
            _write(report)
            self.call_later(self.exit)

    def post_message(self: App, message) -> bool:  # type: ignore[no-untyped-def]
        if type(message) is events.Ready and report:
            _write(report + ".ready")
        return original_post(self, message)

    App._display = _display  # type: ignore[method-assign]
    App.post_message = post_message  # type: ignore[method-assign]


def _smstui_useful(app: object) -> bool:
    screen = app.screen  # type: ignore[attr-defined]
    if type(screen).__name__ != "ConversationsScreen":
        return False
    return screen.query_one("#threads").option_count > 0


def bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Label("Hello from a bare Textual app")

    Bare().run()


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
    _install_hook((lambda app: True) if which == "bare" else _smstui_useful)
    {"bare": bare, "smstui": smstui}[which]()
