"""LEDES files through the document pipeline: stored and reviewed as legal invoices; a broken file fails with
LEDES_MALFORMED and its errors while the rest of the batch goes on."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from paperclerk.core.db import session_scope
from paperclerk.core.events import Event
from paperclerk.legal_billing.models import LegalInvoice
from tests.helpers import api_client, upload_and_wait
from tests.legal_billing.ledes_samples import LEDES_98BI, LEDES_1998B, lines_1998b


def test_batch_with_a_broken_file(env) -> None:
    lines = lines_1998b()
    lines[3] = lines[3].replace("|F|1.50|", "|F|1.5O|")
    with api_client() as client:
        good, broken, bi = upload_and_wait(client, ("january.txt", LEDES_1998B.read_bytes()),
                                           ("broken.txt", "\r\n".join(lines).encode()),
                                           ("gb.txt", LEDES_98BI.read_bytes()))
    assert (good["status"], good["kind"]) == ("needs_review", "legal_invoice"), good
    assert broken["status"] == "failed" and broken["error"]["code"] == "LEDES_MALFORMED", broken
    assert "line 4, field LINE_ITEM_NUMBER_OF_UNITS" in broken["error"]["message"]
    assert bi["status"] in ("processed", "needs_review") and bi["kind"] == "legal_invoice"
    with session_scope() as session:
        invoices = session.scalars(select(LegalInvoice).order_by(LegalInvoice.invoice_number)).all()
        assert [invoice.invoice_number for invoice in invoices] == ["GB-5521", "INV-1001", "INV-1002"]
        assert invoices[1].total == Decimal("2317.50") and len(invoices[1].lines) == 5
        assert {invoice.document_id for invoice in invoices} == {good["id"], bi["id"]}
        names = set(session.scalars(select(Event.name)))
        assert "legal.invoice.processed" in names
