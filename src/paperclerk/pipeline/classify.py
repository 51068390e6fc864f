"""Document kind from its text: weighted multilingual cue phrases, cheap and explainable.

The kinds and their cues come from the product lines (``ProductLine.kinds``) and the core's provisional
ones (``documents.kinds``); the highest score above the threshold wins, anything else is ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from paperclerk import plugins
from paperclerk.core.lines import DocumentKind
from paperclerk.documents.kinds import PROVISIONAL_KINDS

OTHER = "other"
#: How much text is enough to tell the kind; the start of a document carries its genre.
SAMPLE_CHARS = 6000
THRESHOLD = 3.0


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float
    #: A word every match contains: a substring test skips the regex on most texts.
    literal: str


@dataclass(frozen=True)
class KindCues:
    label: str
    cues: tuple[Cue, ...]
    #: The broader kind this one is a special case of (its score adds when both pass the threshold).
    refines: str | None


def _required_literal(phrase: str) -> str:
    """The longest run of letters that every match of ``phrase`` must contain."""
    required = re.sub(r"\(\?:[^)]*\)\??|.\?|\\w\*", " ", phrase)  # drop groups and optional characters
    words: list[str] = re.findall(r"[^\W\d_]+", required)
    return max(words, key=len)


def _cues(phrases: dict[str, float]) -> tuple[Cue, ...]:
    return tuple(Cue(re.compile(rf"\b{phrase}\b"), weight, _required_literal(phrase))
                 for phrase, weight in phrases.items())


def cue_table(kinds: Iterable[DocumentKind]) -> dict[str, KindCues]:
    """Merge declarations: a kind's declared cues add up across lines and replace its provisional ones.
    Kinds keep the order of their first declaration (on a tie, the earlier kind wins)."""
    declared: dict[str, list[DocumentKind]] = {}
    provisional: dict[str, list[DocumentKind]] = {}
    for kind in kinds:
        (provisional if kind.provisional else declared).setdefault(kind.name, []).append(kind)
    table: dict[str, KindCues] = {}
    for name in dict.fromkeys([*declared, *provisional]):
        sources = declared.get(name) or provisional[name]
        broader = {kind.refines for kind in sources if kind.refines}
        if len(broader) > 1:
            raise ValueError(f"document kind {name!r} refines several kinds: {sorted(broader)}")
        phrases: dict[str, float] = {}
        for kind in sources:
            for phrase, weight in kind.cues.items():
                phrases[phrase] = phrases.get(phrase, 0) + weight
        table[name] = KindCues(sources[0].label, _cues(phrases), next(iter(broader), None))
    return table


@lru_cache
def _table() -> dict[str, KindCues]:
    return cue_table((*(kind for line in plugins.lines() for kind in line.kinds), *PROVISIONAL_KINDS))


def kinds() -> list[str]:
    """Every kind the classifier can give, ``other`` last."""
    return [*sorted(_table()), OTHER]


def kind_label(kind: str) -> str:
    """A kind in words ("Customer feedback"); unknown kinds are spelled out from their name."""
    known = _table().get(kind)
    return known.label if known else kind.replace("_", " ").capitalize()


def classify(text: str) -> tuple[str, dict[str, float]]:
    """Return the kind and every kind's score (scores explain the choice in the history)."""
    return score(text, _table())


def score(text: str, table: dict[str, KindCues]) -> tuple[str, dict[str, float]]:
    sample = text[:SAMPLE_CHARS].lower()
    scores = {
        kind: round(sum(cue.weight * min(len(cue.pattern.findall(sample)), 3)
                        for cue in entry.cues if cue.literal in sample), 2)
        for kind, entry in table.items()
    }
    for kind, entry in table.items():
        broader = entry.refines
        if broader is not None and scores[kind] >= THRESHOLD and scores.get(broader, 0) >= THRESHOLD:
            scores[kind] += scores[broader]
    kind, best = max(scores.items(), key=lambda item: item[1])
    return (kind if best >= THRESHOLD else OTHER), scores
