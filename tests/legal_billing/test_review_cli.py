"""`paperclerk legal review FILE… [--guidelines G.yaml] --json`: the documented shape, broken files reported and the
batch going on."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from paperclerk.cli import app
from tests.legal_billing.ledes_samples import LEDES_98BI, LEDES_1998B, LEDES_XML_21, lines_1998b

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def test_review_json_shape_and_batch_goes_on(tmp_path):
    broken = tmp_path / "broken.txt"
    lines = lines_1998b()
    lines[4] = lines[4].replace("|20250112|", "|20251312|")
    broken.write_text("\r\n".join(lines))
    guidelines = tmp_path / "g.yaml"
    guidelines.write_text("rates: {ASSOC: 400}\nvague_phrases: [attention to]\n")
    result = runner.invoke(app, ["legal", "review", "--json", "--guidelines", str(guidelines), str(LEDES_1998B),
                                 str(broken), str(LEDES_98BI)])
    assert result.exit_code == 2, result.output
    reports = [json.loads(line) for line in result.output.splitlines()]
    assert [report.get("invoice", {}).get("invoice_number") for report in reports] == [
        "INV-1001", "INV-1002", None, "GB-5521"]
    first = reports[0]
    assert set(first) == {"file", "invoice", "lines", "findings", "totals"}
    assert first["file"] == str(LEDES_1998B) and first["invoice"]["total"] == "2317.50"
    assert [line["line"] for line in first["lines"]] == [1, 2, 3, 4, 5]
    (rate,) = first["findings"]
    assert set(rate) == {"rule_id", "category", "severity", "lines", "message", "adjustment"}
    assert (rate["category"], rate["lines"], rate["adjustment"]["amount"]) == ("rate_above_approved", [2], "-30.00")
    assert set(rate["adjustment"]) == {"amount", "reason"}
    assert first["totals"] == {"billed": "2317.50", "adjustments": "-30.00", "approved": "2287.50"}
    error = reports[2]["error"]
    assert error["code"] == "LEDES_MALFORMED"
    assert error["details"]["errors"][0] == {"line": 5, "field": "LINE_ITEM_DATE",
                                             "message": "'20251312' is not a date in the calendar"}


def test_review_table_and_bad_guidelines(tmp_path):
    result = runner.invoke(app, ["legal", "review", str(LEDES_XML_21)])
    assert result.exit_code == 0, result.output
    assert "BS-3001" in result.output and "approved 1389.00" in result.output
    guidelines = tmp_path / "g.yaml"
    guidelines.write_text("max_hours_per_day: -1")
    result = runner.invoke(app, ["legal", "review", "--guidelines", str(guidelines), str(LEDES_XML_21)])
    assert result.exit_code == 1 and "max_hours_per_day" in result.output


def test_not_ledes_is_reported(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Dear counsel, please find our invoice attached.")
    result = runner.invoke(app, ["legal", "review", "--json", str(note)])
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "LEDES_UNSUPPORTED"
