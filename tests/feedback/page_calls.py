"""The feedback line's rows of the page access matrix, and its public pages (the customer's, reached from a QR
code without an account; ``tests/feedback/test_customer_*`` test them, including abuse)."""

from __future__ import annotations

from tests.page_matrix import PageCall

PUBLIC = {
    ("GET", "/f/manifest.webmanifest"), ("GET", "/f/sw.js"), ("GET", "/f/me"), ("GET", "/f/me/export"),
    ("POST", "/f/me/erase"), ("GET", "/f/s/{session_id}"), ("POST", "/f/s/{session_id}"),
    ("GET", "/f/s/{session_id}/result"), ("GET", "/f/{code}"), ("POST", "/f/{code}/verify"),
}

PAGE_CALLS: list[PageCall] = []
