"""Notification pages in the page access matrix: the list, marking read, choices, webhooks."""

from __future__ import annotations

from tests.notifications.support import stored_webhook
from tests.page_matrix import PageCall, PageWorld


def prepare(world: PageWorld) -> None:
    world.extra["webhook"] = stored_webhook(world.acme)


PAGE_CALLS = [
    PageCall("GET", "/notifications", lambda w: ("/notifications", {})),
    PageCall("POST", "/notifications/read-all", lambda w: ("/notifications/read-all", {"data": {}}), allowed=303),
    PageCall("POST", "/notifications/read", lambda w: ("/notifications/read", {"data": {"id": "gone"}}), allowed=303),
    PageCall("GET", "/notifications/preferences", lambda w: ("/notifications/preferences", {})),
    PageCall("POST", "/notifications/preferences",
             lambda w: ("/notifications/preferences", {"data": {"event": "invoice.flagged"}}), allowed=303),
    PageCall("GET", "/webhooks", lambda w: ("/webhooks", {})),
    PageCall("POST", "/webhooks", lambda w: ("/webhooks", {"data": {
        "url": "https://hooks.example.com/new", "events": ["invoice.flagged"]}}), allowed=303),
    PageCall("GET", "/webhooks/{webhook_id}", lambda w: (f"/webhooks/{w.extra['webhook']}", {})),
    PageCall("POST", "/webhooks/{webhook_id}", lambda w: (f"/webhooks/{w.extra['webhook']}", {"data": {
        "url": "https://hooks.example.com/paperclerk", "events": ["invoice.flagged"], "active": "on"}}),
             allowed=303),
    PageCall("POST", "/webhooks/{webhook_id}/rotate-secret",
             lambda w: (f"/webhooks/{w.extra['webhook']}/rotate-secret", {"data": {}}), allowed=303),
    PageCall("POST", "/webhooks/{webhook_id}/delete",
             lambda w: (f"/webhooks/{stored_webhook(w.acme)}/delete", {"data": {}}), allowed=303),
]
