"""The session makes its client, outbox and syncer once, whoever asks first and however many at once.

Two Outbox objects would mean two single-send locks, so one message could be sent twice. The
race is made certain, not left to chance: the first maker is held until the second thread has
either entered a maker too (the bug) or is waiting on the session's lock (the fix).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

import smstui.core.session as session_module
import smstui.core.sync as sync_module
from smstui.simulator.testing import TestSimulator
from tests.core_helpers import open_sim_session

WAIT = 10  # seconds; only reached when the code under test is broken


class Race:
    """Counts calls of one maker and holds the first one until a second thread shows up."""

    def __init__(self) -> None:
        self.calls = 0
        self.first_thread: threading.Thread | None = None
        self.first_entered = threading.Event()
        self.second_arrived = threading.Event()

    def enter(self) -> None:
        self.calls += 1
        if self.first_thread is None:
            self.first_thread = threading.current_thread()
            self.first_entered.set()
            assert self.second_arrived.wait(WAIT), "the second thread neither made one nor waited for the lock"
        else:
            self.second_arrived.set()

    def lock(self, inner: Any) -> Any:
        race = self

        class SignallingLock:
            """The session's lock, telling the race when another thread starts waiting for it."""

            def __enter__(self) -> bool:
                if race.first_thread is not None and threading.current_thread() is not race.first_thread:
                    race.second_arrived.set()
                return inner.__enter__()

            def __exit__(self, *exc: object) -> None:
                inner.__exit__(*exc)

        return SignallingLock()


def _patch_client(session: Any, race: Race, monkeypatch: pytest.MonkeyPatch) -> None:
    make = session._make_client

    def maker() -> Any:
        race.enter()
        return make()

    monkeypatch.setattr(session, "_make_client", maker)


def _patch_outbox(session: Any, race: Race, monkeypatch: pytest.MonkeyPatch) -> None:
    real = session_module._session_outbox_class()

    class CountedOutbox(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            race.enter()
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(session_module, "_session_outbox_class", lambda: CountedOutbox)


def _patch_syncer(session: Any, race: Race, monkeypatch: pytest.MonkeyPatch) -> None:
    real = sync_module.Syncer

    class CountedSyncer(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            race.enter()
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sync_module, "Syncer", CountedSyncer)


PATCHES: dict[str, Callable[[Any, Race, pytest.MonkeyPatch], None]] = {
    "client": _patch_client,
    "outbox": _patch_outbox,
    "syncer": _patch_syncer,
}


@pytest.mark.parametrize("name", list(PATCHES))
def test_concurrent_first_access_makes_one_object(
    name: str, sim_empty: TestSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_sim_session(sim_empty, login=False)  # no client made yet
    race = Race()
    PATCHES[name](session, race, monkeypatch)
    if hasattr(session, "_lazy_lock"):
        monkeypatch.setattr(session, "_lazy_lock", race.lock(session._lazy_lock))
    got: list[Any] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            got.append(getattr(session, name))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    first = threading.Thread(target=read)
    first.start()
    assert race.first_entered.wait(WAIT)
    second = threading.Thread(target=read)
    second.start()
    first.join(WAIT)
    second.join(WAIT)
    try:
        assert not errors, errors
        assert race.calls == 1, f"{name} was made {race.calls} times"
        assert len(got) == 2 and got[0] is got[1]
        assert getattr(session, name) is got[0]
    finally:
        import asyncio

        asyncio.run(session.aclose())


def test_syncer_and_outbox_share_one_client(sim_empty: TestSimulator) -> None:
    session = open_sim_session(sim_empty)
    try:
        syncer = session.syncer
        assert session.outbox.client is session.client
        assert syncer is session.syncer
    finally:
        import asyncio

        asyncio.run(session.aclose())
