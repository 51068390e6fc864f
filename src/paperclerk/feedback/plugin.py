"""The feedback intelligence line as the core sees it: tables, routers, pages, ``paperclerk feedback …``
commands, permissions, events, navigation and migrations (see ``paperclerk.core.lines``)."""

from __future__ import annotations

from paperclerk.core.lines import Chore, EventType, NavItem, Permission, ProductLine

_SESSION_PAGE = "/feedback/sessions/{subject_id}"
EVENTS = (
    EventType("feedback.submitted", "A customer left feedback", permission="feedback:read", link=_SESSION_PAGE),
    EventType("feedback.flagged", "Feedback was held by a fraud rule", permission="feedback:review", in_app=True,
              link=_SESSION_PAGE),
    EventType("feedback.finding_decided", "A fraud finding was upheld or overridden", permission="feedback:review",
              link=_SESSION_PAGE),
    EventType("feedback.program_changed", "The feedback programme's categories or rewards changed",
              permission="feedback:manage"),
    EventType("feedback.transactions_imported", "POS transactions were imported", permission="feedback:read"),
)

LINE = ProductLine(
    name="feedback",
    title="Customer feedback intelligence",
    package="paperclerk.feedback",
    model_modules=("paperclerk.feedback.models",),
    task_modules=(),
    api_routers=("paperclerk.feedback.api:router",),
    page_routers=("paperclerk.feedback.pages_customer:router", "paperclerk.feedback.pages:router"),
    templates="templates",
    static="static",
    cli="paperclerk.feedback.cli:app",
    permissions=(
        Permission("feedback:read", "view customer feedback", "viewer"),
        Permission("feedback:review", "decide fraud findings on feedback", "reviewer"),
        Permission("feedback:import", "import POS transactions", "approver"),
        Permission("feedback:manage", "change the feedback programme and stores", "admin"),
        Permission("feedback:operate", "run the feedback platform", "admin"),
    ),
    nav=(NavItem("feedback", "Feedback", "/feedback", "feedback:read", 400),),
    events=EVENTS,
    migrations="migrations",
    #: GDPR retention: recordings 24 h after transcription, feedback after 730 days; checked hourly.
    chores=(Chore("feedback_retention", "paperclerk.feedback.privacy:retention_chore", every=lambda settings: 3600.0),),
)
