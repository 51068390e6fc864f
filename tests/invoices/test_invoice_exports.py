"""Exports of approved invoices: CSV with chosen columns, JSON, UBL that reads back; exported once only."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

from lxml import etree
from typer.testing import CliRunner

from paperclerk.cli import app
from paperclerk.core.db import session_scope
from paperclerk.invoices.einvoice import read_einvoice
from paperclerk.invoices.models import Invoice
from tests.helpers import api_client, assert_error
from tests.invoices.ap import IBAN, add_vendor, invoice_pdf, upload_invoices


def _approved(client, *numbers: str) -> list[dict]:
    add_vendor(client)
    invoices = upload_invoices(client, *((f"{number}.pdf", invoice_pdf(number, po=None)) for number in numbers))
    for invoice in invoices:
        assert client.post(f"/api/v1/invoices/{invoice['id']}/approve").status_code == 200
    return invoices


def test_csv_export_with_columns_marks_invoices_exported_once(env):
    with api_client() as client:
        first, second = _approved(client, "A-1", "B-2")
        with api_client(role="reviewer") as reviewer:
            assert_error(reviewer.post("/api/v1/invoices/exports", json={"format": "csv"}), 403, "FORBIDDEN")
        assert_error(client.post("/api/v1/invoices/exports", json={"format": "csv", "columns": ["password"]}),
                     400, "UNKNOWN_COLUMN")
        response = client.post("/api/v1/invoices/exports",
                               json={"format": "csv", "columns": ["invoice_number", "total", "vendor_iban"]})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["invoice_number", "total", "vendor_iban"]
        assert sorted(rows[1:]) == [["A-1", "1512.50", IBAN], ["B-2", "1512.50", IBAN]]
        assert_error(client.post("/api/v1/invoices/exports", json={"format": "csv"}), 409, "NOTHING_TO_EXPORT")
        detail = client.get(f"/api/v1/invoices/{first['id']}").json()
        assert detail["status"] == "exported" and detail["exported_at"]
        again = client.post("/api/v1/invoices/exports", json={"format": "json", "include_exported": True})
        assert again.status_code == 200 and again.headers["x-invoice-count"] == "2"
        exported = client.get("/api/v1/audit", params={"action": "invoice.export"}).json()
        assert exported["total"] == 4
    items = {item["invoice_number"]: item for item in json.loads(again.content)["invoices"]}
    assert items["B-2"]["total"] == "1512.50" and items["B-2"]["invoice_date"] == "2024-03-14"
    assert items["B-2"]["lines"][0] == {"position": 1, "description": "Consulting hours", "quantity": "10",
                                        "unit_price": "95", "amount": "950.00", "tax_rate": None}
    assert items["A-1"]["id"] == first["id"] and items["B-2"]["id"] == second["id"]


def test_ubl_export_is_well_formed_peppol_and_reads_back(env):
    with api_client() as client:
        (invoice,) = _approved(client, "INV-77")
        response = client.post("/api/v1/invoices/exports", json={"format": "ubl"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["INV-77.xml"]
        xml = archive.read("INV-77.xml")
    root = etree.fromstring(xml)
    assert etree.QName(root).localname == "Invoice"
    assert root.findtext("{*}CustomizationID").endswith("peppol.eu:2017:poacc:billing:3.0")
    back = read_einvoice(xml)
    assert back.value("invoice_number") == "INV-77" and back.value("currency") == "EUR"
    assert (back.value("subtotal"), back.value("tax_total"), back.value("total")) == \
        (Decimal("1250.00"), Decimal("262.50"), Decimal("1512.50"))
    assert back.value("vendor_iban") == IBAN and back.value("vendor_tax_id") == invoice["vendor_tax_id"]
    assert [(line.description, line.quantity, line.amount) for line in back.lines] == \
        [("Consulting hours", Decimal("10"), Decimal("950.00")), ("Docking station", Decimal("2"), Decimal("300.00"))]


def test_cli_export_writes_the_file_and_skips_exported_invoices(env, tmp_path):
    with api_client() as client:
        _approved(client, "C-3")
    out = tmp_path / "out.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["invoices", "export", "--format", "csv", "--out", str(out),
                                 "--columns", "invoice_number,total"])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines() == ['"invoice_number","total"', '"C-3","1512.50"']
    second = runner.invoke(app, ["invoices", "export", "--format", "csv", "--out", str(tmp_path / "again.csv")])
    assert second.exit_code == 1 and "NOTHING_TO_EXPORT" in second.output


def test_csv_cells_are_quoted_and_formulas_neutralised_after_any_separator(env):
    with api_client() as client:
        (invoice,) = _approved(client, "F-1")
        with session_scope() as session:  # what a hostile vendor could print on an invoice
            stored = session.get(Invoice, invoice["id"])
            stored.customer_name, stored.payment_terms = "Buyer;@SUM(1+1)", "Net 30\n=cmd|' /C calc'!A0"
        response = client.post("/api/v1/invoices/exports", json={
            "format": "csv", "columns": ["invoice_number", "customer_name", "payment_terms", "total"]})
    assert response.status_code == 200, response.text
    text = response.text
    assert text.splitlines()[0] == '"invoice_number","customer_name","payment_terms","total"'
    row = next(csv.reader(io.StringIO(text.split("\r\n", 1)[1])))
    assert row == ["F-1", "Buyer;'@SUM(1+1)", "Net 30\n'=cmd|' /C calc'!A0", "1512.50"]
    assert '"Buyer;\'@SUM(1+1)"' in text


def test_an_export_can_be_downloaded_again_by_its_organisation_only(env):
    with api_client() as client:
        _approved(client, "D-1")
        first = client.post("/api/v1/invoices/exports", json={"format": "json"})
        assert first.status_code == 200
        export_id = first.headers["x-export-id"]
        again = client.get(f"/api/v1/invoices/exports/{export_id}")
        assert again.status_code == 200 and again.content == first.content
        assert again.headers["content-disposition"] == first.headers["content-disposition"]
        assert again.headers["x-invoice-count"] == "1"
        assert_error(client.get("/api/v1/invoices/exports/no-such-export"), 404, "EXPORT_NOT_FOUND")
    with api_client(organization="globex") as rival:
        assert_error(rival.get(f"/api/v1/invoices/exports/{export_id}"), 404, "EXPORT_NOT_FOUND")
