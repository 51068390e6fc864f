"""The accounts-payable invoice line as the core sees it: tables, analyzer, routers, pages, commands, the
``invoice`` kind, navigation and migrations (see ``paperclerk.core.lines``)."""

from __future__ import annotations

from paperclerk.core.lines import DocumentKind, NavItem, ProductLine

INVOICE = DocumentKind("invoice", "Invoice", {
    "invoice": 2, "tax invoice": 2, "invoice (?:no|number|#)": 3, "amount due": 2, "total due": 2,
    "bill to": 1.5, "due date": 1, "vat": 1, "subtotal": 1.5, "facture": 3, "tva": 1, "rechnung": 3,
    "mwst": 1, "ust": 0.5, "factuur": 3, "btw": 1, "factura": 3, "iva": 1, "remit to": 1.5, "iban": 1,
    # Credit notes are invoices with the opposite sign: the same kind, the same analyzer.
    "credit note": 3, "gutschrift": 3, "creditnota": 3, "nota de cr[ée]dito": 3, "avoir": 1.5,
})

LINE = ProductLine(
    name="invoices",
    title="Accounts-payable invoices",
    package="paperclerk.invoices",
    model_modules=("paperclerk.invoices.models",),
    task_modules=("paperclerk.invoices.analyzer",),
    # Master data first: /api/v1/invoices/vendors must not be read as the invoice called "vendors".
    api_routers=("paperclerk.invoices.api:masterdata_router", "paperclerk.invoices.api:router"),
    page_routers=("paperclerk.invoices.pages:router", "paperclerk.invoices.pages_rules:router",
                  "paperclerk.invoices.pages_masterdata:router", "paperclerk.invoices.pages_exports:router"),
    templates="templates",
    static="static",
    cli="paperclerk.invoices.cli:app",
    cli_aliases=("extract", "rules", "rule", "tolerance", "import", "export"),
    kinds=(INVOICE,),
    nav=(
        NavItem("invoices", "Invoices", "/invoices", "documents:read", 100),
        NavItem("vendors", "Vendors", "/vendors", "documents:read", 110),
        NavItem("orders", "Orders", "/purchase-orders", "documents:read", 120),
        NavItem("exports", "Exports", "/exports", "documents:export", 130),
        NavItem("rules", "Rules", "/rules", "documents:read", 140),
    ),
    migrations="migrations",
)
