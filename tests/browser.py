"""Browser fixtures for every page test: a real uvicorn server and a real headless Chromium.

Registered as a plugin in ``tests/conftest.py``, so ``server`` and ``browser_page`` are available to
every test without an import; the helpers (``log_in``, ``shot``, …) are imported from here.
Chromium starts once per test process; each test gets a fresh browser context (no cookies, no storage
shared between tests). Screenshots go to ``test-artifacts/web/``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Env
from tests.web.conftest import Account

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "web"
CSP = "default-src 'self'"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


class StrictCSP:
    """Adds the Content-Security-Policy the product will enforce, so violations show up here first."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def send_with_csp(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"content-security-policy", CSP.encode()))
            await send(message)

        await self.app(scope, receive, send_with_csp)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(app: Any) -> Iterator[str]:
    """Runs ``app`` under uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on")
    uv_server = uvicorn.Server(config)
    thread = threading.Thread(target=uv_server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv_server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv_server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def server(env: Env) -> Iterator[str]:
    """A real uvicorn server with embedded workers on a free loopback port (data dir from ``env``)."""
    from paperclerk.app import create_app

    app = create_app(embedded_workers=True)
    app.add_middleware(StrictCSP)
    yield from serve(app)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test process."""
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM}"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A page in a fresh browser context at desktop width (``page.set_viewport_size(PHONE)`` for a phone)."""
    context = chromium.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def watch_console(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def assert_clean_console(problems: list[str], *expected_statuses: str) -> None:
    csp = [problem for problem in problems if "Content Security Policy" in problem or "page error" in problem]
    assert not csp, csp
    unexpected = [problem for problem in problems
                  if not ("Failed to load resource" in problem and any(code in problem for code in expected_statuses))]
    assert not unexpected, unexpected


def log_in(page: Any, account: Account, *, password: str | None = None) -> None:
    """Fill in and submit the login form the page shows."""
    page.fill("#login-email", account.email)
    page.fill("#login-password", password or account.password)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Any) -> None:
    from playwright.sync_api import expect

    page.locator("[data-logout]").get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    expect(page.locator("h1")).to_have_text("Log in to paperclerk")


#: WCAG 2.1 AA: normal text needs a contrast ratio of at least 4.5:1 with its background.
AA_CONTRAST = 4.5
_CONTRASTS = """(selector) => {
    const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => [r, g, b].map((value) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    const background = (element) => {
        for (let node = element; node; node = node.parentElement) {
            const colour = rgb(getComputedStyle(node).backgroundColor);
            if (colour.length === 3 || colour[3] > 0) return colour.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const found = [];
    for (const root of document.querySelectorAll(selector)) {
        for (const element of [root, ...root.querySelectorAll('*')]) {
            const own = [...element.childNodes].some((node) => node.nodeType === 3 && node.textContent.trim());
            if (!own) continue;
            const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background(element))];
            found.push([element.textContent.trim().slice(0, 40), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
        }
    }
    return found;
}"""


def contrast_ratios(page: Any, selector: str) -> list[tuple[str, float]]:
    """Each piece of text inside the elements ``selector`` finds, with its contrast against its background."""
    return [(text, round(ratio, 2)) for text, ratio in page.evaluate(_CONTRASTS, selector)]
