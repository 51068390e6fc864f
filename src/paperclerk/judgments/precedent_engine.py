"""The offline engine (the default, no keys): the decided cases of the precedent store most like the case, an
outcome predicted by the shipped model, and an extractive draft in which every sentence about the case is a sentence
of the file (with its place) and every precedent is a case of the store. It says what it is: a precedent-based
draft."""

from __future__ import annotations

import re

from paperclerk.judgments import outcome
from paperclerk.judgments.casefile import CaseFile, Sentence
from paperclerk.judgments.draft import LABELS, Draft, Section
from paperclerk.judgments.precedents import Match, PrecedentStore
from paperclerk.judgments.support import Support

ENGINE = "precedent"
NATURE = ("Precedent-based draft. Assembled without a language model: the facts, issues and arguments below are "
          "sentences of the case file (each linked to where it is printed), the precedents are decided cases of "
          "the precedent store with their recorded outcomes, and the decision is a statistical prediction from "
          "those outcomes. It is not a reasoned judgment; a lawyer must review every section.")
_ISSUE = re.compile(r"\b(whether|question(s)? (for|of|to be)|issue(s)? (for|of|to be|is|are|raised|arising)|"
                    r"point(s)? for (determination|consideration))\b", re.I)
_ARGUMENT = re.compile(r"\b(argu(ed|es|ment)|conten(d|ded|ds|tion)|submi(t|tted|ts|ssion)|counsel|"
                       r"urged|pleaded|claim(ed|s))\b", re.I)
_LAW = re.compile(r"\b(section|article|rule|order|regulation|act|code|constitution|protocol)\b\s*[\dIVX]", re.I)
_FACT_LIMIT, _OTHER_LIMIT = 8, 6


def _pick(sentences: list[Sentence], pattern: re.Pattern[str], limit: int) -> list[Sentence]:
    return [s for s in sentences if pattern.search(s.text)][:limit]


def _extract(title: str, chosen: list[Sentence], empty: str) -> Section:
    if not chosen:
        return Section(title, empty)
    return Section(title, " ".join(s.text for s in chosen), [s.source() for s in chosen])


def _facts(sentences: list[Sentence]) -> Section:
    other = (_ISSUE, _ARGUMENT)
    chosen = [s for s in sentences if not any(p.search(s.text) for p in other)][:_FACT_LIMIT]
    return _extract("Facts as found", chosen, "The case file states no facts that could be read.")


def _issues(sentences: list[Sentence], questions: list[str]) -> Section:
    chosen = _pick(sentences, _ISSUE, _OTHER_LIMIT)
    asked = " ".join(f"Question {n}: {q.strip()}" for n, q in enumerate(questions, start=1) if q.strip())
    section = _extract("Issues", chosen, "The case file frames no issue in terms.")
    if asked:
        section.text = f"{asked} {section.text}" if chosen else asked
    return section


def _law(sentences: list[Sentence], matches: list[Match]) -> Section:
    cited = _pick(sentences, _LAW, _OTHER_LIMIT)
    parts = [" ".join(s.text for s in cited)] if cited else ["The case file cites no provision in terms."]
    sources = [s.source() for s in cited]
    for match in matches:
        parts.append(f"{match.precedent.citation} ({match.precedent.outcome}): {match.precedent.holding}")
        sources.append({"precedent": match.precedent.citation, "text": match.precedent.holding})
    return Section("Applicable law and precedents", "\n".join(parts), sources)


def _analysis(matches: list[Match], labels: tuple[str, str]) -> Section:
    if not matches:
        return Section("Analysis", "No decided case of this jurisdiction in the precedent store resembles this "
                                   "case; the analysis is left to the reviewer.")
    weight = {label: sum(m.similarity for m in matches if m.precedent.outcome == label) for label in labels}
    lines = [f"Of the {len(matches)} most similar decided cases, "
             + ", ".join(f"{sum(m.precedent.outcome == label for m in matches)} ended {label}" for label in labels)
             + " (similarity-weighted: " + ", ".join(f"{label} {weight[label]:.2f}" for label in labels) + ")."]
    lines += [f"{m.precedent.citation} (similarity {m.similarity:.2f}, {m.precedent.outcome})." for m in matches]
    return Section("Analysis", " ".join(lines),
                   [{"precedent": m.precedent.citation, "text": m.precedent.holding} for m in matches])


def _decision(label: str | None, probability: float | None, model_note: str) -> Section:
    if label is None or probability is None:
        return Section("Decision", "No outcome is predicted: there is no outcome model for this jurisdiction "
                                   "and no similar decided case.")
    return Section("Decision", f"Predicted outcome: {label}, probability {probability:.2f} ({model_note}).")


def _change(model: outcome.OutcomeModel | None, text: str, label: str | None, matches: list[Match]) -> Section:
    if model is None or label is None:
        return Section("Confidence and what would change it", "Without an outcome model the confidence is not "
                                                               "estimated.")
    toward = {term: value for term, value in model.contributions(text, 8)}
    against = [t for t, v in toward.items() if (v > 0) != (label == model.labels[1])]
    supporting = [t for t in toward if t not in against]
    opposite = [m.precedent.citation for m in matches if m.precedent.outcome != label]
    text_ = (f"The prediction rests most on the file's terms: {', '.join(supporting) or 'none in particular'}. "
             f"Terms pointing the other way: {', '.join(against) or 'none'}. ")
    text_ += (f"Facts like those of {', '.join(opposite)} (decided the other way) would change it."
              if opposite else "No similar decided case went the other way; new facts on the issues above would "
                               "be needed to change it.")
    return Section("Confidence and what would change it", text_)


def _predict(jurisdiction: str, text: str, matches: list[Match]) -> tuple[str | None, float | None, str,
                                                                            outcome.OutcomeModel | None]:
    """The label and probability: the jurisdiction's model; an appellate jurisdiction without one uses the Indian
    appellate model (said so); otherwise the similarity-weighted vote of the precedents."""
    models = outcome.shipped()
    model = models.get(jurisdiction) or (models.get("INDIA") if LABELS[jurisdiction] == LABELS["INDIA"] else None)
    if model is not None:
        label, probability = model.probability(text)
        note = "outcome model" if jurisdiction in models else "outcome model fitted on Indian appellate judgments"
        return label, round(probability, 4), note, model
    if not matches:
        return None, None, "", None
    total = sum(m.similarity for m in matches)
    votes = {lbl: sum(m.similarity for m in matches if m.precedent.outcome == lbl) for lbl in LABELS[jurisdiction]}
    best = max(votes, key=votes.__getitem__)
    return best, round(votes[best] / total, 4), "similarity-weighted vote of the precedents", None


def draft(case: CaseFile, *, name: str, jurisdiction: str, store: PrecedentStore,
          questions: list[str] | None = None, count: int = 5) -> Draft:
    text = case.text
    sentences = case.sentences()
    matches = store.similar(text, jurisdiction, count)
    label, probability, note, model = _predict(jurisdiction, text, matches)
    sections = [
        Section("Nature of this draft", NATURE),
        _facts(sentences),
        _issues(sentences, questions or []),
        _extract("Arguments of the parties", _pick(sentences, _ARGUMENT, _OTHER_LIMIT),
                 "The case file records no argument in terms."),
        _law(sentences, matches),
        _analysis(matches, LABELS[jurisdiction]),
        _decision(label, probability, note),
        _change(model, text, label, matches),
    ]
    result = Draft(name, jurisdiction, ENGINE, label, probability, sections,
                   [{"citation": m.precedent.citation, "similarity": m.similarity, "holding": m.precedent.holding}
                    for m in matches], errors=list(case.errors))
    return checked(result, Support(case, store))


def checked(result: Draft, support: Support) -> Draft:
    """Every source and precedent the draft names checked against the file and the store; unsupported ones
    removed and counted."""
    removed = 0
    for section in result.sections:
        kept = [s for s in section.sources if support.source_supported(s)]
        removed += len(section.sources) - len(kept)
        section.sources = kept
        for quote in support.unsupported_quotes(section.text, kept):
            section.text = section.text.replace(quote, "[quotation not found in the file or the precedents]")
            removed += 1
    precedents = [p for p in result.precedents if support.citation_supported(str(p["citation"]))]
    removed += len(result.precedents) - len(precedents)
    result.precedents = precedents
    result.unsupported_removed += removed
    return result
