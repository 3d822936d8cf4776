"""Every use of Textual's (and Rich's) private internals, each behind one small named function.

Textual is pinned (pyproject.toml); tests/ui/test_textual_internals.py checks each of these against
the pinned version, so an upgrade that changes one fails there, loudly, instead of somewhere
in a screen. Nothing else in smstui touches a private name of Textual or Rich.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich._wrap import (
    divide_line as _divide_line,  # word-wrap offsets, as Rich's own Text.wrap uses
)
from textual.reactive import Reactive

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen
    from textual.widget import Widget
    from textual.widgets import TabbedContent


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Where Rich would break ``text`` into lines of ``width`` cells (the thread view's heights)."""
    return _divide_line(text, width, fold=fold)


def styled_now(factory: Callable[[], Screen]) -> Callable[[], Screen]:
    """``factory``, with its screen marked as styled by the app's current stylesheet.

    Textual counts stylesheet refreshes (``_css_update_count``), and a new screen's count starts
    at -1, so the first switch to a mode re-parses every stylesheet and re-styles the app twice
    (``_init_mode``, then ``switch_mode``): ~15 ms of the cold start, more with every screen
    built. A screen made now has nothing to catch up on (its widgets are styled by the current
    stylesheet as they mount), so it gets the app's count.
    """

    def make() -> Screen:
        screen = factory()
        count = getattr(screen.app, "_css_update_count", None)
        if isinstance(count, int) and isinstance(getattr(screen, "_css_update_count", None), int):
            screen._css_update_count = count
        return screen

    make.__name__ = getattr(factory, "__name__", "screen")
    return make


def mode_names(app: App[Any]) -> set[str]:
    """The modes added to ``app`` (``App._modes``; Textual has no public list of them)."""
    return set(app._modes)


def replace_mode_factories(app: App[Any], wrap: Callable[[Callable[[], Screen]], Callable[[], Screen]]) -> None:
    """Wrap the factories of the modes given by the class's MODES (``App._modes``)."""
    for mode, factory in list(app._modes.items()):
        if callable(factory):
            app._modes[mode] = wrap(factory)


def mode_started(app: App[Any], mode: str) -> bool:
    """Whether ``mode``'s screen has been built (``App._screen_stacks``)."""
    return mode in app._screen_stacks


def paint_now(widget: Widget) -> None:
    """Paint what is dirty on ``widget``'s screen now, not at the screen's next frame slot.

    Textual paints from a 60 Hz timer; a change made between two slots waits for the next one,
    and after a skipped slot that is 17-33 ms away (Timer._run realigns one slot too far), most
    of the time from a key to its visible effect. ``Screen._on_timer_update`` is exactly what
    that timer calls; the timer's own tick then finds nothing to do. Not inside a batch
    (``App._batch_count``): the batch paints when it ends.
    """
    try:
        screen = widget.screen
    except Exception:  # not mounted (any more)
        return
    update = getattr(screen, "_on_timer_update", None)  # absent in another Textual: paint later
    if update is not None and screen.is_current and not getattr(widget.app, "_batch_count", 0):
        update()


class QuietFocus:
    """Mix into a screen (before ``Screen``): moving the focus repaints only what changes look.

    ``Screen.focused`` is a repainting reactive, so every focus change repaints the whole
    screen: ~10 KB at 100x30 for Enter on a conversation, most of a second on a 64 kbit/s SSH
    link (issue 19). The widgets whose ``:focus`` / ``:focus-within`` styles change are
    re-styled and repainted by Textual anyway (``Screen._update_focus_styles``); the screen's own
    repaint adds nothing. ``DOMNode.__init_subclass__`` collects reactives along the MRO, so
    this declaration replaces Screen's.
    """

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)


class SteadyScrollbars:
    """Mix into a ``ScrollView`` that sets its own ``virtual_size``: a layout pass elsewhere on
    the screen does not repaint its scrollbars.

    ``ScrollView._size_updated`` compares the arrangement's virtual size (the viewport, for a
    widget without children) with the widget's own (its content), which never match, so every
    layout pass of the screen re-sends both scrollbars: ~1 KB each at 30 rows over SSH, after
    every device refresh or pane shown. It then ignores that argument and keeps its own, so
    passing its own changes only the comparison: a real resize still updates them.
    """

    def _size_updated(self, size: Any, virtual_size: Any, container_size: Any, layout: bool = True) -> bool:
        return super()._size_updated(size, self.virtual_size, container_size, layout)  # type: ignore[misc, attr-defined]


def set_cursor_blink_default(blink: bool) -> None:
    """Whether text fields made from now on blink their cursor, Textual's own included (the
    palette's input): the class default of ``Input.cursor_blink`` / ``TextArea.cursor_blink``
    (``Reactive._default``; Textual has no app-wide switch). The tests' fixture sets the same."""
    from textual.widgets import Input, TextArea

    for cls in (Input, TextArea):
        cls.cursor_blink._default = blink  # type: ignore[attr-defined]


def tab_bar(tabs: TabbedContent) -> Widget:
    """The bar of tabs of a TabbedContent (its ``ContentTabs``, which Textual does not export)."""
    from textual.widgets._tabbed_content import ContentTabs

    return tabs.query_one(ContentTabs)


def class_bindings(cls: type) -> dict[str, list[Any]]:
    """Key -> bindings a DOM class declares with its bases' (``DOMNode._merge_bindings``), without
    making one: the keymap check reads every screen's keys before any is shown."""
    return dict(cls._merge_bindings().key_to_bindings)  # type: ignore[attr-defined]
