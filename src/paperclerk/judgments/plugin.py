"""The judgment assistant as the core sees it: tables, the drafting job, routes, pages, ``paperclerk judge`` /
``paperclerk judgments …``, permissions, events and migrations (see ``paperclerk.core.lines``)."""

from __future__ import annotations

from paperclerk.core.lines import EventType, NavItem, Permission, ProductLine

_REQUEST_PAGE = "/judgments/{subject_id}"

LINE = ProductLine(
    name="judgments",
    title="Judgment assistant",
    package="paperclerk.judgments",
    model_modules=("paperclerk.judgments.models",),
    task_modules=("paperclerk.judgments.tasks",),
    api_routers=("paperclerk.judgments.api:router",),
    page_routers=("paperclerk.judgments.pages:router",),
    templates="templates",
    static="static",
    cli="paperclerk.judgments.cli:app",
    cli_verbs=("judge",),
    nav=(NavItem("judgments", "Judgments", "/judgments", "judgments:read", 300),),
    permissions=(
        Permission("judgments:read", "view judgment requests and drafts", "viewer"),
        Permission("judgments:request", "request draft judgments", "reviewer"),
        Permission("judgments:review", "edit draft judgments", "reviewer"),
        Permission("judgments:decide", "accept or override a draft's outcome", "approver"),
    ),
    events=(
        EventType("judgments.draft.ready", "A draft judgment is ready for review", "judgments:read", in_app=True,
                  link=_REQUEST_PAGE),
        EventType("judgments.draft.failed", "A draft judgment could not be written", "judgments:read", in_app=True,
                  link=_REQUEST_PAGE),
    ),
    migrations="migrations",
)
