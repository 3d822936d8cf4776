"""Core events to one line of JSON and back: how the sync worker process tells the app what changed.

Generic over the event classes of :mod:`smstui.core.events` (frozen dataclasses) and the
NamedTuples inside them (:class:`~smstui.core.sync_state.SyncState`): a class is written by its
name and its fields by name, so a field added to an event needs no change here. Values JSON
cannot tell apart are tagged: ``{"$dt": iso}`` a datetime, ``{"$t": [...]}`` a tuple, ``{"$s":
[...]}`` a frozenset. Only the registered classes are ever built from a line: a line is data from
another process, never code. No Textual here.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any, cast, get_args

from smstui.core import events
from smstui.core.sync_state import SyncState

#: Every class a line may name: the events (every member of ``events.Event``, so a new event
#: needs no change here), and the records they carry (a new record type must be added).
EVENT_TYPES: tuple[type, ...] = get_args(events.Event)
TYPES: dict[str, type] = {cls.__name__: cls for cls in (*EVENT_TYPES, SyncState)}


class CodecError(ValueError):
    """A line that is not an event this codec writes (says what was wrong)."""


def encode(event: events.Event) -> str:
    """One line of JSON (no newline in it) for ``event``."""
    return json.dumps(_out(event), ensure_ascii=False, separators=(",", ":"))


def decode(line: str | bytes) -> events.Event:
    """The event ``line`` describes; :class:`CodecError` for anything else."""
    try:
        doc = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CodecError(f"not JSON: {exc}") from None
    value = _in(doc)
    if not isinstance(value, EVENT_TYPES):
        raise CodecError(f"not an event: {type(value).__name__}")
    return cast("events.Event", value)


def _out(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"$": type(value).__name__, **{f.name: _out(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple
        return {
            "$": type(value).__name__,
            **{name: _out(item) for name, item in zip(value._fields, value, strict=True)},
        }
    if isinstance(value, tuple):
        return {"$t": [_out(item) for item in value]}
    if isinstance(value, frozenset | set):
        items = [_out(item) for item in value]
        return {"$s": sorted(items) if all(isinstance(i, str) for i in items) else items}
    if isinstance(value, list):
        return [_out(item) for item in value]
    raise TypeError(f"cannot encode {type(value).__name__} in an event")


def _in(doc: Any) -> Any:
    if isinstance(doc, list):
        return [_in(item) for item in doc]
    if not isinstance(doc, dict):
        return doc
    if "$dt" in doc:
        try:
            return datetime.fromisoformat(str(doc["$dt"]))
        except ValueError as exc:
            raise CodecError(f"bad date: {exc}") from None
    if "$t" in doc:
        return tuple(_in(item) for item in _list(doc["$t"]))
    if "$s" in doc:
        try:
            return frozenset(_in(item) for item in _list(doc["$s"]))
        except TypeError as exc:  # an unhashable item
            raise CodecError(f"bad set: {exc}") from None
    name = doc.get("$")
    cls = TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise CodecError(f"unknown type {name!r}")
    # Fields this version does not know (a newer worker) are left out, missing ones take defaults.
    known = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set(cls._fields)  # type: ignore[attr-defined]
    fields = {key: _in(value) for key, value in doc.items() if key in known}
    try:
        return cls(**fields)
    except TypeError as exc:
        raise CodecError(f"bad {name}: {exc}") from None


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise CodecError("a tagged value without its list")
    return value


__all__ = ["TYPES", "CodecError", "decode", "encode"]
