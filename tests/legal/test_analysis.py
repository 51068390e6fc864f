"""A case's document through the pipeline: its analysis stored with exact spans, shown with its evidence, the daily
statistics kept by the pipeline, the case calendar (JSON and a valid iCalendar feed) and the e-mail that names the
document and the case."""

from __future__ import annotations

from datetime import date

import icalendar
from sqlalchemy import select

from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.events import Event
from paperclerk.documents.models import Page
from paperclerk.legal import findings, statistics
from paperclerk.legal.models import DailyStatistic, DocumentFinding
from paperclerk.notifications import service as notifications
from tests.conftest import wait_until_final
from tests.helpers import api_client, assert_error, organization_id
from tests.legal.conftest import CONTRACT_V1, MOTION
from tests.notifications.support import drain, person


def _file(client, case_id: str, name: str, text: str, **form: str) -> str:
    response = client.post(f"/api/v1/legal/cases/{case_id}/documents", data=form,
                           files={"file": (name, text.encode(), "text/plain")})
    assert response.status_code == 202, response.text
    return str(response.json()["documents"][0]["id"])


def test_analysis_calendar_statistics_and_email(env, legal_analyzer, mailbox) -> None:
    reader = person("reader@acme.example", role="viewer")
    with session_scope() as session:
        from paperclerk.auth.principal import Principal

        notifications.set_choices(session, Principal(actor_type="user", id=reader, role="viewer", label="reader",
                                                     organization_id=organization_id("acme")),
                                  {"legal.analysis_complete": {"email": True}})
    with api_client() as client:
        case = client.post("/api/v1/legal/cases", json={"number": "A-7", "title": "Acme v. Beta"}).json()
        contract = _file(client, case["id"], "msa.txt", CONTRACT_V1, folder="/contracts")
        motion = _file(client, case["id"], "motion.txt", MOTION, folder="/pleadings/motions")
        statuses = wait_until_final([contract, motion])
        assert set(statuses.values()) == {"processed"}, statuses
        assert client.get(f"/api/v1/documents/{contract}").json()["kind"] == "contract"

        analysis = client.get(f"/api/v1/legal/documents/{contract}/analysis").json()
        assert analysis["legal_type"] == "services"
        assert {item["label"] for item in analysis["clauses"]} == {"Governing Law", "Termination For Convenience"}
        assert [item["due"] for item in analysis["deadlines"]] == ["2027-03-15"]
        with session_scope(readonly=True) as session:
            page = session.scalars(select(Page.text).where(Page.document_id == contract)).one()
            for item in analysis["clauses"] + analysis["entities"] + analysis["deadlines"]:
                assert page[item["start"]:item["end"]] == item["text"], item

        deadlines = client.get(f"/api/v1/legal/cases/{case['id']}/deadlines").json()
        assert [(item["due"], item["document_title"]) for item in deadlines] == [
            ("2027-02-01", "motion.txt"), ("2027-03-15", "msa.txt")]
        feed = client.get(f"/api/v1/legal/cases/{case['id']}/calendar.ics")
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
        assert all(len(line.encode()) <= 75 for line in feed.content.decode().split("\r\n"))
        calendar = icalendar.Calendar.from_ical(feed.content)
        events = sorted(calendar.walk("VEVENT"), key=lambda item: item.decoded("DTSTART"))
        assert [item.decoded("DTSTART") for item in events] == [date(2027, 2, 1), date(2027, 3, 15)]
        assert str(events[1]["SUMMARY"]).startswith("A-7: The Provider shall deliver the first report")
        assert "msa.txt" in str(events[1]["DESCRIPTION"])

        stats = client.get("/api/v1/legal/statistics").json()
        assert {(item["legal_type"], item["documents"]) for item in stats["by_type"]} == {("services", 1),
                                                                                          ("motion", 1)}
        assert all(item["average_ms"] > 0 for item in stats["by_type"])
        assert_error(client.get(f"/api/v1/legal/documents/{case['id']}/analysis"), 404, "LEGAL_ANALYSIS_NOT_FOUND")
        assert client.post(f"/api/v1/documents/{contract}/retry").status_code == 409  # processed: not retried
    with api_client(organization="rival") as rival:
        assert_error(rival.get(f"/api/v1/legal/documents/{contract}/analysis"), 404, "LEGAL_ANALYSIS_NOT_FOUND")
        assert_error(rival.get(f"/api/v1/legal/cases/{case['id']}/calendar.ics"), 404, "CASE_NOT_FOUND")
        assert rival.get("/api/v1/legal/statistics").json()["by_type"] == []
    drain()
    subjects = sorted(mail["Subject"] for mail in mailbox.messages)
    assert subjects == ["[paperclerk] Analysis complete: motion.txt in case A-7",
                        "[paperclerk] Analysis complete: msa.txt in case A-7"], subjects
    with session_scope(readonly=True) as session:
        assert session.scalar(select(Event.payload).where(Event.name == "legal.analysis_complete",
                                                          Event.subject_id == contract))["case_title"] == "Acme v. Beta"


def test_statistics_are_counted_per_day_and_type(env) -> None:
    from tests.helpers import api_key

    api_key("acme", "admin")
    acme, today = organization_id("acme"), utcnow().date()
    with session_scope() as session:
        statistics.count(session, acme, "nda", 100.0, day=today)
        statistics.count(session, acme, "nda", 300.0, day=today)
        statistics.count(session, acme, "lease", 50.0, day=date(2020, 1, 1))
    with session_scope(readonly=True) as session:
        row = session.get(DailyStatistic, (acme, today, "nda"))
        assert (row.documents, row.total_ms) == (2, 400.0)
        (summary,) = statistics.by_type(session, acme, since=today, until=today)
        assert (summary.legal_type, summary.documents, summary.average_ms) == ("nda", 2, 200.0)


def test_evidence_is_cut_at_every_span_edge() -> None:
    text = "The parties agree. Governed by New York law."
    clause = DocumentFinding(id="c", kind="clause", label="Governing Law", page=1, start=19, end=44)
    entity = DocumentFinding(id="e", kind="entity", label="governing_law", page=1, start=31, end=39)
    outside = DocumentFinding(id="x", kind="entity", label="party", page=1, start=39, end=400)
    pieces = findings.highlighted(text, 1, [clause, entity, outside])
    assert "".join(piece.text for piece in pieces) == text
    assert [(piece.text, [item.id for item in piece.marks], [item.id for item in piece.starting])
            for piece in pieces] == [("The parties agree. ", [], []), ("Governed by ", ["c"], ["c"]),
                                     ("New York", ["c", "e"], ["e"]), (" law.", ["c"], [])]
