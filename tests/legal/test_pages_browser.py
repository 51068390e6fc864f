"""The legal document pages in a real headless Chromium against a real server, under the strict CSP: a reviewer
opens a case, files a contract and a new version of it, reads what changed, reads the analysis with its evidence
highlighted, searches by clause and reads the statistics — at desktop width, then the same pages at phone width.
Screenshots go to ``test-artifacts/web/``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from paperclerk.core.db import session_scope
from paperclerk.legal.models import DocumentVersion
from tests.browser import DESKTOP, PHONE, assert_clean_console, log_in, shot, watch_console
from tests.conftest import wait_until_final
from tests.legal.conftest import CONTRACT_V1, CONTRACT_V2
from tests.web.conftest import create_account

pytestmark = pytest.mark.browser


def _filed() -> list[str]:
    with session_scope(readonly=True) as session:
        return list(session.scalars(select(DocumentVersion.document_id).order_by(DocumentVersion.version)))


def test_file_compare_read_and_search(server: str, browser_page: Any, legal_analyzer: Any) -> None:
    from playwright.sync_api import expect

    reviewer = create_account("rev@acme.example", "reviewer")
    page = browser_page
    page.set_viewport_size(DESKTOP)
    problems = watch_console(page)
    page.goto(server + "/legal/cases")
    log_in(page, reviewer)
    page.wait_for_url("**/legal/cases")
    form = page.locator("form[data-new-case]")
    form.get_by_label("Number").fill("2024-117")
    form.get_by_label("Title").fill("Acme v. Beta")
    form.get_by_label("Parties, one per line: Name (role)").fill("Acme Corp (plaintiff)\nBeta Services LLC (defendant)")
    form.get_by_role("button", name="Open case").click()
    expect(page.locator("[data-case-title]")).to_have_text("2024-117 · Acme v. Beta")
    expect(page.locator("[data-parties] li")).to_have_count(2)

    upload = page.locator("form[data-file-upload]")
    upload.locator("input[name=file]").set_input_files(
        {"name": "msa.txt", "mimeType": "text/plain", "buffer": CONTRACT_V1.encode()})
    upload.get_by_label("Folder").fill("/contracts/services")
    upload.get_by_role("button", name="File the document").click()
    expect(page.locator("[data-done]")).to_contain_text("filed")
    wait_until_final(_filed())
    page.reload()
    expect(page.locator('[data-folder="/contracts/services"] [data-entry="msa.txt"]')).to_be_visible()
    upload = page.locator("form[data-file-upload]")
    upload.locator("input[name=file]").set_input_files(
        {"name": "msa-v2.txt", "mimeType": "text/plain", "buffer": CONTRACT_V2.encode()})
    upload.get_by_label("New version of").select_option(label="/contracts/services/msa.txt")
    upload.get_by_role("button", name="File the document").click()
    wait_until_final(_filed())
    page.reload()
    expect(page.locator("[data-deadlines] tbody tr")).to_have_count(1)
    shot(page, "legal-case")

    page.locator('[data-entry="msa.txt"]').get_by_role("link", name="msa.txt").click()
    expect(page.locator("[data-version]")).to_have_count(2)
    page.locator("[data-diff-link]").click()
    expect(page.locator("[data-removed]")).to_contain_text("ninety days")
    expect(page.locator("[data-added]").first).to_contain_text("thirty days")
    shot(page, "legal-diff")

    page.goto(server + f"/legal/documents/{_filed()[1]}")
    expect(page.locator("[data-legal-type]")).to_have_text("Services")
    expect(page.locator('[data-clause="Governing Law"]')).to_be_visible()
    evidence = page.locator("[data-evidence-text] mark.ev-clause")
    expect(evidence.first).to_be_visible()
    expect(page.locator("[data-evidence-text]")).to_contain_text("governed by the laws of the State of New York")
    page.locator('[data-clause="Governing Law"] a.finding-label').click()
    shot(page, "legal-document")

    page.get_by_role("link", name="Legal search").click()
    search = page.locator("form[data-legal-search]")
    search.get_by_label("Search").fill("which law governs")
    search.get_by_label("Clause").fill("Governing Law")
    search.get_by_role("button", name="Search").click()
    expect(page.locator("[data-hits] li")).to_have_count(1)
    expect(page.locator("[data-hits]")).to_contain_text("governed by the laws")
    shot(page, "legal-search")
    page.get_by_role("link", name="Cases", exact=True).click()
    page.locator("[data-statistics-link]").click()
    expect(page.locator('[data-chart="count"] svg g[data-bar]')).to_have_count(1)
    shot(page, "legal-statistics")

    page.set_viewport_size(PHONE)
    for path, name in ((f"/legal/cases/{_case_id(page, server)}", "legal-case-phone"),
                       (f"/legal/documents/{_filed()[1]}", "legal-document-phone"),
                       ("/legal/search?q=governing+law", "legal-search-phone"),
                       ("/legal/statistics", "legal-statistics-phone")):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 5, (path, width)  # nothing wider than the phone
        shot(page, name)
    assert_clean_console(problems)


def _case_id(page: Any, server: str) -> str:
    page.goto(server + "/legal/cases")
    href = page.locator('[data-case="2024-117"] a').get_attribute("href")
    return str(href).rsplit("/", 1)[-1]
