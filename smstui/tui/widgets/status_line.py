"""The one-line sync status above the footer: synced / syncing / offline, profile, outbox.

Over SSH every repaint is bytes on the user's link, so the line is repainted only when its text
changes (issue 19): a background poll that finds nothing new leaves it alone. A poll shows
"⟳ syncing" only once it has taken ``SYNCING_AFTER`` seconds or reports progress (a first sync:
then a bar drawn as text, messages done of all and an ETA, smstui.core.sync_progress);
a routine poll is over long before that, and "synced just now" simply stays. The relative time is
coarse ("just now", then minutes), so the minute's check below rarely finds anything to paint.

With webhooks (smstui.core.push_state) it also says how news arrives: "⇣ push · just now" while
the gateway pushes, "↻ poll" when the app's receiver has heard nothing lately, and "⚠ no push
for 6 min, polling" when webhooks had been coming, none did for ``[ui] webhook_quiet_after``
and messages still wait for their status. Without a receiver and webhooks it says nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.text import Text
from textual.timer import Timer
from textual.widget import Widget

from smstui.core.sync_progress import Eta, progress_text
from smstui.tui.widgets.format import ago, clean

# A poll still running after this long is shown as syncing (a quick one never is).
SYNCING_AFTER = 1.5
# How often the relative time is looked at; it is painted only when its text changed.
CLOCK_CHECK = 30


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

    def __init__(self, *, clock: Callable[[], datetime], tz: tzinfo | None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._tz = tz
        self.status = "idle"
        self.last_synced: datetime | None = None
        self.error: str | None = None
        self.progress: tuple[int, int] | None = None
        self._profile_text = ""
        self._context_text = ""
        self.pending = 0
        # A poll under way that is not shown yet (see SYNCING_AFTER), and what is painted now.
        self._quiet_poll = False
        self._poll_timer: Timer | None = None
        self._shown: tuple[str, tuple[object, ...]] | None = None
        # Push or poll (update_push): the last webhook (epoch s), messages waiting for a status.
        self._push_last: float | None = None
        self._push_waiting = 0
        self._push_expected = False
        self._push_quiet_after = 300.0
        # A first sync's rate so far, by the app's clock (tests move it), for the ETA.
        self._eta = Eta(lambda: self._clock().timestamp())
        self._eta_seconds: float | None = None

    def on_mount(self) -> None:
        self.set_interval(CLOCK_CHECK, self._repaint_if_changed, name="status-line-clock")

    @property
    def profile(self) -> str:
        return self._profile_text

    @profile.setter
    def profile(self, value: str) -> None:
        self._profile_text = value
        self._repaint_if_changed()

    @property
    def context(self) -> str:
        return self._context_text

    @context.setter
    def context(self, value: str) -> None:
        self._context_text = value
        self._repaint_if_changed()

    def update_state(
        self, status: str, last_synced: datetime | None, error: str | None, progress: tuple[int, int] | None = None
    ) -> None:
        starting = status == "syncing" and self.status != "syncing"
        self.status, self.last_synced, self.error, self.progress = status, last_synced, error, progress
        if progress is None:
            self._eta = Eta(lambda: self._clock().timestamp())
            self._eta_seconds = None
        else:
            self._eta_seconds = self._eta.update(*progress)
        if status != "syncing":
            self._end_quiet_poll()
        elif starting and progress is None and last_synced is not None:
            # A routine poll after a good one: keep showing "synced" unless it takes a while.
            self._quiet_poll = True
            self._poll_timer = self.set_timer(SYNCING_AFTER, self._poll_is_slow, name="status-line-poll")
        elif progress is not None:
            self._end_quiet_poll()
        self._repaint_if_changed()

    def update_push(self, last_at: float | None, waiting: int, expected: bool, quiet_after: float) -> None:
        """The last webhook the store saw and how many sent messages wait for a status."""
        self._push_last, self._push_waiting = last_at, waiting
        self._push_expected, self._push_quiet_after = expected, quiet_after
        self._repaint_if_changed()

    def _push_text(self, now: datetime) -> Text | None:
        if self._push_last is None and not self._push_expected:
            return None  # no receiver, no webhook ever: nothing to say (and nothing to import)
        from smstui.core.push_state import judge_push

        last = None if self._push_last is None else (self._push_last, "status")
        state = judge_push(
            last,
            now.timestamp(),
            quiet_after=self._push_quiet_after,
            pending=self._push_waiting,
            expected=self._push_expected,
        )
        get = self.get_component_rich_style
        if state.mode == "push" and state.last_at is not None:
            text = Text("⇣ push", style=get("status-line--ok"))
            text.append(
                f" · {ago(datetime.fromtimestamp(state.last_at, now.tzinfo), now)}", style=get("status-line--muted")
            )
            return text
        if state.mode == "quiet":
            minutes = max(1, int(state.quiet_for // 60))
            return Text(f"⚠ no push for {minutes} min, polling", style=get("status-line--busy"))
        if state.mode == "poll":
            return Text("↻ poll", style=get("status-line--muted"))
        return None

    def _end_quiet_poll(self) -> None:
        self._quiet_poll = False
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None

    def _poll_is_slow(self) -> None:
        self._poll_timer = None
        self._quiet_poll = False
        self._repaint_if_changed()

    def _repaint_if_changed(self) -> None:
        if not self.is_mounted:
            return  # its first paint renders whatever is set by then
        text, tail = self._texts()
        shown = (text.plain + "\0" + tail.plain, tuple(text.spans) + tuple(tail.spans))
        if shown != self._shown:
            self._shown = shown
            self.refresh()

    def _texts(self) -> tuple[Text, Text]:
        """The status and, flush right, the context and profile (before fitting to the width)."""
        get = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis")
        now = self._clock()
        status = "idle" if self._quiet_poll else self.status
        if status == "syncing":
            label = "⟳ syncing"
            if self.progress:
                # A first sync: a bar drawn as text, messages done of all, and the time left.
                label += " " + progress_text(*self.progress, self._eta_seconds, width=10)
            text.append(label, style=get("status-line--busy"))
        elif status == "offline":
            text.append("✗ offline", style=get("status-line--bad"))
            if self.error:
                text.append(f": {clean(self.error, single_line=True)}", style=get("status-line--bad"))
        elif status == "auth":
            text.append("✗ login needed", style=get("status-line--bad"))
            if self.error:
                text.append(f": {clean(self.error, single_line=True)}", style=get("status-line--bad"))
        elif status == "error":
            text.append("✗ sync error", style=get("status-line--bad"))
            if self.error:
                text.append(f": {clean(self.error, single_line=True)}", style=get("status-line--bad"))
        elif self.last_synced is not None:
            text.append("● synced ", style=get("status-line--ok"))
            text.append(ago(self.last_synced, now), style=get("status-line--muted"))
        else:
            text.append("○ not synced yet", style=get("status-line--muted"))
        push = self._push_text(now)
        if push is not None:
            text.append("  ")
            text.append_text(push)
        if self.pending:
            text.append(f"  ◷ {self.pending} to send", style=get("status-line--busy"))
        if status in ("offline", "error") and self.last_synced is not None:
            text.append(f"  (last synced {ago(self.last_synced, now)})", style=get("status-line--muted"))
        tail = Text(no_wrap=True)
        if self._context_text:
            tail.append(clean(self._context_text, single_line=True), style=get("status-line--muted"))
        if self._profile_text:
            tail.append(f"  {clean(self._profile_text, single_line=True)}", style=get("status-line--muted"))
        return text, tail

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._shown = None  # a theme change repaints it in the new colours

    def render(self) -> Text:
        text, tail = self._texts()
        width = self.size.width
        if tail.cell_len and width:
            room = width - tail.cell_len - 1
            if room > 10:
                text.truncate(room, overflow="ellipsis", pad=True)
                text.append(" ")
                text.append_text(tail)
        return text
