"""The invoice page tests log in through the web shell's fixtures (real users, the real login form)."""

from tests.web.conftest import admin, browse, client, make_client  # noqa: F401 - fixtures

