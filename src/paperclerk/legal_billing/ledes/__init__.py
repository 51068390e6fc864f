"""LEDES readers: 1998B and 1998BI (pipe-delimited) and XML Ebilling 2.0 / 2.1, told apart from the content.

:func:`read_ledes` returns every invoice in a file or raises :class:`LedesMalformed` listing each error with the
line and field it concerns; :func:`sniff_ledes` names the format without parsing.
"""

from __future__ import annotations

from paperclerk.legal_billing.ledes.model import (
    EXPENSE,
    EXPENSE_ADJUSTMENT,
    FEE,
    FEE_ADJUSTMENT,
    LedesError,
    LedesInvoice,
    LedesLine,
    LedesMalformed,
)
from paperclerk.legal_billing.ledes.read import read_ledes, sniff_ledes

__all__ = ["EXPENSE", "EXPENSE_ADJUSTMENT", "FEE", "FEE_ADJUSTMENT", "LedesError", "LedesInvoice", "LedesLine",
           "LedesMalformed", "read_ledes", "sniff_ledes"]
