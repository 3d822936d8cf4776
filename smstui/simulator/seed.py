"""Sample data: the demo account and phones, a lived-in message history, and bulk history.

Everything is deterministic from ``rng_seed`` and placed relative to the state's clock, so a
FakeClock gives the same data on every run.
"""

from __future__ import annotations

import base64
import hashlib
import random
from typing import Any

from smstui.simulator.records import Msg, SimDevice
from smstui.simulator.state import SimState, outcome_for

DEMO_EMAIL = "demo@smstui.dev"
DEMO_PASSWORD = "demo"
DEMO_TIMEZONE = "Europe/Berlin"

OFFICE_PHONE = 11231  # dual SIM, online, current app
TRAVEL_PHONE = 1297  # single SIM, roaming, imei "null", online, outdated app
OLD_PHONE = 260  # offline for hours, older server format

# A 1x1 transparent PNG for the seeded image message.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)

DAY = 86_400


def _sim(slot: str, iccid: str, number: str, carrier: str, *, roaming: str = "0") -> dict[str, str]:
    """One ``siminfo`` entry as the vendor sends it: every value a string, German SIMs here."""
    return {
        "Slot": slot,
        "IccId": iccid,
        "Number": number,
        "Roaming": roaming,
        "CountryIso": "de",
        "CarrierName": carrier,
    }


def base(state: SimState, *, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD, zone: str = DEMO_TIMEZONE) -> None:
    """The demo account (in time zone ``zone``) and its three phones (idempotent)."""
    with state.lock:
        if email.lower() in state.accounts:
            return
        state.add_account(email, password, zone)
        owner = email.lower()
        now = int(state.now())
        state.add_device(
            SimDevice(
                id=OFFICE_PHONE,
                owner=owner,
                title="Pixel 7 (office)",
                number=None,
                imei="358240051111110",
                serialnumber="2B121FDH300ABC",
                siminfo=[
                    _sim("0", "89490200001234567891", "+4915112345671", "Telekom.de"),
                    _sim("1", "89492020001234567893", "+4917698765433", "o2 - de"),
                ],
                created=now - 700 * DAY,
                online=True,
                appversion="12.4.2",
                isappversionactual=True,
                delaybetweeneachsms=None,
                delaybetweenrequest=1,
                subscription=True,
            )
        )
        state.add_device(
            SimDevice(
                id=TRAVEL_PHONE,
                owner=owner,
                title="Galaxy A12 (travel)",
                number=None,
                imei="null",
                serialnumber="unknown",
                siminfo=[
                    _sim("0", "8949226172233934327", " 4915752982212", "Drillisch (o2)", roaming="1"),
                ],
                created=now - 400 * DAY,
                online=True,
                appversion="12.1.21",
                isappversionactual=False,
                delaybetweeneachsms=5,
                delaybetweenrequest=10,
                subscription=False,
            )
        )
        state.add_device(
            SimDevice(
                id=OLD_PHONE,
                owner=owner,
                title="SM-F NIK!",
                number=None,
                imei="352099001761481",
                serialnumber="R58M12ABCDE",
                siminfo=[],
                created=now - 1200 * DAY,
                online=False,
                last_seen=now - 5 * 3600 - 17 * 60,
                appversion="11.0.3",
                isappversionactual=False,
                delaybetweeneachsms=None,
                delaybetweenrequest=None,
                subscription=True,
                legacy_format=True,
            )
        )


# (name, phone, tag). Numbers follow the state's rules: ending 1/3 replies, 666 is never
# delivered, 0000 fails.
PEOPLE: list[tuple[str, str, str]] = [
    ("Anna Schmidt", "+4915123456781", "Customers"),
    ("Ben Okafor", "+4917012345673", "Customers"),
    ("Zoë Müller", "+4916098765431", "Family"),
    ("Mom", "+4917611122233", "Family"),
    ("山田 太郎", "+81 90-1234-5673", "Customers"),
    ("Olga Petrova", "+7 916 555 12 41", "Customers"),
    ("Carlos García", "+34 612 345 678", "Team"),
    ("Priya Raman", "+91 98765 43211", "Team"),
    ("Lukas (plumber)", "01577 2345666", "Customers"),
    ("Jean Dupont", "+33 6 12 34 56 73", "Team"),
    ("Emma Wilson", "+1 415-555-0133", "Customers"),
    ("Noah Berg", "+4915229990000", "Customers"),
    ("Fatima Al-Sayed", "+971 50 123 4561", "Team"),
    ("Grandpa", "+4930123456", "Family"),
    ("Sven Larsson", "+46 70 123 45 61", "Team"),
]
UNNAMED = [
    "+4915901234567",
    "+4917155554443",
    "+44 7700 900123",
    "+4915755501001",
    "22000",  # a short code, e.g. a carrier's balance service
]

OUT_BODIES = [
    "Your order #{n} has shipped and should arrive tomorrow.",
    "Reminder: your appointment is on {day} at 10:30.",
    "Can you send me the invoice?",
    "Running 10 minutes late, sorry!",
    "Grüße aus Berlin! Wie geht's?",
    "Der Termin am {day} passt. Bis dann 👋",
    "Your verification code is {code}.",
    "Happy birthday! 🎂🎉",
    "Meeting moved to 3pm, room «Ostsee».",
    "ok",
]
IN_BODIES = [
    "Thanks!",
    "Got it, see you then.",
    "Can you call me back?",
    "👍",
    "Who is this?",
    "Danke, bis morgen!",
    "Need anything else from me?",
    "Is it possible to reschedule to {day}?",
    "Спасибо!",
    "ありがとうございます",
]
LONG_BODY = (
    "Hi! Here is the summary of today's call, as promised. "
    "1) The delivery window moves to Thursday between 8 and 12. "
    "2) Please keep the side door unlocked, the driver will ring twice. "
    "3) The invoice comes by e-mail; pay within 14 days. "
    "If anything changes, reply to this message and we will sort it out — "
    "no need to call the hotline. Thanks again for your patience and have a lovely week!"
)
FAILED = (8, 9, 9, 10, 12, 100)


def demo(state: SimState, *, rng_seed: int = 42) -> None:
    """A few hundred messages across ~20 conversations over the last four weeks."""
    base(state)
    rng = random.Random(rng_seed)
    with state.lock:
        now = int(state.now())
        account = state.accounts[DEMO_EMAIL]
        tag_ids = {t: state.save_tag(account, t) for t in ("Customers", "Family", "Team")}
        for name, phone, tag in PEOPLE:
            state.save_contact(account, phone, tag_ids[tag], name)
        state.ambient_phones = [(OFFICE_PHONE, p) for _, p, _ in PEOPLE[:6]]

        phones = [p for _, p, _ in PEOPLE] + UNNAMED
        for index, phone in enumerate(phones):
            _conversation(state, rng, index, phone, now)

        # A long and an image message to the first contact, a scheduled one for later today.
        anna = PEOPLE[0][1]
        _out(state, anna, LONG_BODY, OFFICE_PHONE, now - 3 * 3600, 7, sim=0)
        name = f"{hashlib.sha256(TINY_PNG).hexdigest()}.png"
        state.add_upload(name, TINY_PNG, "image/png")
        _out(state, anna, state.upload_marker(name), OFFICE_PHONE, now - 2 * 3600, 7, sim=3)
        _pending(
            state,
            PEOPLE[1][1],
            "Don't forget: team dinner tonight at 19:30 🍝",
            OFFICE_PHONE,
            now - 600,
            sim=1,
            timetosend=now + 2 * 3600,
            customerid=4711,
            urgent=True,
        )
        # Still on its way: progresses as the clock moves.
        _pending(state, PEOPLE[2][1], "On my way home, need anything?", OFFICE_PHONE, now - 5)
        # Waiting for the offline phone.
        _pending(
            state, PEOPLE[3][1], "Sent from the old phone — stuck until it's back online", OLD_PHONE, now - 4 * 3600
        )
        _dst_change(state, UNNAMED[-1])


# Europe/Berlin and Paris leave winter time at 01:00 UTC on 29 March 2026 (02:00 CET -> 03:00
# CEST): the history holds messages either side of it, some minutes apart.
DST_CHANGE_2026 = 1_774_746_000


def _dst_change(state: SimState, phone: str) -> None:
    for offset, body, status in (
        (-2 * 3600, "Clocks go forward tonight, see you at 10", 7),
        (-60, "One minute before the change", 7),
        (60, "Reply one minute after the change", 5),
        (26 * 3600, "Monday after the change", 7),
    ):
        created = DST_CHANGE_2026 + offset
        if created < state.now():
            _add(
                state, phone, body, OFFICE_PHONE, created, status, sim=0, senttime=created + 3 if status == 7 else None
            )


def _fill(text: str, rng: random.Random) -> str:
    return text.format(
        n=rng.randint(10_000, 99_999),
        code=rng.randint(100_000, 999_999),
        day=rng.choice(["Monday", "Tuesday", "Friday", "12.06."]),
    )


def _conversation(state: SimState, rng: random.Random, index: int, phone: str, now: int) -> None:
    count = rng.randint(4, 28)
    device_id = (OFFICE_PHONE, OFFICE_PHONE, TRAVEL_PHONE, OLD_PHONE)[index % 4]
    # Oldest first: spread over the last 28 days, the newest a few minutes to days ago.
    newest = now - rng.randint(300, 3 * DAY)
    times = sorted(newest - rng.randint(0, 28 * DAY) for _ in range(count - 1)) + [newest]
    outcome = outcome_for(phone)
    for t in times:
        sim = _slot(rng, device_id)
        if rng.random() < 0.4 and phone != "22000":
            _add(state, phone, _fill(rng.choice(IN_BODIES), rng), device_id, t, 5, sim=sim, outcome=5)
            continue
        if outcome != 7:
            status = outcome
        elif rng.random() < 0.08:
            status = rng.choice(FAILED)
        else:
            status = 7 if rng.random() < 0.9 else 6
        _out(
            state,
            phone,
            _fill(rng.choice(OUT_BODIES), rng),
            device_id,
            t,
            status,
            sim=sim,
            customerid=rng.choice([None, None, 0, rng.randint(1, 99_999)]),
            urgent=rng.choice([None, None, None, True, 0, 1]),
            echo=rng.random() < 0.2,
        )


def _slot(rng: random.Random, device_id: int) -> int | None:
    if device_id == OFFICE_PHONE:
        return rng.choice([0, 0, 0, 1, 1, 2, 3])
    if device_id == TRAVEL_PHONE:
        return rng.choice([0, 0, None])  # older rows lack "sim"
    return rng.choice([0, None])


def _out(
    state: SimState,
    phone: str,
    body: str,
    device_id: int,
    created: int,
    status: int,
    *,
    sim: int | None = 0,
    customerid: int | None = None,
    urgent: bool | int | None = None,
    echo: bool = False,
) -> Msg:
    sent = created + 5 if status in (6, 7, 8) else None
    return _add(
        state,
        phone,
        body,
        device_id,
        created,
        status,
        sim=sim,
        customerid=customerid,
        urgent=urgent,
        senttime=sent,
        outcome=status,
        timetosend_echo=echo,
    )


def _pending(state: SimState, phone: str, body: str, device_id: int, created: int, **fields: Any) -> Msg:
    """A message the phone has not sent yet (status 1); it ends as the number's rules say."""
    fields.setdefault("sim", 0)
    return _add(state, phone, body, device_id, created, 1, outcome=outcome_for(phone), **fields)


def _add(state: SimState, phone: str, body: str, device_id: int, created: int, status: int, **fields: Any) -> Msg:
    return state.add_message(
        Msg(id=0, phone=phone, body=body, device_id=device_id, created=created, status=status, **fields)
    )


BULK_BODIES = [
    "Your order #{} has shipped.",
    "Reminder: appointment at {}:30.",
    "Code {} — do not share it.",
    "Thanks, received {} items.",
    "Ok",
    "See you at {}!",
    "Rückruf bitte, Ticket {}",
    "Ваш код: {}",
]


def large(
    state: SimState, n_messages: int = 100_000, n_threads: int = 1000, *, rng_seed: int = 7, days: int = 365
) -> None:
    """Bulk history for benchmarks: ``n_messages`` final messages across ``n_threads`` numbers.

    Bodies share a small pool of strings and everything is built in one pass, so 100k messages
    take well under a second.
    """
    base(state)
    rng = random.Random(rng_seed)
    with state.lock:
        now = int(state.now())
        phones = [f"+49151{10_000_000 + i * 7919 % 89_999_999:08d}" for i in range(n_threads)]
        devices = (OFFICE_PHONE, TRAVEL_PHONE)
        bodies = [b.format(i) for b in BULK_BODIES for i in range(25)]
        span = days * DAY
        times = sorted(now - int(rng.random() * span) - 60 for _ in range(n_messages))
        first_id = state.reserve_ids(n_messages)
        rand = rng.random
        msgs: list[Msg] = []
        append = msgs.append
        for i, t in enumerate(times):
            r = rand()
            phone = phones[int(r * 7919 * n_threads) % n_threads]
            if r < 0.35:
                status = 5
            elif r < 0.37:
                status = 9
            elif r < 0.38:
                status = 8
            else:
                status = 7
            sent = t + 3 if status in (7, 8) else None
            append(
                Msg(
                    first_id + i,
                    phone,
                    bodies[int(r * 1_000_003) % len(bodies)],
                    devices[i & 1],
                    t,
                    status,
                    i & 1 if status != 5 else 0,
                    None,
                    None,
                    None,
                    sent,
                    None,
                    None,
                    status,
                )
            )
        state.bulk_load(msgs)
