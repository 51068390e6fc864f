"""Provisional cues for document kinds that no product line owns yet, so that the classifier already tells
them apart; a line that declares one of these kinds (``ProductLine.kinds``) replaces its cues here, and the
entry can then go."""

from __future__ import annotations

from paperclerk.core.lines import DocumentKind

PROVISIONAL_KINDS = (
    DocumentKind("feedback", "Customer feedback", {
        "feedback": 2, "customer": 1, "review": 1, "service was": 2, "stars?": 1, "recommend": 1.5,
        "disappointed": 2, "experience": 1, "staff": 1, "satisf\\w*": 1, "complain\\w*": 1,
    }, provisional=True),
)
