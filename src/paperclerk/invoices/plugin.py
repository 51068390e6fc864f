"""The accounts-payable invoice line as the core sees it: tables, analyzer, routers, pages, commands, the
``invoice`` and ``receipt`` kinds, navigation and migrations (see ``paperclerk.core.lines``)."""

from __future__ import annotations

from paperclerk.core.lines import DocumentKind, EventType, NavItem, ProductLine

INVOICE = DocumentKind("invoice", "Invoice", {
    "invoice": 2, "tax invoice": 2, "invoice (?:no|number|#)": 3, "amount due": 2, "total due": 2,
    "bill to": 1.5, "due date": 1, "vat": 1, "subtotal": 1.5, "facture": 3, "tva": 1, "rechnung": 3,
    "mwst": 1, "ust": 0.5, "factuur": 3, "btw": 1, "factura": 3, "iva": 1, "remit to": 1.5, "iban": 1,
    # Credit notes are invoices with the opposite sign: the same kind, the same analyzer.
    "credit note": 3, "gutschrift": 3, "creditnota": 3, "nota de cr[ée]dito": 3, "avoir": 1.5,
    # Polish, Italian and Portuguese invoices, and India's GST.
    "faktura": 3, "fattura": 3, "fatura": 3, "do zap[łl]aty": 2, "partita iva": 1, "gstin": 1.5, "nip": 0.5,
    "imponibile": 1, "kwota vat": 1, "nota di credito": 3,
})
#: Till receipts: read by the same extractors and analyzer, checked without asking for an invoice number.
RECEIPT = DocumentKind("receipt", "Receipt", {
    "receipt": 2, "cash": 1, "change": 1.5, "rounding": 2, "round(?:ing)? adj\\w*": 2, "tender(?:ed)?": 2,
    "cashier": 2, "thank you": 1, "visa": 0.5, "mastercard": 0.5, "subtotal": 0.5, "total qty": 2,
    "item\\(?s\\)?": 0.5, "sdn\\.? bhd": 1, "gst summary": 2, "member": 0.5, "till": 1, "kassenbon": 3, "bon": 0.5,
    "quittung": 2, "ticket": 1, "re[çc]u": 2, "kassa": 1, "bonnummer": 2,
})

_INVOICE_PAGE = "/invoices/{subject_id}"


def _titles(happened: str) -> tuple[str, ...]:
    """An invoice event's titles: by number and vendor, by number, by vendor (see ``EventType.titles``)."""
    return (f"Invoice {{invoice_number}} from {{vendor_name}} {happened}", f"Invoice {{invoice_number}} {happened}",
            f"An invoice from {{vendor_name}} {happened}")


EVENTS = (
    EventType("invoice.uploaded", "An invoice was uploaded", link=_INVOICE_PAGE,
              titles=("Invoice file {filename} was uploaded",)),
    EventType("invoice.processed", "An invoice was read and checked", link=_INVOICE_PAGE,
              titles=_titles("was read and checked")),
    EventType("invoice.flagged", "An invoice needs review", in_app=True, link=_INVOICE_PAGE,
              titles=_titles("needs review")),
    EventType("invoice.corrected", "An invoice was corrected", link=_INVOICE_PAGE,
              titles=_titles("was corrected")),
    EventType("invoice.finding_dismissed", "A finding on an invoice was dismissed", link=_INVOICE_PAGE,
              titles=_titles("had a finding dismissed")),
    EventType("invoice.approved", "An invoice was approved", link=_INVOICE_PAGE,
              titles=_titles("was approved")),
    EventType("invoice.rejected", "An invoice was rejected", link=_INVOICE_PAGE,
              titles=_titles("was rejected")),
    EventType("invoice.exported", "An invoice was exported", link=_INVOICE_PAGE,
              titles=_titles("was exported")),
    EventType("vendor.created", "A vendor was added", link="/vendors/{subject_id}",
              titles=("Vendor {name} was added",)),
    EventType("vendor.updated", "A vendor was changed", link="/vendors/{subject_id}",
              titles=("Vendor {name} was changed",)),
    EventType("purchase_order.created", "A purchase order was added", link="/purchase-orders/{subject_id}",
              titles=("Purchase order {number} was added",)),
    EventType("purchase_order.updated", "A purchase order was changed", link="/purchase-orders/{subject_id}",
              titles=("Purchase order {number} was changed",)),
    EventType("goods_receipt.created", "A goods receipt was added",
              titles=("Goods receipt {number} was added",)),
    EventType("goods_receipt.updated", "A goods receipt was changed",
              titles=("Goods receipt {number} was changed",)),
)

LINE = ProductLine(
    name="invoices",
    title="Accounts-payable invoices",
    package="paperclerk.invoices",
    model_modules=("paperclerk.invoices.models",),
    task_modules=("paperclerk.invoices.analyzer", "paperclerk.invoices.llm_extractor"),
    # Master data first: /api/v1/invoices/vendors must not be read as the invoice called "vendors".
    api_routers=("paperclerk.invoices.api:masterdata_router", "paperclerk.invoices.api:router"),
    page_routers=("paperclerk.invoices.pages:router", "paperclerk.invoices.pages_rules:router",
                  "paperclerk.invoices.pages_masterdata:router", "paperclerk.invoices.pages_exports:router"),
    templates="templates",
    static="static",
    cli="paperclerk.invoices.cli:app",
    cli_aliases=("extract", "rules", "rule", "tolerance", "import", "export"),
    kinds=(INVOICE, RECEIPT),
    nav=(
        NavItem("invoices", "Invoices", "/invoices", "documents:read", 100),
        NavItem("vendors", "Vendors", "/vendors", "documents:read", 110),
        NavItem("orders", "Orders", "/purchase-orders", "documents:read", 120),
        NavItem("exports", "Exports", "/exports", "documents:export", 130),
        NavItem("rules", "Rules", "/rules", "documents:read", 140),
    ),
    events=EVENTS,
    migrations="migrations",
    document_links="paperclerk.invoices.service:document_links",
    deletion_guard="paperclerk.invoices.service:deletion_guard",
)
