"""The judgment pages in a real headless Chromium against a real server, under the strict CSP: a reviewer asks for
a draft with a case file, watches it being written, reads each section beside its evidence, edits a section and
overrides the outcome, at desktop and phone widths. Screenshots go to ``test-artifacts/web/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import PHONE, assert_clean_console, log_in, shot, watch_console
from tests.judgments.cases import tenancy_case
from tests.web.conftest import create_account

pytestmark = pytest.mark.browser


def test_request_read_review_a_draft(server: str, browser_page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    reviewer = create_account("approver@acme.example", "approver")
    folder = tenancy_case(tmp_path / "case")
    page = browser_page
    problems = watch_console(page)
    page.goto(server + "/judgments")
    log_in(page, reviewer)
    page.wait_for_url("**/judgments")
    form = page.locator("form[data-new-judgment]")
    form.get_by_label("Title").fill("Sharma v. Gupta")
    form.get_by_label("Questions to decide (one a line)").fill("Is the landlord's requirement bona fide?")
    form.locator("input[type=file]").set_input_files([str(folder / "facts.txt"), str(folder / "submissions.docx")])
    shot(page, "judgments-new")
    form.get_by_role("button", name="Draft the judgment").click()
    expect(page.locator("[data-outcome]")).to_be_visible(timeout=60_000)  # the page refreshes until drafted
    expect(page.locator('[data-case-files] [data-file="submissions.docx"]')).to_be_visible()
    facts = page.locator('[data-section="1"]')
    expect(facts.locator("[data-section-text]")).to_contain_text("lease deed dated 12 March 2015")
    expect(facts.locator('[data-source="file"]').first).to_contain_text("facts.txt, page 1")
    expect(page.locator('[data-section="4"] [data-source="precedent"]').first).to_contain_text("Supreme Court of India")
    shot(page, "judgments-draft")

    facts.get_by_text("Edit").click()
    facts.get_by_label("Text of Facts as found").fill("The appellant has been a tenant since March 2015.")
    facts.get_by_role("button", name="Save as new version").click()
    expect(page.locator("[data-done]")).to_be_visible()
    expect(page.locator('[data-section="1"] [data-section-text]')).to_have_text(
        "The appellant has been a tenant since March 2015.")
    predicted = page.locator("[data-outcome]").get_attribute("data-outcome")
    other = "rejected" if predicted == "accepted" else "accepted"
    decide = page.locator("form[data-decide]")
    decide.get_by_label("Outcome").select_option(other)
    decide.get_by_label("Reasons (required to override)").fill("Other accommodation was proved.")
    decide.get_by_role("button", name="Record decision").click()
    expect(page.locator("[data-review]")).to_contain_text(f"overridden — {other}")
    expect(page.locator("[data-versions] tr[data-version]")).to_have_count(3)
    shot(page, "judgments-review")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator('[data-section="1"]')).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 5, width
    shot(page, "judgments-draft-phone")
    page.goto(server + "/judgments")
    shot(page, "judgments-list-phone")
    assert_clean_console(problems)
