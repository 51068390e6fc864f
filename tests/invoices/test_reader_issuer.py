"""Who issued a real-world invoice: the party beside 'Provided by' in a row of block labels, never the customer
whose name is printed again elsewhere, and the legal entity of the footer or sender line over a product name."""

from __future__ import annotations

from decimal import Decimal

from paperclerk.extraction.base import TEXT, ExtractedPage, Extraction, TextSegment
from paperclerk.invoices.layout import extract_layout

Row = list[tuple[str, float]]


def _positioned(rows: list[tuple[float, Row]]) -> Extraction:
    """A text-layer page from (y, [(text, x), …]) rows, one line per row in the order given (a text layer may emit
    a right-hand column after the left one)."""
    lines, segments, offset = [], [], 0
    for y, row in rows:
        parts = []
        for text, x in row:
            if parts:
                offset += 1
            segments.append(TextSegment(offset, offset + len(text), (x, y, x + 5.0 * len(text), y + 6.0)))
            parts.append(text)
            offset += len(text)
        lines.append(" ".join(parts))
        offset += 1
    return Extraction(media_type="application/pdf",
                      pages=[ExtractedPage(1, "\n".join(lines), "text_layer", 595, 842, segments)])


def test_blocks_under_a_row_of_labels_are_read_by_column() -> None:
    """'BILLED TO:' and 'PROVIDED BY:' on one line, the two blocks under them emitted one after the other and set
    apart from the labels: the supplier is the block under 'Provided by', and the customer's VAT number is theirs."""
    extraction = _positioned([
        (23, [("BILLED TO:", 22), ("PRODUCT(S) PROVIDED BY:", 310)]),
        (45, [("Felix Wolf", 22)]), (55, [("SimFin Analytics GmbH", 22)]), (64, [("Pfälzer Ufer 4", 22)]),
        (73, [("Halle 06108", 22)]), (82, [("VAT number: DE355369209", 22)]),
        (62, [("Semrush Inc.", 310)]), (71, [("www.semrush.com", 310)]),
        (80, [("800 Boylston Street, Suite 2475", 310)]), (90, [("Boston, MA 02199, USA", 310)]),
        (140, [("INVOICE: 123-456", 22)]), (160, [("TOTAL 119.95 USD", 22)]),
    ])
    result = extract_layout(extraction)
    assert result.value("vendor_name") == "Semrush Inc."
    assert result.value("customer_name") == "Felix Wolf"
    assert result.value("vendor_tax_id") is None  # DE355369209 is the customer's
    assert result.value("total") == Decimal("119.95")


def test_the_customers_name_printed_outside_its_block_is_not_the_issuer() -> None:
    """A SaaS receipt prints the customer's company at the top without a label and again under 'Billing Contact';
    the issuer is the company of the footer's legal line and web address."""
    text = "\n".join([
        "Tax Invoice / Receipt", "Invoice Number: AT-215508940", "Date Issued: Dec 28, 2022",
        "SimFin Analytics GmbH", "Pfälzer Ufer 4", "Halle (Saale) ST 06108", "Germany",
        "Billing Contact:", "Thomas Flassbeck", "SimFin Analytics GmbH", "t.flassbeck@simfin.com",
        "Invoice Total: USD 47.90", "Thank you for your payment!",
        "Atlassian Pty Ltd, Level 6, 341 George St, Sydney NSW 2000, Australia",
        "https://www.atlassian.com/contact",
    ])
    result = extract_layout(Extraction(media_type=TEXT, pages=[ExtractedPage(1, text, "text")]))
    assert result.value("vendor_name") == "Atlassian Pty Ltd"


def test_the_legal_entity_beats_a_product_name_that_matches_the_web_domain() -> None:
    """The letterhead shows the product ('CCM19 - Cookie Consent Management', www.ccm19.de); the company that
    issues the invoice is the one of the sender line and the legal line, with its register and VAT numbers."""
    dash = "\u2013"  # the en dash letterheads print between the parts of a one-line address
    text = "\n".join([
        f"Papoo Software & Media GmbH {dash} Auguststr. 4 {dash} 53229 Bonn",
        "Papoo Software & Media GmbH, Auguststr. 4, 53229 Bonn, HRB 22721 Bonn",
        "Ust-ID: DE310616179 | Web: www.ccm19.de",
        f"CCM19 {dash} Cookie Consent Management",
        "E-Mail: info@ccm19.de",
        "SimFin Analytics GmbH", "Pfälzer Ufer 4", "06108 Halle",
        "RechnungsNr: 70128793", "Datum: 01.11.2023",
        "Summe brutto (in EURO) 202,80",
    ])
    result = extract_layout(Extraction(media_type=TEXT, pages=[ExtractedPage(1, text, "text")]))
    assert result.value("vendor_name") == "Papoo Software & Media GmbH"
    assert result.value("vendor_address") == "Auguststr. 4, 53229 Bonn"
    assert result.value("customer_name") != "Papoo Software & Media GmbH"


def test_a_receipts_merchant_is_its_first_name_line_not_a_town_or_an_item() -> None:
    """The learned ranker (issuer_weights.json): the merchant printed first, over the town of its address and the
    first item line."""
    for lines, merchant in (
        (["Sushi Garden Restaurant", "4269 Lougheed Hwy", "Burnaby, (604)294-0104", "Order #134 T 22",
          "Date: 06-Aug-2015", "1X Ala Roll", "1 X Sal Sashimi 1/2", "Total 27.30"], "Sushi Garden Restaurant"),
        (["Aloha Pali", "1247 Kailua Road", "Kailua, HI 96734", "Jun 15 12:47:59", "Pump 03", "UNLEADED",
          "Total $25.00"], "Aloha Pali"),
    ):
        result = extract_layout(Extraction(media_type=TEXT, pages=[ExtractedPage(1, "\n".join(lines), "text")]))
        assert result.value("vendor_name") == merchant


def test_the_ranker_is_fitted_deterministically_and_ranks_the_right_line_first() -> None:
    import numpy as np
    from benchmarks.train_issuer import fit, top1

    from paperclerk.invoices.layout import issuer

    rng = np.random.default_rng(3)
    features, rights = [], []
    for _ in range(30):
        values = rng.random((6, len(issuer.FEATURES)))
        right = np.zeros(6)
        right[int(rng.integers(6))] = 1.0
        values[right > 0, issuer.FEATURES.index("legal_form")] += 2.0  # the right line has what speaks for it
        features.append(values)
        rights.append(right)
    first, second = fit(features, rights), fit(features, rights)
    assert first[0] == second[0] and (first[1] == second[1]).all()
    assert top1(features, rights, *first) == 1.0
    assert issuer.score(tuple(0.0 for _ in issuer.FEATURES)) == issuer._weights()[0]
