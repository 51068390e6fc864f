"""`paperclerk invoices extract` and `paperclerk invoices rules`: synchronous extraction with a stable JSON shape."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from paperclerk import samples
from paperclerk.cli import app

runner = CliRunner()
INVOICE = ("ACME Supplies GmbH\nHauptstrasse 1, 10115 Berlin\nUSt-IdNr: DE136695976\n\nRECHNUNG\n"
           "Rechnungsnummer: R-2024-001\nRechnungsdatum: 02.07.2024\n\nBeschreibung Menge Preis Betrag\n"
           "Beratung 2 100,00 200,00\n\nNetto 200,00 EUR\nMwSt 19% 38,00 EUR\nGesamt 238,00 EUR")


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def test_extract_prints_one_json_object_per_file(tmp_path):
    invoice = tmp_path / "r-2024-001.pdf"
    invoice.write_bytes(samples.text_pdf([INVOICE]))
    note = tmp_path / "note.txt"
    note.write_text("Just a note about lunch.")
    result = runner.invoke(app, ["invoices", "extract", "--json", str(invoice), str(note)])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert set(first) == {"file", "kind", "kind_confidence", "fields", "lines", "evidence", "findings"}
    assert first["kind"] == "invoice" and first["kind_confidence"] >= 0.9
    assert first["fields"]["invoice_number"] == "R-2024-001"
    assert first["fields"]["invoice_date"] == "2024-07-02"
    assert (first["fields"]["subtotal"], first["fields"]["tax_total"], first["fields"]["total"]) == \
        ("200.00", "38.00", "238.00")
    assert first["evidence"]["total"]["page"] == 1 and first["evidence"]["total"]["bbox"]
    assert first["lines"][0]["description"] == "Beratung"
    # Read all the same (the user sent it to be read); the kind says it is no invoice, and it is not checked as one.
    assert second["kind"] == "other" and second["findings"] == [] and "total" not in second["fields"]


def test_extract_reports_bad_files_and_exits_non_zero(tmp_path):
    hostile = tmp_path / "xxe.xml"
    hostile.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                       '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&e;</Invoice>')
    result = runner.invoke(app, ["invoices", "extract", "--json", str(hostile), str(tmp_path / "missing.pdf")])
    assert result.exit_code == 2
    errors = [json.loads(line)["error"]["code"] for line in result.output.splitlines()]
    assert errors == ["XML_UNSAFE", "FILE_UNREADABLE"]


def test_extract_table_output_and_rules_listing(tmp_path):
    invoice = tmp_path / "r.pdf"
    invoice.write_bytes(samples.text_pdf([INVOICE]))
    table = runner.invoke(app, ["invoices", "extract", str(invoice)])
    assert table.exit_code == 0 and "R-2024-001" in table.output and "line items" in table.output
    listing = runner.invoke(app, ["invoices", "rules"])
    assert listing.exit_code == 0
    assert "INV-ARITH-003" in listing.output and "INV-ID-002" in listing.output and "INV-TAX-001" in listing.output
    assert "INV-VENDOR-BANK-CHANGED" in listing.output and "INV-DUP-001" in listing.output


def test_the_old_top_level_commands_still_work_for_one_release_with_a_note_on_stderr(tmp_path):
    invoice = tmp_path / "r-2024-001.pdf"
    invoice.write_bytes(samples.text_pdf([INVOICE]))
    grouped = runner.invoke(app, ["invoices", "extract", "--json", str(invoice)])
    old = runner.invoke(app, ["extract", "--json", str(invoice)])
    assert old.exit_code == grouped.exit_code == 0
    assert old.stdout == grouped.stdout  # the JSON Lines other tools read are unchanged
    assert old.stderr.strip() == ("note: `paperclerk extract` is now `paperclerk invoices extract`; "
                                  "the old name goes in the next release.")
    assert "INV-ARITH-003" in runner.invoke(app, ["rules"]).stdout
    help_text = runner.invoke(app, ["--help"]).stdout
    assert "invoices" in help_text
    assert not any(line.strip().startswith(("│ extract", "│ rules ", "│ tolerance")) for line in help_text.splitlines())
