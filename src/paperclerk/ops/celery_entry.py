"""The Celery application as a module attribute, for Celery's own commands: Flower
(``celery --app paperclerk.ops.celery_entry flower``) and health checks (``… inspect ping``)."""

from __future__ import annotations

from paperclerk.core.celery_app import get_celery

app = get_celery()
