"""What a time entry's description says: how many tasks it lumps together, whether it says what was done, whether
the work is clerical, and how alike two descriptions are. Plain functions of text, shared by the rules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from difflib import SequenceMatcher
from itertools import pairwise

from paperclerk.invoices.dates import find_dates

#: Verbs that open a task in a time entry.
TASK_VERBS = frozenset((
    "review", "reviewed", "reviewing", "draft", "drafted", "drafting", "revise", "revised", "revising", "prepare",
    "prepared", "preparing", "attend", "attended", "attending", "research", "researched", "researching", "analyze",
    "analyzed", "analyse", "analysed", "analyzing", "analysis", "conference", "conferred", "confer", "call",
    "called", "telephone", "telephoned", "email", "emailed", "e-mail", "e-mailed", "correspond", "corresponded",
    "correspondence", "meet", "met", "meeting", "discuss", "discussed", "edit", "edited", "finalize", "finalized",
    "file", "filed", "travel", "traveled", "travelled", "outline", "outlined", "summarize", "summarized",
    "negotiate", "negotiated", "investigate", "investigated", "interview", "interviewed", "respond", "responded",
    "study", "update", "updated", "organize", "organized", "participate", "participated", "appear", "appeared",
    "argue", "argued", "communicate", "advise", "advised", "evaluate", "evaluated", "compile", "compiled",
    "coordinate", "coordinated", "schedule", "scheduled", "letter", "memo", "memorandum", "calls", "emails",
    "teleconference", "videoconference", "consult", "consulted", "strategize", "assess", "assessed", "compose",
    "composed",
))
_FILLER = frozenset((
    "a", "an", "the", "and", "or", "of", "to", "for", "with", "re", "regarding", "on", "in", "at", "by", "from",
    "into", "about", "as", "is", "be", "this", "that", "these", "those", "his", "her", "their", "our", "its",
    "per", "upon", "all", "any", "same", "other", "said", "further", "additional", "matter", "file", "files",
    "issue", "issues",
))
#: Clerical work: how such an entry starts.
ADMINISTRATIVE_PATTERNS = (
    r"schedul\w*", r"re-?schedul\w*", r"calendar\w*", r"docket\w*", r"e-?fil\w*", r"fil(?:e|ed|ing)\b(?! review)",
    r"photocop\w*", r"cop(?:y|ied|ying)\b", r"scan(?:s|ned|ning)?\b", r"bates\b", r"organi[sz](?:e|ed|ing)\b",
    r"index(?:ed|ing)?\b", r"collat(?:e|ed|ing)\b",
    r"assembl\w*", r"(?:prepare|assemble|update)\w* (?:\w+ )?binders?", r"mail(?:ed|ing|s)?\b", r"fax\w*",
    r"print(?:s|ed|ing)?\b",
    r"data entry", r"updat\w* (?:the )?(?:file|calendar|docket|index|spreadsheet|database|contact)", r"download\w*",
    r"upload\w*", r"label\w*", r"tab(?:bing)?\b", r"deliver\w*", r"courier\w*", r"book\w* (?:travel|flights?|hotel|"
    r"conference room|room|court reporter)", r"arrang\w* (?:for )?(?:meeting|call|travel|delivery|court reporter|"
    r"conference room)", r"proofread\w*", r"format(?:ted|ting)?\b", r"sav(?:e|ed|ing) (?:documents?|files?)",
    r"clos\w* file", r"maintain\w* (?:the )?(?:\w+ )?(?:files?|calendar|docket|records?|index)",
    r"open\w* (?:new )?file", r"conflicts? check",
)
_ADMIN = re.compile(r"^(?:" + "|".join(ADMINISTRATIVE_PATTERNS) + ")")
_SPLIT = re.compile(r"\s*(?:;|\.\s+|\n|\s+-\s+|,\s*(?:and\s+)?(?=[a-z]+\b)|\s+and\s+|\s*&\s*|\s*\+\s*)\s*")
_WORD = re.compile(r"[a-z][a-z'-]*")


def normalize(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def content_words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.lower()) if word not in _FILLER]


def tasks(description: str) -> list[str]:
    """The separate tasks an entry names: parts that open with a task verb and say what it was done to
    ("prepare for" and "attend deposition" are one task; "review file" and "draft memo" are two)."""
    found: list[str] = []
    for part in _SPLIT.split(description.lower().strip(" .")):
        words = _WORD.findall(part)
        if words and words[0] in TASK_VERBS and len([word for word in words[1:] if word not in _FILLER]) >= 1:
            found.append(part)
    return found


_RANGE = re.compile(r"\s*(?:-|\u2013|to|through|thru|until|and)\s*", re.IGNORECASE)


def period(description: str) -> tuple[date, date] | None:
    """The days an entry says it covers ("87 emails and 38 calls between 2/20/10-6/28/10", "from 3/1/24 through
    3/5/24"): two different dates written as a range, else None (a letter "of 3/1" answering one "of 2/15" is no
    period). Work of several days under one time is block billing too."""
    found = find_dates(description, order="MDY")
    for first, last in pairwise(found):
        joint = description[first.end:last.start]
        if first.value < last.value and _RANGE.fullmatch(joint) and (
                joint.strip().lower() != "and" or re.search(r"between\s*$", description[:first.start], re.I)):
            return first.value, last.value
    return None


def is_block_billed(description: str) -> bool:
    return len(tasks(description)) >= 2 or period(description) is not None


def vague_phrase(description: str, phrases: Iterable[str]) -> str | None:
    """The vague phrase an entry amounts to: it is (or starts with, or contains) one and says little else
    (fewer than three words of substance besides it), or it is empty. None when the entry says what was done."""
    text = normalize(description)
    if not content_words(text):
        return "(no description)"
    for phrase in sorted((normalize(item) for item in phrases), key=len, reverse=True):
        if not phrase or not re.search(rf"\b{re.escape(phrase)}\b", text):
            continue
        rest = re.sub(rf"\b{re.escape(phrase)}\b", " ", text, count=1)
        if len(content_words(rest)) < 3:
            return phrase
    return None


def administrative(description: str, extra_phrases: Iterable[str] = ()) -> bool:
    """True when every task the entry names is clerical (scheduling, filing, copying, organising files …)."""
    parts = tasks(description) or [description.lower().strip()]
    extra = [normalize(phrase) for phrase in extra_phrases if normalize(phrase)]
    return all(_ADMIN.match(normalize(part)) or any(normalize(part).startswith(phrase) for phrase in extra)
               for part in parts)


def similarity(first: str, second: str) -> float:
    """How alike two descriptions are, 0-1, ignoring case, punctuation and spacing."""
    a, b = normalize(first), normalize(second)
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b).ratio()
