"""A widget mounted only when first needed, with the calls asked of it before then kept in order.

The conversations screen's compose pane is the user: its form (TextArea, Select, … and their
CSS) is ~40 ms of a cold start, so the first frame goes without it and the form is mounted
right after. Whatever is asked of the form before its fields exist (set the recipient, focus
the body, follow a region change) waits here and runs, in the order asked, once it is mounted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from textual.widget import Widget

W = TypeVar("W", bound=Widget)


class DeferredMount(Generic[W]):
    """Builds ``build()`` into ``parent()`` at the first :meth:`mount` or :meth:`call`."""

    def __init__(self, host: Widget, parent: Callable[[], Widget], build: Callable[[], W]) -> None:
        self._host = host  # whose call_later runs the queue: the screen
        self._parent = parent
        self._build = build
        self.widget: W | None = None  # built (maybe not mounted yet)
        self._ready = False
        self._queue: list[Callable[[W], object]] = []

    @property
    def ready(self) -> W | None:
        """The widget once it is mounted (its children exist), else None."""
        return self.widget if self._ready else None

    def mount(self) -> None:
        """Build and mount the widget, once; queued calls run when it is mounted."""
        if self.widget is not None or not self._host.is_attached:
            return
        widget = self.widget = self._build()
        mounted = self._parent().mount(widget)

        async def ready() -> None:
            await mounted
            self._ready = True
            while self._queue:
                self._queue.pop(0)(widget)

        self._host.call_later(ready)

    def call(self, call: Callable[[W], object]) -> None:
        """Run ``call`` on the widget now, or once it is mounted (in the order asked)."""
        ready = self.ready
        if ready is not None and not self._queue:
            call(ready)
        else:
            self._queue.append(call)
            self.mount()
