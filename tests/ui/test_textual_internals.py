"""The private Textual, Rich and uvicorn internals smstui relies on are still what it expects.

Each use lives behind one function of smstui.tui.textual_internals (or, for uvicorn, the
simulator's server class). Textual and uvicorn are pinned; if an upgrade changes one of these,
this file fails by name instead of a screen misbehaving somewhere.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest
import uvicorn
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Label, TabbedContent, TabPane

from smstui.tui import textual_internals as ti


def test_the_pinned_versions() -> None:
    # Bumping either is a decision: re-read the shims below against the new source first.
    assert version("textual") == "8.2.8"
    assert version("uvicorn").startswith("0.54.")


def test_rich_divide_line_breaks_words_as_text_wrap_does() -> None:
    assert ti.divide_line("aaa bbb ccc", 4) == [4, 8]
    assert ti.divide_line("abcdefgh", 3) == [3, 6]  # fold=True: a long word is cut


class _Two(App[None]):
    MODES = {"a": lambda: Screen(), "b": lambda: Screen()}
    DEFAULT_MODE = "a"


async def test_app_internals_the_shims_read() -> None:
    app = _Two()
    async with app.run_test() as pilot:
        # App._modes and App._screen_stacks: the modes added and the ones already built.
        assert {"a", "b"} <= ti.mode_names(app)
        assert ti.mode_started(app, "a") and not ti.mode_started(app, "b")
        await app.switch_mode("b")
        await pilot.pause()
        assert ti.mode_started(app, "b")
        # The CSS update counter styled_now copies onto a new screen.
        assert isinstance(app._css_update_count, int)
        assert isinstance(Screen()._css_update_count, int)
        made = ti.styled_now(lambda: Screen())
        ti.replace_mode_factories(app, lambda factory: factory)  # wraps only callables; nothing breaks
        screen = made()
        assert screen._css_update_count == app._css_update_count
        # The screen's paint callback and the app's batch counter that paint_now uses.
        assert callable(getattr(app.screen, "_on_timer_update", None))
        assert isinstance(app._batch_count, int)
        ti.paint_now(app.screen)


async def test_the_tab_bar_of_a_tabbed_content() -> None:
    class WithTabs(App[None]):
        def compose(self) -> ComposeResult:
            with TabbedContent():
                with TabPane("one", id="one"):
                    yield Label("1")

    app = WithTabs()
    async with app.run_test():
        bar = ti.tab_bar(app.query_one(TabbedContent))
        assert type(bar).__name__ == "ContentTabs"
        assert bar.focusable


@pytest.mark.parametrize("name", ["startup", "main_loop", "on_tick", "should_exit"])
def test_uvicorn_server_hooks_the_simulator_overrides(name: str) -> None:
    # smstui.simulator.runner._Server overrides startup() and main_loop() and calls on_tick().
    if name == "should_exit":  # an attribute the server's loop reads; request_exit sets it
        assert uvicorn.Server(uvicorn.Config(app=None)).should_exit is False
        return
    assert inspect.iscoroutinefunction(getattr(uvicorn.Server, name))
    if name == "on_tick":
        assert list(inspect.signature(uvicorn.Server.on_tick).parameters) == ["self", "counter"]
    if name == "startup":
        assert list(inspect.signature(uvicorn.Server.startup).parameters) == ["self", "sockets"]


def test_class_bindings_merge_a_class_with_its_bases() -> None:
    from textual.binding import Binding

    class Base(Screen[None]):
        BINDINGS = [Binding("a", "one", "One", id="t.one")]

    class Child(Base):
        BINDINGS = [Binding("b", "two", "Two", id="t.two")]

    keys = ti.class_bindings(Child)
    assert {"a", "b"} <= set(keys)
    assert [b.id for b in keys["b"]] == ["t.two"]


def test_the_update_types_the_paint_spy_reads() -> None:
    # tests/ui/ui_helpers.PaintSpy wraps App._display and reads these to count painted cells.
    from textual._compositor import ChopsUpdate, LayoutUpdate

    assert "spans" in inspect.signature(ChopsUpdate).parameters
    assert "region" in inspect.signature(LayoutUpdate).parameters
    assert list(inspect.signature(App._display).parameters) == ["self", "screen", "renderable"]


def test_screen_focused_repaints_and_quiet_focus_replaces_it() -> None:
    # QuietFocus exists because Textual's own focused reactive repaints the whole screen.
    assert Screen._reactives["focused"]._repaint is True

    class Quiet(ti.QuietFocus, Screen[None]):
        pass

    assert Quiet._reactives["focused"]._repaint is False


def test_scroll_view_size_updated_signature() -> None:
    # SteadyScrollbars overrides it and passes the widget's own virtual size.
    from textual.scroll_view import ScrollView

    assert list(inspect.signature(ScrollView._size_updated).parameters) == [
        "self",
        "size",
        "virtual_size",
        "container_size",
        "layout",
    ]


def test_cursor_blink_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input.cursor_blink, "_default", True)
    monkeypatch.setattr(TextArea.cursor_blink, "_default", True)
    ti.set_cursor_blink_default(False)
    assert Input().cursor_blink is False
    assert TextArea().cursor_blink is False
