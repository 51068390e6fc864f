"""What the notification tests share: a webhook made directly in an organisation."""

from __future__ import annotations

from paperclerk.core.db import session_scope
from paperclerk.notifications.models import Webhook


def stored_webhook(organization_id: str, url: str = "https://hooks.example.com/paperclerk",
                   events: tuple[str, ...] = ("invoice.flagged",), *, secret: str = "whsec_test-secret-0123456789",
                   active: bool = True) -> str:
    with session_scope() as session:
        webhook = Webhook(organization_id=organization_id, url=url, event_names=list(events), secret=secret,
                          description="", active=active)
        session.add(webhook)
        session.flush()
        return webhook.id


def person(email: str, organization: str = "acme", role: str = "viewer") -> str:
    """A user of ``role`` in ``organization`` (made with the organisation if need be); their id."""
    from paperclerk.auth import service as accounts
    from tests.helpers import api_key, organization_id

    api_key(organization, "admin")
    with session_scope() as session:
        return accounts.create_user(session, email, PASSWORD, organization_id=organization_id(organization),
                                    role=role).id


PASSWORD = "Correct-Horse-42-battery"


def drain(limit: int = 200) -> int:
    """Run every job that is due, as an embedded worker would; how many ran."""
    from paperclerk.config import get_settings
    from paperclerk.core.worker import claim_and_run_next

    ran = 0
    while ran < limit and claim_and_run_next(["default"], get_settings()):
        ran += 1
    return ran
