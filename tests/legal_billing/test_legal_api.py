"""The legal e-billing API: upload refusing malformed LEDES, review workflow with audit, exports, guidelines and
master data with CSV import, tenant scoping."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import select

from paperclerk.core import events
from paperclerk.core.audit import AuditEntry
from paperclerk.core.db import session_scope
from paperclerk.core.events import Event
from paperclerk.legal_billing.ledes import read_ledes
from paperclerk.notifications.messages import describe
from tests.conftest import wait_until_final
from tests.helpers import api_client, assert_error
from tests.legal_billing.ledes_samples import LEDES_1998B, lines_1998b

GUIDELINES = b"rates: {ASSOC: 400}\nvague_phrases: [attention to]\nsubmission_deadline_days: 10000\n"


def _upload(client, *files):
    response = client.post("/api/v1/legal/invoices/upload",
                           files=[("files", (name, data, "text/plain")) for name, data in files])
    return response


def _invoices(client, **params):
    return client.get("/api/v1/legal/invoices", params=params).json()["items"]


def test_upload_review_decide_approve_export(any_env) -> None:
    broken_lines = lines_1998b()
    broken_lines[2] = broken_lines[2].replace("|F|2.50|", "|Q|2.50|")
    with api_client() as client:
        imported = client.post("/api/v1/legal/guidelines/import", files={"file": ("g.yaml", GUIDELINES)})
        assert imported.status_code == 200 and imported.json()["guidelines"]["rates"] == {"ASSOC": "400"}
        response = _upload(client, ("january.txt", LEDES_1998B.read_bytes()),
                           ("broken.txt", "\r\n".join(broken_lines).encode()))
        assert response.status_code == 202, response.text
        body = response.json()
        (refused,) = body["rejected"]
        assert refused["error"]["code"] == "LEDES_MALFORMED"
        assert refused["error"]["details"]["errors"][0]["line"] == 3
        assert refused["error"]["details"]["errors"][0]["field"] == "EXP/FEE/INV_ADJ_TYPE"
        wait_until_final([document["id"] for document in body["documents"]])
        first = next(item for item in _invoices(client) if item["invoice_number"] == "INV-1001")
        assert first["status"] == "needs_review" and first["proposed_adjustments"] == "-30.00"
        detail = client.get(f"/api/v1/legal/invoices/{first['id']}").json()
        assert len(detail["findings"]) == 1, detail["findings"]
        (finding,) = detail["findings"]
        assert (finding["category"], finding["lines"], finding["adjustment"]) == ("rate_above_approved", [2], "-30.00")
        assert detail["lines"][1]["proposed_adjustment"] == "-30.00"

        url = f"/api/v1/legal/invoices/{first['id']}"
        assert_error(client.post(f"{url}/lines/3/decision", json={"decision": "reject"}), 400, "REASON_REQUIRED")
        assert_error(client.post(f"{url}/lines/9/decision", json={"decision": "accept"}), 404, "NOT_FOUND")
        assert_error(client.post(f"{url}/lines/2/decision", json={"decision": "reduce", "reason": "cap",
                                                                  "amount": "9999"}), 400, "INVALID_AMOUNT")
        decided = client.post(f"{url}/lines/2/decision", json={"decision": "reduce", "reason": "approved rate"})
        assert decided.status_code == 200, decided.text
        decided = client.post(f"{url}/lines/3/decision", json={"decision": "reject", "reason": "no copies"}).json()
        assert decided["lines"][2]["approved_amount"] == "0.00"
        assert decided["approved_total"] == "2262.50"  # 2317.50 - 30 (rate) - 25 (copies)
        approved = client.post(f"{url}/approve")
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        assert_error(client.post(f"{url}/lines/1/decision", json={"decision": "accept"}), 409, "LEGAL_INVOICE_CLOSED")

        exported = client.get(f"{url}/export")
        assert exported.status_code == 200
        (adjusted,) = read_ledes(exported.text)
        assert adjusted.total == Decimal("2262.50") == adjusted.lines_total
        assert adjusted.lines[1].adjustment == Decimal("-93.00") and adjusted.lines[1].total == Decimal("537.00")
        assert adjusted.lines[2].total == Decimal("0.00")
        csv_text = client.get(f"{url}/export", params={"format": "csv"}).text
        rows = list(csv.DictReader(io.StringIO(csv_text)))
        assert (rows[2]["decision"], rows[2]["approved"], rows[2]["reason"]) == ("reject", "0.00", "no copies")
    with session_scope() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
        declared = events.declared()
        titles = {(event.name, event.payload["invoice_number"]): describe(event, declared[event.name]).title
                  for event in session.scalars(select(Event).where(Event.name.like("legal.%")))}
    assert {"legal_guidelines.update", "legal_invoice.line_decision", "legal_invoice.approved"} <= actions
    # Notifications name the bill and its firm (the LEDES 1998B file names the firm by its tax id only).
    assert titles[("legal.invoice.flagged", "INV-1001")] == "Invoice INV-1001 from 94-1234567 needs review"
    assert titles[("legal.invoice.approved", "INV-1001")] == "Invoice INV-1001 from 94-1234567 was approved"


def test_master_data_and_rereview(any_env) -> None:
    with api_client() as client:
        response = _upload(client, ("january.txt", LEDES_1998B.read_bytes()))
        wait_until_final([document["id"] for document in response.json()["documents"]])
        imported = client.post("/api/v1/legal/firms/import", files={"file": (
            "firms.csv", b"name,tax_id\nMarlowe Okafor LLP,94-1234567\n,missing-name\n")}).json()
        assert imported["created"] == 1 and imported["problems"] == [{"row": 3, "message": "name is required"}]
        keepers = client.post("/api/v1/legal/timekeepers/import", files={"file": ("tk.csv", (
            b"law_firm_tax_id,timekeeper_id,name,classification,rate,rate_from,approved\n"
            b"94-1234567,TK-101,\"Marlowe, Ada\",PARTNR,600,2025-01-01,yes\n"
            b"94-1234567,TK-204,\"Okafor, Ben\",ASSOC,420,2025-01-01,yes\n"
            b"94-1234567,TK-310,\"Reyes, Carla\",PARLGL,190,,no\n"
            b"94-1234567,TK-9,Nobody,Senior-Partner,1,,yes\n"))}).json()
        assert keepers["created"] == 3 and keepers["problems"][0]["row"] == 5
        matters = client.post("/api/v1/legal/matters/import", files={"file": (
            "m.csv", b"client_matter_id,budget,open_date,close_date\nCM-2025-01,2000,2025-01-01,2025-12-31\n"
                     b"CM-X,lots,,\n")}).json()
        assert matters["created"] == 1 and matters["problems"][0]["message"].startswith("budget")
        first = next(item for item in _invoices(client) if item["invoice_number"] == "INV-1001")
        detail = client.get(f"/api/v1/legal/invoices/{first['id']}").json()
        categories = {finding["category"]: finding for finding in detail["findings"]}
        assert categories["rate_above_approved"]["lines"] == [1]  # 650 billed, 600 approved for TK-101
        assert categories["unapproved_timekeeper"]["lines"] == [4]  # TK-310 not approved
        assert categories["budget_exceeded"]["lines"] == [2, 3, 4]  # 1625 + 567 passes 2000 at line 2
        assert client.get("/api/v1/legal/timekeepers").json()[0]["rates"]


def test_another_organisation_sees_nothing(env) -> None:
    with api_client() as client:
        response = _upload(client, ("january.txt", LEDES_1998B.read_bytes()))
        wait_until_final([document["id"] for document in response.json()["documents"]])
        invoice_id = _invoices(client)[0]["id"]
    with api_client(organization="rival") as rival:
        assert _invoices(rival) == []
        assert_error(rival.get(f"/api/v1/legal/invoices/{invoice_id}"), 404, "NOT_FOUND")
        assert_error(rival.post(f"/api/v1/legal/invoices/{invoice_id}/approve"), 404, "NOT_FOUND")


def test_bad_guidelines_refused(env) -> None:
    with api_client() as client:
        error = assert_error(client.put("/api/v1/legal/guidelines", json={"max_hours_per_day": "x"}), 422,
                             "GUIDELINES_INVALID")
        assert error["details"]["errors"][0]["field"] == "max_hours_per_day"
        assert_error(client.post("/api/v1/legal/guidelines/import", files={"file": ("g.yaml", b"a: [")}), 422,
                     "GUIDELINES_INVALID")
        assert client.get("/api/v1/legal/guidelines").json()["guidelines"]["max_hours_per_day"] == "10"
