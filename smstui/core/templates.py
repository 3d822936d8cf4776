"""Message templates: saved bodies with ``{placeholders}`` filled in per recipient.

``{name}``, ``{phone}`` and any CSV column (by its header, case and spacing ignored:
``{First Name}`` = ``{first_name}``) are replaced; ``{{`` and ``}}`` write literal braces.
Only plain names are allowed inside braces (no ``{x.attr}``, ``{x[0]}`` or format specs), so a
template can never reach into Python objects the way ``str.format`` would.

    check("Hi {name}, your code is {code}", ["name", "phone"])   # -> ["code"]
    render("Hi {name}!", {"name": "Ann"})                          # -> "Hi Ann!"
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from smstui.core.sheets.csv_import import column_key
from smstui.core.store.database import Store

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
# What sending always knows about a recipient, whatever the source.
BUILTIN = ("phone", "name")
MAX_NAME = 60


class TemplateError(ValueError):
    """A template that cannot be filled: unknown placeholders or broken braces."""

    def __init__(self, message: str, unknown: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.unknown = tuple(unknown)


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    body: str

    @property
    def placeholders(self) -> list[str]:
        return placeholders(self.body)


def _scan(template: str) -> list[tuple[int, int, str | None, str]]:
    """(start, end, placeholder key or None, literal text) pieces; raises on broken braces."""
    pieces: list[tuple[int, int, str | None, str]] = []
    for match in _TOKEN.finditer(template):
        token = match.group(0)
        if token == "{{":
            pieces.append((match.start(), match.end(), None, "{"))
        elif token == "}}":
            pieces.append((match.start(), match.end(), None, "}"))
        elif match.group(1) is not None:
            inner = match.group(1).strip()
            if not inner:
                raise TemplateError(
                    f"Empty placeholder '{{}}' at position {match.start() + 1}; "
                    "write a column name inside the braces, or '{{' for a literal brace."
                )
            if any(ch in inner for ch in ".[]:!"):
                raise TemplateError(
                    f"Placeholder {{{inner}}} at position {match.start() + 1} may only be a column name "
                    "(no '.', '[', ':' or '!')."
                )
            pieces.append((match.start(), match.end(), column_key(inner), ""))
        else:
            what = "opening" if token == "{" else "closing"
            raise TemplateError(
                f"Unmatched {what} brace at position {match.start() + 1}; "
                f"write '{token}{token}' for a literal '{token}'."
            )
    return pieces


def placeholders(template: str) -> list[str]:
    """The distinct placeholder keys of ``template``, in order of first use."""
    seen: dict[str, None] = {}
    for _, _, key, _ in _scan(template):
        if key is not None:
            seen.setdefault(key, None)
    return list(seen)


def check(template: str, available: Iterable[str]) -> list[str]:
    """Placeholders of ``template`` that ``available`` keys cannot fill (broken braces raise)."""
    keys = {column_key(k) for k in available}
    return [p for p in placeholders(template) if p not in keys]


def render(template: str, values: Mapping[str, str]) -> str:
    """``template`` with every placeholder replaced by its value.

    Raises :class:`TemplateError` naming every placeholder ``values`` lacks, and the keys that
    are available, so the user can fix the template or the CSV header.
    """
    lookup = {column_key(k): ("" if v is None else str(v)) for k, v in values.items()}
    out: list[str] = []
    last = 0
    missing: dict[str, None] = {}
    for start, end, key, literal in _scan(template):
        out.append(template[last:start])
        last = end
        if key is None:
            out.append(literal)
        elif key in lookup:
            out.append(lookup[key])
        else:
            missing.setdefault(key, None)
    if missing:
        names = ", ".join("{" + m + "}" for m in missing)
        available = ", ".join("{" + k + "}" for k in sorted(lookup)) or "none"
        raise TemplateError(f"Unknown placeholder(s) {names}; available: {available}.", list(missing))
    out.append(template[last:])
    return "".join(out)


def validate_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise TemplateError("Give the template a name.")
    if len(clean) > MAX_NAME:
        raise TemplateError(f"Template names may be at most {MAX_NAME} characters.")
    return clean


def save_template(store: Store, name: str, body: str) -> Template:
    """Check and save a template (replacing one of the same name)."""
    clean = validate_name(name)
    if not body.strip():
        raise TemplateError("The template's text is empty.")
    placeholders(body)  # broken braces are refused before they are saved
    store.save_template(clean, body)
    return Template(clean, body)


def list_templates(store: Store) -> list[Template]:
    return [Template(name, body) for name, body in store.templates()]


def get_template(store: Store, name: str) -> Template | None:
    wanted = " ".join(name.split()).casefold()
    return next((t for t in list_templates(store) if t.name.casefold() == wanted), None)


def delete_template(store: Store, name: str) -> None:
    store.delete_template(name)


__all__ = [
    "BUILTIN",
    "Template",
    "TemplateError",
    "check",
    "delete_template",
    "get_template",
    "list_templates",
    "placeholders",
    "render",
    "save_template",
    "validate_name",
]
