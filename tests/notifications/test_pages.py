"""The notification pages through a browser's requests (forms with CSRF tokens), then in real Chromium at desktop
and phone widths: the bell's unread count in every page's header, the list, the choices, webhooks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from paperclerk.core import events
from paperclerk.core.db import session_scope
from tests.browser import shot, watch_console
from tests.helpers import organization_id
from tests.notifications.support import drain, stored_webhook
from tests.web.conftest import create_account, form_token, web_login


def flag(subject_id: str) -> None:
    with session_scope() as session:
        events.record(session, "invoice.flagged", organization_id=organization_id("acme"), subject_type="invoice",
                      subject_id=subject_id, payload={"findings": ["INV-TOTAL-001"]})


def ticked(page: str, name: str) -> bool:
    match = re.search(rf'<input type="checkbox" name="{re.escape(name)}"[^>]*>', page)
    assert match, name
    return " checked" in match.group(0)


def test_the_bell_counts_unread_and_the_list_marks_read(make_client: Callable[[], TestClient]) -> None:
    account = create_account("viewer@acme.example", "viewer")
    browser = make_client()
    web_login(browser, account)
    assert "data-unread-count" not in browser.get("/").text
    flag("inv-1")
    flag("inv-2")
    drain()
    inbox = browser.get("/")
    assert re.search(r'data-unread-count>2<', inbox.text) and 'aria-label="Notifications: 2 unread"' in inbox.text
    listing = browser.get("/notifications")
    ids = re.findall(r'data-notification="([^"]+)"', listing.text)
    assert len(ids) == 2 and listing.text.count("is-unread") == 2
    token = form_token(browser, "/notifications")
    opened = browser.post("/notifications/read", data={"csrf_token": token, "id": ids[0]}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/invoices/inv-2"
    assert re.search(r'data-unread-count>1<', browser.get("/notifications").text)
    missing = browser.post("/notifications/read", data={"csrf_token": token, "id": "not-mine"}, follow_redirects=False)
    assert missing.headers["location"] == "/notifications?done=missing"
    browser.post("/notifications/read-all", data={"csrf_token": token})
    after = browser.get("/notifications?unread=1")
    assert "data-unread-count" not in after.text and "Nothing unread." in after.text


def test_the_choices_form_sets_every_event_it_shows(make_client: Callable[[], TestClient]) -> None:
    account = create_account("viewer@acme.example", "viewer")
    browser = make_client()
    web_login(browser, account)
    page = browser.get("/notifications/preferences")
    assert ticked(page.text, "in_app:invoice.flagged") and not ticked(page.text, "email:invoice.flagged")
    assert "system.error" not in page.text  # an administrator's event
    token = form_token(browser, "/notifications/preferences")
    saved = browser.post("/notifications/preferences", follow_redirects=False, data={
        "csrf_token": token, "event": ["invoice.flagged", "invoice.processed"], "email:invoice.flagged": "on",
        "in_app:invoice.processed": "on"})
    assert saved.status_code == 303
    page = browser.get(saved.headers["location"]).text
    assert "Your choices were saved." in page
    assert not ticked(page, "in_app:invoice.flagged") and ticked(page, "email:invoice.flagged")
    assert ticked(page, "in_app:invoice.processed") and ticked(page, "in_app:document.failed")  # not on the form
    refused = browser.post("/notifications/preferences", data={"csrf_token": token, "event": "invoice.nope"})
    assert refused.status_code == 400 and "There is no event" in refused.text


def test_webhook_pages_add_show_the_log_and_refuse_bad_input(make_client: Callable[[], TestClient]) -> None:
    admin = create_account("admin@acme.example", "admin")
    browser = make_client()
    web_login(browser, admin)
    token = form_token(browser, "/webhooks")
    bad = browser.post("/webhooks", data={"csrf_token": token, "url": "ftp://x", "events": "invoice.flagged"})
    assert bad.status_code == 400 and "starts with http://" in bad.text and 'value="ftp://x"' in bad.text
    added = browser.post("/webhooks", follow_redirects=False, data={
        "csrf_token": token, "url": "https://hooks.acme.example/in", "events": ["invoice.flagged"]})
    assert added.status_code == 303
    page = browser.get(added.headers["location"]).text
    assert "The webhook was added." in page and re.search(r"data-secret>whsec_", page)
    assert "Nothing delivered yet." in page
    assert "https://hooks.acme.example/in" in browser.get("/webhooks").text


def test_a_webhook_page_shows_each_delivery_with_its_attempts(make_client: Callable[[], TestClient]) -> None:
    from paperclerk.notifications.models import Delivery

    admin = create_account("admin@acme.example", "admin")
    browser = make_client()
    web_login(browser, admin)
    hook = stored_webhook(organization_id("acme"))
    with session_scope() as session:
        event = events.record(session, "invoice.flagged", organization_id=organization_id("acme"),
                              subject_type="invoice", subject_id="inv-1", payload={})
        session.flush()
        session.add(Delivery(organization_id=organization_id("acme"), event_id=event.id, event_name=event.name,
                             channel="webhook", target=f"webhook:{hook}", webhook_id=hook, address="https://x",
                             status="pending", attempts=2, last_error="HTTP 503", attempt_log=[
                                 {"outcome": "failed", "status_code": 503, "ms": 41, "error": "HTTP 503"},
                                 {"outcome": "failed", "status_code": None, "ms": None, "error": "timed out"}]))
    page = browser.get(f"/webhooks/{hook}").text
    row = re.search(r'<tr data-delivery="[^"]+" data-status="pending">.*?</tr>', page, re.S)
    assert row and "invoice.flagged" in row.group(0) and "HTTP 503" in row.group(0)
    assert re.findall(r"<li>(.*?)</li>", row.group(0)) == [
        'failed · 503 · 41 ms · <span class="muted">HTTP 503</span>', 'failed · <span class="muted">timed out</span>']
    assert "Nothing delivered yet." not in page


@pytest.mark.browser
@pytest.mark.parametrize("width", [1440, 375])
def test_bell_list_and_choices_in_chromium(server: str, browser_page: Any, width: int) -> None:
    from playwright.sync_api import expect

    account = create_account(f"reader{width}@acme.example", "admin")
    stored_webhook(organization_id("acme"))
    for number in range(3):
        flag(f"inv-{number}")
    drain()
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    problems = watch_console(page)
    page.goto(server + "/notifications")
    page.fill("#login-email", account.email)
    page.fill("#login-password", account.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/notifications")
    bell = page.locator("[data-notifications-badge]")
    expect(bell).to_be_visible()
    expect(page.locator("[data-unread-count]")).to_have_text("3")
    expect(page.locator("[data-notification]")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    shot(page, f"notifications-list-{width}")

    page.locator("[data-read-all] button").click()
    page.wait_for_url("**/notifications?done=read")
    expect(page.locator("[data-unread-count]")).to_have_count(0)

    bell.click()
    page.get_by_role("link", name="Choose what you are told, and how").click()
    page.wait_for_url("**/notifications/preferences")
    expect(page.locator("[data-choice]")).not_to_have_count(0)
    page.get_by_label("An invoice needs review: by e-mail").check()
    page.get_by_role("button", name="Save choices").click()
    page.wait_for_url("**/notifications/preferences?done=saved")
    expect(page.get_by_label("An invoice needs review: by e-mail")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    shot(page, f"notifications-preferences-{width}")

    page.goto(server + "/webhooks")
    expect(page.locator("[data-webhook]")).to_have_count(1)
    shot(page, f"webhooks-{width}")
    assert not [problem for problem in problems if "Content Security Policy" in problem or "page error" in problem]
