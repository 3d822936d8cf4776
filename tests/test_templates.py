"""Templates: placeholders filled per recipient, clear errors, stored in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from smstui.core.store.database import Store
from smstui.core.templates import (
    TemplateError,
    check,
    delete_template,
    get_template,
    list_templates,
    placeholders,
    render,
    save_template,
)


def test_render_fills_names_case_and_spacing_insensitive() -> None:
    text = render("Hi {Name}, order {order_no} for {phone}", {"name": "Ann", "Order No": "A-1", "phone": "+49"})
    assert text == "Hi Ann, order A-1 for +49"


def test_literal_braces() -> None:
    assert render("{{literal}} {x}", {"x": "1"}) == "{literal} 1"


def test_values_are_not_reinterpreted() -> None:
    # A value that looks like a placeholder is text, not a second round of filling.
    assert render("{a}", {"a": "{b}", "b": "no"}) == "{b}"


def test_unknown_placeholders_are_listed_with_what_is_available() -> None:
    with pytest.raises(TemplateError) as info:
        render("Hi {name}, {code} {code} {city}", {"name": "Ann", "phone": "+49"})
    assert info.value.unknown == ("code", "city")
    assert "{code}, {city}" in str(info.value)
    assert "{name}" in str(info.value) and "{phone}" in str(info.value)


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("Hi {", "Unmatched opening brace at position 4"),
        ("Hi }", "Unmatched closing brace"),
        ("Hi {}", "Empty placeholder"),
        ("{name.__class__}", "may only be a column name"),
        ("{name[0]}", "may only be a column name"),
        ("{name!r}", "may only be a column name"),
        ("{name:>10}", "may only be a column name"),
    ],
)
def test_broken_templates(template: str, fragment: str) -> None:
    with pytest.raises(TemplateError, match=fragment.replace("[", r"\[")):
        render(template, {"name": "x"})


def test_placeholders_and_check() -> None:
    assert placeholders("{a} {B} {a} {{c}}") == ["a", "b"]
    assert check("{name} {Order No}", ["name", "order_no"]) == []
    assert check("{name} {x}", ["phone", "name"]) == ["x"]


def test_templates_are_stored(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    saved = save_template(store, "  Reminder  ", "Hi {name}")
    assert saved.name == "Reminder"
    assert [t.name for t in list_templates(store)] == ["Reminder"]
    assert get_template(store, "reminder").body == "Hi {name}"  # type: ignore[union-attr]
    assert get_template(store, "reminder").placeholders == ["name"]  # type: ignore[union-attr]
    save_template(store, "Reminder", "Hello {name}")
    assert [t.body for t in list_templates(store)] == ["Hello {name}"]
    with pytest.raises(TemplateError, match="name"):
        save_template(store, " ", "x")
    with pytest.raises(TemplateError, match="empty"):
        save_template(store, "x", "  ")
    with pytest.raises(TemplateError, match="brace"):
        save_template(store, "x", "Hi {")
    delete_template(store, "Reminder")
    assert list_templates(store) == []
