"""Notifications as the core wires them in: tables, the delivery task, routes, pages, permissions, the
``webhook.disabled`` event and the ``notifications`` migration branch. Not a product line: it serves every line
(listed in ``plugins.CORE_PLUGIN_MODULES``)."""

from __future__ import annotations

from paperclerk.core.lines import EventType, Permission, ProductLine

LINE = ProductLine(
    name="notifications",
    title="Notifications: in the app, by e-mail and to webhooks",
    package="paperclerk.notifications",
    model_modules=("paperclerk.notifications.models",),
    task_modules=("paperclerk.notifications.tasks",),
    api_routers=("paperclerk.notifications.api:router", "paperclerk.notifications.api:webhooks_router"),
    page_routers=("paperclerk.notifications.pages:router", "paperclerk.notifications.pages_webhooks:router"),
    templates="templates",
    static="static",
    permissions=(
        Permission("notifications:read", "read your notifications", "viewer"),
        Permission("webhooks:manage", "manage webhooks", "admin"),
    ),
    events=(
        EventType("webhook.disabled", "A webhook was turned off after repeated failures", permission="webhooks:manage",
                  in_app=True, link="/webhooks/{subject_id}"),
    ),
    migrations="migrations",
)
