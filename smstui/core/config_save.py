"""Writing a :class:`~smstui.core.config.Config` back as a TOML file: for tools and tests.

Apart from :mod:`smstui.core.config` because nothing in the app or the CLI calls it: smstui never
rewrites the user's own config file (what it learns goes to :mod:`smstui.core.state_file`).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from smstui.core import paths
from smstui.core.config import TABLES, Config


def config_to_dict(config: Config) -> dict[str, Any]:
    """The TOML document for ``config`` (None values are omitted: TOML has no null)."""
    doc: dict[str, Any] = {"default_profile": config.default_profile}
    for table in TABLES:
        settings = getattr(config, table)
        doc[table] = settings._asdict()
    if config.keymap:
        doc["keymap"] = dict(config.keymap)
    if config.limits.any:
        doc["limits"] = {
            **config.limits.default._asdict(),
            **{f"{device}:{slot}": limit._asdict() for (device, slot), limit in config.limits.sims.items()},
        }
    if config.profiles:
        doc["profiles"] = {
            name: {
                f.name: getattr(profile, f.name)
                for f in fields(profile)
                if f.name != "name" and getattr(profile, f.name) is not None
            }
            for name, profile in config.profiles.items()
        }
    return doc


def save_config(config: Config, path: Path | str | None = None) -> Path:
    """Write ``config`` atomically (temp file + os.replace), mode 0600; returns the path."""
    file = Path(path) if path is not None else paths.config_file()
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    import tomli_w  # only when saving

    payload = tomli_w.dumps(config_to_dict(config)).encode("utf-8")
    paths.write_private(file, payload)
    return file
