"""From a committed event to every message about it, each sent once.

:func:`fan_out` runs as the event's delivery job (written with the event: the outbox): in one transaction, fenced
by the job's lease, it writes the in-app notifications and one :class:`Delivery` row, with a job of its own, per
e-mail and per webhook call. Sending a delivery (:func:`begin`, the call, :func:`finish`) records its state
before and after the message leaves:

* a webhook call interrupted by a dead worker is made again (receivers drop repeats by ``X-Paperclerk-Delivery``);
* an e-mail interrupted that way is **not** sent again (the SMTP server may have taken it): it ends ``unconfirmed``,
  so nobody gets an e-mail twice;
* a failed attempt is retried with exponential back-off up to ``PAPERCLERK_DELIVERY_MAX_ATTEMPTS``; a webhook whose
  deliveries fail ``PAPERCLERK_WEBHOOK_DISABLE_AFTER_FAILURES`` times in a row is turned off (event
  ``webhook.disabled``).
"""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paperclerk.auth.models import Membership, User
from paperclerk.auth.permissions import role_allows
from paperclerk.config import Settings
from paperclerk.core import events, jobs
from paperclerk.core.audit import record_audit
from paperclerk.core.db import utcnow
from paperclerk.core.events import Event
from paperclerk.core.jobs import Job
from paperclerk.core.lines import EventType
from paperclerk.core.worker import backoff_seconds
from paperclerk.notifications import mailer, webhooks
from paperclerk.notifications.messages import HIDDEN, Message, describe
from paperclerk.notifications.models import Channel, Delivery, DeliveryStatus, Notification, Webhook
from paperclerk.notifications.service import default, stored_choices
from paperclerk.notifications.webhooks import Outcome

log = logging.getLogger(__name__)
SEND_TASK = "notifications.send"


def _members(session: Session, event: Event, event_type: EventType) -> list[tuple[str, User]]:
    """(organisation, person) for every active member allowed to hear of the event: of the event's organisation,
    or of every organisation for an event of the whole system."""
    query = select(Membership.organization_id, Membership.role, User).join(User, User.id == Membership.user_id).where(
        User.is_active.is_(True))
    if event.organization_id is not None:
        query = query.where(Membership.organization_id == event.organization_id)
    rows = session.execute(query.order_by(Membership.organization_id, User.email)).all()
    return [(organization_id, user) for organization_id, role, user in rows
            if role_allows(role, event_type.permission)]


def _enqueue(session: Session, delivery: Delivery, settings: Settings) -> None:
    session.add(delivery)
    session.flush()
    # One more claim than attempts: a worker that dies mid-send costs a claim, not the delivery's last attempt.
    jobs.enqueue(session, task=SEND_TASK, subject_id=delivery.id, max_attempts=settings.delivery_max_attempts + 1)


def fan_out(session: Session, event: Event, settings: Settings) -> int:
    """Write everything the event becomes (in-app notifications, deliveries with their jobs); how many."""
    event_type = events.declared().get(event.name)
    if event_type is None:  # a name no longer declared (its line was removed): nobody can be told about it
        log.warning("event no longer declared; not delivered", extra={"event": event.name})
        return 0
    message = describe(event, event_type)
    members = _members(session, event, event_type)
    written = 0
    mailed: set[str] = set()
    for organization_id in sorted({organization_id for organization_id, _ in members}):
        people = [user for org, user in members if org == organization_id]
        chosen = stored_choices(session, organization_id, [user.id for user in people], event.name)
        for user in people:
            if chosen.get((user.id, event.name, Channel.IN_APP), default(event_type, Channel.IN_APP)):
                session.add(Notification(organization_id=organization_id, user_id=user.id, event_id=event.id,
                                         event_name=event.name, title=message.title, body=message.body,
                                         link=message.link))
                written += 1
            if (mailer.configured(settings) and user.id not in mailed
                    and chosen.get((user.id, event.name, Channel.EMAIL), default(event_type, Channel.EMAIL))):
                mailed.add(user.id)
                _enqueue(session, Delivery(organization_id=organization_id, event_id=event.id, event_name=event.name,
                                           channel=Channel.EMAIL, target=f"user:{user.id}", user_id=user.id,
                                           address=user.email), settings)
                written += 1
    hooks = select(Webhook).where(Webhook.active.is_(True))
    if event.organization_id is not None:
        hooks = hooks.where(Webhook.organization_id == event.organization_id)
    for webhook in session.scalars(hooks.order_by(Webhook.created_at, Webhook.id)):
        if webhooks.wants(webhook, event.name):
            _enqueue(session, Delivery(organization_id=webhook.organization_id, event_id=event.id,
                                       event_name=event.name, channel=Channel.WEBHOOK, target=f"webhook:{webhook.id}",
                                       webhook_id=webhook.id, address=webhook.url), settings)
            written += 1
    return written


def webhook_body(delivery: Delivery, event: Event, message: Message) -> dict[str, Any]:
    """What a webhook receives (stable; new keys may be added)."""
    return {"id": delivery.id, "event": event.name, "event_id": event.id, "occurred_at": event.created_at.isoformat(),
            "organization_id": event.organization_id,
            "subject": {"type": event.subject_type, "id": event.subject_id},
            "data": {key: value for key, value in (event.payload or {}).items() if key not in HIDDEN},
            "summary": {"title": message.title, "body": message.body, "link": message.link}}


@dataclass(frozen=True)
class Attempt:
    """One attempt at a delivery, as read before the message leaves."""

    delivery_id: str
    channel: str
    address: str
    event_name: str
    message: Message
    body: dict[str, Any]
    secret: str


def _cancel(delivery: Delivery, reason: str) -> None:
    delivery.status = DeliveryStatus.CANCELLED
    delivery.last_error = reason


def begin(session: Session, delivery_id: str, settings: Settings) -> Attempt | None:
    """Mark the delivery as being sent (committed before the message leaves); ``None``: nothing to send."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED,
                                               DeliveryStatus.UNCONFIRMED, DeliveryStatus.CANCELLED):
        return None
    if delivery.status == DeliveryStatus.SENDING:
        note = {"at": utcnow().isoformat(), "outcome": "interrupted", "status_code": None, "ms": None,
                "error": "the worker stopped while sending"}
        delivery.attempt_log = [*delivery.attempt_log, note]
        if delivery.channel == Channel.EMAIL:
            delivery.status = DeliveryStatus.UNCONFIRMED
            delivery.last_error = "The worker stopped while handing the e-mail over; not sent again, so never twice."
            return None
    event = session.get(Event, delivery.event_id)
    event_type = events.declared().get(delivery.event_name)
    if event is None or event_type is None:
        _cancel(delivery, "The event is gone or no longer declared.")
        return None
    secret = ""
    if delivery.channel == Channel.WEBHOOK:
        webhook = session.get(Webhook, delivery.webhook_id) if delivery.webhook_id else None
        if webhook is None or not webhook.active:
            _cancel(delivery, "The webhook was turned off or removed.")
            return None
        delivery.address, secret = webhook.url, webhook.secret
    elif not mailer.configured(settings):
        _cancel(delivery, "E-mail is no longer configured (PAPERCLERK_SMTP_HOST).")
        return None
    message = describe(event, event_type)
    delivery.status = DeliveryStatus.SENDING
    delivery.attempts += 1
    return Attempt(delivery.id, delivery.channel, delivery.address, delivery.event_name, message,
                   webhook_body(delivery, event, message), secret)


def perform(attempt: Attempt, settings: Settings) -> Outcome:
    """Send the message (outside any transaction); never raises for the far side's failures."""
    if attempt.channel == Channel.WEBHOOK:
        return webhooks.call(attempt.address, attempt.secret, body=attempt.body, event_name=attempt.event_name,
                             delivery_id=attempt.delivery_id, settings=settings)
    started = time.monotonic()
    try:
        mailer.send(mailer.compose(attempt.message, to=attempt.address, delivery_id=attempt.delivery_id,
                                   settings=settings), settings)
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, getattr(exc, "smtp_code", None), f"{type(exc).__name__}: {exc}"[:webhooks.MAX_ERROR],
                       int((time.monotonic() - started) * 1000))
    return Outcome(True, None, None, int((time.monotonic() - started) * 1000))


def finish(session: Session, job: Job, attempt: Attempt, outcome: Outcome, settings: Settings) -> bool:
    """Record the attempt; retry later (True) or settle the delivery (False: the caller completes the job)."""
    delivery = session.get(Delivery, attempt.delivery_id)
    if delivery is None:  # removed with its webhook meanwhile
        return False
    entry = {"at": utcnow().isoformat(), "outcome": "delivered" if outcome.ok else "failed",
             "status_code": outcome.status_code, "error": outcome.error, "ms": outcome.ms}
    delivery.attempt_log = [*delivery.attempt_log, entry]
    webhook = session.get(Webhook, delivery.webhook_id) if delivery.webhook_id else None
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.last_error = DeliveryStatus.DELIVERED, utcnow(), None
        if webhook is not None:
            webhook.consecutive_failures = 0
        return False
    delivery.last_error = outcome.error
    if delivery.attempts < settings.delivery_max_attempts:
        delivery.status = DeliveryStatus.PENDING
        jobs.retry_later(session, job, delay_seconds=backoff_seconds(delivery.attempts,
                                                                     settings.delivery_retry_base_seconds),
                         error=outcome.error or "failed")
        return True
    delivery.status = DeliveryStatus.FAILED
    if webhook is not None:
        count_failure(session, webhook, outcome.error or "failed", settings)
    return False


def count_failure(session: Session, webhook: Webhook, error: str, settings: Settings) -> None:
    """One more delivery given up; at the limit the webhook is turned off and its organisation told."""
    webhook.consecutive_failures += 1
    if not webhook.active or webhook.consecutive_failures < settings.webhook_disable_after_failures:
        return
    webhook.active = False
    webhook.disabled_at = utcnow()
    webhook.disabled_reason = (f"{webhook.consecutive_failures} deliveries in a row failed; the last: {error}")[:500]
    record_audit(session, None, "webhook.disable", ("webhook", webhook.id), before={"active": True},
                 after={"active": False, "reason": webhook.disabled_reason}, organization_id=webhook.organization_id)
    events.record(session, "webhook.disabled", organization_id=webhook.organization_id, subject_type="webhook",
                  subject_id=webhook.id, payload={"url": webhook.url, "failures": webhook.consecutive_failures,
                                                  "last_error": error})


def give_up(session: Session, delivery_id: str, reason: str, settings: Settings) -> None:
    """The delivery's job failed for good (its workers kept dying): settle the delivery."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.status not in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
        return
    unconfirmed = delivery.status == DeliveryStatus.SENDING and delivery.channel == Channel.EMAIL
    delivery.status = DeliveryStatus.UNCONFIRMED if unconfirmed else DeliveryStatus.FAILED
    delivery.last_error = reason
    webhook = session.get(Webhook, delivery.webhook_id) if delivery.webhook_id else None
    if webhook is not None:
        count_failure(session, webhook, reason, settings)
