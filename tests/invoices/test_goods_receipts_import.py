"""Goods receipts from CSV: the service (good rows kept, each kind of bad row reported), the API route, the
`paperclerk import receipts` command, and the 3-way match seeing the quantities imported."""

from __future__ import annotations

from decimal import Decimal

import pytest
from typer.testing import CliRunner

from paperclerk.auth.principal import system_actor
from paperclerk.cli import app
from paperclerk.core.db import session_scope
from paperclerk.core.errors import InvalidRequest
from paperclerk.invoices.masterdata import imports
from paperclerk.invoices.masterdata import service as masterdata
from tests.helpers import api_client, api_key, assert_error, organization_id
from tests.invoices.ap import add_vendor, finding, invoice_pdf, open_rules, upload_invoices
from tests.invoices.test_invoice_masterdata import ORDERS_CSV, VENDORS_CSV

runner = CliRunner()

#: Against ORDERS_CSV: PO-1 has lines 1 and 3 (its line 2 is refused there), PO-3 has line 1.
RECEIPTS_CSV = (
    "receipt_number,po_number,received_on,line_number,quantity\n"
    "GR-1,PO-1,2024-03-10,1,6\n"         # 2: creates GR-1
    "GR-1,PO-1,2024-03-10,3,2\n"         # 3: adds line 3
    "GR-1,PO-1,2024-03-10,1,10\n"        # 4: replaces line 1
    "GR-2,PO-1,2024-03-11,2,1\n"         # 5: PO-1 has no line 2
    "GR-3,PO-9,2024-03-11,1,1\n"         # 6: no such order
    "GR-3,PO-1,11/03/2024,1,1\n"         # 7: not an ISO date
    "GR-3,PO-1,2024-03-11,1,0\n"         # 8: nothing received
    "GR-3,PO-1,2024-03-11,1,-2\n"        # 9: negative
    "GR-4,PO-3,2024-03-12,1,3\n"         # 10: creates GR-4
    "GR-1,PO-3,2024-03-12,1,1\n"         # 11: GR-1 belongs to PO-1
)


def _import(text: str) -> imports.ImportReport:
    organization = organization_id()
    actor = system_actor("test", organization_id=organization)
    with session_scope() as session:
        return imports.import_goods_receipts(session, organization, text, actor=actor)


def _master_data() -> None:
    api_key()  # the organisation
    organization = organization_id()
    actor = system_actor("test", organization_id=organization)
    with session_scope() as session:
        imports.import_vendors(session, organization, VENDORS_CSV, actor=actor)
        imports.import_purchase_orders(session, organization, ORDERS_CSV, actor=actor)


def test_import_keeps_good_rows_and_says_why_each_bad_row_was_refused(env):
    _master_data()
    report = _import(RECEIPTS_CSV)
    assert (report.created, report.updated) == (2, 2)
    assert report.rejected == [
        (5, "Purchase order PO-1 has no line 2."),
        (6, "no purchase order 'PO-9' (import the purchase orders first)"),
        (7, "received_on '11/03/2024' is not an ISO date (2024-03-14)"),
        (8, "quantity must be more than 0"),
        (9, "quantity must be more than 0"),
        (11, "goods receipt GR-1 already exists for another purchase order"),
    ]
    with session_scope(readonly=True) as session:
        receipts = {receipt.number: receipt for receipt in masterdata.list_goods_receipts(session, organization_id())}
        assert sorted(receipts) == ["GR-1", "GR-4"]
        assert [(line.line_number, line.quantity) for line in receipts["GR-1"].lines] == [(1, 10), (3, 2)]
        assert receipts["GR-4"].received_on.isoformat() == "2024-03-12"


def test_a_missing_column_or_an_unreadable_row(env):
    _master_data()
    with pytest.raises(InvalidRequest) as missing:
        _import("receipt_number,po_number,line_number,quantity\nGR-1,PO-1,1,6\n")
    assert missing.value.code == "CSV_COLUMNS_MISSING" and missing.value.details["missing"] == ["received_on"]
    huge = "x" * 200_000
    report = _import(f"receipt_number,po_number,received_on,line_number,quantity\nGR-1,PO-1,2024-03-10,1,6\n"
                     f"GR-2,{huge},2024-03-10,1,1\n")
    assert report.created == 1 and report.rejected[0][0] == 3 and "cannot be read" in report.rejected[0][1]


def test_import_route_and_its_errors(env):
    api_key()
    with api_client() as client:
        for name, text in (("vendors", VENDORS_CSV), ("purchase-orders", ORDERS_CSV)):
            client.post(f"/api/v1/invoices/{name}/import", files={"file": (f"{name}.csv", text.encode(), "text/csv")})
        response = client.post("/api/v1/invoices/goods-receipts/import",
                               files={"file": ("receipts.csv", RECEIPTS_CSV.encode(), "text/csv")})
        assert response.status_code == 200, response.text
        result = response.json()
        assert (result["created"], result["updated"]) == (2, 2)
        assert [problem["row"] for problem in result["rejected"]] == [5, 6, 7, 8, 9, 11]
        listed = client.get("/api/v1/invoices/goods-receipts").json()
        assert sorted(receipt["number"] for receipt in listed) == ["GR-1", "GR-4"]
        latin1 = "receipt_number,po_number,received_on,line_number,quantity\nGR-\xe9,PO-1,2024-03-10,1,1\n"
        assert_error(client.post("/api/v1/invoices/goods-receipts/import",
                                 files={"file": ("r.csv", latin1.encode("latin-1"), "text/csv")}), 400, "CSV_ENCODING")
        assert_error(client.post("/api/v1/invoices/goods-receipts/import",
                                 files={"file": ("r.csv", b"number;po\nx;y\n", "text/csv")}), 400,
                     "CSV_COLUMNS_MISSING")
    with api_client(role="approver") as approver:
        assert_error(approver.post("/api/v1/invoices/goods-receipts/import",
                                   files={"file": ("r.csv", RECEIPTS_CSV.encode(), "text/csv")}), 403, "FORBIDDEN")


def test_cli_import_receipts(env, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    for name, text in (("vendors", VENDORS_CSV), ("pos", ORDERS_CSV), ("receipts", RECEIPTS_CSV)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["invoices", "import", name, str(tmp_path / f"{name}.csv")])
    assert result.exit_code == 1, result.output
    assert "receipts: 2 created, 2 updated, 6 rejected" in result.output
    assert "row 6: no purchase order 'PO-9'" in result.output
    good = tmp_path / "good.csv"
    good.write_text("receipt_number,po_number,received_on,line_number,quantity\nGR-4,PO-3,2024-03-12,1,3\n",
                    encoding="utf-8")
    again = runner.invoke(app, ["invoices", "import", "receipts", str(good)])
    assert again.exit_code == 0 and "receipts: 0 created, 1 updated, 0 rejected" in again.output
    unknown = runner.invoke(app, ["invoices", "import", "shipments", str(good)])
    assert "choose vendors, pos or receipts" in unknown.output


def test_three_way_match_sees_imported_receipts(env):
    receipts = "receipt_number,po_number,received_on,line_number,quantity\n{}"
    with api_client() as client:
        vendor = add_vendor(client)
        order = client.post("/api/v1/invoices/purchase-orders", json={
            "number": "PO-7781", "vendor_id": vendor["id"], "currency": "EUR", "lines": [
                {"line_number": 1, "description": "Consulting hours", "quantity": "10", "unit_price": "95.00"},
                {"line_number": 2, "description": "Docking station", "quantity": "2", "unit_price": "150.00"}]})
        assert order.status_code == 201, order.text
        first = client.post("/api/v1/invoices/goods-receipts/import", files={"file": ("r.csv", receipts.format(
            "GR-1,PO-7781,2024-03-10,1,6\nGR-1,PO-7781,2024-03-10,2,2\n").encode(), "text/csv")})
        assert first.json()["created"] == 1 and first.json()["updated"] == 1
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf()))
        assert open_rules(invoice) == {"INV-PO-008"}
        short = finding(invoice, "INV-PO-008")
        assert "10 of Consulting hours" in short["message"] and "only 6" in short["message"]
        assert Decimal(short["evidence"][-1]["received"]) == 6
        # The rest of the hours arrive on a second receipt: the open invoice is checked again and matches.
        second = client.post("/api/v1/invoices/goods-receipts/import", files={"file": ("r.csv", receipts.format(
            "GR-2,PO-7781,2024-03-12,1,4\n").encode(), "text/csv")}).json()
        assert second["created"] == 1 and second["revalidated_invoices"] >= 1
        after = client.get(f"/api/v1/invoices/{invoice['id']}").json()
    assert open_rules(after) == set() and after["status"] == "processed"
