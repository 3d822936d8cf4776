"""The checks a config value goes through: each returns the cleaned value or raises
``ValueError(reason)``, and :mod:`smstui.core.config` turns the reason into a
:class:`~smstui.core.config.ConfigProblem` that names the key and its line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], Any]  # returns the cleaned value or raises ValueError(reason)


def integer(minimum: int | None = None, maximum: int | None = None) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number, got {show(value)}")
        _range(value, minimum, maximum)
        return value

    return check


def number(minimum: float | None = None, maximum: float | None = None) -> Check:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"must be a number, got {show(value)}")
        _range(value, minimum, maximum)
        return value

    return check


def _range(value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ValueError(f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"must be at most {maximum}, got {value}")


def string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {show(value)}")
    return value


def nonempty_text(value: Any) -> str:
    text = string(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {show(value)}")
    return value


def zone_name(value: Any) -> str:
    """An IANA zone name (checked against the zone database, imported only for this); "" = unset."""
    text = string(value).strip()
    if not text:
        return ""
    from smstui.core.gateway_time import ZoneError, zone_by_name

    try:
        return zone_by_name(text).key
    except ZoneError as exc:
        raise ValueError(str(exc)) from None


def time_format(value: Any) -> str:
    text = nonempty_text(value)
    from datetime import datetime

    try:
        datetime(2000, 1, 2, 3, 4, 5).strftime(text)
    except ValueError as exc:
        raise ValueError(f"is not a valid strftime format: {exc}") from None
    return text


def choice(*allowed: str) -> Check:
    def check(value: Any) -> str:
        text = string(value).strip()
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(repr(a) for a in allowed)}, got {text!r}")
        return text

    return check


def command(value: Any) -> tuple[str, ...]:
    """A program and its arguments: an array of strings, or one string split as a shell would
    (quotes kept together); it is run directly, never through a shell."""
    if isinstance(value, str):
        import shlex

        try:
            argv = shlex.split(value)
        except ValueError as exc:
            raise ValueError(f"cannot be split into a program and its arguments ({exc})") from None
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        argv = list(value)
    else:
        raise ValueError(f'must be an array of strings like ["notify-send", "smstui"], got {show(value)}')
    if argv and not argv[0].strip():
        raise ValueError("must start with the program to run")
    return tuple(argv)


def show(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"{type(value).__name__} {value!r}"


def words(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f'must be an array of words or phrases like ["stop", "nicht mehr"], got {show(value)}')
    return tuple(v.strip() for v in value)
