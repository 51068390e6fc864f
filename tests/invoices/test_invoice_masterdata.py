"""Master data through the API and the CLI: vendors, purchase orders and goods receipts, CSV import with
bad rows reported, and the 2-way / 3-way match of an invoice against them."""

from __future__ import annotations

from typer.testing import CliRunner

from paperclerk.cli import app
from tests.helpers import api_client, assert_error
from tests.invoices.ap import IBAN, add_vendor, finding, invoice_pdf, open_rules, upload_invoices

runner = CliRunner()


def _order(client, vendor_id: str, **values) -> dict:
    body = {"number": "PO-7781", "vendor_id": vendor_id, "currency": "EUR", "order_date": "2024-03-01",
            "lines": [{"line_number": 1, "description": "Consulting hours", "quantity": "10", "unit_price": "95.00"},
                      {"line_number": 2, "description": "Docking station", "quantity": "2", "unit_price": "140.00"}],
            **values}
    response = client.post("/api/v1/invoices/purchase-orders", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_two_and_three_way_match_against_orders_and_receipts(env):
    with api_client() as client:
        vendor = add_vendor(client)
        order = _order(client, vendor["id"])
        receipt = client.post("/api/v1/invoices/goods-receipts", json={
            "number": "GR-1", "purchase_order_id": order["id"], "received_on": "2024-03-10",
            "lines": [{"line_number": 1, "quantity": "6"}, {"line_number": 2, "quantity": "2"}]})
        assert receipt.status_code == 201, receipt.text
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf()))
        assert open_rules(invoice) == {"INV-PO-005", "INV-PO-008"}
        price = finding(invoice, "INV-PO-005")
        assert "Docking station" in price["message"] and "150.00" in price["message"] and "140.00" in price["message"]
        assert price["severity"] == "error" and price["evidence"][-1]["line_number"] == 2
        received = finding(invoice, "INV-PO-008")
        assert "10 of Consulting hours" in received["message"] and "only 6" in received["message"]
        assert received["evidence"][-1]["goods_receipts"] == ["GR-1"]
        # The rest arrives and purchasing agrees the new price: the invoice matches and leaves review.
        fixed = client.patch(f"/api/v1/invoices/goods-receipts/{receipt.json()['id']}", json={
            "lines": [{"line_number": 1, "quantity": "10"}, {"line_number": 2, "quantity": "2"}]})
        assert fixed.status_code == 200, fixed.text
        client.patch(f"/api/v1/invoices/purchase-orders/{order['id']}", json={"lines": [
            {"line_number": 1, "description": "Consulting hours", "quantity": "10", "unit_price": "95.00"},
            {"line_number": 2, "description": "Docking station", "quantity": "2", "unit_price": "150.00"}]})
        after = client.get(f"/api/v1/invoices/{invoice['id']}").json()
    assert open_rules(after) == set() and after["status"] == "processed"


def test_order_of_another_vendor_in_another_currency_without_receipts(env):
    with api_client() as client:
        add_vendor(client)
        other = add_vendor(client, name="Fabrikam GmbH", tax_id="DE136695976", iban=None)
        _order(client, other["id"], currency="USD", lines=[
            {"line_number": 1, "description": "Consulting hours", "quantity": "5", "unit_price": "95.00"},
            {"line_number": 2, "description": "Docking station", "quantity": "2", "unit_price": "150.00"}])
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf()))
    assert {"INV-PO-002", "INV-PO-003", "INV-PO-006", "INV-PO-007"} <= open_rules(invoice)
    assert "Fabrikam" not in finding(invoice, "INV-PO-002")["message"]  # names the invoice's vendor, not the other
    assert "10 of Consulting hours" in finding(invoice, "INV-PO-006")["message"]


def test_master_data_is_changed_by_admins_and_validated(env):
    with api_client(role="approver") as approver:
        assert_error(approver.post("/api/v1/invoices/vendors", json={"name": "X"}), 403, "FORBIDDEN")
        assert approver.get("/api/v1/invoices/vendors").status_code == 200
    with api_client() as client:
        vendor = add_vendor(client, iban="NL91 ABNA 0417 1643 00", tax_id="nl 0044.95445.b01")
        assert (vendor["iban"], vendor["tax_id"]) == (IBAN, "NL004495445B01")
        assert_error(client.post("/api/v1/invoices/vendors", json={"name": vendor["name"].upper()}), 409,
                     "VENDOR_EXISTS")
        assert_error(client.post("/api/v1/invoices/vendors", json={"name": "Bad", "iban": "NL00ABNA0417164300"}),
                     400, "INVALID_IBAN")
        changed = client.patch(f"/api/v1/invoices/vendors/{vendor['id']}", json={"active": False})
        assert changed.json()["active"] is False
        audit = client.get("/api/v1/audit", params={"action": "vendor.updated"}).json()["items"][0]
        assert audit["before"]["active"] is True and audit["after"]["active"] is False
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
        assert "INV-VENDOR-INACTIVE" in open_rules(invoice)
        order = _order(client, vendor["id"])
        assert_error(client.post("/api/v1/invoices/goods-receipts", json={
            "number": "GR-9", "purchase_order_id": order["id"], "received_on": "2024-03-10",
            "lines": [{"line_number": 7, "quantity": "1"}]}), 400, "UNKNOWN_ORDER_LINE")
        assert client.get(f"/api/v1/invoices/purchase-orders/{order['id']}").json()["lines"][1]["unit_price"] == "140"


VENDORS_CSV = (
    "name,tax_id,iban,bic,country,active\n"
    f"Northwind Traders B.V.,NL004495445B01,{IBAN},ABNANL2A,NL,yes\n"
    "Broken Bank Ltd,,GB00WRONG0000000000,,GB,yes\n"
    "Fabrikam GmbH,DE136695976,,,DE,\n"
    ",,,,,\n"
)
ORDERS_CSV = (
    "po_number,vendor,currency,order_date,line_number,description,quantity,unit_price\n"
    "PO-1,Northwind Traders B.V.,EUR,2024-03-01,1,Consulting hours,10,95.00\n"
    "PO-1,Northwind Traders B.V.,EUR,2024-03-01,2,Docking station,two,150.00\n"
    "PO-1,Northwind Traders B.V.,EUR,2024-03-01,3,Docking station,2,150.00\n"
    "PO-2,Nobody Inc,EUR,,1,Chairs,3,80\n"
    "PO-3,DE136695976,EUR,,1,Chairs,3,80\n"
)


def test_csv_import_reports_bad_rows_and_keeps_the_good_ones(env):
    with api_client() as client:
        response = client.post("/api/v1/invoices/vendors/import",
                               files={"file": ("vendors.csv", VENDORS_CSV.encode(), "text/csv")})
        assert response.status_code == 200, response.text
        result = response.json()
        assert (result["created"], result["updated"]) == (2, 0)
        assert [problem["row"] for problem in result["rejected"]] == [3, 5]
        assert "IBAN" in result["rejected"][0]["reason"] and "name is empty" in result["rejected"][1]["reason"]
        assert sorted(vendor["name"] for vendor in client.get("/api/v1/invoices/vendors").json()) == \
            ["Fabrikam GmbH", "Northwind Traders B.V."]
        orders = client.post("/api/v1/invoices/purchase-orders/import",
                             files={"file": ("pos.csv", ORDERS_CSV.encode(), "text/csv")}).json()
        assert [(problem["row"], problem["reason"].split(" ")[0]) for problem in orders["rejected"]] == \
            [(3, "quantity"), (5, "no")]
        listed = {order["number"]: order for order in client.get("/api/v1/invoices/purchase-orders").json()}
        assert [line["line_number"] for line in listed["PO-1"]["lines"]] == [1, 3] and "PO-3" in listed
        missing = client.post("/api/v1/invoices/vendors/import",
                              files={"file": ("v.csv", b"vendor;iban\nx;y\n", "text/csv")})
        assert_error(missing, 400, "CSV_COLUMNS_MISSING")


def test_cli_import_prints_rejected_rows(env, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "vendors.csv"
    path.write_text(VENDORS_CSV, encoding="utf-8")
    result = runner.invoke(app, ["invoices", "import", "vendors", str(path)])
    assert result.exit_code == 1, result.output
    assert "2 created, 0 updated, 2 rejected" in result.output
    again = runner.invoke(app, ["invoices", "import", "vendors", str(path)])
    assert "0 created, 2 updated" in again.output
    assert runner.invoke(app, ["invoices", "import", "customers", str(path)]).exit_code == 1


def test_a_vendor_name_is_taken_once_in_any_letters(any_env):
    """Names outside ASCII too: the database's lower() and Python's differ for 'Ú', the answer may not."""
    with api_client() as client:
        assert client.post("/api/v1/invoices/vendors", json={"name": "Ústí Ávila Kft"}).status_code == 201
        for name in ("Ústí Ávila Kft", "ústí ávila kft", "ÚSTÍ ÁVILA KFT"):
            assert_error(client.post("/api/v1/invoices/vendors", json={"name": name}), 409, "VENDOR_EXISTS")
