"""The pipeline's own pieces: kind classification, analyzer plug-in, storable text, move to the OCR queue."""

from __future__ import annotations

from dataclasses import dataclass

from paperclerk import samples
from paperclerk.core.db import session_scope
from paperclerk.pipeline.analyzers import AnalysisResult, register_analyzer, unregister_analyzer
from paperclerk.pipeline.classify import classify
from paperclerk.pipeline.run import storable
from tests.helpers import api_client, upload_and_wait


def test_classify_kinds_in_several_languages():
    assert classify("FACTURE n° 2041\nTotal TTC 120,00 EUR\nTVA 20%")[0] == "invoice"
    assert classify("Rechnung Nr. 55\nMwSt 19%\nRechnungsbetrag")[0] == "invoice"
    assert classify("Fees for professional services rendered\nTimekeeper: J. Doe\nUTBMS L110\nInvoice number 4")[0] \
        == "legal_invoice"
    assert classify("This Agreement is made between the parties. Governing law. In witness whereof")[0] == "contract"
    assert classify("Plaintiff comes now and files this complaint against Defendant. Prayer for relief.")[0] \
        == "pleading"
    assert classify("The court finds for the claimant. It is hereby ordered. So ordered.")[0] == "judgment"
    assert classify("Customer feedback: the staff was friendly, I recommend it. Great experience.")[0] == "feedback"
    assert classify("Weather today: sunny with light wind.")[0] == "other"


def test_storable_text_keeps_offsets():
    assert storable("a\x00b") == "a\ufffdb"
    assert len(storable("\x00" * 5)) == 5


@dataclass
class WordCounter:
    """A test analyzer: flags documents with fewer than 5 words for review when analysing them, and those whose
    name says 'held' when saving them (what only the database can tell), and records its result."""

    name = "word-counter"
    kinds = frozenset({"other"})
    saved: list[tuple[str, int]]

    def analyze(self, context) -> AnalysisResult:
        words = len(context.extraction.text.split())
        return AnalysisResult(data=words, needs_review=words < 5)

    def save(self, session, document, result) -> bool:
        self.saved.append((document.filename, result.data))
        return document.filename.startswith("held")


def test_registered_analyzers_run_for_their_kind_and_route_to_review(env):
    analyzer = WordCounter(saved=[])
    register_analyzer(analyzer)
    try:
        with api_client() as client:
            short, long, held = upload_and_wait(client, ("short.txt", b"two words"),
                                                ("long.txt", b"one two three four five six seven"),
                                                ("held.txt", b"one two three four five six seven eight"))
    finally:
        unregister_analyzer("word-counter")
    assert sorted(analyzer.saved) == [("held.txt", 8), ("long.txt", 7), ("short.txt", 2)]
    assert short["status"] == "needs_review" and long["status"] == "processed"
    assert held["status"] == "needs_review"  # the routing decision save() returned
    assert any(h["stage"] == "analyze" and h["message"] == "word-counter" for h in short["history"])


def test_scanned_pdf_moves_from_quick_queue_to_ocr_queue(env):
    from sqlalchemy import select

    from paperclerk.core.jobs import Job

    with api_client() as client:
        [doc] = upload_and_wait(client, ("scan.pdf", samples.scanned_pdf(["SCANNED LETTER Hello World"])),
                                timeout=120)
    assert doc["status"] == "processed", doc["error"]
    assert doc["pages"][0]["method"] == "ocr"
    starts = [h["message"] for h in doc["history"] if h["stage"] == "pipeline" and h["outcome"] == "started"]
    assert starts == ["default queue", "ocr queue"]
    with session_scope(readonly=True) as session:
        job = session.scalars(select(Job).where(Job.subject_id == doc["id"])).one()
    assert (job.queue, job.status, job.attempts) == ("ocr", "done", 1)
