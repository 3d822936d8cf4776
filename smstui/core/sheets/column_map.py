"""Which column is which, when the headers do not say: ``--map phone=Mobil,name=Kunde``.

A column is named by its header (compared without case and punctuation), its number (1 is the
first) or its letter (A is the first, as the spreadsheet shows it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence


class MappingError(ValueError):
    """A mapping that cannot be read or names a column the file does not have."""


def _fold(header: str) -> str:
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def column_key(header: str) -> str:
    # The same key csv_import.column_key makes (kept here so that module can import this one).
    return re.sub(r"[^\w]+", "_", header.strip().casefold(), flags=re.UNICODE).strip("_")


#: The fields a column may be mapped to (csv_import's canonical column names).
MAPPABLE = ("phone", "name", "tag", "body", "time", "slot", "customer_id")


def parse_mapping(text: str) -> dict[str, str]:
    """``"phone=Mobil,name=Kunde"`` -> ``{"phone": "Mobil", "name": "Kunde"}``.

    A column is named by its header, its number (1 = first) or its letter (A = first).
    """
    mapping: dict[str, str] = {}
    for piece in text.split(","):
        if not piece.strip():
            continue
        field_name, sep, column = piece.partition("=")
        key = field_name.strip().casefold()
        if not sep or not column.strip():
            raise MappingError(f"{piece.strip()!r} is not FIELD=COLUMN; write it like phone=Telefon,name=Kunde.")
        if key not in MAPPABLE:
            raise MappingError(
                f"{field_name.strip()!r} is not a field smstui fills; use one of: {', '.join(MAPPABLE)}."
            )
        mapping[key] = column.strip()
    return mapping


def mapping_names_a_header(mapping: Mapping[str, str], first: Sequence[str]) -> bool:
    folded = {_fold(cell) for cell in first}
    return any(_fold(column) in folded for column in mapping.values() if not _position(column))


def _position(column: str) -> int | None:
    """The 0-based index a column number ("2") or letter ("B") names, else None."""
    if column.isdigit() and int(column) >= 1:
        return int(column) - 1
    if len(column) <= 2 and column.isascii() and column.isalpha():
        index = 0
        for ch in column.upper():
            index = index * 26 + ord(ch) - ord("A") + 1
        return index - 1
    return None


def apply_mapping(
    columns: list[str], aliases: dict[str, str], mapping: Mapping[str, str], header: Sequence[str] | None
) -> None:
    """Point ``columns`` (the keys of the file's columns, changed in place) at the mapped fields."""
    for target, column in mapping.items():
        index = None
        if header is not None:
            matches = [i for i, cell in enumerate(header) if _fold(cell) == _fold(column)]
            index = matches[0] if matches else None
        if index is None:
            index = _position(column)
        if index is None or index >= max(len(columns), 1):
            shown = ", ".join(header) if header is not None else f"{len(columns)} columns, no header"
            raise MappingError(f"--map {target}={column}: the file has no column {column!r} (it has: {shown}).")
        while index >= len(columns):
            columns.append(f"column{len(columns) + 1}")
        if target in columns and columns.index(target) != index:
            other = columns.index(target)
            key = (column_key(header[other]) if header is not None and other < len(header) else "") or (
                f"column{other + 1}"
            )
            while key in columns or key in MAPPABLE:
                key += "_"
            columns[other] = key
        columns[index] = target
        if header is not None and index < len(header):
            key = column_key(header[index])
            if key and key != target:
                aliases[key] = target


__all__ = ["MAPPABLE", "MappingError", "apply_mapping", "mapping_names_a_header", "parse_mapping"]
