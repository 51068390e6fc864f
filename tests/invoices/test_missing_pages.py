"""An invoice whose page markers ("Page 1 of 3") name pages the document lacks is flagged (INV-PAGE-001)."""

from __future__ import annotations

import pytest

from paperclerk.extraction.base import TEXT, ExtractedPage, Extraction
from paperclerk.invoices.page_markers import missing_pages
from tests.helpers import api_client
from tests.invoices.ap import finding, invoice_pdf, open_rules, upload_invoices


def _document(*texts: str) -> Extraction:
    return Extraction(media_type=TEXT, pages=[ExtractedPage(number, text, "text")
                                              for number, text in enumerate(texts, 1)])


@pytest.mark.parametrize(("texts", "expected"), [
    (("INVOICE 1\nPage 1 of 3",), "2, 3"),
    (("Rechnung\nSeite 1 von 2", "Seite 2 von 2"), None),
    (("Facture\nPage 1/3", "Page 3/3"), "2"),
    (("Factura\nPágina 1 de 2",), "2"),
    (("Invoice\nTotal 12.00",), None),  # no markers: nothing to say
    (("Invoice\nPage 1 of 2", "no marker on this page"), None),  # both pages arrived
    (("Invoice\nPage 1 of 2",), "2"),
    (("Invoice\nPage 9 of 2",), None),  # not a page marker
])
def test_missing_pages_are_named_from_the_markers(texts, expected):
    found = missing_pages(_document(*texts))
    assert (found.value if found else None) == expected
    if found:
        assert found.evidence is not None and found.evidence.text.lower().startswith(("page", "pág", "seite"))


def test_a_truncated_invoice_waits_for_review_until_a_person_clears_it(env):
    text = invoice_pdf(po=None, note="Page 1 of 2")
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("first-page-only.pdf", text))
        missing = finding(invoice, "INV-PAGE-001")
        assert missing["severity"] == "error" and "Page(s) 2" in missing["message"]
        assert missing["evidence"][0]["page"] == 1
        cleared = client.post(f"/api/v1/invoices/{invoice['id']}/corrections",
                              json={"field": "missing_pages", "value": None}).json()
        assert "INV-PAGE-001" not in open_rules(cleared)
