"""Fixtures for the bulk screens' Pilot tests: a store and client on the simulator, no blinking."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from bulkui_helpers import make_session
from textual.widgets import Input, TextArea

from smstui.core.store.database import Store
from smstui.simulator.testing import TestSimulator
from tests.bulk_helpers import sim_client, sim_store


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Input.cursor_blink, "_default", False)
    monkeypatch.setattr(TextArea.cursor_blink, "_default", False)


@pytest.fixture
def ui_store(sim_empty: TestSimulator, tmp_path: Path) -> Iterator[Store]:
    store = sim_store(sim_empty, tmp_path / "ui.db", region="DE")
    yield store
    store.close()


@pytest.fixture
async def ui_session(sim_empty: TestSimulator, ui_store: Store) -> AsyncIterator[SimpleNamespace]:
    client = sim_client(sim_empty)
    ui_store.save_devices(await client.devices())
    yield make_session(ui_store, client)
    await client.aclose()
