"""User search syntax, shared by both backends: words (all must match), "phrases", OR, -exclusion.

PostgreSQL reads it natively with ``websearch_to_tsquery``; :func:`to_fts5` translates it for
SQLite FTS5 so that no user input can become an FTS5 syntax error.
"""

from __future__ import annotations

import re

from paperclerk.core.errors import InvalidRequest

MAX_QUERY_CHARS = 500
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def validate(query: str) -> str:
    query = _CONTROL.sub(" ", query).strip()
    if not query or not _WORD.search(query):
        raise InvalidRequest("Type at least one word to search for.", code="QUERY_EMPTY")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidRequest(f"Search queries are limited to {MAX_QUERY_CHARS} characters.", code="QUERY_TOO_LONG")
    return query


def to_fts5(query: str) -> str:
    """Translate websearch syntax to an FTS5 expression made only of quoted strings and operators."""
    positive: list[str] = []
    negative: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(validate(query)):
        negate_phrase, phrase, bare = match.groups()
        if bare is not None and bare.upper() == "OR":
            pending_or = bool(positive)
            continue
        negate = bool(negate_phrase) or (bare is not None and bare.startswith("-") and len(bare) > 1)
        words = _WORD.findall(phrase if phrase is not None else bare)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if negate:
            negative.append(term)
        elif pending_or:
            positive[-1] = f"{positive[-1]} OR {term}"
            pending_or = False
        else:
            positive.append(term)
    if not positive:
        raise InvalidRequest("A search needs at least one word that is not excluded.", code="QUERY_EMPTY")
    expression = " AND ".join(f"({term})" for term in positive)
    for term in negative:
        expression = f"({expression}) NOT {term}"
    return expression
