"""The LEDES files the tests read (written here from the public LEDES format descriptions) and ways to break them."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.orm import Session

DATA = Path(__file__).parent / "data"
LEDES_1998B = DATA / "ledes1998b_two_invoices.txt"
LEDES_98BI = DATA / "ledes98bi_v2.txt"
LEDES_XML_20 = DATA / "ledes_xml_20.xml"
LEDES_XML_21 = DATA / "ledes_xml_21.xml"


def lines_1998b() -> list[str]:
    """The 1998B sample's physical lines (CRLF line ends removed)."""
    return LEDES_1998B.read_bytes().decode().split("\r\n")


def replace_field(line: str, index: int, value: str) -> str:
    """``line`` (a 1998B record ending in ``[]``) with field ``index`` (0-based) replaced."""
    fields = line[:-2].split("|")
    fields[index] = value
    return "|".join(fields) + "[]"


def legal_invoice(organization_id: str, session: Session | None = None) -> str:
    """A stored, reviewed law-firm invoice (the 1998B sample's first, under a fresh number) in ``organization_id``."""
    from paperclerk.core.db import session_scope
    from paperclerk.legal_billing import service
    from paperclerk.legal_billing.ledes import read_ledes

    def store(into: Session) -> str:
        invoice = read_ledes(LEDES_1998B.read_bytes())[0]
        invoice.invoice_number = f"M-{uuid.uuid4().hex[:10]}"
        return service.store(into, organization_id, None, invoice).id

    if session is not None:
        return store(session)
    with session_scope() as fresh:
        return store(fresh)
