"""A notification's title names its subject ("Invoice INV-1001 from Northwind Traders B.V. needs review"), from the
event's payload, for every event of the invoice and legal e-billing lines; the type's description when the payload
cannot name it."""

from __future__ import annotations

from sqlalchemy import select

from paperclerk import plugins
from paperclerk.core import events
from paperclerk.core.db import session_scope
from paperclerk.core.events import Event
from paperclerk.core.lines import EventType
from paperclerk.notifications.messages import MAX_TITLE, describe, title
from tests.conftest import wait_until_final
from tests.helpers import api_client
from tests.invoices.ap import VENDOR, add_vendor, invoice_pdf

FLAGGED = EventType("invoice.flagged", "An invoice needs review",
                    titles=("Invoice {invoice_number} from {vendor_name} needs review",
                            "Invoice {invoice_number} needs review"))


def test_the_first_title_the_payload_fills_is_used() -> None:
    assert title({"invoice_number": "2024-117", "vendor_name": "Smith & Jones"}, FLAGGED) == \
        "Invoice 2024-117 from Smith & Jones needs review"
    assert title({"invoice_number": "2024-117", "vendor_name": None}, FLAGGED) == "Invoice 2024-117 needs review"
    assert title({"invoice_number": "", "vendor_name": "Smith & Jones"}, FLAGGED) == "An invoice needs review"
    assert title({}, FLAGGED) == "An invoice needs review"
    long = title({"invoice_number": "9" * 400}, FLAGGED)
    assert len(long) == MAX_TITLE and long.endswith("…")


def test_every_invoice_and_legal_billing_event_can_name_its_subject() -> None:
    lines = {line.name: line for line in plugins.lines()}
    for name in ("invoices", "legal_billing"):
        unnamed = [event.name for event in lines[name].events if not event.titles]
        assert unnamed == [], f"{name}: events without a title naming their subject: {unnamed}"


def test_the_invoice_events_name_the_invoice_and_its_vendor(env) -> None:
    with api_client() as client:
        add_vendor(client, tax_id="NL999999999B01")  # an error finding: the invoice needs review
        uploaded = client.post("/api/v1/invoices/upload",
                               files=[("files", ("inv.pdf", invoice_pdf(po=None), "application/pdf"))])
        (item,) = uploaded.json()["documents"]
        wait_until_final([item["id"]])
        assert client.post(f"/api/v1/invoices/{item['invoice_id']}/reject", json={"reason": "Not ours"}).status_code \
            == 200
    declared = events.declared()
    with session_scope(readonly=True) as session:
        titles = {event.name: describe(event, declared[event.name]).title
                  for event in session.scalars(select(Event).order_by(Event.id))}
    assert titles["invoice.uploaded"] == "Invoice file inv.pdf was uploaded"
    assert titles["invoice.flagged"] == f"Invoice INV-1001 from {VENDOR} needs review"
    assert titles["invoice.rejected"] == f"Invoice INV-1001 from {VENDOR} was rejected"
    assert titles["vendor.created"] == f"Vendor {VENDOR} was added"
