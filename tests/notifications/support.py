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


def drain(limit: int = 200, timeout: float = 30.0) -> int:
    """Run every job that is due, as an embedded worker would, until none is due or running (an app's own worker
    threads may hold some); how many ran here."""
    import time

    from sqlalchemy import func, or_, select

    from paperclerk.config import get_settings
    from paperclerk.core.db import utcnow
    from paperclerk.core.jobs import Job, JobStatus
    from paperclerk.core.worker import claim_and_run_next

    ran = 0
    deadline = time.monotonic() + timeout
    while ran < limit:
        if claim_and_run_next(["default"], get_settings()):
            ran += 1
            continue
        with session_scope(readonly=True) as session:
            busy = session.scalar(select(func.count()).where(or_(
                Job.status == JobStatus.RUNNING, (Job.status == JobStatus.QUEUED) & (Job.run_after <= utcnow()))))
        if not busy:
            return ran
        assert time.monotonic() < deadline, "jobs still running"
        time.sleep(0.05)
    return ran
