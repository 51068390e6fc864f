"""The judgment assistant as the core sees it: tables, routes, pages, ``paperclerk judge`` /
``paperclerk judgments …`` and migrations (see ``paperclerk.core.lines``)."""

from __future__ import annotations

from paperclerk.core.lines import ProductLine

LINE = ProductLine(
    name="judgments",
    title="Judgment assistant",
    package="paperclerk.judgments",
    cli="paperclerk.judgments.cli:app",
    cli_verbs=("judge",),
)
