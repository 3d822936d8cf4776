"""An isolated smstui installation for one bench: config, data dir, store and token in a temp dir.

The profile points at ``api_url`` (the simulator) or, for offline benches, at a loopback port
where nothing listens, so any request the app makes fails at once with "connection refused"
and no bench ever touches the real service.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from bench.generate import fresh_copy

PROFILE = "bench"
FAKE_TOKEN = "bench-token-0123456789abcdef"


def closed_port_url() -> str:
    """A loopback URL nobody listens on (the port was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/getdata/"


@dataclass
class Sandbox:
    root: Path
    api_url: str

    @property
    def config(self) -> Path:
        return self.root / "config" / "config.toml"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def db_path(self) -> Path:
        return self.data_dir / f"{PROFILE}.sqlite3"

    def env(self) -> dict[str, str]:
        """Variables that make smstui use only this sandbox (for subprocesses or os.environ)."""
        home = self.root / "home"
        return {
            "SMSTUI_CONFIG": str(self.config),
            "SMSTUI_DATA_DIR": str(self.data_dir),
            "SMSTUI_PROFILE": PROFILE,
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"),
        }

    def apply(self) -> None:
        """Point this process's smstui at the sandbox."""
        os.environ.update(self.env())
        for var in ("SMSTUI_API_URL", "SMSTUI_EMAIL", "SMSTUI_PASSWORD", "SMSTUI_KEYRING"):
            os.environ.pop(var, None)


def make_sandbox(
    root: Path,
    store: Path | None,
    *,
    api_url: str | None = None,
    token: str = FAKE_TOKEN,
    email: str = "demo@smstui.dev",
    refresh_interval: int = 15,
    extra_toml: str = "",
) -> Sandbox:
    """A config with one profile ``bench`` (region DE), its store (a copy of ``store``) and token."""
    box = Sandbox(root, api_url or closed_port_url())
    box.config.parent.mkdir(parents=True, exist_ok=True)
    box.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for sub in ("config", "data", "state", "cache"):
        (root / "home" / sub).mkdir(parents=True, exist_ok=True)
    box.config.write_text(
        f'default_profile = "{PROFILE}"\n\n[ui]\nrefresh_interval = {refresh_interval}\n\n{extra_toml}\n'
        f'[profiles.{PROFILE}]\napi_url = "{box.api_url}"\nemail = "{email}"\nregion = "DE"\n'
        "default_device = 11231\n",
        encoding="utf-8",
    )
    if store is not None:
        fresh_copy(store, box.db_path)
    token_file = box.data_dir / f"{PROFILE}.token"
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token)
    return box
