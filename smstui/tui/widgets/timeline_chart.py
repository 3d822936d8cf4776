"""The dashboard's two sparklines: messages sent and failed over the window, with their peaks.

One widget for both lines (label, bars, peak), drawn with Textual's sparkline renderable: six
widgets (two rows of label, Sparkline and peak) cost the dashboard's first frame ~10 ms of
styling for two lines of text. Each row is scaled to its own peak, which its label says
(``peak 3 per 2 h 48 min``), so a single failure still shows; an empty window shows flat bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.renderables.sparkline import Sparkline
from textual.widget import Widget

from smstui.core.oncall.health import describe_duration

LABEL_WIDTH = 8
PEAK_WIDTH = 24


class _Rows:
    """Two lines of label, bars and peak, rendered to the widget's width."""

    def __init__(self, rows: Sequence[tuple[str, Sequence[float], Style, Style]], bucket: float, label: Style) -> None:
        self.rows = rows
        self.bucket = bucket
        self.label = label

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        bars = max(1, width - LABEL_WIDTH - PEAK_WIDTH)
        for index, (name, values, low, high) in enumerate(self.rows):
            if index:
                yield Segment.line()
            yield from Text(name.ljust(LABEL_WIDTH)[:LABEL_WIDTH], style=self.label).render(console)
            data = list(values) or [0.0]
            if max(data) == 0 or low.color is None or high.color is None:
                yield Segment("▁" * bars, low)  # nothing: flat, not the renderable's all-full bars
            else:
                spark = Sparkline(data, width=bars, height=1, min_color=low.color, max_color=high.color)
                yield from (s for s in console.render(spark, options.update(width=bars, height=1)) if s.text != "\n")
            peak = f" peak {int(max(data))} per {describe_duration(self.bucket)}"
            yield from Text(peak[:PEAK_WIDTH].ljust(PEAK_WIDTH), style=self.label).render(console)


class TimelineChart(Widget):
    DEFAULT_CSS = """
    TimelineChart { height: 2; padding: 0 1; }
    TimelineChart > .timeline-chart--label { color: $foreground-muted; }
    TimelineChart > .timeline-chart--sent-low { color: $primary 30%; }
    TimelineChart > .timeline-chart--sent-high { color: $primary; }
    TimelineChart > .timeline-chart--failed-low { color: $error 30%; }
    TimelineChart > .timeline-chart--failed-high { color: $error; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline-chart--label",
        "timeline-chart--sent-low",
        "timeline-chart--sent-high",
        "timeline-chart--failed-low",
        "timeline-chart--failed-high",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sent: list[float] = []
        self.failed: list[float] = []
        self.bucket = 60.0

    def show(self, sent: list[float], failed: list[float], bucket: float) -> None:
        self.sent, self.failed, self.bucket = sent, failed, bucket
        self.refresh()

    def render(self) -> _Rows:
        get = self.get_component_rich_style
        base = self.rich_style
        return _Rows(
            (
                ("sent", self.sent, base + get("timeline-chart--sent-low"), base + get("timeline-chart--sent-high")),
                (
                    "failed",
                    self.failed,
                    base + get("timeline-chart--failed-low"),
                    base + get("timeline-chart--failed-high"),
                ),
            ),
            self.bucket,
            get("timeline-chart--label"),
        )
