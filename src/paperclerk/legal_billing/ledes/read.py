"""The one entry point: which LEDES format a file is (from its content), and its invoices."""

from __future__ import annotations

from paperclerk.extraction.text import decode_text
from paperclerk.legal_billing.ledes.model import LedesInvoice
from paperclerk.legal_billing.ledes.pipe import read_pipe, sniff_pipe
from paperclerk.legal_billing.ledes.xml import read_xml, sniff_xml

#: Larger LEDES files than this are refused (a year of a large matter's time entries is a few megabytes).
MAX_LEDES_BYTES = 50 * 1024 * 1024


def sniff_ledes(data: bytes | str) -> str | None:
    """``LEDES1998B``, ``LEDES98BI``, ``LEDES XML 2.0`` / ``2.1``, or None when the content is not LEDES."""
    text = data if isinstance(data, str) else decode_text(data[:8192])[0]
    return sniff_pipe(text) or sniff_xml(text)


def read_ledes(data: bytes | str) -> list[LedesInvoice]:
    """Every invoice in the file; raises ``LedesMalformed`` (line- and field-exact errors) for a broken file and
    ``ValueError`` for content that is not LEDES at all (ask :func:`sniff_ledes` first)."""
    if len(data) > MAX_LEDES_BYTES:
        raise ValueError(f"a LEDES file is limited to {MAX_LEDES_BYTES // (1024 * 1024)} MB")
    text = data if isinstance(data, str) else decode_text(data)[0]
    format_name = sniff_ledes(text)
    if format_name is None:
        raise ValueError("not a LEDES file")
    if format_name.startswith("LEDES XML"):
        return read_xml(text.encode("utf-8") if isinstance(data, str) else data, format_name)
    return read_pipe(text, format_name)
