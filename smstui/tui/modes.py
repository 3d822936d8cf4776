"""The app's modes: one full screen each, switched with a function key (Textual's modes).

Only the conversations screen is needed for the first frame; every other screen is imported when
first shown, which keeps ~40 ms out of the cold start.
"""

import importlib
from collections.abc import Callable
from typing import NamedTuple

from textual.binding import Binding
from textual.screen import Screen


class Mode(NamedTuple):
    name: str
    module: str
    screen: str  # the class in ``module``
    title: str
    help: str  # the palette's line for it
    key: str  # the app's key for it ("": none, the palette and other screens lead there)
    label: str = ""  # the key's word in the footer and the help


MODES = (
    Mode(
        "messages",
        "smstui.tui.screens.conversations",
        "ConversationsScreen",
        "Conversations",
        "Every conversation, newest first",
        "f2",
        "Chats",
    ),
    Mode("devices", "smstui.tui.screens.devices", "DevicesScreen", "Devices", "The phones that send", "f3", "Devices"),
    Mode(
        "tags",
        "smstui.tui.screens.tags",
        "TagsScreen",
        "Tags & contacts",
        "Groups of contacts for newsletters",
        "f4",
        "Tags",
    ),
    Mode(
        "newsletters",
        "smstui.tui.screens.newsletters",
        "NewslettersScreen",
        "Newsletters",
        "Send one text to every contact of some tags",
        "f5",
        "Newsletters",
    ),
    Mode(
        "bulk", "smstui.tui.screens.bulk", "BulkScreen", "Bulk send", "Send many messages from a CSV file", "f6", "Bulk"
    ),
    Mode(
        "search",
        "smstui.tui.screens.search",
        "SearchScreen",
        "Search messages",
        "Find any stored message by its words, number or contact name",
        "f7",
        "Search",
    ),
    Mode(
        "dashboard",
        "smstui.tui.screens.dashboard",
        "DashboardScreen",
        "Dashboard",
        "Delivery health: counts and failures per phone and slot, the queue, offline phones",
        "f10",
        "Dashboard",
    ),
    Mode(
        "failures",
        "smstui.tui.screens.triage",
        "TriageScreen",
        "Failures",
        "Failed and unclear messages: open, send again, mark handled",
        "",
    ),
)
BY_NAME = {mode.name: mode for mode in MODES}
#: Modes that show the session's data; rebuilt when the session changes (the login mode is not).
SESSION_MODES = tuple(mode.name for mode in MODES)
#: The modes whose keys the footer always shows.
FOOTER_MODES = ("messages", "devices")
#: The modes the palette offers besides the two always in the footer.
OTHER_MODES = tuple(mode for mode in MODES if mode.name not in FOOTER_MODES)


def mode_bindings() -> list[Binding]:
    """The app's key for each mode that has one (ids ``app.<mode>``, which a keymap remaps)."""
    return [
        Binding(
            mode.key, f"show_mode('{mode.name}')", mode.label, id=f"app.{mode.name}", show=mode.name in FOOTER_MODES
        )
        for mode in MODES
        if mode.key
    ]


def screen_class(mode: str) -> type[Screen]:
    spec = BY_NAME[mode]
    screen = getattr(importlib.import_module(spec.module), spec.screen, None)
    if not (isinstance(screen, type) and issubclass(screen, Screen)):
        raise ImportError(f"{spec.module}.{spec.screen} is not a screen")
    return screen


def lazy_screen(mode: str) -> Callable[[], Screen]:
    """A factory that imports the mode's screen module when the mode is first shown."""

    def make() -> Screen:
        return screen_class(mode)()

    make.__name__ = BY_NAME[mode].screen
    return make
