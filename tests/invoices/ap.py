"""Helpers for the AP-invoice tests: invoice PDFs built in code, uploads through the API, master data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from paperclerk import samples
from tests.conftest import wait_until_final
from tests.invoices.generate import iban

IBAN = iban("NL", "ABNA0417164300")
OTHER_IBAN = iban("DE", "370400440532013000")
VENDOR = "Northwind Traders B.V."
TAX_ID = "NL004495445B01"
LINES = (("Consulting hours", 10, "95.00"), ("Docking station", 2, "150.00"))


def invoice_pdf(number: str = "INV-1001", *, vendor: str = VENDOR, iban_: str = IBAN, po: str | None = "PO-7781",
                lines: tuple[tuple[str, int, str], ...] = LINES, issued: str = "14/03/2024", note: str = "") -> bytes:
    """An English invoice PDF: 21 % VAT, totals that add up, IBAN and BIC in the footer."""
    rows, subtotal = [], Decimal(0)
    for description, quantity, price in lines:
        amount = Decimal(price) * quantity
        subtotal += amount
        rows.append(f"{description}  {quantity}  {price}  {amount:.2f}")
    tax = (subtotal * Decimal("0.21")).quantize(Decimal("0.01"))
    text = [vendor, "Keizersgracht 221, 1016 DV Amsterdam", f"VAT No: {TAX_ID}", "", "INVOICE", "",
            f"Invoice No.: {number}", f"Invoice date: {issued}", "Due date: 13/04/2024",
            *([f"PO number: {po}"] if po else []), "", "Bill to: Contoso Retail", "",
            "Description  Qty  Unit price  Amount", *rows, "", f"Subtotal: EUR {subtotal:.2f}",
            f"VAT 21%: EUR {tax:.2f}", f"Total: EUR {subtotal + tax:.2f}", "", f"IBAN: {iban_}   BIC: ABNANL2A", note]
    return samples.text_pdf(["\n".join(text)])


def upload_invoices(client: TestClient, *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    """Upload through /api/v1/invoices/upload, wait for processing, return each file's invoice detail."""
    response = client.post("/api/v1/invoices/upload",
                           files=[("files", (name, data, "application/pdf")) for name, data in files])
    assert response.status_code == 202, response.text
    document_ids = [document["id"] for document in response.json()["documents"]]
    wait_until_final(document_ids)
    return [client.get(f"/api/v1/invoices/{invoice_id_for(document_id)}").json() for document_id in document_ids]


def invoice_id_for(document_id: str) -> str:
    from paperclerk.core.db import session_scope
    from paperclerk.invoices.models import Invoice

    with session_scope(readonly=True) as session:
        return session.scalars(select(Invoice.id).where(Invoice.document_id == document_id)).one()


def add_vendor(client: TestClient, **values: Any) -> dict[str, Any]:
    body = {"name": VENDOR, "tax_id": TAX_ID, "iban": IBAN, "bic": "ABNANL2A", "country": "NL", **values}
    response = client.post("/api/v1/invoices/vendors", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def open_rules(invoice: dict[str, Any]) -> set[str]:
    return {finding["rule_id"] for finding in invoice["findings"] if finding["status"] == "open"}


def finding(invoice: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(item for item in invoice["findings"] if item["rule_id"] == rule_id and item["status"] == "open")
