"""Fixtures of the legal document line's tests: sample documents written here, a case, and the pipeline's legal
analyzer reading them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date

import pytest

from paperclerk.legal.analysis.types import Clause, Deadline, Entity, LegalAnalysis, Risk, Span
from paperclerk.legal.analyzer import LegalDocumentAnalyzer
from paperclerk.pipeline.analyzers import register_analyzer, unregister_analyzer
from tests.notifications.conftest import mailbox  # noqa: F401  (a real SMTP server)
from tests.web.conftest import admin, browse, client, make_client  # noqa: F401  (page fixtures)

CONTRACT_V1 = """MASTER SERVICES AGREEMENT

This Agreement is made between Acme Corp (the Customer) and Beta Services LLC (the Provider). The parties agree
as follows.

1. Services. The Provider shall deliver the services described in Schedule A with reasonable skill and care.

2. Term and termination. Either party may terminate this Agreement for convenience on ninety days written notice.

3. Governing law. This Agreement is governed by the laws of the State of New York.

4. Deliverables. The Provider shall deliver the first report on or before 2027-03-15.

IN WITNESS WHEREOF the parties have signed this Agreement.
"""

CONTRACT_V2 = CONTRACT_V1.replace("ninety days", "thirty days").replace(
    "IN WITNESS WHEREOF", "5. Confidentiality. Each party keeps the other's information confidential.\n\n"
    "IN WITNESS WHEREOF")

MOTION = """UNITED STATES DISTRICT COURT

Acme Corp, Plaintiff, v. Beta Services LLC, Defendant. Case No. 24-cv-117.

MOTION TO COMPEL DISCOVERY

Plaintiff respectfully requests that the Court compel the Defendant to produce the service reports. The defendant
shall respond on or before 2027-02-01. The plaintiffs prayer for relief is set out below.
"""

_PATTERNS = (
    ("clause", "Governing Law", re.compile(r"[^.\n]*governed by the laws of[^.]*\.")),
    ("clause", "Termination For Convenience", re.compile(r"[^.\n]*terminate this Agreement for convenience[^.]*\.")),
    ("party", "Customer", re.compile(r"Acme Corp")),
    ("party", "Provider", re.compile(r"Beta Services LLC")),
)
_DUE = re.compile(r"(?P<what>[^.\n]*?) on or before (?P<due>\d{4}-\d{2}-\d{2})")


def read_by_patterns(pages: Sequence[str]) -> LegalAnalysis:
    """Stands in for ``legal.analysis.analyze`` (built by the line's analysis half): the spans it gives are exact
    offsets into the page text the pipeline stores, which is what the storage, pages and search are tested on."""
    entities: list[Entity] = []
    clauses: list[Clause] = []
    deadlines: list[Deadline] = []
    for number, text in enumerate(pages, 1):
        for kind, label, pattern in _PATTERNS:
            for match in pattern.finditer(text):
                span = Span(number, match.start(), match.end(), match.group())
                if kind == "clause":
                    clauses.append(Clause(label, span, 0.9))
                else:
                    entities.append(Entity("party", span, value=match.group(), role=label.lower()))
        for match in _DUE.finditer(text):
            span = Span(number, match.start(), match.end(), match.group())
            deadlines.append(Deadline(match["what"].strip(), span, due=date.fromisoformat(match["due"])))
    joined = "\n".join(pages)
    legal_type = "motion" if "MOTION" in joined else "services"
    risks = () if clauses else (Risk("LEGAL-CLAUSE-MISSING", "Governing Law", "warning", "No governing law clause."),)
    return LegalAnalysis(legal_type, 0.8, tuple(entities), tuple(clauses), risks, tuple(deadlines), elapsed_ms=1.0)


@pytest.fixture
def legal_analyzer() -> Iterator[LegalDocumentAnalyzer]:
    analyzer = LegalDocumentAnalyzer(read_by_patterns)
    register_analyzer(analyzer)
    yield analyzer
    unregister_analyzer(analyzer.name)
