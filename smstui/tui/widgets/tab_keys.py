"""Tabs that stay where they are put, and keys to move between them.

Two Textual behaviours made the bulk screen's Preview and Jobs tabs flash and vanish: a
``TabbedContent`` activates the pane of whatever widget gets focus, and a focused widget that is
hidden (its pane switched away) hands focus to a sibling, which is in the hidden pane too. So the
old pane came straight back. :func:`show_pane` moves focus into the pane it activates, in the
same step. :func:`tab_bindings` gives every screen with tabs the same keys: alt+1 … alt+3 pick a
tab, ctrl+pagedown / ctrl+pageup step through them (priority: typing fields must not eat them).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

TAB_KEYS_HINT = "alt+1/2/3 or ctrl+pgup/pgdn: switch tabs"


def tab_bindings(prefix: str, count: int = 3) -> list[Binding]:
    """The tab keys for a screen, with binding ids ``<prefix>.tab1`` … for the keymap."""
    bindings = [
        Binding(f"alt+{n}", f"show_tab({n})", f"Tab {n}", show=False, priority=True, id=f"{prefix}.tab{n}")
        for n in range(1, count + 1)
    ]
    bindings += [
        Binding("ctrl+pagedown", "step_tab(1)", "Next tab", show=False, priority=True, id=f"{prefix}.next_tab"),
        Binding("ctrl+pageup", "step_tab(-1)", "Previous tab", show=False, priority=True, id=f"{prefix}.previous_tab"),
    ]
    return bindings


def _panes(tabs: TabbedContent) -> list[TabPane]:
    return [pane for pane in tabs.query(TabPane) if pane.parent is not None and pane.parent.parent is tabs]


def _first_focusable(pane: Widget) -> Widget | None:
    """The pane's first field, table or button; a scrolling container only when it has nothing else."""
    from textual.containers import ScrollableContainer

    found = [w for w in pane.query("*") if isinstance(w, Widget) and w.focusable]
    return next((w for w in found if not isinstance(w, ScrollableContainer)), found[0] if found else None)


def show_pane(tabs: TabbedContent, pane_id: str, focus: Widget | None = None) -> None:
    """Activate ``pane_id`` and move focus into it (``focus``, else its first focusable widget,
    else the tab bar), so the pane that held focus does not take the tabs back."""
    tabs.active = pane_id
    pane = tabs.get_pane(pane_id)
    target = focus if focus is not None and focus.focusable else _first_focusable(pane)
    if target is None:
        from smstui.tui.textual_internals import tab_bar

        target = tab_bar(tabs)
    tabs.screen.set_focus(target)


def step_pane(tabs: TabbedContent, step: int) -> None:
    """The next (``step`` 1) or previous (-1) enabled pane, wrapping around."""
    panes = [p for p in _panes(tabs) if not p.disabled]
    ids = [p.id for p in panes if p.id]
    if not ids:
        return
    index = ids.index(tabs.active) if tabs.active in ids else 0
    show_pane(tabs, ids[(index + step) % len(ids)])


def pane_number(tabs: TabbedContent, number: int) -> str | None:
    """The id of the ``number``-th pane (1-based), if there is one."""
    ids = [p.id for p in _panes(tabs) if p.id]
    return ids[number - 1] if 1 <= number <= len(ids) else None


class TabKeys:
    """The actions behind :func:`tab_bindings`, for a screen with one ``TabbedContent``."""

    def _tabbed_content(self) -> TabbedContent:
        return self.query_one(TabbedContent)  # type: ignore[attr-defined]

    def action_show_tab(self, number: int) -> None:
        tabs = self._tabbed_content()
        pane_id = pane_number(tabs, number)
        if pane_id is not None:
            show_pane(tabs, pane_id)

    def action_step_tab(self, step: int) -> None:
        step_pane(self._tabbed_content(), step)
