"""Each organisation's validation policy: rules on or off, severities, tolerances; through the API and the CLI,
audited, re-checking open invoices at once, and invisible to other organisations."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from paperclerk.cli import app
from paperclerk.core.audit import AuditEntry
from paperclerk.core.db import session_scope
from paperclerk.core.errors import InvalidRequest, NotFound
from paperclerk.invoices import policy
from paperclerk.invoices.masterdata import checks
from paperclerk.invoices.rules import RULES
from tests.helpers import api_client, assert_error, organization_id
from tests.invoices.ap import invoice_pdf, open_rules, upload_invoices

runner = CliRunner()


def test_every_rule_and_tolerance_is_listed_with_its_default(env):
    with api_client(role="viewer") as client:
        listing = client.get("/api/v1/invoices/rules").json()
    rules = {item["id"]: item for item in listing["rules"]}
    assert set(rules) == set(RULES) | set(checks.RULES)
    assert rules["INV-VENDOR-BANK-CHANGED"] == {
        "id": "INV-VENDOR-BANK-CHANGED", "title": "Bank details changed", "scope": "master_data",
        "description": rules["INV-VENDOR-BANK-CHANGED"]["description"], "default_severity": "critical",
        "enabled": True, "severity": None, "effective_severity": "critical"}
    assert rules["INV-ARITH-003"]["scope"] == "document" and "BR-CO-15" in rules["INV-ARITH-003"]["description"]
    tolerances = {item["name"]: item for item in listing["tolerances"]}
    assert (tolerances["approval_threshold"]["value"], tolerances["approval_threshold"]["kind"]) == ("10000", "decimal")
    assert tolerances["duplicate_window_days"] == {**tolerances["duplicate_window_days"], "value": 30, "kind": "days",
                                                   "changed": False}
    assert tolerances["required_fields"]["value"] == ["vendor_name", "invoice_number", "invoice_date", "currency"]


def test_turning_a_rule_off_rechecks_open_invoices_for_this_organisation_only(env):
    with api_client(organization="rival") as rival:
        (theirs,) = upload_invoices(rival, ("inv.pdf", invoice_pdf()))
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
        assert open_rules(invoice) == {"INV-VENDOR-UNKNOWN"} and invoice["status"] == "needs_review"
        changed = client.patch("/api/v1/invoices/rules", json={"rules": {"INV-VENDOR-UNKNOWN": {"enabled": False}}})
        assert changed.status_code == 200 and changed.json()[0]["enabled"] is False
        after = client.get(f"/api/v1/invoices/{invoice['id']}").json()
        assert open_rules(after) == set() and after["status"] == "processed"
        (later,) = upload_invoices(client, ("other.pdf", invoice_pdf("INV-1002", po=None)))
        assert "INV-VENDOR-UNKNOWN" not in {item["rule_id"] for item in later["findings"]}
    with api_client(organization="rival") as rival:
        assert "INV-VENDOR-UNKNOWN" in open_rules(rival.get(f"/api/v1/invoices/{theirs['id']}").json())
        assert {item["id"]: item for item in rival.get("/api/v1/invoices/rules").json()["rules"]}[
            "INV-VENDOR-UNKNOWN"]["enabled"] is True
    with session_scope(readonly=True) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "invoice.rule.update")).one()
    assert (entry.before, entry.after) == ({"enabled": True, "severity": None}, {"enabled": False, "severity": None})


def test_a_lower_severity_takes_an_invoice_out_of_review_and_back(env):
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
        client.patch("/api/v1/invoices/rules", json={"rules": {"INV-VENDOR-UNKNOWN": {"severity": "info"}}})
        after = client.get(f"/api/v1/invoices/{invoice['id']}").json()
        (found,) = [item for item in after["findings"] if item["rule_id"] == "INV-VENDOR-UNKNOWN"]
        assert found["severity"] == "info" and after["status"] == "processed"
        (reset,) = client.patch("/api/v1/invoices/rules",
                                json={"rules": {"INV-VENDOR-UNKNOWN": {"severity": None}}}).json()
        assert reset["severity"] is None and reset["effective_severity"] == "warning"
        assert client.get(f"/api/v1/invoices/{invoice['id']}").json()["status"] == "needs_review"
        unknown = {"rules": {"INV-DUP-001": {"enabled": False}, "INV-NOPE": {"enabled": False}}}
        assert_error(client.patch("/api/v1/invoices/rules", json=unknown), 404, "RULE_NOT_FOUND")
        assert {item["id"]: item for item in client.get("/api/v1/invoices/rules").json()["rules"]}[
            "INV-DUP-001"]["enabled"] is True  # nothing of a refused request is kept
        fatal = {"rules": {"INV-DUP-001": {"severity": "fatal"}}}
        assert_error(client.patch("/api/v1/invoices/rules", json=fatal), 422, "VALIDATION_ERROR")


def test_tolerances_change_what_the_rules_find(env):
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))  # total 1512.50 EUR
        assert "INV-APPROVAL-001" not in open_rules(invoice)
        response = client.patch("/api/v1/invoices/tolerances", json={"values": {
            "approval_threshold": "1000", "required_fields": ["vendor_name", "purchase_order"]}})
        assert response.status_code == 200, response.text
        values = {item["name"]: item for item in response.json()}
        assert values["approval_threshold"]["value"] == "1000" and values["approval_threshold"]["changed"] is True
        after = client.get(f"/api/v1/invoices/{invoice['id']}").json()
        assert {"INV-APPROVAL-001", "INV-REQ-001"} <= open_rules(after)
        client.patch("/api/v1/invoices/tolerances", json={"values": {"approval_threshold": None,
                                                                     "required_fields": None}})
        assert open_rules(client.get(f"/api/v1/invoices/{invoice['id']}").json()) == {"INV-VENDOR-UNKNOWN"}
        for bad, code in (({"approval_threshold": "-1"}, "INVALID_TOLERANCE"),
                          ({"duplicate_window_days": "2.5"}, "INVALID_TOLERANCE"),
                          ({"required_fields": ["vendor_name", "shoe_size"]}, "INVALID_TOLERANCE"),
                          ({"approval_threshold": ["vendor_name"]}, "INVALID_TOLERANCE")):
            assert_error(client.patch("/api/v1/invoices/tolerances", json={"values": bad}), 400, code)
        assert_error(client.patch("/api/v1/invoices/tolerances", json={"values": {"required_fields": "vendor_name"}}),
                     422, "VALIDATION_ERROR")
        assert_error(client.patch("/api/v1/invoices/tolerances", json={"values": {"speed": "1"}}), 404,
                     "TOLERANCE_NOT_FOUND")
        assert_error(client.patch("/api/v1/invoices/tolerances", json={"values": {"": None}}), 404,
                     "TOLERANCE_NOT_FOUND")
        # A refused value changes nothing, not even the good values sent with it.
        client.patch("/api/v1/invoices/tolerances", json={"values": {"future_days": "3", "max_total": "x"}})
        assert {item["name"]: item for item in client.get("/api/v1/invoices/rules").json()["tolerances"]}[
            "future_days"]["changed"] is False


def test_the_policy_builds_the_rule_configuration(env):
    with api_client() as client:
        client.patch("/api/v1/invoices/rules", json={"rules": {"INV-DATE-003": {"enabled": False},
                                                               "INV-PO-004": {"severity": "error"}}})
        client.patch("/api/v1/invoices/tolerances", json={"values": {"price_tolerance_percent": "2.5",
                                                                     "future_days": 0}})
    with session_scope(readonly=True) as session:
        config = policy.rule_config(session, organization_id("acme"))
    assert config.disabled == frozenset({"INV-DATE-003"}) and config.severities == {"INV-PO-004": "error"}
    assert config.price_tolerance_percent == Decimal("2.5") and config.future_days == 0


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("line_tolerance", "0.05", Decimal("0.05")), ("line_tolerance", 1, Decimal(1)), ("future_days", "14", 14),
    ("required_fields", ["total", "total", "currency"], ("total", "currency")),
])
def test_tolerance_values_are_typed(name, value, expected):
    assert policy.parse_tolerance(name, value) == expected


@pytest.mark.parametrize(("name", "value"), [
    ("line_tolerance", "NaN"), ("line_tolerance", "Infinity"), ("line_tolerance", True), ("future_days", "-1"),
    ("future_days", "1e9"), ("max_total", None), ("required_fields", [1]),
])
def test_bad_tolerance_values_are_refused(name, value):
    with pytest.raises(InvalidRequest):
        policy.parse_tolerance(name, value)
    with pytest.raises(NotFound):
        policy.parse_tolerance("nope", "1")


def test_the_cli_shows_and_changes_an_organisations_rules(env):
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
    off = runner.invoke(app, ["invoices", "rule", "INV-VENDOR-UNKNOWN", "--off", "--org", "acme"])
    assert off.exit_code == 0, off.output
    threshold = runner.invoke(app, ["invoices", "tolerance", "approval_threshold", "500", "--org", "acme"])
    assert threshold.exit_code == 0, threshold.output
    with api_client() as client:
        assert open_rules(client.get(f"/api/v1/invoices/{invoice['id']}").json()) == {"INV-APPROVAL-001"}
    listing = runner.invoke(app, ["invoices", "rules", "--org", "acme"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0
    row = next(line for line in listing.output.splitlines() if "INV-VENDOR-UNKNOWN" in line)
    assert "off" in row
    threshold_row = next(line for line in listing.output.splitlines() if line.startswith("│ approval_threshold"))
    assert threshold_row.split("│")[2].strip() == "500"
    bad = runner.invoke(app, ["invoices", "rule", "INV-DUP-001", "--severity", "fatal", "--org", "acme"])
    assert bad.exit_code == 1 and "INVALID_SEVERITY" in bad.output
    nothing = runner.invoke(app, ["invoices", "rule", "INV-DUP-001", "--org", "acme"])
    assert nothing.exit_code == 1
