"""How useful a piece of feedback is to the business, 0 to 100, with the reasons; sentiment and topics per sentence.

Offline and deterministic: five criteria read from the words (``lexicon``), each 0 to 1, weighted into the score —
specificity (names products, staff, times, places, numbers), actionability (says what to change),
constructiveness (reasons, both sides, no abuse), relevance (touches the business's own categories, or the topics
every business has) and length beyond filler (content words, saturating). The same text always gets the same
score; ``reasons`` says what each criterion found so a person can see why.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from paperclerk.feedback import lexicon

#: Each criterion's share of the score (they add up to 100).
WEIGHTS = {"specificity": 25, "actionability": 20, "constructiveness": 15, "relevance": 15, "length": 25}
#: Content words at which the length criterion is full.
FULL_LENGTH_WORDS = 60

_WORD = re.compile(r"[^\W_]+(?:[-'\u2019][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_NUMBER = re.compile(r"\b\d+(?:[.,:]\d+)?\b")
_CLOCK = re.compile(r"\b\d{1,2}(?::|\.)\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """One sentence with its sentiment (-1 … 1, and a label) and the topics it touches."""

    text: str
    sentiment: float
    label: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class QualityScore:
    """The score (0 to 100), each criterion's value (0 to 1) and what it found, the overall sentiment, the topics."""

    score: int
    criteria: dict[str, float]
    reasons: list[str]
    sentiment: float
    sentences: list[Sentence]
    topics: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Tier:
    """A quality tier: feedback scoring at least ``min_score`` earns ``reward_percent`` of the business's reward."""

    name: str
    min_score: int
    reward_percent: Decimal


DEFAULT_TIERS = (
    Tier("exceptional", 80, Decimal("100")),
    Tier("very_good", 60, Decimal("60")),
    Tier("acceptable", 40, Decimal("30")),
    Tier("insufficient", 0, Decimal("0")),
)


def tier_for(score: int, tiers: Sequence[Tier] = DEFAULT_TIERS) -> Tier:
    """The highest tier whose minimum the score reaches (tiers need not be sorted)."""
    ordered = sorted(tiers, key=lambda tier: tier.min_score, reverse=True)
    for tier in ordered:
        if score >= tier.min_score:
            return tier
    return ordered[-1]


def words(text: str) -> list[str]:
    return [match.group(0).lower().replace("\u2019", "'") for match in _WORD.finditer(text)]


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part and part.strip()]


def _matches(word: str, cue: str) -> bool:
    return word.startswith(cue[:-1]) if cue.endswith("*") else word == cue


def _has_phrase(text: str, phrases: Sequence[str]) -> list[str]:
    lowered = f" {' '.join(words(text))} "
    return [phrase for phrase in phrases if f" {phrase} " in lowered]


def sentence_sentiment(tokens: Sequence[str]) -> float:
    """-1 … 1 from the lexicon: a negation within the three words before flips a word, an intensifier doubles it."""
    total = 0.0
    hits = 0
    for index, token in enumerate(tokens):
        polarity = 1.0 if token in lexicon.POSITIVE else -1.0 if token in lexicon.NEGATIVE else 0.0
        if not polarity:
            continue
        window = tokens[max(0, index - 3):index]
        if any(word in lexicon.NEGATIONS or word.endswith("n't") for word in window):
            polarity = -polarity
        if index and tokens[index - 1] in lexicon.INTENSIFIERS:
            polarity *= 2
        total += polarity
        hits += 1
    return 0.0 if not hits else max(-1.0, min(1.0, total / (hits + 1)))


def _label(sentiment: float) -> str:
    return "positive" if sentiment > 0.15 else "negative" if sentiment < -0.15 else "neutral"


def topic_cues(categories: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The business's categories (each matched by its own words, any ending) before the default topics."""
    cues: dict[str, tuple[str, ...]] = {}
    for category in categories:
        name = category.strip()
        if name:
            cues[name] = tuple(f"{word}*" if len(word) > 3 else word for word in words(name))
    for topic, topic_words in lexicon.DEFAULT_TOPICS.items():
        cues.setdefault(topic, topic_words)
    return cues


def sentence_topics(tokens: Sequence[str], cues: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(topic for topic, topic_words in cues.items()
                 if any(_matches(token, cue) for token in tokens for cue in topic_words))


def analyse_sentences(text: str, categories: Sequence[str] = ()) -> list[Sentence]:
    cues = topic_cues(categories)
    result = []
    for sentence in split_sentences(text):
        tokens = words(sentence)
        sentiment = sentence_sentiment(tokens)
        result.append(Sentence(sentence, round(sentiment, 3), _label(sentiment), sentence_topics(tokens, cues)))
    return result


def _specificity(text: str, tokens: Sequence[str], sentences: Sequence[str]) -> tuple[float, list[str]]:
    found: list[str] = []
    numbers = len(_NUMBER.findall(text)) + len(_CLOCK.findall(text))
    if numbers:
        found.append(f"{numbers} number(s) or time(s)")
    named = sum(1 for sentence in sentences for word in _WORD.findall(sentence)[1:]
                if word[:1].isupper() and not word.isupper() and word.lower() not in lexicon.STOPWORDS)
    if named:
        found.append(f"{named} name(s)")
    staff = {token for token in tokens if token in lexicon.STAFF}
    places = {token for token in tokens if token in lexicon.PLACES}
    times = {token for token in tokens if token in lexicon.TIME_WORDS}
    for label, hits in (("staff", staff), ("places", places), ("times", times)):
        if hits:
            found.append(f"{label}: {', '.join(sorted(hits))}")
    points = min(numbers, 3) + min(named, 3) + len(staff) + len(places) + len(times)
    return min(1.0, points / 5), found


def _actionability(text: str) -> tuple[float, list[str]]:
    hits = _has_phrase(text, lexicon.SUGGESTIONS)
    return min(1.0, len(hits) / 2), [f"suggests: {', '.join(hits[:4])}"] if hits else []


def _constructiveness(text: str, tokens: Sequence[str], analysed: Sequence[Sentence]) -> tuple[float, list[str]]:
    found: list[str] = []
    reasons = _has_phrase(text, lexicon.REASONS)
    contrasts = _has_phrase(text, lexicon.CONTRASTS)
    labels = {sentence.label for sentence in analysed}
    value = 0.2
    if reasons:
        value += 0.35
        found.append(f"gives reasons ({', '.join(reasons[:3])})")
    if contrasts or {"positive", "negative"} <= labels:
        value += 0.35
        found.append("weighs good and bad")
    abuse = sorted({token for token in tokens if token in lexicon.ABUSE})
    if abuse:
        value -= 0.5
        found.append(f"abusive words ({', '.join(abuse)})")
    return max(0.0, min(1.0, value + 0.1 * min(len(analysed), 1))), found


def _relevance(analysed: Sequence[Sentence], categories: Sequence[str]) -> tuple[float, list[str]]:
    if not analysed:
        return 0.0, []
    own = {category.strip() for category in categories if category.strip()}
    touched = [sentence for sentence in analysed if sentence.topics]
    share = len(touched) / len(analysed)
    own_hits = sorted({topic for sentence in analysed for topic in sentence.topics if topic in own})
    if own:
        value = 0.6 * share + 0.4 * min(1.0, len(own_hits) / 2)
        found = [f"names your categories: {', '.join(own_hits)}"] if own_hits else []
    else:
        value = share
        found = []
    if touched:
        found.append(f"{len(touched)} of {len(analysed)} sentence(s) about the business")
    return min(1.0, value), found


def _length(tokens: Sequence[str]) -> tuple[float, list[str], int]:
    content = [token for token in tokens if token not in lexicon.STOPWORDS and token not in lexicon.FILLER]
    distinct = len(set(content))
    # Repeating the same words ("good good good") adds nothing: count distinct content words, and half the repeats.
    effective = distinct + 0.5 * (len(content) - distinct)
    value = min(1.0, math.log1p(effective) / math.log1p(FULL_LENGTH_WORDS))
    return value, [f"{len(content)} content words ({distinct} distinct)"], len(content)


def score_text(text: str, categories: Sequence[str] = ()) -> QualityScore:
    """Score one piece of feedback against the business's categories."""
    tokens = words(text)
    sentences = split_sentences(text)
    analysed = analyse_sentences(text, categories)
    parts = {
        "specificity": _specificity(text, tokens, sentences),
        "actionability": _actionability(text),
        "constructiveness": _constructiveness(text, tokens, analysed),
        "relevance": _relevance(analysed, categories),
    }
    length_value, length_found, content_words = _length(tokens)
    criteria = {name: round(value, 3) for name, (value, _found) in parts.items()}
    criteria["length"] = round(length_value, 3)
    reasons = [f"{name}: {item}" for name, (_value, found) in parts.items() for item in found]
    reasons.extend(f"length: {item}" for item in length_found)
    raw = sum(WEIGHTS[name] * value for name, value in criteria.items())
    # Feedback with next to nothing in it cannot be saved by one lucky keyword.
    if content_words < 3:
        raw = min(raw, 15.0)
        reasons.append("too short to be useful")
    overall = sum(sentence.sentiment for sentence in analysed) / len(analysed) if analysed else 0.0
    topics = sorted({topic for sentence in analysed for topic in sentence.topics})
    return QualityScore(score=round(raw), criteria=criteria, reasons=reasons, sentiment=round(overall, 3),
                        sentences=analysed, topics=topics)


def combine(offline: int, llm: int | None, llm_weight: float = 0.5) -> int:
    """The score a customer is paid on: the offline score, or its blend with the model's judgement."""
    if llm is None:
        return offline
    return round((1 - llm_weight) * offline + llm_weight * max(0, min(100, llm)))
