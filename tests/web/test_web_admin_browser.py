"""The users and API-keys pages in headless Chromium at desktop (1440 px) and phone (375 px) widths, under the
strict CSP. Screenshots: ``test-artifacts/web/admin-*.png``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import assert_clean_console, log_in, shot, watch_console
from tests.web.conftest import create_account

pytestmark = pytest.mark.browser


def _fits(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than the screen"


@pytest.mark.parametrize("width", [1440, 375])
def test_an_admin_manages_users_and_keys_in_the_browser(server: str, browser_page: Any, width: int) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    problems = watch_console(page)
    admin = create_account("admin@acme.example", "admin")
    page.goto(server + "/users")
    log_in(page, admin)
    page.wait_for_url("**/users")
    expect(page.locator("h1")).to_have_text("Users")
    if width > 960:
        expect(page.locator(".mainnav a[href='/users']")).to_be_visible()

    form = page.locator("[data-add-user]")
    form.locator("input[name=email]").fill("clerk@acme.example")
    form.locator("select[name=role]").select_option("reviewer")
    form.get_by_role("button", name="Add user").click()
    expect(page.locator("[data-shown-password] [data-secret]")).not_to_be_empty()
    row = page.locator("tr[data-email='clerk@acme.example']")
    expect(row.locator("select[name=role]")).to_have_value("reviewer")
    _fits(page)
    shot(page, f"admin-users-{width}")

    row.locator("select[name=role]").select_option("approver")
    row.get_by_role("button", name="Change").click()
    expect(page.locator("[data-admin-done]")).to_contain_text("role was changed")
    row = page.locator("tr[data-email='clerk@acme.example']")
    expect(row.locator("select[name=role]")).to_have_value("approver")
    row.get_by_role("button", name="Disable").click()
    expect(page.locator("tr[data-email='clerk@acme.example']")).to_contain_text("Disabled")
    page.locator("tr[data-email='clerk@acme.example']").get_by_role("button", name="Enable").click()
    expect(page.locator("tr[data-email='clerk@acme.example']")).to_contain_text("Active")
    page.locator("tr[data-email='clerk@acme.example']").get_by_role("button", name="New password").click()
    expect(page.locator("[data-shown-password]")).to_contain_text("Password for clerk@acme.example")
    _fits(page)

    page.goto(server + "/apikeys")
    key_form = page.locator("[data-add-key]")
    key_form.locator("input[name=name]").fill("ERP export")
    key_form.get_by_role("button", name="Create key").click()
    expect(page.locator("[data-shown-key] [data-secret]")).to_contain_text("pck_")
    _fits(page)
    shot(page, f"admin-apikeys-{width}")
    page.locator("tr[data-name='ERP export']").get_by_role("button", name="Revoke").click()
    expect(page.locator("tr[data-name='ERP export']")).to_contain_text("Revoked")

    # The audit trail shows each change as a readable before → after.
    page.goto(server + "/audit")
    role_change = page.locator("tr[data-action='user.set_role'] [data-field='role']")
    expect(role_change.locator("del")).to_have_text("reviewer")
    expect(role_change.locator("ins")).to_have_text("approver")
    expect(page.locator("tr[data-action='apikey.revoke'] [data-field='revoked'] ins")).to_have_text("yes")
    shot(page, f"admin-audit-{width}")
    assert_clean_console(problems)
