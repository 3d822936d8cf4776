"""Command palette entries for the tags, newsletters and bulk screens: their actions by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (action, palette title, help) per screen class name; the actions are the screens' own.
ENTRIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "TagsScreen": (
        ("new_tag", "Tags: new tag", "Create a tag on the gateway, or add a dashboard tag by #ID"),
        ("edit_title", "Tags: edit title", "Give the highlighted tag a title (kept in smstui)"),
        ("add_contact", "Tags: add contact", "Add a number (and name) to the highlighted tag"),
        ("import_csv", "Tags: import contacts from CSV", "Preview a CSV file, then import it with progress"),
        ("search", "Tags: search", "Search tags, contact names and numbers"),
    ),
    "NewslettersScreen": (
        ("new_newsletter", "Newsletters: new newsletter", "Send one text to the contacts of some tags"),
        ("refresh_progress", "Newsletters: refresh progress", "Read the newsletters' messages from the gateway"),
    ),
    "BulkScreen": (
        ("preview", "Bulk: preview messages", "Show every message as it will be sent"),
        ("send", "Bulk: send the previewed messages", "Start the bulk job"),
        ("pause_resume", "Bulk: pause or resume the job", "Stops after the request under way"),
        ("cancel_job", "Bulk: cancel the job", "Messages not yet sent are not sent"),
    ),
}


class BulkScreenCommands(Provider):
    """Offers the current screen's actions (see :data:`ENTRIES`)."""

    def _entries(self) -> tuple[tuple[str, str, str], ...]:
        return ENTRIES.get(type(self.screen).__name__, ())

    async def discover(self) -> Hits:
        for action, title, help_text in self._entries():
            yield DiscoveryHit(title, partial(self.screen.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, title, help_text in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.screen.run_action, action), help=help_text)
