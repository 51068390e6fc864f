"""`paperclerk legal analyze FILE… --json`: one object per file in a stable shape; bad files get their error code
and a non-zero exit, and the other files are still analysed."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from paperclerk import samples
from paperclerk.config import get_settings
from paperclerk.legal import cli
from tests.legal.analysis.documents import COMPLAINT, SUPPLY_AGREEMENT

runner = CliRunner()


@pytest.fixture
def paperclerk_legal(monkeypatch):
    """The legal commands mounted as ``paperclerk`` mounts a line's group."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("PAPERCLERK_PARSE_IN_SUBPROCESS", "false")
    get_settings.cache_clear()
    group = typer.Typer(no_args_is_help=True)
    group.add_typer(cli.app)
    root = typer.Typer()
    root.add_typer(group, name="legal")
    yield root
    get_settings.cache_clear()


def test_analyze_prints_one_json_object_per_file(tmp_path, paperclerk_legal):
    contract = tmp_path / "supply.pdf"
    contract.write_bytes(samples.text_pdf(["Cover page", SUPPLY_AGREEMENT]))
    complaint = tmp_path / "complaint.txt"
    complaint.write_text(COMPLAINT)
    result = runner.invoke(paperclerk_legal, ["legal", "analyze", "--json", str(contract), str(complaint)])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert {"file", "kind", "kind_confidence", "entities", "clauses", "risks"} <= set(first)
    assert first["file"] == str(contract) and first["kind"] == "supply" and first["kind_confidence"] > 0.5
    governing = [clause for clause in first["clauses"] if clause["category"] == "Governing Law"]
    assert governing and governing[0]["page"] == 2 and "laws of the State of" in " ".join(governing[0]["text"].split())
    assert set(governing[0]) == {"category", "text", "page", "start", "end", "confidence"}
    assert {"type": "governing_law", "value": "New York"}.items() <= \
        next(entity for entity in first["entities"] if entity["type"] == "governing_law").items()
    assert second["kind"] == "pleading" and second["clauses"] == [] and second["risks"] == []
    assert any(entity["type"] == "citation" and entity["value"] == "123 F.3d 45" for entity in second["entities"])


def test_bad_files_get_their_error_and_the_rest_is_analysed(tmp_path, paperclerk_legal, monkeypatch):
    corrupt = tmp_path / "broken.pdf"
    corrupt.write_bytes(samples.truncated_pdf())
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "program.bin"
    binary.write_bytes(bytes(range(256)) * 64)
    good = tmp_path / "letter.txt"
    good.write_text("Dear Sir,\n\nPlease find enclosed our reply.\n\nYours faithfully,\nA. Lawyer")
    result = runner.invoke(paperclerk_legal, ["legal", "analyze", "--json", str(corrupt), str(empty), str(binary),
                                              str(tmp_path / "missing.pdf"), str(good)])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line.get("error", {}).get("code") for line in lines] == \
        ["FILE_CORRUPT", "FILE_EMPTY", "FILE_UNSUPPORTED", "FILE_UNREADABLE", None]
    assert lines[-1]["kind"] == "correspondence"


def test_oversized_file_is_refused_before_reading(tmp_path, paperclerk_legal, monkeypatch):
    monkeypatch.setenv("PAPERCLERK_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    big = tmp_path / "big.txt"
    big.write_text("This Agreement is governed by the laws of Delaware. " * 25000)
    result = runner.invoke(paperclerk_legal, ["legal", "analyze", "--json", str(big)])
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "FILE_TOO_LARGE"


def test_table_output(tmp_path, paperclerk_legal):
    contract = tmp_path / "supply.txt"
    contract.write_text(SUPPLY_AGREEMENT)
    result = runner.invoke(paperclerk_legal, ["legal", "analyze", str(contract)])
    assert result.exit_code == 0, result.output
    assert "supply" in result.output and "Governing Law" in result.output and "Harbor Tools LLC" in result.output
