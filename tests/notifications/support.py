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
