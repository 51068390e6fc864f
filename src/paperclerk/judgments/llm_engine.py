"""The LLM engine: one prompt per section through the shared AI layer, each given the passages of the file and the
decided cases of the precedent store that bear on it, numbered. The model answers in a JSON schema naming the
passages (``P3``) and precedents (by citation) it rests on; a source it invents, a citation of a case neither the
store nor the file knows, and a quotation printed nowhere are removed (from the sources and the text) and counted in
``unsupported_removed``. Tokens are those the AI layer recorded for this draft."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from paperclerk.ai import service as ai
from paperclerk.ai.models import AIUsage
from paperclerk.ai.providers import Message
from paperclerk.judgments.casefile import CaseFile, Sentence
from paperclerk.judgments.draft import LABELS, Draft, Section
from paperclerk.judgments.outcome import Vectorizer
from paperclerk.judgments.precedent_engine import checked
from paperclerk.judgments.precedents import Match, PrecedentStore
from paperclerk.judgments.support import Support

ENGINE = "llm"
PURPOSE = "judgments.draft"
_PASSAGES_PER_SECTION = 8
#: Each section: its title and what the model is asked to write.
SECTIONS = (
    ("Facts as found", "State the facts as the case file establishes them. Every sentence must rest on passages."),
    ("Issues", "Frame the issues the court must decide, including the questions asked."),
    ("Arguments of the parties", "Summarise each party's arguments as the file records them."),
    ("Applicable law and precedents", "State the applicable provisions the file cites and the precedents given "
                                      "below that bear on the issues, with their citations."),
    ("Analysis", "Apply the law and the precedents to the facts, issue by issue."),
)
_SECTION_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["text", "passages", "citations"],
    "properties": {
        "text": {"type": "string"},
        "passages": {"type": "array", "items": {"type": "string"}},
        "citations": {"type": "array", "items": {"type": "string"}},
    },
}
_CITATION = re.compile(r"\[(?:C|P)\d+\]")


@dataclass(frozen=True)
class Context:
    passages: list[Sentence]
    matches: list[Match]


def _decision_schema(jurisdiction: str) -> dict[str, Any]:
    schema = {**_SECTION_SCHEMA, "required": [*_SECTION_SCHEMA["required"], "label", "probability",
                                               "would_change"]}
    schema["properties"] = {**_SECTION_SCHEMA["properties"],
                            "label": {"type": "string", "enum": list(LABELS[jurisdiction])},
                            "probability": {"type": "number", "minimum": 0.5, "maximum": 1},
                            "would_change": {"type": "string"}}
    return schema


def _relevant(case: CaseFile, query: str) -> list[Sentence]:
    sentences = case.sentences()
    if not sentences:
        return []
    vectorizer = Vectorizer.fit([s.text for s in sentences], min_df=1)
    scores = vectorizer.transform([s.text for s in sentences]) @ vectorizer.transform([query])[0]
    order = sorted(range(len(sentences)), key=lambda i: (-float(scores[i]), i))[:_PASSAGES_PER_SECTION]
    return [sentences[i] for i in sorted(order)]


def _prompt(title: str, ask: str, jurisdiction: str, questions: list[str], context: Context) -> list[Message]:
    passages = "\n".join(f"[P{n}] ({s.document}, page {s.page}) {s.text}"
                         for n, s in enumerate(context.passages, start=1))
    precedents = "\n".join(f"- {m.precedent.citation} ({m.precedent.outcome}): {m.precedent.holding}"
                           for m in context.matches) or "- none"
    asked = "\n".join(f"- {q}" for q in questions) or "- (none given)"
    return [
        {"role": "system", "content": f"You draft the section '{title}' of a judgment under {jurisdiction} law for a "
                                      "judge's clerk. Use only the passages and precedents given. Name in 'passages' "
                                      "the passage numbers (P1, P2…) your text rests on and in 'citations' the "
                                      "exact citations of the precedents you rely on. Quote only words printed in "
                                      "a passage or a precedent."},
        {"role": "user", "content": f"{ask}\n\nQuestions to decide:\n{asked}\n\nPassages of the case file:\n"
                                    f"{passages or '(none)'}\n\nDecided cases:\n{precedents}"},
    ]


def _section(title: str, answer: dict[str, Any], context: Context, support: Support) -> tuple[Section, int]:
    """The model's section with its named sources resolved; names that resolve to nothing are counted."""
    sources: list[dict[str, Any]] = []
    removed = 0
    text = str(answer["text"])
    for name in answer["passages"]:
        number = str(name).strip().lstrip("[P").rstrip("]")
        if number.isdigit() and 1 <= int(number) <= len(context.passages):
            sources.append(context.passages[int(number) - 1].source())
        else:
            removed += 1
    for citation in answer["citations"]:
        found = support.store.by_citation.get(str(citation))
        if found is not None:
            sources.append({"precedent": found.citation, "text": found.holding})
        elif support.citation_supported(str(citation)):
            sources.append({"citation": str(citation), "text": str(citation)})
        else:
            removed += 1
            text = text.replace(str(citation), "[citation removed: not in the file or the precedent store]")
    return Section(title, _CITATION.sub("", text).strip(), sources), removed


def draft(session: Session, organization_id: str, case: CaseFile, *, name: str, jurisdiction: str,
          store: PrecedentStore, questions: list[str] | None = None, count: int = 5) -> Draft:
    """The draft, with the tokens of the calls made for it (the AI layer's usage rows this session adds)."""
    calls: list[AIUsage] = []

    def counted(_session: Session, instance: object) -> None:
        if isinstance(instance, AIUsage) and instance.purpose == PURPOSE:
            calls.append(instance)

    event.listen(session, "transient_to_pending", counted)
    try:
        result = _draft(session, organization_id, case, name=name, jurisdiction=jurisdiction, store=store,
                        questions=questions or [], count=count)
    finally:
        event.remove(session, "transient_to_pending", counted)
    result.tokens = sum(c.prompt_tokens + c.completion_tokens for c in calls)
    return result


def _draft(session: Session, organization_id: str, case: CaseFile, *, name: str, jurisdiction: str,
           store: PrecedentStore, questions: list[str], count: int) -> Draft:
    support = Support(case, store)
    matches = store.similar(case.text, jurisdiction, count)
    sections: list[Section] = []
    removed = 0
    for title, ask in SECTIONS:
        context = Context(_relevant(case, f"{title} {ask} {' '.join(questions)}"), matches)
        answer = ai.structured(session, organization_id, _prompt(title, ask, jurisdiction, questions, context),
                               _SECTION_SCHEMA, purpose=PURPOSE)
        section, dropped = _section(title, answer, context, support)
        sections.append(section)
        removed += dropped
    context = Context(_relevant(case, " ".join(questions) or case.text[:2000]), matches)
    ask = ("Decide the case: the outcome label, its probability, the decision with reasons, and in 'would_change' "
           "what facts or law would change the outcome.")
    answer = ai.structured(session, organization_id, _prompt("Decision", ask, jurisdiction, questions, context),
                           _decision_schema(jurisdiction), purpose=PURPOSE)
    decision, dropped = _section("Decision", answer, context, support)
    sections += [decision, Section("Confidence and what would change it", str(answer["would_change"]))]
    result = Draft(name, jurisdiction, ENGINE, str(answer["label"]), round(float(answer["probability"]), 4),
                   sections, [{"citation": m.precedent.citation, "similarity": m.similarity,
                               "holding": m.precedent.holding} for m in matches],
                   unsupported_removed=removed + dropped, errors=list(case.errors))
    return checked(result, support)
