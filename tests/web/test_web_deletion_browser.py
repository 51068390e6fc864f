"""An administrator deletes a junk upload and restores it, in headless Chromium at desktop (1280 px) and phone
(375 px) widths under the strict CSP. Screenshots: ``test-artifacts/web/delete-*.png``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import DESKTOP, PHONE, assert_clean_console, log_in, shot, watch_console
from tests.web.conftest import create_account

pytestmark = pytest.mark.browser

JUNK = b"Shopping list: zanzibarite crates, a kettle, bananas. Uploaded by mistake.\n"


def _fits(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than the screen"


def _account_shown_whole(page: Any) -> None:
    """The top bar shows who is logged in, whole: with every line's menu items the account was squeezed and its
    e-mail address cut off on the left at 1280 px."""
    cut = page.evaluate("""() => {
        const who = document.querySelector('.account-who').getBoundingClientRect();
        return [...document.querySelectorAll('.account-who > span')].map(part => {
            const box = part.getBoundingClientRect();
            return Math.max(0, Math.round(who.left - box.left), part.scrollWidth - part.clientWidth);
        });
    }""")
    assert cut == [0, 0], f"the account's e-mail and organisation are cut by {cut} px"


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "375"])
def test_an_admin_deletes_a_junk_upload_with_a_reason_and_restores_it(server: str, browser_page: Any,
                                                                     size: dict[str, int]) -> None:
    from playwright.sync_api import expect

    page = browser_page
    width = size["width"]
    page.set_viewport_size(size)
    problems = watch_console(page)
    admin = create_account("admin@acme.example", "admin")
    page.goto(server + "/")
    log_in(page, admin)
    page.wait_for_url(server + "/")
    _account_shown_whole(page)
    page.set_input_files("#upload-input", files=[{"name": "shopping.txt", "mimeType": "text/plain", "buffer": JUNK}])
    row = page.locator("[data-documents-body] tr[data-id]").filter(has_text="shopping.txt")
    expect(row).to_have_attribute("data-status", "processed", timeout=60_000)
    row.locator("a").click()

    # The confirm step: closed at first, it asks why before the button that deletes.
    delete = page.locator("[data-delete]")
    expect(page.locator("[data-confirm-delete]")).to_be_hidden()
    delete.locator("summary").click()
    expect(page.locator("[data-confirm-delete]")).to_be_visible()
    _fits(page)
    shot(page, f"delete-confirm-{width}")
    page.locator("[data-confirm-delete]").click()  # no reason yet: the browser asks for one, nothing is sent
    expect(page.locator("h1.doc-title")).to_have_text("shopping.txt")
    page.locator("#delete-reason").fill("A shopping list, not a supplier document")
    page.locator("[data-confirm-delete]").click()
    page.wait_for_url(server + "/?notice=deleted")
    expect(page.locator("[data-deleted-notice]")).to_contain_text("The document was deleted.")
    expect(page.locator("[data-documents-body] tr[data-id]")).to_have_count(0)
    _fits(page)
    shot(page, f"delete-inbox-{width}")

    page.locator("[data-deleted-notice] a").click()
    page.wait_for_url("**/documents/deleted")
    deleted = page.locator("[data-deleted] tr[data-id]")
    expect(deleted).to_have_count(1)
    expect(deleted).to_contain_text("A shopping list, not a supplier document")
    expect(deleted).to_contain_text(admin.email)
    _fits(page)
    shot(page, f"delete-list-{width}")
    deleted.get_by_role("button", name="Restore").click()
    expect(page.locator("[data-restored]")).to_be_visible()
    expect(page.locator("h1.doc-title")).to_have_text("shopping.txt")
    page.goto(server + "/search?q=zanzibarite")
    expect(page.locator("[data-hit]")).to_have_count(1)
    expect(page.locator("[data-hit]")).to_contain_text("shopping.txt")
    assert_clean_console(problems)
