"""How to read a contact or bulk file: its encoding, the sheet, and which column is which.

The same three fields as the CLI's ``--encoding``, ``--sheet`` and ``--map``; all may stay empty
(detected encoding, first sheet, columns known by their headers).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input

from smstui.core.sheets.column_map import parse_mapping


class FileOptions(Horizontal):
    DEFAULT_CSS = """
    FileOptions { height: auto; }
    FileOptions .-encoding { width: 22; }
    FileOptions .-sheet { width: 22; }
    FileOptions .-map { width: 1fr; }
    """

    def __init__(self, prefix: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.prefix = prefix

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Encoding (detected)", id=f"{self.prefix}-encoding", classes="-encoding")
        yield Input(placeholder="Sheet (the first)", id=f"{self.prefix}-sheet", classes="-sheet")
        yield Input(
            placeholder="Columns, e.g. phone=Mobil,name=B (known headers need none)",
            id=f"{self.prefix}-map",
            classes="-map",
        )

    def _value(self, name: str) -> str:
        return self.query_one(f"#{self.prefix}-{name}", Input).value.strip()

    def state(self) -> tuple[str, str, str]:
        return self._value("encoding"), self._value("sheet"), self._value("map")

    def read_options(self) -> dict[str, Any]:
        """Keyword arguments for ``read_csv``; a mapping that cannot be read raises MappingError."""
        encoding, sheet, mapping = self.state()
        return {"encoding": encoding or None, "sheet": sheet or None, "mapping": parse_mapping(mapping) or None}


__all__ = ["FileOptions"]
