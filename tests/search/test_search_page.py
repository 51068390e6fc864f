"""The search page's "Best paragraphs": found by meaning as well as words, highlighted, linked to the document;
in a real Chromium at desktop and phone widths (screenshots in test-artifacts/web/)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ai.llm_server import use_llm_server
from tests.browser import assert_clean_console, log_in, shot, watch_console
from tests.conftest import wait_until_final
from tests.helpers import api_client, upload_and_wait
from tests.search.test_hybrid import CORPUS, LEASE
from tests.web.conftest import create_account, web_login


def test_the_page_shows_the_paragraphs_that_answer_the_question(env):
    from fastapi.testclient import TestClient

    from paperclerk.app import create_app

    with api_client() as client:
        upload_and_wait(client, *CORPUS)
    admin = create_account("admin@acme.example")
    with TestClient(create_app(embedded_workers=False)) as browser:
        web_login(browser, admin)
        page = browser.get("/search", params={"q": "which state jurisdiction applies"}).text
        assert "data-passages" in page and "Best paragraphs" in page
        assert "of Delaware" in page or "of New York" in page
        assert "No documents contain every word of" in page  # no document has all the words
        page = browser.get("/search", params={"q": "rent"}).text
        assert '<mark>rent</mark>' in page and "page 1" in page and "1 result for" in page


def test_a_down_embedding_model_still_shows_paragraphs_by_words(env, llm_server, monkeypatch):
    from fastapi.testclient import TestClient

    from paperclerk.app import create_app

    use_llm_server(monkeypatch, llm_server, embeddings=True, llm_retries="0")
    with api_client() as client:
        upload_and_wait(client, ("lease.txt", LEASE))
    llm_server.fail(5, status=503)
    admin = create_account("admin@acme.example")
    with TestClient(create_app(embedded_workers=False)) as browser:
        web_login(browser, admin)
        page = browser.get("/search", params={"q": "monthly rent"})
    assert page.status_code == 200 and "<mark>monthly</mark>" in page.text and "data-passages" in page.text


@pytest.mark.browser
def test_best_paragraphs_in_chromium_at_desktop_and_phone_widths(server: str, browser_page: Any) -> None:
    admin = create_account("admin@acme.example")
    with api_client() as client:
        [wait_until_final([doc["id"]]) for doc in upload_and_wait(client, *CORPUS)]
    page = browser_page
    problems = watch_console(page)
    page.goto(f"{server}/login")
    log_in(page, admin)
    page.wait_for_url(f"{server}/")
    for width, name in ((1440, "search-passages-desktop"), (375, "search-passages-phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{server}/search?q=ending+the+lease+early")
        passages = page.locator("[data-passage]")
        assert passages.count() >= 2
        assert "convenience" in passages.first.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, name)
    passages.first.get_by_role("link").click()
    page.wait_for_url("**/documents/*")
    assert_clean_console(problems)
