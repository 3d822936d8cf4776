"""Run an app until its first painted frame, then exit (the cold-start bench's child process).

    python bench/apps/first_frame.py bare      # a bare Textual app showing one Label
    python bench/apps/first_frame.py smstui    # the real `smstui` command (CLI -> session -> app)

Textual posts ``events.Ready`` to the app right after the first screen's first layout and
compositor refresh, i.e. once the first frame has been written; that is "first interactive frame".
Both apps get the same hook (a wrapper around ``App.post_message`` that records the moment and
exits), so the comparison is fair and smstui's own code is untouched. When ``BENCH_REPORT`` names
a file, the wall-clock time of that moment is written to it.
"""

from __future__ import annotations

import os
import sys
import time


def _install_hook() -> None:
    from textual import events
    from textual.app import App

    original = App.post_message
    report = os.environ.get("BENCH_REPORT")

    def post_message(self: App, message: events.Message) -> bool:  # type: ignore[name-defined]
        posted = original(self, message)
        if type(message) is events.Ready and not getattr(self, "_bench_ready", False):
            self._bench_ready = True
            if report:
                with open(report, "w", encoding="utf-8") as handle:
                    handle.write(repr(time.time()))
            self.call_later(self.exit)  # after the app's own on_ready handlers
        return posted

    App.post_message = post_message  # type: ignore[method-assign]


def bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Label("Hello from a bare Textual app")

    Bare().run()


def smstui() -> None:
    from smstui.cli import main

    sys.argv = ["smstui"]
    try:
        main()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise


if __name__ == "__main__":
    which = sys.argv[1]
    _install_hook()
    {"bare": bare, "smstui": smstui}[which]()
