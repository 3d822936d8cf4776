"""Every binding of the app and where it can fire, for checking the config's ``[keymap]``.

The check itself is :mod:`smstui.core.keymap_check`; this module knows the app: which classes carry
bindings and on which screens or dialogs each is active. App bindings fire on every full screen,
and in dialogs only when they have priority (Textual stops the key's way up at a modal screen).
Imported only when the config has a ``[keymap]``, after the first frame: it imports every screen.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from smstui.core.keymap_check import KeyBinding, keymap_problems
from smstui.tui.textual_internals import class_bindings

if TYPE_CHECKING:
    from smstui.core.config import ConfigProblem
    from smstui.tui.app_interface import SmsAppBase

# (module, class, the places where its bindings fire). A widget's places are the screens that
# show it; a screen's, itself.
SCREENS = ("conversations", "devices", "tags", "newsletters", "bulk", "search", "login", "dashboard", "failures")
DIALOGS = (
    "new message",
    "help",
    "newsletter form",
    "tag dialog",
    "contact dialog",
    "CSV import",
    "export",
    "confirmation",
    "send again",
)
OWNERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("smstui.tui.screens.conversations", "ConversationsScreen", ("conversations",)),
    ("smstui.tui.widgets.thread_list", "ThreadList", ("conversations",)),
    ("smstui.tui.widgets.thread_view", "ThreadView", ("conversations",)),
    ("smstui.tui.widgets.compose_form", "ComposeForm", ("conversations", "new message")),
    ("smstui.tui.dialogs.compose", "ComposeScreen", ("new message",)),
    ("smstui.tui.screens.devices", "DevicesScreen", ("devices",)),
    ("smstui.tui.screens.tags", "TagsScreen", ("tags",)),
    ("smstui.tui.screens.newsletters", "NewslettersScreen", ("newsletters",)),
    ("smstui.tui.screens.bulk", "BulkScreen", ("bulk",)),
    ("smstui.tui.screens.search", "SearchScreen", ("search",)),
    ("smstui.tui.widgets.search_results", "SearchResults", ("search",)),
    ("smstui.tui.screens.login", "LoginScreen", ("login",)),
    ("smstui.tui.dialogs.help", "HelpScreen", ("help",)),
    ("smstui.tui.dialogs.newsletter_form", "NewsletterDialog", ("newsletter form",)),
    ("smstui.tui.dialogs.tags", "TagDialog", ("tag dialog",)),
    ("smstui.tui.dialogs.tags", "TagTitleDialog", ("tag dialog",)),
    ("smstui.tui.dialogs.tags", "ContactDialog", ("contact dialog",)),
    ("smstui.tui.dialogs.csv_import", "CsvImportDialog", ("CSV import",)),
    ("smstui.tui.dialogs.export", "ExportDialog", ("export",)),
    ("smstui.tui.dialogs.confirm", "ConfirmDialog", ("confirmation",)),
    ("smstui.tui.screens.dashboard", "DashboardScreen", ("dashboard",)),
    ("smstui.tui.screens.triage", "TriageScreen", ("failures",)),
    ("smstui.tui.dialogs.retry", "RetryDialog", ("send again",)),
)


def app_bindings(app_class: type) -> list[KeyBinding]:
    """Every key of every binding, with the places where it fires."""
    found: list[KeyBinding] = []

    def add(cls: type, places: frozenset[str], *, app_level: bool = False) -> None:
        for key, bindings in class_bindings(cls).items():
            for binding in bindings:
                where = places | frozenset(DIALOGS) if app_level and binding.priority else places
                found.append(KeyBinding(binding.id, key, binding.description, where))

    add(app_class, frozenset(SCREENS), app_level=True)
    palette = getattr(app_class, "COMMAND_PALETTE_BINDING", "")
    if getattr(app_class, "ENABLE_COMMAND_PALETTE", False) and palette:
        found.append(KeyBinding(None, palette, "the command palette", frozenset(SCREENS)))
    for module, name, places in OWNERS:
        add(getattr(importlib.import_module(module), name), frozenset(places))
    return found


def check_keymap(app: SmsAppBase) -> list[ConfigProblem]:
    """The problems of the app's config's ``[keymap]`` (none without one)."""
    from textual.keys import _character_to_key

    keymap = app.session.config.keymap
    if not keymap:
        return []

    def normalize(key: str) -> str:
        return _character_to_key(key) if len(key) == 1 else key

    return keymap_problems(
        keymap, app_bindings(type(app)), file=app.session.config_path, normalize=normalize, screens=frozenset(SCREENS)
    )


def report_keymap_problems(app: SmsAppBase) -> None:
    """Show each keymap problem as the app shows other config problems."""
    from smstui.tui.widgets.format import clean

    for problem in check_keymap(app):
        app.notify(clean(str(problem)), title="Config", severity="warning", timeout=10)
