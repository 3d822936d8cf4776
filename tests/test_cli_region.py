"""The CLI and the default region (issue 13 item 6): ``smstui login`` learns it from the phones'
SIMs and says so, says how to set it when they disagree, and CSV imports then read national
numbers with it."""

from __future__ import annotations

from pathlib import Path

from smstui.simulator.seed import OFFICE_PHONE, TRAVEL_PHONE
from smstui.simulator.testing import TestSimulator
from tests.cli_helpers import Cli
from tests.core_helpers import config_file


def _sims_say(sim: TestSimulator, office: str, travel: str) -> None:
    with sim.state.lock:
        for device, country in ((OFFICE_PHONE, office), (TRAVEL_PHONE, travel)):
            for card in sim.state.devices[device].siminfo:
                card["CountryIso"] = country


def test_login_learns_the_region_from_the_sims_and_says_so(sim_empty: TestSimulator) -> None:
    run = Cli(sim_empty.url).login()
    assert "Region DE, from your phones' SIMs." in run.stdout


def test_contact_import_reads_national_numbers_with_the_learnt_region(sim_empty: TestSimulator, tmp_path: Path) -> None:
    cli = Cli.logged_in(sim_empty.url)
    tag_id = cli("tag", "add", "Imported").stdout.strip()
    csv = tmp_path / "people.csv"
    csv.write_text("phone;name\n0157 52982212;Anna\n+4917612345678;Ben\n", encoding="utf-8")
    run = cli("contact", "import", str(csv), "--tag", tag_id, "--json")
    assert run.exit_code == 0, run.output
    assert [c["phone"] for c in run.json()["contacts"]] == ["+4915752982212", "+4917612345678"]
    assert sorted(c.phone for c in sim_empty.state.contacts.values()) == ["+4915752982212", "+4917612345678"]


def test_sims_that_disagree_are_named_with_how_to_set_the_region(sim_empty: TestSimulator) -> None:
    _sims_say(sim_empty, "de", "us")
    cli = Cli(sim_empty.url)
    run = cli.login()
    assert "Your phones' SIMs are from DE and US" in run.stdout
    assert 'Add region = "DE" under [profiles.default] in ' + str(config_file()) in run.stdout
    refused = cli("send", "--to", "0157 52982212", "--device", str(OFFICE_PHONE), "x")
    assert refused.exit_code == 2 and "country code" in refused.stderr
    # Said once: a later sync with the same SIMs does not repeat it; --json carries the state.
    assert "SIMs are from" not in cli("sync").stdout
    doc = cli("sync", "--json").json()
    assert doc["region"] == {"region": None, "source": None, "seen": ["DE", "US"]}
