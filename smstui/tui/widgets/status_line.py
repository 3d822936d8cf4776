"""The one-line sync status above the footer: synced / syncing / offline, profile, outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from smstui.tui.widgets.format import ago, clean


class StatusLine(Widget):
    """Shows the app's sync state; the app pushes updates with :meth:`update_state`."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    StatusLine > .status-line--ok { color: $success; }
    StatusLine > .status-line--busy { color: $accent; }
    StatusLine > .status-line--bad { color: $error; text-style: bold; }
    StatusLine > .status-line--muted { color: $foreground-muted; }
    """

    COMPONENT_CLASSES = {"status-line--ok", "status-line--busy", "status-line--bad", "status-line--muted"}

    status: reactive[str] = reactive("idle")
    last_synced: reactive[datetime | None] = reactive(None)
    error: reactive[str | None] = reactive(None)
    progress: reactive[tuple[int, int] | None] = reactive(None)
    profile: reactive[str] = reactive("")
    context: reactive[str] = reactive("")
    pending: reactive[int] = reactive(0)

    def __init__(self, *, clock: Callable[[], datetime], tz: tzinfo | None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._tz = tz

    def on_mount(self) -> None:
        self.set_interval(30, self.refresh, name="status-line-clock")

    def update_state(
        self, status: str, last_synced: datetime | None, error: str | None, progress: tuple[int, int] | None = None
    ) -> None:
        self.status = status
        self.last_synced = last_synced
        self.error = error
        self.progress = progress

    def render(self) -> Text:
        get = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis")
        now = self._clock()
        if self.status == "syncing":
            label = "⟳ syncing"
            if self.progress:
                label += f" {self.progress[0]}/{self.progress[1]}"
            text.append(label, style=get("status-line--busy"))
        elif self.status == "offline":
            text.append("✗ offline", style=get("status-line--bad"))
            if self.error:
                text.append(f": {clean(self.error, single_line=True)}", style=get("status-line--bad"))
        elif self.status == "auth":
            text.append("✗ login needed", style=get("status-line--bad"))
            if self.error:
                text.append(f": {clean(self.error, single_line=True)}", style=get("status-line--bad"))
        elif self.status == "error":
            text.append("✗ sync error", style=get("status-line--bad"))
            if self.error:
                text.append(f": {clean(self.error, single_line=True)}", style=get("status-line--bad"))
        elif self.last_synced is not None:
            text.append("● synced ", style=get("status-line--ok"))
            text.append(ago(self.last_synced, now), style=get("status-line--muted"))
        else:
            text.append("○ not synced yet", style=get("status-line--muted"))
        if self.pending:
            text.append(f"  ◷ {self.pending} to send", style=get("status-line--busy"))
        if self.status in ("offline", "error") and self.last_synced is not None:
            text.append(f"  (last synced {ago(self.last_synced, now)})", style=get("status-line--muted"))
        tail = Text(no_wrap=True)
        if self.context:
            tail.append(clean(self.context, single_line=True), style=get("status-line--muted"))
        if self.profile:
            tail.append(f"  {clean(self.profile, single_line=True)}", style=get("status-line--muted"))
        width = self.size.width
        if tail.cell_len and width:
            room = width - tail.cell_len - 1
            if room > 10:
                text.truncate(room, overflow="ellipsis", pad=True)
                text.append(" ")
                text.append_text(tail)
        return text
