"""From a committed event to the in-app list, e-mails (a real SMTP server on loopback) and webhook calls (a real HTTP
receiver on loopback): who is told, signatures, retries with back-off, the delivery log, turning a failing webhook
off, and a worker that dies before or during a send."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from sqlalchemy import select

from paperclerk.auth.principal import Principal
from paperclerk.config import get_settings
from paperclerk.core import events, jobs
from paperclerk.core.audit import AuditEntry
from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.errors import PaperclerkError
from paperclerk.core.events import Event
from paperclerk.core.jobs import Job
from paperclerk.notifications import delivery, service
from paperclerk.notifications.models import Delivery, DeliveryStatus, Notification, Webhook
from tests.helpers import organization_id
from tests.notifications.conftest import Mailbox, Receiver
from tests.notifications.support import drain, person, stored_webhook


def record(name: str = "invoice.flagged", organization: str | None = "acme", subject_id: str = "inv-1",
           **payload: object) -> int:
    with session_scope() as session:
        event = events.record(session, name, organization_id=organization_id(organization) if organization else None,
                              subject_type="invoice", subject_id=subject_id, payload=payload)
        return event.id


def inbox(user_id: str) -> list[Notification]:
    with session_scope(readonly=True) as session:
        return list(session.scalars(select(Notification).where(Notification.user_id == user_id)
                                    .order_by(Notification.created_at)))


def deliveries() -> list[Delivery]:
    with session_scope(readonly=True) as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.created_at)))


def as_user(user_id: str, role: str, organization: str = "acme") -> Principal:
    return Principal(actor_type="user", id=user_id, organization_id=organization_id(organization), role=role,
                     label=user_id)


def choose(user_id: str, role: str, changes: dict[str, dict[str, bool]]) -> None:
    with session_scope() as session:
        service.set_choices(session, as_user(user_id, role), changes)


def test_people_of_the_organisation_are_told_in_the_app_by_default_or_as_they_chose(env) -> None:
    viewer = person("viewer@acme.example")
    quiet = person("quiet@acme.example", role="reviewer")
    curious = person("curious@acme.example")
    outsider = person("outsider@rival.example", organization="rival")
    choose(quiet, "reviewer", {"invoice.flagged": {"in_app": False}})
    choose(curious, "viewer", {"invoice.processed": {"in_app": True}})

    record("invoice.flagged", findings=[{"rule_id": "INV-TOTAL-001", "severity": "error"}])
    record("invoice.processed", subject_id="inv-2", status="processed")
    assert inbox(viewer) == []  # nothing before the delivery job ran
    drain()

    told = inbox(viewer)
    assert [item.event_name for item in told] == ["invoice.flagged"]
    assert told[0].title == "An invoice needs review" and told[0].link == "/invoices/inv-1"
    assert "INV-TOTAL-001 error" in told[0].body
    assert inbox(quiet) == [] and inbox(outsider) == []
    assert [item.event_name for item in inbox(curious)] == ["invoice.flagged", "invoice.processed"]
    with session_scope(readonly=True) as session:
        assert service.unread_count(session, as_user(viewer, "viewer")) == 1
    assert drain() == 0  # delivered once: the jobs are done


def test_system_events_reach_the_administrators_of_every_organisation_without_the_traceback(env) -> None:
    acme_admin = person("root@acme.example", role="admin")
    rival_admin = person("root@rival.example", organization="rival", role="admin")
    viewer = person("viewer@acme.example")
    record("system.error", organization=None, error="builtins.RuntimeError", where="GET /", traceback="secret frames")
    drain()
    assert inbox(viewer) == []
    for admin in (acme_admin, rival_admin):
        (item,) = inbox(admin)
        assert item.event_name == "system.error" and "RuntimeError" in item.body and "secret" not in item.body


def test_an_undeclared_choice_is_refused_whole(env) -> None:
    viewer = person("viewer@acme.example")
    for changes, code in (({"invoice.flagged": {"in_app": False}, "invoice.nope": {"in_app": True}}, "UNKNOWN_EVENT"),
                          ({"system.error": {"in_app": True}}, "UNKNOWN_EVENT"),  # not for a viewer
                          ({"invoice.flagged": {"sms": True}}, "UNKNOWN_CHANNEL")):
        with pytest.raises(PaperclerkError) as refused:
            choose(viewer, "viewer", changes)
        assert refused.value.code == code
    with session_scope(readonly=True) as session:
        (flagged,) = [item for item in service.choices(session, as_user(viewer, "viewer"))
                      if item.event.name == "invoice.flagged"]
    assert flagged.in_app is True  # the refused batch changed nothing


def test_an_email_goes_to_those_who_chose_it_once_with_the_link(env, mailbox: Mailbox) -> None:
    reader = person("reader@acme.example")
    person("viewer@acme.example")
    choose(reader, "viewer", {"invoice.flagged": {"email": True}})
    record("invoice.flagged", subject_id="inv-9")
    drain()
    (mail,) = mailbox.messages
    assert mail["To"] == "reader@acme.example" and mail["From"] == "paperclerk@acme.example"
    assert mail["Subject"] == "[paperclerk] An invoice needs review"
    text = mail.get_payload(decode=True).decode()
    assert "https://paperclerk.acme.example/invoices/inv-9" in text
    assert "https://paperclerk.acme.example/notifications/preferences" in text
    (sent,) = deliveries()
    assert sent.status == DeliveryStatus.DELIVERED and sent.attempts == 1
    assert mail["Message-ID"] == f"<{sent.id}@paperclerk>"


def _claim_as_dead_worker() -> Job:
    """A worker takes the next job and dies (its lease runs out at once)."""
    with session_scope() as session:
        job = jobs.claim_next(session, queues=["default"], worker="dead-worker", lease_seconds=30)
        assert job is not None
        job.lease_expires_at = utcnow() - timedelta(seconds=1)
        return job


def test_an_event_committed_is_delivered_even_if_its_worker_died_before_sending(env, mailbox: Mailbox) -> None:
    reader = person("reader@acme.example")
    choose(reader, "viewer", {"invoice.flagged": {"email": True}})
    record("invoice.flagged")
    fan_out = _claim_as_dead_worker()  # died during the fan-out: nothing of it was committed
    assert fan_out.task == events.DELIVER_TASK and deliveries() == []
    drain()
    assert len(mailbox.messages) == 1 and len(inbox(reader)) == 1


def test_an_email_whose_worker_died_while_sending_is_never_sent_twice(env, mailbox: Mailbox) -> None:
    reader = person("reader@acme.example")
    choose(reader, "viewer", {"invoice.flagged": {"email": True}})
    record("invoice.flagged")
    drain(limit=1)  # the fan-out: one delivery with its job
    job = _claim_as_dead_worker()
    settings = get_settings()
    with session_scope() as session:
        attempt = delivery.begin(session, job.subject_id, settings)
    assert attempt is not None
    assert delivery.perform(attempt, settings).ok  # the server took it; then the worker died
    drain()
    assert len(mailbox.messages) == 1
    (sent,) = deliveries()
    assert sent.status == DeliveryStatus.UNCONFIRMED
    assert [entry["outcome"] for entry in sent.attempt_log] == ["interrupted"]


def _verify(secret: str, call_headers: dict[str, str], body: bytes) -> bool:
    timestamp = call_headers["x-paperclerk-timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(call_headers["x-paperclerk-signature"], f"sha256={expected}")


def test_a_webhook_gets_signed_json_and_its_log_records_the_answer(env, receiver: Receiver) -> None:
    acme = organization_id_for("acme")
    hook = stored_webhook(acme, receiver.url, ("invoice.flagged",))
    stored_webhook(acme, receiver.url + "/other", ("invoice.processed",))
    stored_webhook(acme, receiver.url + "/off", ("*",), active=False)
    event_id = record("invoice.flagged", subject_id="inv-7", findings=["INV-TOTAL-001"])
    drain()
    (call,) = receiver.calls
    assert _verify("whsec_test-secret-0123456789", call.headers, call.body)
    assert not _verify("whsec_another-secret-000000", call.headers, call.body)
    assert call.headers["x-paperclerk-event"] == "invoice.flagged"
    body = call.json
    assert body["event"] == "invoice.flagged" and body["event_id"] == event_id and body["organization_id"] == acme
    assert body["subject"] == {"type": "invoice", "id": "inv-7"} and body["data"] == {"findings": ["INV-TOTAL-001"]}
    assert body["summary"]["link"] == "/invoices/inv-7" and body["id"] == call.headers["x-paperclerk-delivery"]
    (logged,) = deliveries()
    assert logged.webhook_id == hook and logged.status == DeliveryStatus.DELIVERED
    assert logged.attempt_log[0]["status_code"] == 200 and logged.attempt_log[0]["outcome"] == "delivered"


def organization_id_for(slug: str) -> str:
    person(f"someone@{slug}.example", organization=slug)
    return organization_id(slug)


def test_a_failed_call_is_retried_under_the_same_delivery_id(env, receiver: Receiver) -> None:
    receiver.answers = [500, 200]
    stored_webhook(organization_id_for("acme"), receiver.url)
    record()
    drain()
    first, second = receiver.calls
    assert first.headers["x-paperclerk-delivery"] == second.headers["x-paperclerk-delivery"]
    (logged,) = deliveries()
    assert logged.status == DeliveryStatus.DELIVERED and logged.attempts == 2
    assert [entry["outcome"] for entry in logged.attempt_log] == ["failed", "delivered"]
    assert logged.attempt_log[0]["error"].startswith("HTTP 500")


def test_retries_back_off_exponentially(env, receiver: Receiver, monkeypatch) -> None:
    monkeypatch.setenv("PAPERCLERK_DELIVERY_RETRY_BASE_SECONDS", "30")
    get_settings.cache_clear()
    receiver.answers = [503]
    stored_webhook(organization_id_for("acme"), receiver.url)
    record()
    drain()  # the fan-out and the first attempt; the retry waits
    (job,) = _send_jobs()
    waits = [(job.run_after - utcnow()).total_seconds()]
    with session_scope() as session:
        session.get(Job, job.id).run_after = utcnow()  # type: ignore[union-attr]
    drain()
    (job,) = _send_jobs()
    waits.append((job.run_after - utcnow()).total_seconds())
    assert 25 < waits[0] <= 30 and 55 < waits[1] <= 60
    assert len(receiver.calls) == 2


def _send_jobs() -> list[Job]:
    with session_scope(readonly=True) as session:
        return list(session.scalars(select(Job).where(Job.task == delivery.SEND_TASK)))


def test_a_webhook_that_keeps_failing_is_turned_off_and_its_administrators_told(env, receiver: Receiver) -> None:
    receiver.answers = [500]
    admin = person("root@acme.example", role="admin")
    hook = stored_webhook(organization_id("acme"), receiver.url, ("invoice.flagged",))
    record(subject_id="a")
    drain()
    assert len(receiver.calls) == 3  # every attempt
    with session_scope(readonly=True) as session:
        assert session.get(Webhook, hook).active is True  # one delivery given up: still on
    record(subject_id="b")
    drain()
    with session_scope(readonly=True) as session:
        webhook = session.get(Webhook, hook)
        assert webhook is not None and not webhook.active and webhook.consecutive_failures == 2
        assert "HTTP 500" in (webhook.disabled_reason or "")
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "webhook.disable")).one()
        assert audit.subject_id == hook and audit.actor_type == "system"
        disabled = session.scalars(select(Event).where(Event.name == "webhook.disabled")).one()
        assert disabled.subject_id == hook
    assert [item.event_name for item in inbox(admin)] == ["invoice.flagged", "invoice.flagged", "webhook.disabled"]
    record(subject_id="c")
    drain()
    assert len(receiver.calls) == 6  # nothing more to a webhook that is off
    assert {item.status for item in deliveries()} == {DeliveryStatus.FAILED}


def test_a_webhook_into_the_servers_own_network_is_refused_unless_allowed(env, receiver: Receiver, monkeypatch) -> None:
    monkeypatch.setenv("PAPERCLERK_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "false")
    get_settings.cache_clear()
    stored_webhook(organization_id_for("acme"), receiver.url)
    record()
    drain()
    assert receiver.calls == []
    (logged,) = deliveries()
    assert logged.status == DeliveryStatus.FAILED and "non-public address" in (logged.last_error or "")
