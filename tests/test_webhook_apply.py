"""Webhooks into the store (smstui.webhook.apply), against the simulator over loopback HTTP for
the confirmations: incoming replies and images shown at once and confirmed (a forged one goes
again), status ticks forward at once, a duplicate changes nothing, an out-of-order or unknown
one is asked of the gateway, a final one is kept, and nothing touches what was sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from smstui.core.api.errors import TransportError
from smstui.core.gateway_messages import Message, SmsStatus
from smstui.core.session import Session
from smstui.simulator.records import Msg
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.webhook.apply import Applier, judge
from smstui.webhook.payloads import IncomingMessage, StatusUpdate
from tests.core_helpers import open_sim_session

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
PHONE = "+4915752982212"


@pytest.fixture
async def session(sim_empty: TestSimulator) -> AsyncIterator[Session]:
    s = open_sim_session(sim_empty)
    await s.client.get_token()  # so that request counts below are the confirmations alone
    yield s
    await s.aclose()


def applier(session: Session, **kwargs) -> Applier:
    return Applier(session.store, session.client.sms_status, **kwargs)


def gated(session: Session) -> tuple[Callable[[int], Awaitable[SmsStatus]], asyncio.Event]:
    """The real confirmation, held until the test opens the gate (no race with its asserts)."""
    gate = asyncio.Event()

    async def confirm(sms_id: int) -> SmsStatus:
        await gate.wait()
        return await session.client.sms_status(sms_id)

    return confirm, gate


def incoming(sms_id: int, body: str = "On my way", **changes) -> IncomingMessage:
    values = dict(
        address=PHONE,
        date=datetime(2026, 5, 20, 11, 59, tzinfo=UTC),
        date_sent=None,
        body=body,
        internal_id=1,
        channel_id=0,
        sms_id=sms_id,
        device_id=OFFICE_PHONE,
        device_name="Pixel 7",
        type="text",
    )
    values.update(changes)
    return IncomingMessage(**values)


def sent_message(sim: TestSimulator, session: Session, status: int, *, outcome: int = 7) -> int:
    """A message on the gateway and in the store (as a sync stored it), at ``status``."""
    sim.set_online(OFFICE_PHONE, False)  # the message stays where the test put it
    now = int(sim.clock().timestamp())
    m = sim.state.add_message(
        Msg(id=0, phone=PHONE, body="Server down", device_id=OFFICE_PHONE, created=now, status=status, outcome=outcome)
    )
    session.store.upsert_messages(
        [Message(id=m.id, phone=PHONE, body="Server down", status=status, device_id=OFFICE_PHONE, created=sim.clock())]
    )
    return m.id


def status(sms_id: int, status_id: int, device_id: int | None = OFFICE_PHONE) -> StatusUpdate:
    return StatusUpdate(sms_id, status_id, "x", PHONE, None, 0, device_id)


# ------------------------------------------------------------------ incoming


async def test_a_reply_shows_at_once_unread_and_is_confirmed(sim_empty: TestSimulator, session: Session) -> None:
    real = sim_empty.state.add_incoming(OFFICE_PHONE, PHONE, "On my way")
    hooks = applier(session)
    applied = await hooks.apply(incoming(real.id))
    assert applied.outcome == "stored"
    thread = session.store.threads()[0]
    assert (thread.unread, thread.last_body, thread.phone_key) == (1, "On my way", session.store.phone_key(PHONE))
    assert applied.phone_keys == {thread.phone_key}
    await hooks.drain()
    assert hooks.confirmed == 1
    assert session.store.message_by_sms_id(real.id) is not None
    assert session.store.last_webhook()[1] == "incoming"
    assert session.store.webhook_counts() == (1, 0)
    # A duplicate changes nothing (and costs no request); the sync's listing later adds no copy.
    again = await hooks.apply(incoming(real.id, body="rewritten"))
    assert again.outcome == "duplicate"
    assert session.store.message_by_sms_id(real.id).body == "On my way"
    await session.syncer.sync()
    assert session.store.threads()[0].total == 1
    assert session.store.threads()[0].unread == 1
    await hooks.aclose()


async def test_an_image_is_its_url_shown_literally(sim_empty: TestSimulator, session: Session) -> None:
    real = sim_empty.state.add_incoming(OFFICE_PHONE, PHONE, "", sim=3)
    hooks = applier(session)
    url = "https://smsgateway24.com/uploads/[b]x[/b].jpg"
    await hooks.apply(incoming(real.id, body="", type="img", sim=3, img_url=url, internal_id=None))
    await hooks.drain()
    stored = session.store.message_by_sms_id(real.id)
    assert (stored.body, stored.slot, stored.incoming) == (f"[image] {url}", 3, True)
    await hooks.aclose()


async def test_a_forged_reply_goes_again(sim_empty: TestSimulator, session: Session) -> None:
    confirm, gate = gated(session)
    hooks = Applier(session.store, confirm)
    await hooks.apply(incoming(99_999_999, body="STOP"))
    assert session.store.message_by_sms_id(99_999_999) is not None  # shown at once...
    gate.set()
    await hooks.drain()
    assert session.store.message_by_sms_id(99_999_999) is None  # ...gone once the gateway denies it
    assert session.store.threads() == []
    assert session.store.optouts() == []  # and its STOP never stopped anyone's messages
    await hooks.aclose()


async def test_a_reply_claiming_a_sent_messages_id_cannot_touch_it(sim_empty: TestSimulator, session: Session) -> None:
    sms_id = sent_message(sim_empty, session, 6)
    hooks = applier(session)
    assert (await hooks.apply(incoming(sms_id, body="owned"))).outcome == "duplicate"
    row = session.store.message_by_sms_id(sms_id)
    assert (row.body, row.status, row.incoming) == ("Server down", 6, False)
    # An id the store lacks but the gateway has as an outgoing message: removed once asked.
    now = int(sim_empty.clock().timestamp())
    other = sim_empty.state.add_message(
        Msg(id=0, phone=PHONE, body="later", device_id=OFFICE_PHONE, created=now, status=1)
    )
    await hooks.apply(incoming(other.id, body="planted"))
    await hooks.drain()
    assert session.store.message_by_sms_id(other.id) is None
    await hooks.aclose()


async def test_a_confirmed_stop_is_recorded(sim_empty: TestSimulator, session: Session) -> None:
    real = sim_empty.state.add_incoming(OFFICE_PHONE, PHONE, "STOP")
    confirm, gate = gated(session)
    hooks = Applier(session.store, confirm)
    await hooks.apply(incoming(real.id, body="STOP"))
    assert session.store.optouts() == []  # not before the gateway confirmed it
    gate.set()
    await hooks.drain()
    assert [o.reply for o in session.store.optouts()] == ["STOP"]
    await hooks.aclose()


async def test_a_date_ahead_of_now_is_stored_as_now(sim_empty: TestSimulator, session: Session) -> None:
    real = sim_empty.state.add_incoming(OFFICE_PHONE, PHONE, "hi")
    hooks = applier(session, confirm_incoming=False)
    ahead = sim_empty.clock() + timedelta(hours=20)
    assert (await hooks.apply(incoming(real.id, date=ahead))).outcome == "stored"
    assert session.store.message_by_sms_id(real.id).created == sim_empty.clock()
    await hooks.aclose()


# ------------------------------------------------------------------ statuses


async def test_a_status_moving_forward_is_stored_at_once(sim_empty: TestSimulator, session: Session) -> None:
    sms_id = sent_message(sim_empty, session, 1)
    hooks = applier(session)
    before = session.client.request_count
    for code in (3, 2, 6, 7):  # the vendor's order: 3 "queued on the phone" before 2 "taken"
        applied = await hooks.apply(status(sms_id, code))
        assert applied.outcome == "stored", code
        assert session.store.message_by_sms_id(sms_id).status == code
    assert session.client.request_count == before  # no request for any of them
    assert session.store.threads()[0].last_status == 7
    assert session.store.webhook_counts() == (4, 0)
    await hooks.aclose()


async def test_a_duplicated_status_changes_nothing(sim_empty: TestSimulator, session: Session) -> None:
    sms_id = sent_message(sim_empty, session, 1)
    hooks = applier(session)
    assert (await hooks.apply(status(sms_id, 6))).outcome == "stored"
    assert (await hooks.apply(status(sms_id, 6))).outcome == "duplicate"
    assert session.store.message_by_sms_id(sms_id).status == 6
    await hooks.aclose()


async def test_an_out_of_order_status_is_confirmed_and_the_gateways_answer_kept(
    sim_empty: TestSimulator, session: Session
) -> None:
    sms_id = sent_message(sim_empty, session, 6)  # the gateway says 6 too
    hooks = applier(session)
    before = session.client.request_count
    assert (await hooks.apply(status(sms_id, 2))).outcome == "confirming"  # 2 after 6: backwards
    await hooks.drain()
    assert session.client.request_count == before + 1
    assert session.store.message_by_sms_id(sms_id).status == 6
    # The gateway moved on (delivered) while the webhook said "taken": its answer is stored.
    sim_empty.state.messages[sms_id].status = 7
    await hooks.apply(status(sms_id, 3))
    await hooks.drain()
    assert session.store.message_by_sms_id(sms_id).status == 7
    await hooks.aclose()


async def test_a_final_status_is_never_overwritten(sim_empty: TestSimulator, session: Session) -> None:
    sms_id = sent_message(sim_empty, session, 7)
    hooks = applier(session)
    before = session.client.request_count
    assert (await hooks.apply(status(sms_id, 2))).outcome == "kept"
    assert (await hooks.apply(status(sms_id, 9))).outcome == "kept"
    assert (await hooks.apply(status(sms_id, 7))).outcome == "duplicate"
    assert session.client.request_count == before
    assert session.store.message_by_sms_id(sms_id).status == 7
    await hooks.aclose()


async def test_an_unknown_message_is_asked_about_and_not_made_up(sim_empty: TestSimulator, session: Session) -> None:
    now = int(sim_empty.clock().timestamp())
    other = sim_empty.state.add_message(
        Msg(id=0, phone=PHONE, body="from the dashboard", device_id=OFFICE_PHONE, created=now, status=1)
    )
    unknown: list[int] = []
    hooks = applier(session, on_unknown=unknown.append)
    before = session.client.request_count
    for sms_id in (other.id, 77_777_777):
        assert (await hooks.apply(status(sms_id, 7))).outcome == "confirming"
    await hooks.drain()
    assert session.client.request_count == before + 2
    assert session.store.message_count() == 0  # a status alone makes no message: the sync lists it
    assert unknown == [other.id]  # whoever owns the sync is told; the made-up id is not passed on
    assert session.store.webhook_changes() == 0
    await hooks.aclose()


async def test_every_change_is_counted_for_another_process(sim_empty: TestSimulator, session: Session) -> None:
    sms_id = sent_message(sim_empty, session, 6)
    real = sim_empty.state.add_incoming(OFFICE_PHONE, PHONE, "hi")
    confirm, gate = gated(session)
    hooks = Applier(session.store, confirm)
    await hooks.apply(status(sms_id, 7))  # stored at once
    await hooks.apply(status(sms_id, 7))  # a duplicate: no change
    await hooks.apply(incoming(real.id, body="hi"))  # stored at once
    await hooks.apply(incoming(88_888_888, body="forged"))  # stored, then removed
    assert session.store.webhook_changes() == 3
    gate.set()
    await hooks.drain()
    assert session.store.webhook_changes() == 4
    await hooks.aclose()


async def test_a_status_from_another_device_is_confirmed(sim_empty: TestSimulator, session: Session) -> None:
    sms_id = sent_message(sim_empty, session, 1)
    hooks = applier(session)
    assert (await hooks.apply(status(sms_id, 7, device_id=1))).outcome == "confirming"
    await hooks.drain()
    assert session.store.message_by_sms_id(sms_id).status == 1  # what the gateway says
    await hooks.aclose()


async def test_nothing_touches_the_outbox_or_what_was_sent(sim_empty: TestSimulator, session: Session) -> None:
    lid = session.store.enqueue(phone=PHONE, body="queued", device_id=OFFICE_PHONE, slot=0)
    before = session.store.message(lid)
    sms_id = sent_message(sim_empty, session, 1)
    hooks = applier(session)
    await hooks.apply(status(sms_id, 9))
    row = session.store.message_by_sms_id(sms_id)
    assert (row.body, row.phone, row.outbox, row.status) == ("Server down", PHONE, None, 9)
    assert session.store.message(lid) == before
    await hooks.aclose()


# ------------------------------------------------------------------ the queue


async def test_a_full_queue_answers_busy_before_storing(session: Session) -> None:
    gate = asyncio.Event()

    async def slow(sms_id: int) -> SmsStatus:
        await gate.wait()
        return SmsStatus(sms_id, 5)

    hooks = Applier(session.store, slow, queue_size=2)
    assert (await hooks.apply(status(1, 7))).outcome == "confirming"
    assert (await hooks.apply(status(1, 6))).outcome == "confirming"  # the same id: one question
    assert (await hooks.apply(status(2, 7))).outcome == "confirming"
    assert (await hooks.apply(status(3, 7))).outcome == "busy"
    assert (await hooks.apply(incoming(4))).outcome == "busy"
    assert session.store.message_by_sms_id(4) is None
    assert session.store.webhook_counts() == (3, 0)  # the busy ones are not counted as taken
    gate.set()
    await hooks.drain()
    assert hooks.pending == 0
    await hooks.aclose()


async def test_an_unreachable_gateway_proves_nothing(session: Session) -> None:
    async def down(sms_id: int) -> SmsStatus:
        raise TransportError("Cannot reach the gateway", kind="connect", maybe_accepted=False)

    hooks = Applier(session.store, down)
    await hooks.apply(incoming(5, body="hello"))
    await hooks.drain()
    assert session.store.message_by_sms_id(5) is not None  # kept: only shown, the sync decides
    await hooks.aclose()


def test_judge_table() -> None:
    out, inc = True, False
    assert judge(None, status(1, 7)) == "confirming"
    assert judge((out, 1, 5), status(1, 3, 5)) == "stored"
    assert judge((out, 3, 5), status(1, 2, 5)) == "stored"
    assert judge((out, 2, 5), status(1, 3, 5)) == "confirming"  # 3 is before 2
    assert judge((out, 6, 5), status(1, 100, None)) == "stored"
    assert judge((out, 6, 5), status(1, 5, 5)) == "confirming"  # "incoming" is no outgoing status
    assert judge((out, 6, 5), status(1, 404, 5)) == "confirming"  # a code outside the order
    assert judge((out, None, 5), status(1, 2, 5)) == "confirming"
    assert judge((out, 8, 5), status(1, 7, 5)) == "kept"
    assert judge((inc, 5, 5), status(1, 7, 5)) == "kept"
