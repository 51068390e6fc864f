"""Who may see which page: login redirects, the top bar, logout, CSRF on form posts, roles and tenancy."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from paperclerk import samples
from paperclerk.auth import permissions
from tests.conftest import wait_until_final
from tests.helpers import api_client, assert_error
from tests.web.conftest import Account, create_account, form_token, page_token, upload, web_login

MakeClient = Callable[[], TestClient]
INVOICE = "Invoice number 4711\nBill to: Example Corp\nAmount due: 1,250.00 EUR"


def _next_of(response: object) -> str:
    location = response.headers["location"]  # type: ignore[attr-defined]
    parts = urlsplit(location)
    assert parts.path == "/login" and not parts.netloc, location
    return parse_qs(parts.query)["next"][0]


# -- anonymous visitors --------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "expected_next"), [
    ("/", "/"),
    ("/?status=failed&page=2", "/?status=failed&page=2"),
    ("/documents/00000000-0000-0000-0000-000000000000", "/documents/00000000-0000-0000-0000-000000000000"),
    ("/search", "/search"),
    ("/search?q=invoice total", "/search?q=invoice%20total"),
    ("/vendors", "/vendors"),
    ("/vendors?name=north", "/vendors?name=north"),
    ("/vendors/00000000-0000-0000-0000-000000000000", "/vendors/00000000-0000-0000-0000-000000000000"),
    ("/purchase-orders", "/purchase-orders"),
    ("/purchase-orders/00000000-0000-0000-0000-000000000000", "/purchase-orders/00000000-0000-0000-0000-000000000000"),
    ("/goods-receipts", "/goods-receipts"),
    ("/exports", "/exports"),
])
def test_anonymous_pages_redirect_to_login(make_client: MakeClient, path: str, expected_next: str) -> None:
    browser = make_client()
    response = browser.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert _next_of(response) == expected_next
    assert response.headers["location"].startswith("/login?next=/")
    login = browser.get(response.headers["location"])
    assert login.status_code == 200 and "Log in to paperclerk" in login.text
    assert f'name="next" value="{expected_next.replace("&", "&amp;")}"' in login.text


def test_anonymous_retry_post_redirects_to_login_for_the_document(make_client: MakeClient) -> None:
    response = make_client().post("/documents/some-id/retry", follow_redirects=False)
    assert response.status_code == 303 and _next_of(response) == "/documents/some-id"


@pytest.mark.parametrize(("path", "expected_next"), [
    ("/vendors", "/vendors"),
    ("/vendors/import", "/vendors"),
    ("/vendors/some-id", "/vendors/some-id"),
    ("/vendors/some-id/active", "/vendors/some-id"),
    ("/purchase-orders", "/purchase-orders"),
    ("/purchase-orders/import", "/purchase-orders"),
    ("/purchase-orders/some-id/goods-receipts", "/purchase-orders/some-id"),
    ("/exports", "/exports"),
])
def test_anonymous_form_posts_redirect_to_login_for_the_page(make_client: MakeClient, path: str,
                                                              expected_next: str) -> None:
    response = make_client().post(path, data={"name": "x"}, follow_redirects=False)
    assert response.status_code == 303 and _next_of(response) == expected_next


def test_login_returns_to_the_page_asked_for(make_client: MakeClient, admin: Account) -> None:
    browser = make_client()
    target = _next_of(browser.get("/search?q=invoice", follow_redirects=False))
    assert web_login(browser, admin, next_path=target) == "/search?q=invoice"
    page = browser.get("/search?q=invoice")
    assert page.status_code == 200 and 'value="invoice"' in page.text


def test_a_dead_or_forged_session_cookie_is_sent_to_login(make_client: MakeClient) -> None:
    browser = make_client()
    browser.cookies.set("paperclerk_session", "not-a-token")
    response = browser.get("/", follow_redirects=False)
    assert response.status_code == 303 and _next_of(response) == "/"


def test_unknown_address_for_an_anonymous_visitor_is_a_404_without_the_product_menu(make_client: MakeClient) -> None:
    page = make_client().get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404 and "Page not found" in page.text
    assert 'class="mainnav"' not in page.text and 'href="/login"' in page.text


# -- the login page --------------------------------------------------------------------------------------


def test_login_page_uses_the_site_layout_and_stylesheet(make_client: MakeClient) -> None:
    html = make_client().get("/login").text
    assert '<link rel="stylesheet" href="/static/app.css' in html and 'class="topbar"' in html
    assert 'class="card login"' in html and 'class="text-input"' in html
    assert re.search(r'<form class="login-form" action="/login" method="post">\s*<input type="hidden" '
                     r'name="csrf_token" value="[^"]+">', html)
    assert 'class="mainnav"' not in html and 'class="topsearch"' not in html  # nothing to browse yet
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and not re.search(r"\sstyle=|<style\b", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_failed_login_shows_the_error_in_the_form(make_client: MakeClient, admin: Account) -> None:
    browser = make_client()
    response = browser.post("/login", data={"csrf_token": form_token(browser), "email": admin.email,
                                            "password": "Wrong-password-99"})
    assert response.status_code == 401
    assert 'data-login-error="CREDENTIALS_INVALID"' in response.text
    assert "The e-mail address or the password is wrong" in response.text
    assert f'value="{admin.email}"' in response.text and "Wrong-password-99" not in response.text


# -- the logged-in top bar, logout -----------------------------------------------------------------------


def test_top_bar_shows_user_organisation_role_and_logout(client: TestClient, admin: Account) -> None:
    html = client.get("/").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert token
    assert f"data-account-email>{admin.email}<" in html
    assert f"data-account-org>{admin.organization_name}<" in html
    assert "data-account-role>admin<" in html
    logout = re.search(r'<form class="logout-form" action="/logout" method="post" data-logout>\s*'
                       r'<input type="hidden" name="csrf_token" value="([^"]+)">', html)
    assert logout and logout.group(1) == token.group(1)
    response = client.post("/logout", data={"csrf_token": logout.group(1)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.cookies.get("paperclerk_session") is None
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_is_refused_without_the_token(client: TestClient) -> None:
    assert_error(client.post("/logout", follow_redirects=False), 403, "CSRF_FAILED")
    assert_error(client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False), 403, "CSRF_FAILED")
    assert client.get("/").status_code == 200  # still logged in


def test_an_api_key_caller_sees_the_pages_without_a_logout_button(env: object) -> None:
    with api_client(role="viewer", embedded_workers=False) as machine:
        html = machine.get("/").text
    assert "data-account-role>viewer<" in html and "data-logout" not in html and "data-upload-form" not in html


# -- CSRF on the pages' posts ----------------------------------------------------------------------------


def test_form_posts_without_or_with_a_wrong_csrf_token_are_refused(client: TestClient) -> None:
    broken = upload(client, "broken.pdf", samples.truncated_pdf())
    assert wait_until_final([broken])[broken] == "failed"
    token = page_token(client, f"/documents/{broken}")
    path = f"/documents/{broken}/retry"
    assert_error(client.post(path, follow_redirects=False), 403, "CSRF_FAILED")
    assert_error(client.post(path, data={"csrf_token": ""}, follow_redirects=False), 403, "CSRF_FAILED")
    assert_error(client.post(path, data={"csrf_token": token[:-2] + ("AA" if not token.endswith("AA") else "BB")},
                             follow_redirects=False), 403, "CSRF_FAILED")
    assert_error(client.post(path, data={"email": "x", "csrf_token": token}, headers={"X-CSRF-Token": "wrong"},
                             follow_redirects=False), 403, "CSRF_FAILED")
    # The script's calls: the API refuses a cookie-authenticated POST without the header.
    assert_error(client.post(f"/api/v1/documents/{broken}/retry"), 403, "CSRF_FAILED")
    assert_error(client.post("/api/v1/documents", files=[("files", ("a.txt", b"hello", "text/plain"))]), 403,
                 "CSRF_FAILED")
    assert "retry requested" not in client.get(f"/documents/{broken}").text  # nothing happened
    # With the token (form field or header) the same posts go through.
    response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/documents/{broken}"
    wait_until_final([broken])
    api = client.post(f"/api/v1/documents/{broken}/retry", headers={"X-CSRF-Token": token})
    assert api.status_code == 202, api.text


def test_a_token_of_another_session_does_not_work(make_client: MakeClient, admin: Account) -> None:
    first, second = make_client(), make_client()
    web_login(first, admin)
    web_login(second, admin)
    stolen = page_token(first)
    assert stolen != page_token(second)
    assert_error(second.post("/logout", data={"csrf_token": stolen}, follow_redirects=False), 403, "CSRF_FAILED")


# -- roles -----------------------------------------------------------------------------------------------


def test_a_viewer_sees_no_upload_zone_and_no_retry_and_cannot_retry(make_client: MakeClient, client: TestClient,
                                                                      admin: Account) -> None:
    broken = upload(client, "broken.pdf", samples.truncated_pdf())
    assert wait_until_final([broken])[broken] == "failed"
    viewer = create_account("viewer@acme.example", "viewer")
    browser = make_client()
    web_login(browser, viewer)

    inbox = browser.get("/").text
    assert "data-account-role>viewer<" in inbox
    assert "data-upload-form" not in inbox and "data-dropzone" not in inbox and 'type="file"' not in inbox
    assert 'data-can-upload="false"' in inbox and "broken.pdf" in inbox  # still sees the organisation's documents
    page = browser.get(f"/documents/{broken}").text
    assert "Processing failed" in page and "data-retry " not in page and ">Retry</button>" not in page
    assert "data-retry-denied" in page

    token = page_token(browser)
    refused = browser.post(f"/documents/{broken}/retry", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert "data-forbidden" in refused.text and "You cannot retry documents" in refused.text
    assert "documents:retry" in refused.text and "<strong>viewer</strong>" in refused.text
    assert_error(browser.post(f"/api/v1/documents/{broken}/retry", headers={"X-CSRF-Token": token}), 403,
                 "FORBIDDEN")
    assert_error(browser.post("/api/v1/documents", files=[("files", ("a.txt", b"hello", "text/plain"))],
                              headers={"X-CSRF-Token": token}), 403, "FORBIDDEN")
    assert "retry requested" not in browser.get(f"/documents/{broken}").text

    reviewer = create_account("reviewer@acme.example", "reviewer")
    other = make_client()
    web_login(other, reviewer)
    assert "data-upload-form" in other.get("/").text
    assert ">Retry</button>" in other.get(f"/documents/{broken}").text


def test_a_role_without_a_pages_permission_gets_the_friendly_403(make_client: MakeClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # No role lacks search today; a narrower viewer shows what the page does when one does.
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, "viewer", frozenset({"documents:read"}))
    viewer = create_account("viewer@acme.example", "viewer")
    browser = make_client()
    web_login(browser, viewer)
    response = browser.get("/search?q=invoice")
    assert response.status_code == 403 and response.headers["content-type"].startswith("text/html")
    assert "You cannot search documents" in response.text and "search:read" in response.text
    inbox = browser.get("/").text
    assert 'href="/search"' not in inbox and 'class="topsearch"' not in inbox


# -- tenancy -----------------------------------------------------------------------------------------------


def test_another_organisation_sees_nothing_of_the_first(make_client: MakeClient, client: TestClient) -> None:
    invoice = upload(client, "acme-invoice.pdf", samples.text_pdf([INVOICE]))
    broken = upload(client, "acme-broken.pdf", samples.truncated_pdf())
    wait_until_final([invoice, broken])
    assert "acme-invoice.pdf" in client.get("/search", params={"q": "invoice"}).text

    outsider = create_account("admin@globex.example", "admin", organization="globex")
    browser = make_client()
    web_login(browser, outsider)
    inbox = browser.get("/").text
    assert f"data-account-org>{outsider.organization_name}<" in inbox
    assert "acme-" not in inbox and "No documents yet" in inbox and "data-total>0<" in inbox
    assert "acme-" not in browser.get("/?status=failed").text

    unknown = browser.get("/documents/00000000-0000-0000-0000-000000000000")
    for document_id in (invoice, broken):
        page = browser.get(f"/documents/{document_id}")
        assert page.status_code == 404 and "Page not found" in page.text
        assert "acme-" not in page.text
        assert page.text == unknown.text  # not a hint that it exists
        assert_error(browser.get(f"/api/v1/documents/{document_id}"), 404, "NOT_FOUND")
        assert browser.get(f"/api/v1/documents/{document_id}/file").status_code == 404
    retry = browser.post(f"/documents/{broken}/retry", data={"csrf_token": page_token(browser)})
    assert retry.status_code == 404 and "Page not found" in retry.text

    results = browser.get("/search", params={"q": "invoice"}).text
    assert "No documents match" in results and "acme-invoice.pdf" not in results
    assert "retry requested" not in client.get(f"/documents/{broken}").text

    # The outsider's own document, with the same bytes, is theirs alone and does not leak back.
    own = upload(browser, "globex-copy.pdf", samples.text_pdf([INVOICE]))
    assert own != invoice
    wait_until_final([own])
    assert "globex-copy.pdf" in browser.get("/search", params={"q": "invoice"}).text
    assert "globex-copy.pdf" not in client.get("/").text
    assert client.get(f"/documents/{own}").status_code == 404
