"""Attorney verification: the offline register from a bar roll, the HTTP provider against a local server, the
cache with its source and date, LEGAL_001 and the finding verification_unavailable."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from paperclerk.auth.principal import system_actor
from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.events import Event
from paperclerk.legal_billing import service, verification
from paperclerk.legal_billing.models import AttorneyVerification
from tests.helpers import api_key, organization_id
from tests.legal_billing.ledes_samples import legal_invoice

ROLL = ("name,bar_number,jurisdiction,status,admission_date\n"
        "Ada Marlowe,100201,NY,Active,2004-06-01\n"
        "\"Okafor, Ben\",200777,NY,Suspended,2015-01-12\n"
        ",300000,NY,Active,\n")


def _categories(organization: str, invoice_id: str) -> dict[str, list[int]]:
    with session_scope() as session:
        invoice = service.get_invoice(session, organization, invoice_id)
        return {finding.category: finding.lines for finding in invoice.findings}


def test_offline_register(env) -> None:
    api_key("acme")
    acme = organization_id("acme")
    actor = system_actor("test", organization_id=acme)
    with session_scope() as session:
        outcome = verification.import_bar_roll(session, acme, ROLL, actor=actor)
    assert (outcome.created, outcome.problems) == (2, [{"row": 4, "message": "name is required"}])
    invoice_id = legal_invoice(acme)
    outcomes = verification.verify_invoice(acme, invoice_id, actor=actor)
    # TK-310 is a paralegal: not looked up.
    assert outcomes == {"TK-101": "verified", "TK-204": "inactive"}
    categories = _categories(acme, invoice_id)
    assert categories["attorney_not_verified"] == [2]  # Okafor's fee (his expense is not a lawyer's work)
    with session_scope() as session:
        row = session.scalar(select(AttorneyVerification).where(AttorneyVerification.timekeeper_id == "TK-101"))
        assert row.source == "offline register" and row.details["bar_number"] == "100201" and row.checked_at
        assert session.scalar(select(Event).where(Event.name == "legal.verification_complete")) is not None


class _Bar(BaseHTTPRequestHandler):
    calls: list[dict[str, list[str]]] = []

    def do_GET(self) -> None:  # the bar's API
        query = parse_qs(urlsplit(self.path).query)
        _Bar.calls.append({**query, "auth": [self.headers.get("Authorization", "")]})
        if self.headers.get("Authorization") != "Bearer s3cret":
            self.send_response(401)
            self.end_headers()
            return
        found = query.get("name") == ["Marlowe, Ada"]
        body = json.dumps({"found": found, "name": "Ada Marlowe", "status": "Active", "admission_date": "2004-06-01"})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bar_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Bar)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/admissions"
    server.shutdown()
    server.server_close()


def test_http_provider_cache_and_unavailable(env, bar_server, monkeypatch) -> None:
    api_key("acme")
    acme = organization_id("acme")
    monkeypatch.setenv("PAPERCLERK_LEGAL_VERIFICATION_URL", bar_server)
    monkeypatch.setenv("PAPERCLERK_LEGAL_VERIFICATION_KEY", "s3cret")
    get_settings.cache_clear()
    invoice_id = legal_invoice(acme)
    assert verification.verify_invoice(acme, invoice_id) == {"TK-101": "verified", "TK-204": "not_found"}
    assert {call["auth"][0] for call in _Bar.calls} == {"Bearer s3cret"}
    calls = len(_Bar.calls)
    verification.verify_invoice(acme, invoice_id)
    assert len(_Bar.calls) == calls  # answered from the cache

    # The provider goes away: LEGAL_001, the review goes on with verification_unavailable.
    monkeypatch.setenv("PAPERCLERK_LEGAL_VERIFICATION_URL", "http://127.0.0.1:9/admissions")
    get_settings.cache_clear()
    provider = verification.configured_provider(None, acme)  # type: ignore[arg-type]
    with pytest.raises(verification.VerificationUnavailable) as caught:
        provider.lookup(verification.Lookup("TK-1", "Somebody"))
    assert caught.value.code == "LEGAL_001"
    other = legal_invoice(acme)
    with session_scope() as session:
        session.execute(AttorneyVerification.__table__.delete())
    assert verification.verify_invoice(acme, other) == {"TK-101": "unavailable", "TK-204": "unavailable"}
    assert _categories(acme, other)["verification_unavailable"] == [1, 2]
    get_settings.cache_clear()
