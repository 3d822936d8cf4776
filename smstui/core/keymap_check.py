"""Checking the config's ``[keymap]`` against the app's bindings: unknown ids and taken keys.

Textual applies a keymap silently: an id it does not know does nothing, and a key given to one
binding is taken from whichever other binding had it (the README's own ``"app.refresh" = "f5"``
took F5 from Newsletters, issue 13 item 8). Each such entry becomes a :class:`ConfigProblem` with
the key's line, like every other config problem. Pure logic: the TUI says which bindings exist
and where each can fire (:mod:`smstui.tui.keymap_scopes`); nothing here imports Textual.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from smstui.core.config import ConfigProblem, located_problem


class KeyBinding(NamedTuple):
    """One key of one binding (a binding on "f1,question_mark" is two of these)."""

    id: str | None
    key: str  # Textual's name for it ("f5", "ctrl+r", "question_mark")
    description: str
    places: frozenset[str]  # where it can fire: screens and dialogs, by name ("conversations")


def keymap_problems(
    keymap: Mapping[str, str],
    bindings: Iterable[KeyBinding],
    *,
    file: Path | None,
    normalize: Callable[[str], str] = lambda key: key,
    screens: frozenset[str] = frozenset(),
) -> list[ConfigProblem]:
    """What is wrong with ``keymap`` (binding id -> comma-separated keys), in its order.

    A remapped key is taken when a binding with another id has that key, after the whole keymap
    is applied, in a place where both can fire: one of the two would never run there.
    ``normalize`` turns a key as written into Textual's name for it ("?" -> "question_mark");
    ``screens``: the places that make "every screen".
    """
    bindings = list(bindings)
    known = sorted({b.id for b in bindings if b.id})
    remapped = {bid: [normalize(k.strip()) for k in keys.split(",") if k.strip()] for bid, keys in keymap.items()}
    # Every binding's keys once the whole keymap is applied.
    final = [(b, key) for b in bindings for key in (remapped[b.id] if b.id in remapped else [b.key])]
    problems: list[ConfigProblem] = []
    for bid, keys in keymap.items():
        path = ("keymap", bid)
        if bid not in known:
            close = difflib.get_close_matches(bid, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                located_problem(
                    file,
                    path,
                    f"keymap: no binding has the id {bid!r}, so {keys!r} was ignored{hint} "
                    "(F1 lists the ids of every key where you are)",
                )
            )
            continue
        mine = [b for b in bindings if b.id == bid]
        places = frozenset().union(*(b.places for b in mine))
        clashes: list[str] = []
        for written in (k.strip() for k in keys.split(",") if k.strip()):
            key = normalize(written)
            for other, other_key in final:
                if other_key != key or other.id == bid or not (other.places & places):
                    continue
                what = f"{other.description or 'a built-in key'}" + (f" ({other.id})" if other.id else "")
                clash = f"{written} is also {what} {_where(other.places & places, screens)}"
                if clash not in clashes:
                    clashes.append(clash)
        if clashes:
            problems.append(
                located_problem(
                    file,
                    path,
                    f"keymap: {bid} = {keys!r}: {'; '.join(clashes)}. Only one of them can have it there; "
                    "give one of them another key",
                )
            )
    return problems


def _where(places: frozenset[str], screens: frozenset[str]) -> str:
    if screens and places >= screens:
        return "on every screen"
    names = sorted(places)
    if len(names) > 3:
        return "on most screens"
    return "on the " + " and ".join(names) + (" screens" if len(names) > 1 else " screen")
