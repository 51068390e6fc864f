"""Scaled-out delivery: real ``paperclerk worker`` processes (Celery on Redis, PostgreSQL) deliver events, and a
worker killed with ``kill -9`` while it sends loses nothing and doubles nothing: an e-mail is not sent twice, a
webhook call is made again under the same delivery id."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from paperclerk import samples
from paperclerk.core.db import session_scope
from paperclerk.notifications.models import Delivery, DeliveryStatus
from tests.celery_workers import Processes
from tests.helpers import api_client, organization_id, upload
from tests.notifications.conftest import Mailbox, Receiver
from tests.notifications.support import person, stored_webhook
from tests.notifications.test_delivery import choose
from tests.scaled.support import CeleryEnv, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.s3]


def settled() -> list[Delivery]:
    with session_scope(readonly=True) as session:
        found = list(session.scalars(select(Delivery)))
    return found if found and all(item.status not in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
                                  for item in found) else []


def upload_text(name: str) -> None:
    with api_client(embedded_workers=False) as client:  # the broker is configured: jobs go to Celery
        upload(client, (name, samples.plain_text(f"Notes for {name}.")))


@pytest.mark.timeout(180)
def test_an_email_whose_worker_is_killed_mid_send_is_not_sent_twice(celery_env: CeleryEnv, mailbox: Mailbox,
                                                                     processes: Processes) -> None:
    reader = person("reader@acme.example")
    choose(reader, "viewer", {"document.received": {"email": True}})
    mailbox.stall = True
    first = processes.worker("first", queues="default")
    upload_text("kill-while-mailing.txt")
    assert mailbox.arrived.wait(90), processes.logs()
    first.kill_group()  # the server has the message; the worker never heard its answer
    mailbox.release.set()
    processes.worker("second", queues="default")
    (delivery,) = wait_for(settled, timeout=120, what="the delivery settled")
    assert delivery.status == DeliveryStatus.UNCONFIRMED
    assert len(mailbox.messages) == 1


@pytest.mark.timeout(180)
def test_a_webhook_call_whose_worker_is_killed_is_made_again_under_the_same_id(
        celery_env: CeleryEnv, receiver: Receiver, processes: Processes) -> None:
    person("someone@acme.example")
    stored_webhook(organization_id("acme"), receiver.url, ("document.received",))
    receiver.stall = True
    first = processes.worker("first", queues="default")
    upload_text("kill-while-calling.txt")
    assert receiver.arrived.wait(90), processes.logs()
    first.kill_group()
    receiver.stall = False
    receiver.release.set()
    processes.worker("second", queues="default")
    (delivery,) = wait_for(settled, timeout=120, what="the delivery settled")
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [entry["outcome"] for entry in delivery.attempt_log] == ["interrupted", "delivered"]
    assert len({call.headers["x-paperclerk-delivery"] for call in receiver.calls}) == 1
    assert len(receiver.calls) == 2
