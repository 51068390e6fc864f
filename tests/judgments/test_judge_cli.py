"""``paperclerk judge CASE… --json``: one object per case in the issue's shape, unreadable files reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperclerk.cli import app
from paperclerk.config import get_settings
from paperclerk.judgments import precedents
from tests.judgments.cases import tenancy_case

runner = CliRunner()
KEYS = {"case", "jurisdiction", "engine", "outcome", "sections", "precedents", "unsupported_removed"}


def test_one_object_per_case_and_broken_files_reported(tmp_path: Path, env: object) -> None:
    folder = tenancy_case(tmp_path / "tenancy")
    (folder / "exhibit.pdf").write_bytes(b"%PDF-1.4 this is not a PDF")
    single = tmp_path / "single.txt"
    single.write_text("The petitioner challenged the order of detention. Counsel argued that it was illegal.")
    result = runner.invoke(app, ["judge", str(folder), str(single), "--jurisdiction", "INDIA", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["case"] for line in lines] == [str(folder), str(single)]
    for line in lines:
        assert set(line) == KEYS
        assert line["engine"] == "precedent" and line["jurisdiction"] == "INDIA"
        assert line["outcome"]["label"] in {"accepted", "rejected"}
        assert all(set(p) == {"citation", "similarity", "holding"} for p in line["precedents"])
        assert all(set(s) == {"title", "text", "sources"} for s in line["sections"])
    assert "exhibit.pdf: FILE_CORRUPT" in result.stderr


def test_group_command_unknown_jurisdiction_and_missing_case(tmp_path: Path, env: object) -> None:
    case = tenancy_case(tmp_path / "t")
    grouped = runner.invoke(app, ["judgments", "judge", str(case), "--json", "--jurisdiction", "eu/echr"])
    assert grouped.exit_code == 0, grouped.output
    assert json.loads(grouped.stdout)["jurisdiction"] == "ECHR"
    unknown = runner.invoke(app, ["judge", str(case), "--jurisdiction", "MARS"])
    assert unknown.exit_code == 1 and "unknown jurisdiction" in unknown.output
    missing = runner.invoke(app, ["judge", str(tmp_path / "nope"), str(case), "--json"])
    assert missing.exit_code == 2
    assert len(missing.stdout.splitlines()) == 1


def test_an_oversized_file_is_refused_before_reading(tmp_path: Path, env: object,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERCLERK_JUDGMENT_MAX_FILE_MB", "1")
    get_settings.cache_clear()
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    result = runner.invoke(app, ["judge", str(big), "--json"])
    assert result.exit_code == 2
    assert "FILE_TOO_LARGE" in result.stderr


def test_precedent_search(env: object) -> None:
    result = runner.invoke(app, ["judgments", "precedents", "land acquisition compensation market value"])
    assert result.exit_code == 0 and "Supreme Court of India" in result.stdout


def test_precedents_are_imported_once_as_searchable_judgments(env: object) -> None:
    from sqlalchemy import func, select

    from paperclerk.core.db import session_scope
    from paperclerk.documents.models import Document

    first = runner.invoke(app, ["judgments", "import-precedents"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["judgments", "import-precedents", "--jurisdiction", "INDIA"])
    assert again.exit_code == 0, again.output
    with session_scope(readonly=True) as session:
        count = session.scalar(select(func.count()).select_from(Document).where(Document.source == "precedent-store"))
        kinds = set(session.scalars(select(Document.declared_kind).where(Document.source == "precedent-store")))
    stored = len(precedents.shipped().precedents)
    assert first.stdout.strip() == f"{stored} precedents added, 0 already there"
    assert again.stdout.strip() == f"0 precedents added, {stored} already there"
    assert count == stored and kinds == {"judgment"}
