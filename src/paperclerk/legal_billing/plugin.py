"""The legal e-billing line as the core sees it: the ``legal_invoice`` kind, tables, analyzer, routers, pages,
``paperclerk legal …`` commands, navigation and migrations (see ``paperclerk.core.lines``)."""

from __future__ import annotations

from paperclerk.core.lines import DocumentKind, EventType, NavItem, ProductLine

LEGAL_INVOICE = DocumentKind("legal_invoice", "Legal invoice", {
    # LEDES files name themselves on their first line and their fields in the header.
    "ledes1998b": 6, "ledes98bi": 6, "ledesxmlebilling\\d\\.\\d": 6, "line_item_task_code": 3,
    "timekeeper_classification": 2, "tk_level": 2, "acca_task": 2,
    # Law-firm bills on paper.
    "ledes": 5, "utbms": 4, "timekeeper": 3, "professional services rendered": 3, "legal services": 2,
    "fees for professional services": 3, "billing guidelines": 2, "matter (?:no|number|#)": 2, "attorney": 1,
    "counsel": 1, "hours": 0.5, "time entries": 2, "fee summary": 2, "timekeeper summary": 3,
}, refines="invoice")

_BILL_PAGE = "/legal/invoices/{subject_id}"


def _titles(happened: str, subject: str = "Invoice") -> tuple[str, ...]:
    """A bill's event titles: by number and firm, by number (see ``EventType.titles``)."""
    return (f"{subject} {{invoice_number}} from {{law_firm}} {happened}", f"{subject} {{invoice_number}} {happened}")


EVENTS = (
    EventType("legal.invoice.processed", "A law-firm bill was read and reviewed", link=_BILL_PAGE,
              titles=_titles("was read and reviewed")),
    EventType("legal.invoice.flagged", "A law-firm bill needs review", in_app=True, link=_BILL_PAGE,
              titles=_titles("needs review")),
    EventType("legal.invoice.approved", "A law-firm bill was approved", link=_BILL_PAGE,
              titles=_titles("was approved")),
    EventType("legal.invoice.rejected", "A law-firm bill was rejected", link=_BILL_PAGE,
              titles=_titles("was rejected")),
    EventType("legal.verification_complete", "Attorney verification of a bill finished", link=_BILL_PAGE,
              titles=_titles("verified", subject="Attorneys on invoice")),
)

LINE = ProductLine(
    name="legal_billing",
    title="Legal e-billing review",
    package="paperclerk.legal_billing",
    model_modules=("paperclerk.legal_billing.models",),
    task_modules=("paperclerk.legal_billing.analyzer",),
    api_routers=("paperclerk.legal_billing.api:router",),
    page_routers=("paperclerk.legal_billing.pages:router",),
    templates="templates",
    static="static",
    cli="paperclerk.legal_billing.cli:app",
    cli_group="legal",
    kinds=(LEGAL_INVOICE,),
    nav=(
        NavItem("legal_invoices", "Legal bills", "/legal/invoices", "documents:read", 200),
        NavItem("legal_dashboard", "Legal spend", "/legal/dashboard", "documents:read", 210),
    ),
    events=EVENTS,
    migrations="migrations",
    deletion_guard="paperclerk.legal_billing.service:deletion_guard",
    document_links="paperclerk.legal_billing.service:document_links",
)
