"""Progress while a document is read page by page (issue 8, item 9: "an 8-page scan shows only Processing")."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from paperclerk import samples
from paperclerk.core.db import session_scope
from paperclerk.documents.models import Document, DocumentStatus
from paperclerk.extraction.base import Limits
from paperclerk.extraction.pdf import extract_pdf
from paperclerk.pipeline import progress
from tests.conftest import Env, wait_until_final
from tests.helpers import api_client, upload
from tests.scaled.support import wait_for


def test_the_pdf_reader_reports_each_page_read(tmp_path: Path) -> None:
    pdf = tmp_path / "three.pdf"
    pdf.write_bytes(samples.text_pdf(["one", "two", "three"]))
    seen: list[tuple[int, int] | None] = []
    report = tmp_path / "progress"
    extraction = extract_pdf(pdf, allow_ocr=False, limits=Limits(progress_file=str(report)))
    seen.append(progress.read(report))
    assert len(extraction.pages) == 3 and seen == [(3, 3)]
    assert extract_pdf(pdf, allow_ocr=False, limits=Limits()).pages  # no file asked for: none written
    assert sorted(path.name for path in tmp_path.iterdir()) == ["progress", "three.pdf"]


def test_a_scan_shows_page_n_of_n_in_the_api_and_the_document_page_until_it_is_done(env: Env) -> None:
    scan = samples.scanned_pdf([f"Statement page {number}\nBalance 1{number}0.00 EUR" for number in range(1, 5)])
    with api_client() as client:
        [document_id] = [d["id"] for d in upload(client, ("statement.pdf", scan))["documents"]]

        def shown() -> dict | None:  # type: ignore[type-arg]
            body = client.get(f"/api/v1/documents/{document_id}").json()
            assert body["status"] in ("queued", "processing"), "finished before any progress was shown"
            return body["progress"]  # type: ignore[no-any-return]

        seen = wait_for(shown, timeout=120, what="progress on the processing scan", interval=0.1)
        assert seen["stage"] == "extract" and seen["pages"] == 4 and 1 <= seen["page"] <= 4
        wait_until_final([document_id], timeout=180)
        done = client.get(f"/api/v1/documents/{document_id}").json()
        assert done["progress"] is None and done["page_count"] == 4


def test_the_document_page_says_which_page_is_being_read(env: Env) -> None:
    with api_client(embedded_workers=False) as client:
        [document_id] = [d["id"] for d in upload(client, ("notes.txt", b"some notes to read"))["documents"]]
        with session_scope() as session:
            session.execute(update(Document).where(Document.id == document_id)
                            .values(status=DocumentStatus.PROCESSING))
        progress.save(document_id, {"stage": "extract", "page": 3, "pages": 8})
        page = client.get(f"/documents/{document_id}", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "processing</strong><span data-progress-text>: page 3 of 8 read</span>" in page.text

        with session_scope() as session:  # a finished document never takes progress
            session.execute(update(Document).where(Document.id == document_id)
                            .values(status=DocumentStatus.PROCESSED, progress=None))
        progress.save(document_id, {"stage": "extract", "page": 4, "pages": 8})
        assert client.get(f"/api/v1/documents/{document_id}").json()["progress"] is None
