"""The two jobs of notifications, run by the embedded workers or Celery like every job: delivering an event
(``events.deliver``, written with the event) and sending one e-mail or webhook call (``notifications.send``)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.errors import PaperclerkError
from paperclerk.core.events import DELIVER_TASK, Event
from paperclerk.core.worker import JobRun, TaskSpec, register_task
from paperclerk.notifications import delivery

log = logging.getLogger(__name__)


def deliver_event(run: JobRun) -> None:
    """Fan the event out, and mark the job done, in one transaction."""
    with session_scope() as session:
        event = session.get(Event, int(run.subject_id))
        if event is not None:
            delivery.fan_out(session, event, get_settings())
        run.complete(session)


def send(run: JobRun) -> None:
    """One attempt at a delivery: its state is committed before the message leaves and after it is answered."""
    settings = get_settings()
    with session_scope() as session:
        run._own(session)  # still this worker's job, or nothing is marked
        attempt = delivery.begin(session, run.subject_id, settings)
        if attempt is None:
            run.complete(session)
            return
    outcome = delivery.perform(attempt, settings)
    with session_scope() as session:
        job = run._own(session)
        if not delivery.finish(session, job, attempt, outcome, settings):
            run.complete(session)


def _event_not_delivered(_session: Session, run: JobRun, error: PaperclerkError) -> None:
    log.error("an event could not be delivered", extra={"event_id": run.subject_id, "code": error.code,
                                                        "error": error.message})


def _send_failed(session: Session, run: JobRun, error: PaperclerkError) -> None:
    delivery.give_up(session, run.subject_id, f"{error.code}: {error.message}", get_settings())


def _will_retry(_session: Session, run: JobRun, error: PaperclerkError, delay: float) -> None:
    """The job comes back after ``delay``; the delivery's own state is unchanged meanwhile."""
    log.warning("notification job will be retried", extra={"job_id": run.job_id, "code": error.code, "delay": delay})


register_task(TaskSpec(name=DELIVER_TASK, run=deliver_event, on_failure=_event_not_delivered, on_retry=_will_retry))
register_task(TaskSpec(name=delivery.SEND_TASK, run=send, on_failure=_send_failed, on_retry=_will_retry))
