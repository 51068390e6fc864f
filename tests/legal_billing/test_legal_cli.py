"""`paperclerk legal guidelines import|show`, `paperclerk legal import …` and `paperclerk legal verify`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from paperclerk.cli import app
from tests.helpers import api_key, organization_id
from tests.legal_billing.ledes_samples import legal_invoice

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def test_guidelines_imports_and_verify(env, tmp_path) -> None:
    api_key("acme")
    acme = organization_id("acme")
    invoice_id = legal_invoice(acme)
    guidelines = tmp_path / "g.yaml"
    guidelines.write_text("rates: {ASSOC: 400}\nhouse_style: true\n")
    result = runner.invoke(app, ["legal", "guidelines", "import", str(guidelines), "--org", "acme"])
    assert result.exit_code == 0, result.output
    assert "1 invoice(s) in review re-checked" in result.output and "house_style" in result.output
    shown = runner.invoke(app, ["legal", "guidelines", "show", "--org", "acme"])
    assert json.loads(shown.output)["rates"] == {"ASSOC": "400"}
    guidelines.write_text("rates: [")
    refused = runner.invoke(app, ["legal", "guidelines", "import", str(guidelines), "--org", "acme"])
    assert refused.exit_code == 1 and "not valid YAML" in refused.output

    firms = tmp_path / "firms.csv"
    firms.write_text("name,tax_id\nMarlowe Okafor LLP,94-1234567\nNo Tax LLP,\n")
    imported = runner.invoke(app, ["legal", "import", "firms", str(firms), "--org", "acme"])
    assert imported.exit_code == 2 and "row 3: tax_id is required" in imported.output
    assert "1 created, 0 updated, 1 rejected" in imported.output
    roll = tmp_path / "roll.csv"
    roll.write_text("name,bar_number,jurisdiction,status,admission_date\nAda Marlowe,1,NY,Active,2004-06-01\n")
    assert runner.invoke(app, ["legal", "import", "bar-roll", str(roll), "--org", "acme"]).exit_code == 0
    verified = runner.invoke(app, ["legal", "verify", "--org", "acme"])
    assert verified.exit_code == 0, verified.output
    assert f"{invoice_id}: TK-101: verified, TK-204: not_found" in verified.output
