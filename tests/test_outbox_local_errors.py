"""A row whose request cannot even be built (a local error, nothing sent) is refused with a
reason, never left "sending", and never stops the rows after it (issue 12, item 5)."""

from __future__ import annotations

from datetime import UTC, datetime

from smstui.core.store.schema import REJECTED, SUBMITTED
from smstui.simulator.seed import OFFICE_PHONE
from tests.core_helpers import gateway_bodies, open_sim_session

ANNA = "+4915123456781"
BERT = "+4915123456782"


async def test_a_time_that_cannot_be_written_rejects_that_row_only(sim_empty) -> None:
    # A store written before times were capped may hold such a row; the outbox must cope.
    session = open_sim_session(sim_empty, profile_extra='account_timezone = "Pacific/Kiritimati"\n')
    try:
        far = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)  # +14:00 there: year 10000
        (bad,) = session.outbox.queue([ANNA], "far away", OFFICE_PHONE, scheduled_at=far)
        (good,) = session.outbox.queue([BERT], "right now", OFFICE_PHONE)
        report = await session.outbox.process()
        row = session.store.message(bad)
        assert row.outbox == REJECTED, row
        assert "cannot be sent" in row.outbox_error and "far away" not in row.outbox_error
        assert session.store.message(good).outbox == SUBMITTED
        assert bad in report.rejected and good in report.submitted
        assert gateway_bodies(sim_empty, "far away") == []
    finally:
        await session.aclose()


async def test_a_request_that_fails_to_build_rejects_that_row_only(sim_empty, monkeypatch) -> None:
    session = open_sim_session(sim_empty)
    try:
        real = session.client.add_sms

        async def add_sms(sms, image=None):
            if sms.body == "cannot build":
                raise ValueError("invalid field")  # raised before any byte is sent
            return await real(sms, image)

        monkeypatch.setattr(session.client, "add_sms", add_sms)
        (bad,) = session.outbox.queue([ANNA], "cannot build", OFFICE_PHONE)
        (good,) = session.outbox.queue([BERT], "fine text", OFFICE_PHONE)
        await session.outbox.process()
        row = session.store.message(bad)
        assert row.outbox == REJECTED and "cannot be sent" in row.outbox_error
        assert "invalid field" in row.outbox_error
        assert session.store.message(good).outbox == SUBMITTED
        assert len(gateway_bodies(sim_empty, "fine text")) == 1
    finally:
        await session.aclose()
