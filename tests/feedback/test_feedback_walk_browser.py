"""Chromium walks at phone (375 px) and desktop (1280 px) widths: a customer verifies a purchase, types feedback,
consents and sees the score and reward; the business reads it on its dashboard and the feedback page, and sets its
categories; the operator opens the admin dashboard. Screenshots in test-artifacts/web/feedback-*."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import DESKTOP, PHONE, assert_clean_console, log_in, shot, watch_console
from tests.feedback.support import business, submitted_feedback
from tests.web.conftest import create_account

TEXT = ("The cardamom bun was dry on Saturday morning and we waited 20 minutes at the counter because only one "
        "barista was working. You should open the second till at weekends. Anna at the checkout was lovely.")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_customer_business_and_operator_walk(server: str, browser_page: Any, size: dict[str, int],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from paperclerk.config import get_settings

    monkeypatch.setenv("PAPERCLERK_FEEDBACK_OPERATOR_ORGANIZATION", "acme")
    get_settings.cache_clear()
    width = size["width"]
    page = browser_page
    page.set_viewport_size(size)
    problems = watch_console(page)
    shop = business("acme", sales=4)
    submitted_feedback(shop, 3, flagged=True)  # one for the fraud queue
    sale = shop.sales[0]

    page.goto(f"{server}/f/{shop.store_code}")
    expect(page.locator("h1")).to_have_text("Acme")
    page.fill("#transaction_id", sale.external_id)
    page.fill("#amount", str(sale.amount))
    page.fill("#occurred_at", sale.occurred_at.strftime("%Y-%m-%dT%H:%M"))
    shot(page, f"feedback-10-verify-{width}")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Your feedback")
    page.fill("#text", TEXT)
    page.check("[data-consent]")
    shot(page, f"feedback-11-form-{width}")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("h1")).to_have_text("Thank you!")
    expect(page.locator("[data-reward]")).to_contain_text("SEK")
    assert int(page.locator("[data-score]").get_attribute("data-score") or 0) >= 60
    shot(page, f"feedback-12-result-{width}")
    page.goto(f"{server}/f/me")
    expect(page.locator("[data-my-feedback]")).to_contain_text("cardamom bun")
    shot(page, f"feedback-13-my-data-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # nothing wider than the phone

    admin = create_account(f"owner-{width}@acme.test", "admin", "acme")
    page.goto(f"{server}/feedback")
    log_in(page, admin)
    expect(page.locator("h1")).to_have_text("Customer feedback")
    expect(page.locator("[data-kpi-total]")).to_have_text("2")
    expect(page.locator("[data-most-useful] li").first).to_contain_text("cardamom bun")
    shot(page, f"feedback-20-dashboard-{width}")
    page.locator("[data-fraud-queue] a").first.click()
    expect(page.locator("[data-finding]").first).to_contain_text("FB-GENERATED")
    shot(page, f"feedback-21-held-feedback-{width}")
    page.get_by_role("button", name="Override: pay").click()
    expect(page.locator("[data-status]")).to_have_text("scored")
    page.goto(f"{server}/feedback/settings")
    page.fill("input[name=categories]", "coffee, buns, checkout")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-saved]")).to_be_visible()
    expect(page.locator("[data-store] img")).to_be_visible()
    shot(page, f"feedback-22-settings-{width}")
    page.goto(f"{server}/feedback/admin")
    expect(page.locator("[data-kpi-submitted]")).to_have_text("2")
    shot(page, f"feedback-30-admin-{width}")
    assert_clean_console(problems)
