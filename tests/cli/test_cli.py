"""The paperclerk command as a person uses it: ingest folders, search, list, show, retry."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperclerk import samples
from paperclerk.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")


def _folder(root: Path) -> Path:
    (root / "inbox" / "nested" / "deeper").mkdir(parents=True)
    (root / "inbox" / "contract.docx").write_bytes(samples.docx(["This agreement is made between the parties."]))
    (root / "inbox" / "nested" / "invoice.pdf").write_bytes(
        samples.text_pdf(["INVOICE number 9001\nTotal due 99.00 EUR"]))
    (root / "inbox" / "nested" / "deeper" / "note.txt").write_text("Customer feedback: lovely staff, recommend.")
    (root / "inbox" / "nested" / "broken.pdf").write_bytes(samples.truncated_pdf())
    (root / "inbox" / "picture.gif").write_bytes(b"GIF89a" + b"\x00" * 64)
    return root / "inbox"


def test_ingest_a_folder_recursively_with_summary(env, tmp_path):
    result = runner.invoke(app, ["ingest", str(_folder(tmp_path))])
    assert result.exit_code == 2, result.output  # something failed: the exit code says so
    out = result.output
    assert "ingest summary" in out
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in out.splitlines() if line.count("│") == 3}
    assert rows["files"] == "5" and rows["new documents"] == "4" and rows["refused"] == "1"
    # the invoice names no vendor, date or currency: it waits for a person
    assert rows["processed"] == "2" and rows["needs_review"] == "1" and rows["failed"] == "1"
    assert "refused files" in out and "FILE_UNSUPPORTED" in out and "picture.gif" in out
    assert "failed documents" in out and "FILE_CORRUPT" in out and "broken.pdf" in out

    listed = runner.invoke(app, ["list", "--status", "processed"])
    assert listed.exit_code == 0
    for name in ("contract.docx", "note.txt"):
        assert name in listed.output
    assert "invoice.pdf" in runner.invoke(app, ["list", "--status", "needs_review"]).output

    again = runner.invoke(app, ["ingest", str(tmp_path / "inbox" / "nested" / "invoice.pdf")])
    assert again.exit_code == 0 and "already stored" in again.output


def test_search_from_the_command_line(env, tmp_path):
    runner.invoke(app, ["ingest", str(_folder(tmp_path))])
    result = runner.invoke(app, ["search", "invoice"])
    assert result.exit_code == 0, result.output
    assert "1 document(s) match" in result.output and "invoice.pdf" in result.output
    bad = runner.invoke(app, ["search", "   "])
    assert bad.exit_code == 1 and "QUERY_EMPTY" in bad.output


def test_failed_document_is_shown_and_retried(env, tmp_path):
    (tmp_path / "locked.pdf").write_bytes(samples.encrypted_pdf())
    runner.invoke(app, ["ingest", str(tmp_path / "locked.pdf")])
    listed = runner.invoke(app, ["list", "--status", "failed"])
    assert "FILE_ENCRYPTED" in listed.output
    document_id = listed.output.split("locked.pdf")[0].split("│")[-2].strip()
    shown = runner.invoke(app, ["show", document_id])
    assert shown.exit_code == 0 and "FILE_ENCRYPTED" in shown.output and "processing history" in shown.output
    retried = runner.invoke(app, ["retry", document_id])
    assert retried.exit_code == 0 and "queued" in retried.output
    assert runner.invoke(app, ["retry", document_id]).exit_code == 1  # queued now, not failed
    assert "DOCUMENT_NOT_FAILED" in runner.invoke(app, ["retry", document_id]).output
    assert runner.invoke(app, ["show", "no-such-id"]).exit_code == 1


def test_db_upgrade_is_idempotent(env):
    first = runner.invoke(app, ["db", "upgrade"])
    second = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == second.exit_code == 0
    from paperclerk.core.schema import head_revisions

    assert f"revision {', '.join(sorted(head_revisions()))}" in second.output


def test_ingest_of_a_missing_path_is_a_clear_error(env, tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "does not exist" in result.output
