"""``smstui contact import`` and ``smstui bulk`` read what Excel and LibreOffice write."""

from __future__ import annotations

from pathlib import Path

import pytest

from smstui.simulator.testing import TestSimulator
from tests.cli_helpers import OFFICE_PHONE, Cli
from tests.sheet_builders import write_ods, write_xlsx


@pytest.fixture
def cli(sim_empty: TestSimulator) -> Cli:
    return Cli.logged_in(sim_empty.url)


def test_german_excel_csv_in_windows_1252_is_imported(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "kunden.csv"
    path.write_bytes("Telefon;Name\n+49 151 2345 6781;Anna Müller\n4917612345678;Jörg Weiß\n".encode("cp1252"))
    run = cli("contact", "import", str(path), "--tag", "7", "--dry-run")
    assert run.exit_code == 0, run.output
    assert "2 row(s) ready, 0 invalid (1 number(s) repaired)" in run.stdout
    assert "read as Windows-1252" in run.stdout
    assert "line 3: +4917612345678 (its leading + was missing)" in run.stderr
    wrong = cli("contact", "import", str(path), "--tag", "7", "--dry-run", "--encoding", "utf-8")
    assert wrong.exit_code != 0 and "not UTF-8 text" in wrong.output and "Traceback" not in wrong.output


def test_bulk_reads_a_named_sheet_with_a_mapping(cli: Cli, tmp_path: Path) -> None:
    rows = [("Ansprechpartner", "Mobil privat", "Gruß"), ("Anna", 4915123456781, "Hallo Anna")]
    path = write_ods(tmp_path / "liste.ods", [("Leer", [("x",)]), ("Versand", rows)])
    run = cli(
        "bulk", str(path), "--device", str(OFFICE_PHONE), "--sim", "0", "--dry-run", "--json",
        "--sheet", "Versand", "--map", "phone=Mobil privat,name=A,body=Gruß",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert run.json()["messages"] == 1


def test_bad_map_and_missing_sheet_are_explained(cli: Cli, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "liste.xlsx", [("Kunden", [("Handy", "Nachricht"), ("+4915123456781", "Hi")])])
    bad = cli("bulk", str(path), "--device", str(OFFICE_PHONE), "--dry-run", "--map", "handy")
    assert bad.exit_code == 2 and "not FIELD=COLUMN" in bad.output
    missing = cli("bulk", str(path), "--device", str(OFFICE_PHONE), "--dry-run", "--sheet", "Preise")
    assert missing.exit_code != 0 and "its sheets are: Kunden" in missing.output
    assert "Traceback" not in missing.output


def test_bulk_names_the_character_that_adds_parts(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "termine.csv"
    path.write_text("Handy;Name\n+4915123456781;Anna\n+4917612345678;Łukasz\n", encoding="utf-8")
    template = "Hallo {name}, Ihr Termin ist morgen um 9 Uhr. Bitte bringen Sie Ihre Karte mit. Bis dann!!"
    run = cli("bulk", str(path), "--device", str(OFFICE_PHONE), "--template", template, "--dry-run")
    assert run.exit_code == 0, run.output
    assert "2 message(s) in 1 request(s), 3 SMS part(s)" in run.stdout
    assert "note: 'Ł' makes 1 message(s) UCS-2: 2 SMS each instead of 1" in run.stderr
    doc = cli("bulk", str(path), "--device", str(OFFICE_PHONE), "--template", template, "--dry-run", "--json").json()
    assert doc["ucs2"] == 1 and doc["cost_warning"].startswith("'Ł' makes")
