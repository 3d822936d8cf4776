"""The gateway simulator over real HTTP: response shapes, methods, filters and time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from smstui.simulator.seed import OFFICE_PHONE, OLD_PHONE, TRAVEL_PHONE
from smstui.simulator.testing import TestSimulator, running_simulator

STEP = 10.0

# Key order of the vendor's documents (/shared/fixtures).
MESSAGE_KEYS = [
    "id",
    "sendto",
    "body",
    "customerid",
    "status",
    "statustitle",
    "deviceid",
    "urgent",
    "created",
    "senttime",
    "timetosend",
    "sim",
    "paketid",
    "pakettitle",
    "paketbody",
]
DEVICE_KEYS = [
    "id",
    "title",
    "number",
    "imei",
    "created",
    "createdhumanformat",
    "lastseen",
    "lastseenhumanformat",
    "serialnumber",
    "siminfo",
    "appversion",
    "isappversionactual",
    "delaybetweeneachsms",
    "delaybetweenrequest",
    "subscription",
]
SIMINFO_KEYS = ["Slot", "IccId", "Number", "Roaming", "CountryIso", "CarrierName"]


@pytest.fixture
def sim() -> Iterator[TestSimulator]:
    with running_simulator(step_seconds=STEP) as server:
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as c:
        yield c


class Api:
    """Posts form fields to the simulator the way the real client does."""

    def __init__(self, sim: TestSimulator, client: httpx.Client) -> None:
        self.sim = sim
        self.client = client
        self.token = sim.token()

    def __call__(self, method: str, **fields: Any) -> Any:
        fields.setdefault("token", self.token)
        data = {k: str(v) for k, v in fields.items()}
        response = self.client.post(self.sim.url + method, data=data)
        assert response.status_code == 200
        return response.json()

    def send(self, sendto: str, body: str = "hello", device_id: int = OFFICE_PHONE, **fields: Any) -> int:
        answer = self("addsms", sendto=sendto, body=body, device_id=device_id, **fields)
        assert answer["error"] == 0, answer
        return answer["sms_id"]

    def status(self, sms_id: int) -> int:
        return self("getsmsstatus", sms_id=sms_id)["status"]

    def messages(self, **filters: Any) -> list[dict[str, Any]]:
        answer = self("getallsms", **filters)
        assert answer["error"] == 0, answer
        smss = answer["smss"]
        return [] if smss == [] else list(smss.values())


@pytest.fixture
def api(sim: TestSimulator, client: httpx.Client) -> Api:
    return Api(sim, client)


def assert_php_date(value: Any) -> None:
    assert set(value) == {"date", "timezone_type", "timezone"}
    datetime.strptime(value["date"], "%Y-%m-%d %H:%M:%S.%f")
    assert value["timezone_type"] in (1, 3)


# ---- gettoken ---------------------------------------------------------------------------------
def test_gettoken_shape_and_login_alias(sim: TestSimulator, client: httpx.Client) -> None:
    answer = client.post(sim.url + "gettoken", data={"email": sim.email, "pass": sim.password}).json()
    assert list(answer) == ["error", "token", "message"]
    assert answer["error"] == 0 and len(answer["token"]) == 32
    int(answer["token"], 16)
    alias = client.post(sim.url + "gettoken", data={"login": sim.email, "pass": sim.password}).json()
    assert alias["error"] == 0 and alias["token"] != answer["token"]


def test_gettoken_wrong_password(sim: TestSimulator, client: httpx.Client) -> None:
    response = client.post(sim.url + "gettoken", data={"email": sim.email, "pass": "nope"})
    assert response.status_code == 200
    assert response.json() == {"error": 1, "message": "Wrong email or password"}


def test_get_with_query_string(sim: TestSimulator, client: httpx.Client) -> None:
    answer = client.get(sim.url + "gettoken", params={"email": sim.email, "pass": sim.password}).json()
    assert answer["error"] == 0
    devices = client.get(sim.url + "getdevicelist", params={"token": answer["token"]}).json()
    assert devices["count"] == 3


@pytest.mark.parametrize(
    "method",
    [
        "addsms",
        "getallsms",
        "getsmslist",
        "getsmsstatus",
        "getalldevices",
        "getdevicestatus",
        "savetag",
        "savecontact",
        "savepaket",
    ],
)
def test_bad_token(sim: TestSimulator, client: httpx.Client, method: str) -> None:
    response = client.post(sim.url + method, data={"token": "0" * 32})
    assert response.status_code == 200
    assert response.json() == {"error": 1, "message": "Wrong token"}


def test_unknown_method(api: Api) -> None:
    answer = api("deleteeverything")
    assert answer["error"] == 1 and "Unknown method" in answer["message"]


def test_json_is_encoded_like_php(api: Api, sim: TestSimulator, client: httpx.Client) -> None:
    api.send("+4915100000001", body="Grüße / hi")
    raw = client.post(sim.url + "getallsms", data={"token": api.token}).text
    assert "Europe\\/Berlin" in raw and "Gr\\u00fc\\u00dfe \\/ hi" in raw


# ---- devices ----------------------------------------------------------------------------------
def test_getalldevices_shape_and_quirks(api: Api) -> None:
    answer = api("getalldevices")
    assert list(answer) == ["count", "device"]
    devices = answer["device"]
    assert answer["count"] == 3
    assert set(devices) == {str(OFFICE_PHONE), str(TRAVEL_PHONE), str(OLD_PHONE)}
    for key, device in devices.items():
        assert list(device) == DEVICE_KEYS
        assert device["id"] == int(key)
        assert_php_date(device["created"])
        assert_php_date(device["lastseen"])
        for sim in device["siminfo"]:
            assert list(sim) == SIMINFO_KEYS
            assert all(isinstance(v, str) for v in sim.values())
    office, travel, old = (devices[str(i)] for i in (OFFICE_PHONE, TRAVEL_PHONE, OLD_PHONE))
    assert [s["Slot"] for s in office["siminfo"]] == ["0", "1"]
    assert travel["imei"] == "null"
    assert travel["siminfo"][0]["Number"].startswith(" ")
    assert travel["siminfo"][0]["Roaming"] == "1"
    assert old["siminfo"] == []
    assert {office["isappversionactual"], travel["isappversionactual"]} == {True, False}
    assert {office["subscription"], travel["subscription"]} == {True, False}
    assert office["delaybetweeneachsms"] is None and travel["delaybetweeneachsms"] == 5


def test_getdevicestatus(api: Api) -> None:
    online = api("getdevicestatus", device_id=OFFICE_PHONE)
    assert list(online) == ["online", "error", "message", "device_id", "lastseen", "diffseconds", "title"]
    assert online["online"] is True and online["device_id"] == OFFICE_PHONE
    assert online["diffseconds"] < 60
    assert online["lastseen"]["timezone_type"] == 1
    assert online["lastseen"]["timezone"] == "+02:00"  # Berlin in May
    offline = api("getdevicestatus", device_id=OLD_PHONE)
    assert offline["online"] is False and offline["diffseconds"] > 4 * 3600
    assert offline["title"] == "SM-F NIK!"
    missing = api("getdevicestatus", device_id=999)
    assert missing["error"] == 1 and "Device not found" in missing["message"]


# ---- sending ----------------------------------------------------------------------------------
def test_addsms_urlencoded_shape(api: Api) -> None:
    answer = api("addsms", sendto="+4915100000002", body="hi", device_id=OFFICE_PHONE)
    assert list(answer) == ["error", "sms_id", "message"]
    assert answer == {"error": 0, "sms_id": answer["sms_id"], "message": "Sms has been saved successfully"}
    status = api("getsmsstatus", sms_id=answer["sms_id"])
    assert status == {"error": 0, "sms_id": answer["sms_id"], "status": 1, "status_description": "New", "message": "Ok"}


def test_addsms_multipart_many_numbers(api: Api, sim: TestSimulator, client: httpx.Client) -> None:
    files = {
        k: (None, v)
        for k, v in {
            "token": api.token,
            "sendto": "+1 17642031984, 0151 2345 6782,",
            "body": "multi",
            "device_id": str(TRAVEL_PHONE),
            "sim": "0",
            "customerid": "77",
            "urgent": "1",
        }.items()
    }
    answer = client.post(sim.url + "addsms", files=files).json()
    assert answer["error"] == 0
    rows = api.messages(customerid=77)
    assert sorted(r["sendto"] for r in rows) == ["+1 17642031984", "0151 2345 6782"]
    for row in rows:
        assert list(row) == MESSAGE_KEYS
        assert row["body"] == "multi" and row["urgent"] is True and row["customerid"] == 77
        assert row["deviceid"] == TRAVEL_PHONE and row["status"] == 1
        assert row["senttime"] is None and row["timetosend"] is None
    assert answer["sms_id"] in {r["id"] for r in rows}


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"body": ""}, "body"),
        ({"sendto": ""}, "sendto"),
        ({"sendto": "abc"}, "phone number"),
        ({"device_id": "424242"}, "Device not found"),
        ({"device_id": "MyShop"}, "Device not found"),
        ({"sim": "7"}, "sim"),
        ({"timetosend": "tomorrow"}, "date format"),
        ({"customerid": "x1"}, "customerid"),
    ],
)
def test_addsms_errors(api: Api, fields: dict[str, str], needle: str) -> None:
    data = {"sendto": "+4915100000003", "body": "x", "device_id": str(OFFICE_PHONE)} | fields
    answer = api("addsms", **data)
    assert answer["error"] == 1 and needle in answer["message"]
    assert api.messages() == []


def test_smstosend_uses_email_and_pass(sim: TestSimulator, api: Api, client: httpx.Client) -> None:
    answer = client.post(
        sim.url + "smstosend",
        data={
            "email": sim.email,
            "pass": sim.password,
            "sendto": "+4915100000004",
            "body": "x",
            "device_id": str(OFFICE_PHONE),
        },
    ).json()
    assert answer["error"] == 0 and api.status(answer["sms_id"]) == 1
    wrong = client.post(
        sim.url + "smstosend", data={"email": sim.email, "pass": "bad", "sendto": "1", "body": "x", "device_id": "1"}
    ).json()
    assert wrong == {"error": 1, "message": "Wrong email or password"}


def test_addalotofsms_numbers_or_strings(sim: TestSimulator, api: Api, client: httpx.Client) -> None:
    datajson = json.dumps(
        {
            "token": api.token,
            "smsdata": [
                {
                    "sendto": "015752982212",
                    "body": "one",
                    "sim": 1,
                    "device_id": OFFICE_PHONE,
                    "customerid": 122,
                    "urgent": 1,
                    "timetosend": "2019-07-01 23:50:00",
                },
                {
                    "sendto": 4915100000005,
                    "body": "two",
                    "sim": "0",
                    "device_id": str(TRAVEL_PHONE),
                    "customerid": "122",
                },
            ],
        }
    )
    answer = client.post(sim.url + "addalotofsms", data={"datajson": datajson}).json()
    assert answer == {"error": 0, "message": "Sms has been saved successfully"}
    rows = api.messages(customerid=122)
    assert sorted(r["body"] for r in rows) == ["one", "two"]
    one = next(r for r in rows if r["body"] == "one")
    assert one["sim"] == 1 and one["timetosend"]["date"] == "2019-07-01 23:50:00.000000"


def test_addalotofsms_is_all_or_nothing(sim: TestSimulator, api: Api, client: httpx.Client) -> None:
    datajson = json.dumps(
        {
            "token": api.token,
            "smsdata": [
                {"sendto": "+4915100000006", "body": "ok", "device_id": OFFICE_PHONE},
                {"sendto": "+4915100000007", "body": "bad", "device_id": 5},
            ],
        }
    )
    answer = client.post(sim.url + "addalotofsms", data={"datajson": datajson}).json()
    assert answer["error"] == 1 and "item 1" in answer["message"]
    assert api.messages() == []
    broken = client.post(sim.url + "addalotofsms", data={"datajson": "{nope"}).json()
    assert broken["error"] == 1 and "JSON" in broken["message"]
    bad_token = client.post(
        sim.url + "addalotofsms", data={"datajson": json.dumps({"token": "x", "smsdata": []})}
    ).json()
    assert bad_token == {"error": 1, "message": "Wrong token"}


# ---- listing and filters ----------------------------------------------------------------------
def test_getallsms_empty(api: Api) -> None:
    assert api("getallsms") == {"error": 0, "smss": [], "count": 0, "message": "Ok"}
    assert api("getallsms", onlycount=1) == {"error": 0, "count": 0, "message": "Ok"}


def test_getallsms_filters(api: Api, sim: TestSimulator) -> None:
    a = api.send("+49 151 2345 6780", device_id=OFFICE_PHONE, sim=1, customerid=5)
    sim.advance(3600)
    b = api.send("0151-23456780", device_id=TRAVEL_PHONE)
    sim.advance(3600)
    c = api.send("+44 7700 900124", device_id=OFFICE_PHONE)

    def ids(**filters: Any) -> list[int]:
        return [r["id"] for r in api.messages(**filters)]

    assert ids() == [a, b, c]
    assert ids(orderbydesc=1) == [c, b, a]
    assert ids(device_id=TRAVEL_PHONE) == [b]
    assert ids(sim=1) == [a]
    assert ids(customerid=5) == [a]
    assert ids(phone="4915123456780") == [a, b]
    assert ids(phone="+49 (0)151 234-56780") == [a, b]
    assert ids(status=7) == [a, b]
    assert ids(status=1) == [c]
    assert api("getsmslist", onlycount=1)["count"] == 3
    # The clock started 10:00 UTC = 12:00 Berlin; a was created then, b 13:00, c 14:00.
    assert ids(begindate="2026-05-20 13:00:00") == [b, c]
    assert ids(enddate="2026-05-20 13:00:00") == [a, b]
    assert ids(begindate="2026-05-20", enddate="2026-05-20") == [a, b, c]
    assert ids(enddate="2026-05-19") == []
    # The same instants in Sydney (UTC+10): a is 20:00 there.
    sydney = api.messages(timezone="Australia/Sydney")
    assert sydney[0]["created"] == {
        "date": "2026-05-20 20:00:00.000000",
        "timezone_type": 3,
        "timezone": "Australia/Sydney",
    }
    assert ids(timezone="Australia/Sydney", begindate="2026-05-20 21:00") == [b, c]
    bad = api("getallsms", begindate="20.05.2026")
    assert bad["error"] == 1 and "begindate" in bad["message"]
    bad_zone = api("getallsms", timezone="Mars/Olympus")
    assert bad_zone["error"] == 1 and "timezone" in bad_zone["message"]


# ---- time -------------------------------------------------------------------------------------
def test_progression_new_taken_sent_delivered(api: Api, sim: TestSimulator) -> None:
    sms_id = api.send("+4915100000002")
    seen = []
    for _ in range(5):
        seen.append(api.status(sms_id))
        sim.advance(STEP)
    assert seen == [1, 2, 6, 7, 7]
    row = api.messages()[0]
    assert row["statustitle"] == "delivered"
    assert row["senttime"]["date"] == "2026-05-20 12:00:20.000000"


def test_offline_device_stays_new(api: Api, sim: TestSimulator) -> None:
    sms_id = api.send("+4915100000002", device_id=OLD_PHONE)
    sim.advance(100 * STEP)
    assert api.status(sms_id) == 1
    row = api.messages()[0]
    assert row["deviceid"] == str(OLD_PHONE)  # that device's older server build
    assert row["created"]["timezone_type"] == 1 and row["created"]["timezone"] == "+02:00"
    sim.state.set_device_online(OLD_PHONE, True)
    sim.advance(3 * STEP)
    assert api.status(sms_id) == 7


@pytest.mark.parametrize(
    ("phone", "path"),
    [
        ("+49 151 1230000", [1, 2, 9, 9]),
        ("+49 151 1234666", [1, 2, 6, 8]),
    ],
)
def test_failure_numbers(api: Api, sim: TestSimulator, phone: str, path: list[int]) -> None:
    sms_id = api.send(phone)
    seen = []
    for _ in path:
        seen.append(api.status(sms_id))
        sim.advance(STEP)
    assert seen == path
    assert api.messages(status=5) == []


def test_scheduled_message_waits(api: Api, sim: TestSimulator) -> None:
    # 14:30 Berlin = 12:30 UTC, two and a half hours after the clock's start.
    sms_id = api.send("+4915100000002", timetosend="2026-05-20 14:30")
    row = api.messages()[0]
    assert row["timetosend"] == {"date": "2026-05-20 14:30:00.000000", "timezone_type": 3, "timezone": "Europe/Berlin"}
    sim.advance(2 * 3600 + 29 * 60)
    assert api.status(sms_id) == 1
    sim.advance(60 + 3 * STEP)
    assert api.status(sms_id) == 7
    date_only = api.send("+4915100000002", timetosend="2026-05-21")
    sim.advance(3600)
    assert api.status(date_only) == 1


def test_reply_arrives_once_after_delivery(api: Api, sim: TestSimulator) -> None:
    sms_id = api.send("+49 151 1111 2221", sim=1)
    sim.advance(3 * STEP)  # delivered now
    assert api.status(sms_id) == 7
    assert api.messages(status=5) == []
    sim.advance(sim.state.reply_delay)
    replies = api.messages(status=5)
    assert len(replies) == 1
    reply = replies[0]
    assert reply["sendto"] == "+49 151 1111 2221" and reply["deviceid"] == OFFICE_PHONE
    assert reply["sim"] == 1 and reply["statustitle"] == "Income" and reply["body"]
    # Delivered at 3 steps, then the reply delay (one step by default).
    assert reply["created"]["date"] == "2026-05-20 12:00:40.000000"
    sim.advance(3600)
    assert len(api.messages(status=5)) == 1
    assert api.messages(phone="1111 2221")[-1]["id"] == reply["id"]


def test_even_numbers_do_not_reply(api: Api, sim: TestSimulator) -> None:
    api.send("+4915100000002")
    sim.advance(3600)
    assert api.messages(status=5) == []


def test_zero_step_is_instant() -> None:
    with running_simulator(step_seconds=0) as sim, httpx.Client() as client:
        api = Api(sim, client)
        assert api.status(api.send("+4915100000002")) == 7


# ---- tags, contacts, newsletters --------------------------------------------------------------
def test_tags_contacts_and_newsletter(api: Api, sim: TestSimulator) -> None:
    tag = api("savetag", title="VIP")
    assert list(tag) == ["error", "tag_id", "message"] and tag["message"] == "OK"
    other = api("savetag", title="Other")["tag_id"]
    c1 = api("savecontact", phone="+4915100000011", ctag_id=tag["tag_id"], name="Ann")
    assert list(c1) == ["error", "contact_id", "message"] and c1["message"] == "ok"
    api("savecontact", phone="+4915100000012", tag_id=tag["tag_id"], fullname="Bo")
    api("savecontact", phone="0151 0000 0011", tag_id=other, fullname="Ann again")  # same phone
    api("savecontact", phone="+4915100000014", tag_id=other, fullname="Cy")
    missing_tag = api("savecontact", phone="+4915100000015", tag_id=999, name="X")
    assert missing_tag["error"] == 1 and "Tag not found" in missing_tag["message"]

    paket = api(
        "savepaket",
        title="Sale",
        device_id=OFFICE_PHONE,
        body="20% off",
        tags=f"{tag['tag_id']},{other}",
        sim=0,
        time_to_send="20.05.2026 13:00:00",
    )
    assert list(paket) == ["error", "paket_id", "message"]
    assert paket["error"] == 0 and paket["message"] == "OK"
    rows = api.messages()
    assert sorted(r["sendto"] for r in rows) == ["+4915100000011", "+4915100000012", "+4915100000014"]
    for row in rows:
        assert row["paketid"] == paket["paket_id"]
        assert row["pakettitle"] == "Sale" and row["paketbody"] == "20% off"
        assert row["body"] == "20% off" and row["status"] == 1
    sim.advance(3600 - 1)  # 13:00 Berlin is one hour after the start
    assert {r["status"] for r in api.messages()} == {1}
    sim.advance(1 + 3 * STEP)
    assert {r["status"] for r in api.messages(status=7)} == {7}

    now_paket = api("savepaket", title="Now", device_id=OFFICE_PHONE, body="b", tags=str(other), sim=1, time_to_send=0)
    assert now_paket["error"] == 0
    bad = api(
        "savepaket", title="x", device_id=OFFICE_PHONE, body="b", tags=str(other), time_to_send="2026-05-20 13:00"
    )
    assert bad["error"] == 1 and "time_to_send" in bad["message"]


# ---- uploads ----------------------------------------------------------------------------------
PNG = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 16
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


@pytest.mark.parametrize(
    ("data", "ext", "content_type"),
    [
        (PNG, "png", "image/png"),
        (GIF, "gif", "image/gif"),
        (WEBP, "webp", "image/webp"),
        (JPEG, "jpg", "image/jpeg"),
    ],
)
def test_image_upload(
    api: Api, sim: TestSimulator, client: httpx.Client, data: bytes, ext: str, content_type: str
) -> None:
    answer = client.post(
        sim.url + "addsms",
        data={
            "token": api.token,
            "sendto": "+4915100000002",
            "body": "caption",
            "device_id": str(OFFICE_PHONE),
            "sim": "3",
        },
        files={"file": ("x.bin", data)},
    ).json()
    assert answer["error"] == 0, answer
    body = api.messages()[0]["body"]
    assert body.startswith(f"http://127.0.0.1:{sim.port}/uploads/") and body.endswith("." + ext)
    fetched = client.get(body)
    assert fetched.status_code == 200 and fetched.content == data
    assert fetched.headers["content-type"] == content_type


@pytest.mark.parametrize(
    ("data", "sim_slot", "needle"),
    [
        (b"%PDF-1.4 not an image", "2", "Wrong file type"),
        (PNG, "0", "WhatsApp"),
        (b"", "2", "empty"),
    ],
)
def test_image_upload_refused(
    api: Api, sim: TestSimulator, client: httpx.Client, data: bytes, sim_slot: str, needle: str
) -> None:
    answer = client.post(
        sim.url + "addsms",
        data={
            "token": api.token,
            "sendto": "+4915100000002",
            "body": "caption",
            "device_id": str(OFFICE_PHONE),
            "sim": sim_slot,
        },
        files={"file": ("x", data)},
    ).json()
    assert answer["error"] == 1 and needle in answer["message"]
    assert api.messages() == []
    assert client.get(f"http://127.0.0.1:{sim.port}/uploads/nothing.png").status_code == 404


# ---- stats ------------------------------------------------------------------------------------
def test_stats_count_requests_and_bytes(api: Api, sim: TestSimulator) -> None:
    sim.stats.reset()
    api.send("+4915100000002")
    api.messages()
    api.messages()
    api("getsmslist")
    assert sim.stats.requests["addsms"] == 1
    assert sim.stats.requests["getallsms"] == 3
    assert sim.stats.response_bytes["getallsms"] > 3 * 300
    assert sim.stats.total_requests == 4
    sim.stats.reset()
    assert sim.stats.total_requests == 0 and sim.stats.total_bytes == 0


def test_admin_stats_endpoint(api: Api, sim: TestSimulator, client: httpx.Client) -> None:
    api.messages()
    stats = client.get(sim.root_url + "/_admin/stats").json()
    assert stats["requests"]["getallsms"] == 1 and stats["response_bytes"]["getallsms"] > 0
    client.delete(sim.root_url + "/_admin/stats")
    assert sim.stats.total_requests == 0


# ---- the user's own code path: the injected clock ---------------------------------------------
def test_custom_start_time() -> None:
    start = datetime(2025, 1, 1, 23, 30, tzinfo=UTC)
    with running_simulator(start=start) as sim, httpx.Client() as client:
        api = Api(sim, client)
        api.send("+4915100000002")
        created = api.messages()[0]["created"]
        assert created == {"date": "2025-01-02 00:30:00.000000", "timezone_type": 3, "timezone": "Europe/Berlin"}
        sim.advance(timedelta(days=1).total_seconds())
        assert api.messages(begindate="2025-01-02", enddate="2025-01-02")[0]["status"] == 7
