"""What a configured language model adds to the line: case and document summaries, clause explanations, and answers
to questions about a case that cite the passages they rest on. Every call goes through ``paperclerk.ai.service``
(cache, budget, accounting; ``LLM_NOT_CONFIGURED`` without a model, ``ML_001`` when it does not answer); an answer
that cites none of the passages it was given is not an answer."""

from __future__ import annotations

import html
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from paperclerk.ai import service as ai
from paperclerk.documents.models import Document, Page
from paperclerk.legal import registry, searches
from paperclerk.legal.models import Case, DocumentFinding
from paperclerk.search.hybrid import PassageHit

#: Characters of a document's text a summary reads (the start of a long document says what it is).
DOCUMENT_CHARS = 12_000
#: Characters of each document a case summary reads.
CASE_DOCUMENT_CHARS = 1_500
CASE_DOCUMENTS = 12
QUESTION_PASSAGES = 8
SYSTEM = ("You assist lawyers. Answer in plain English, precisely and briefly. Use only the text you are given; "
          "never invent facts, parties, dates or citations.")
ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"},
                   "citations": {"type": "array", "items": {"type": "integer", "minimum": 1}}},
    "required": ["answer", "citations"],
}


def _text_of(session: Session, document_id: str, limit: int) -> str:
    text = "\n\n".join(session.scalars(select(Page.text).where(Page.document_id == document_id)
                                       .order_by(Page.number)))
    return text[:limit]


def summarize_document(session: Session, organization_id: str, document: Document) -> str:
    text = _text_of(session, document.id, DOCUMENT_CHARS)
    reply = ai.complete(session, organization_id, [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Summarise this legal document ({document.filename}) in at most 150 words: "
                                    f"its type, the parties, what it decides or requires, and key dates.\n\n{text}"}],
        purpose="legal.document_summary")
    return reply.text.strip()


def summarize_case(session: Session, organization_id: str, case: Case) -> str:
    parts = [f"Case {case.number}: {case.title}", f"Court: {case.court or 'unknown'}; status: {case.status}",
             "Parties: " + "; ".join(f"{party.name} ({party.role or 'party'})" for party in case.parties)]
    for entry in registry.entries(session, organization_id, case.id)[:CASE_DOCUMENTS]:
        document_id = registry.current(entry).document_id
        parts.append(f"--- {entry.folder}/{entry.title}\n{_text_of(session, document_id, CASE_DOCUMENT_CHARS)}")
    reply = ai.complete(session, organization_id, [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Summarise this case in at most 200 words: what it is about, where it stands "
                                    "and what comes next.\n\n" + "\n\n".join(parts)}],
        purpose="legal.case_summary")
    return reply.text.strip()


def explain_clause(session: Session, organization_id: str, clause: DocumentFinding) -> str:
    reply = ai.complete(session, organization_id, [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Explain to a non-lawyer what this \"{clause.label}\" clause means and what to "
                                    f"watch out for, in at most 120 words.\n\n{clause.text or ''}"}],
        purpose="legal.clause_explanation")
    return reply.text.strip()


NO_MODEL = "No language model is configured (PAPERCLERK_LLM_URL and PAPERCLERK_LLM_MODEL)."


@dataclass(frozen=True)
class Answer:
    question: str
    #: ``None`` without a model, or when the model's reply cited no passage it was given (then ``note`` says why).
    text: str | None
    cited: list[PassageHit]
    passages: list[PassageHit]
    note: str | None = None


def answer(session: Session, organization_id: str, case: Case, question: str) -> Answer:
    """Find the case's passages nearest the question and ask the model to answer from them only, citing them by
    number; keep the citations that name a passage it was given. Without a model, the passages alone."""
    passages = searches.search(session, organization_id, question, [f"case:{case.number}"],
                               limit=QUESTION_PASSAGES)
    if not passages:
        return Answer(question, None, [], [], "No passage of this case answers the question.")
    if not ai.llm_configured():
        return Answer(question, None, [], passages, f"{NO_MODEL} The nearest passages are listed.")
    numbered = "\n\n".join(f"[{number}] ({hit.filename}, page {hit.page}) {_plain(hit.text)}"
                           for number, hit in enumerate(passages, 1))
    reply = ai.structured(session, organization_id, [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Passages from case {case.number} ({case.title}):\n\n{numbered}\n\n"
                                    f"Question: {question}\n\nAnswer from these passages only. Give 'answer' and "
                                    "'citations': the numbers of the passages the answer rests on. If they do not "
                                    "answer the question, say so and give no citations."}],
        ANSWER_SCHEMA, purpose="legal.question")
    cited = [passages[number - 1] for number in dict.fromkeys(reply["citations"]) if 1 <= number <= len(passages)]
    if not cited:
        return Answer(question, None, [], passages,
                      "The model's reply cited none of the case's passages, so it is not shown as an answer.")
    return Answer(question, reply["answer"].strip(), cited, passages)


def _plain(marked: str) -> str:
    """A hit's text without the highlight marks and HTML escapes (the model reads plain text)."""
    return html.unescape(marked.replace("<mark>", "").replace("</mark>", ""))
