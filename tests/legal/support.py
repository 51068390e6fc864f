"""Objects the legal line's access rows and browser walk start from, made directly through the services (no
pipeline): a case, a registry document with two versions, a stored analysis, a saved search."""

from __future__ import annotations

import uuid
from datetime import date

from paperclerk.auth.principal import system_actor
from paperclerk.core.db import session_scope
from paperclerk.documents.models import Document, Page
from paperclerk.legal import cases, findings, registry
from paperclerk.legal.analysis.types import Clause, Deadline, Entity, LegalAnalysis, Risk, Span
from paperclerk.legal.models import SavedSearch
from tests.page_matrix import stored_document

CLAUSE_TEXT = "This Agreement is governed by the laws of the State of New York."
PAGE_TEXT = f"SERVICES AGREEMENT\n\nBetween Acme Corp and Beta LLC.\n\n{CLAUSE_TEXT}\n\nReport due 2027-03-15."


def stored_case(organization_id: str, number: str | None = None) -> str:
    with session_scope() as session:
        case = cases.create_case(session, organization_id, cases.CaseValues(
            number=number or f"M-{uuid.uuid4().hex[:8]}", title="Matrix v. Rival",
            parties=[cases.PartyValue("Acme Corp", "plaintiff")]),
            actor=system_actor("test", organization_id=organization_id))
        return case.id


def _with_text(document_id: str, text: str) -> None:
    with session_scope() as session:
        session.add(Page(document_id=document_id, number=1, text=text, method="text"))
        session.get(Document, document_id).kind = "contract"  # type: ignore[union-attr]


def filed_entry(organization_id: str, case_id: str) -> str:
    """A registry document with two versions whose texts differ by one paragraph; its entry id."""
    first = stored_document(organization_id, f"{PAGE_TEXT} {uuid.uuid4()}".encode(), name="msa.txt")
    second = stored_document(organization_id, f"{PAGE_TEXT} {uuid.uuid4()}".encode(), name="msa-v2.txt")
    _with_text(first, PAGE_TEXT)
    _with_text(second, PAGE_TEXT.replace("New York", "Delaware"))
    actor = system_actor("test", organization_id=organization_id)
    with session_scope() as session:
        documents = {document.id: document for document in session.query(Document).filter(
            Document.id.in_([first, second]))}
        version = registry.file_document(session, organization_id, case_id, documents[first], folder="/contracts",
                                         title="MSA", actor=actor)
        registry.file_document(session, organization_id, case_id, documents[second], folder=None,
                               version_of=version.entry_id, actor=actor)
        return version.entry_id


def analysed(document_id: str) -> str:
    """Store an analysis of the document (a clause, a party, a risk, a deadline); the clause's finding id."""
    start = PAGE_TEXT.index(CLAUSE_TEXT)
    due = PAGE_TEXT.index("Report due")
    analysis = LegalAnalysis(
        "services", 0.9, entities=(Entity("party", Span(1, 28, 37, "Acme Corp"), value="Acme Corp", role="customer"),),
        clauses=(Clause("Governing Law", Span(1, start, start + len(CLAUSE_TEXT), CLAUSE_TEXT), 0.9),),
        risks=(Risk("LEGAL-CAP-MISSING", "Cap On Liability", "warning", "No cap on liability."),),
        deadlines=(Deadline("Report due", Span(1, due, due + 21, PAGE_TEXT[due:due + 21]), due=date(2027, 3, 15)),))
    with session_scope() as session:
        document = session.get(Document, document_id)
        assert document is not None
        findings.store(session, document, analysis, processing_ms=12.5)
        session.flush()
        (clause,) = findings.stored(session, document.organization_id, document_id).clauses  # type: ignore[union-attr]
        return clause.id


def saved_search(organization_id: str) -> str:
    with session_scope() as session:
        item = SavedSearch(organization_id=organization_id, name="Governing law", query="governing law",
                           filters=[], last_results=[])
        session.add(item)
        session.flush()
        return item.id
