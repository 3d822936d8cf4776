"""A newsletter is one text the gateway sends unchanged to every contact of its tags (issue 13,
item 5): ``Hi {name}`` reached every contact as ``{name}``. Placeholders are filled only by bulk
sends (``smstui bulk --template``, the Bulk screen), so a newsletter text with ``{...}`` is refused.
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{[^{}\n]{1,60}\}")

ONE_TEXT = "The gateway sends this one text, unchanged, to every contact: {placeholders} are not filled in."
USE_BULK_CLI = "use `smstui bulk --template` (with a CSV of the contacts) to fill them per recipient"
USE_BULK_TUI = "use Bulk send (f6), which fills them per recipient"


def literal_placeholders(body: str) -> list[str]:
    """The ``{...}`` pieces of ``body`` a reader would take for placeholders, in order, once each."""
    return list(dict.fromkeys(m.group(0) for m in _PLACEHOLDER.finditer(body or "")))


def placeholder_problem(body: str, *, cli: bool) -> str | None:
    found = literal_placeholders(body)
    if not found:
        return None
    return f"a newsletter sends the same text to everyone, so {', '.join(found)} would arrive literally; " + (
        USE_BULK_CLI if cli else USE_BULK_TUI
    )
