"""``paperclerk feedback transcribe … --json`` and ``paperclerk feedback score --json``: the documented shapes, bad
input reported by file or line while the rest goes on."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from paperclerk.cli import app
from tests.conftest import Env
from tests.feedback.audio import CLIP

runner = CliRunner()


def test_transcribe_json_one_object_per_file(env: Env, tmp_path: Path) -> None:
    broken = tmp_path / "broken.webm"
    broken.write_bytes(b"\x1aE\xdf\xa3 not really webm")
    result = runner.invoke(app, ["feedback", "transcribe", "--json", str(CLIP), str(broken)])
    assert result.exit_code == 2, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert set(first) == {"file", "language", "text", "duration_s", "ms"}
    assert first["language"] == "en" and "comparatively modern" in first["text"].lower()
    assert isinstance(first["ms"], int) and first["duration_s"] > 1
    assert second["file"] == str(broken) and second["error"]["code"] == "FILE_CORRUPT"


def test_score_json_lines(env: Env) -> None:
    items = [
        {"id": "a", "text": "The latte was cold and we waited 20 minutes; you should add a second barista."},
        {"id": "b", "text": "ok", "business": "Kafé Linnea", "category": "coffee"},
        "not an object",
        {"id": "c", "text": "Kaffet var gott men kön vid kassan var lång. Ni borde öppna en kassa till."},
    ]
    stdin = "\n".join(json.dumps(item) for item in items) + "\n{broken json\n"
    result = runner.invoke(app, ["feedback", "score", "--json"], input=stdin)
    assert result.exit_code == 2
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["id"] for item in out] == ["a", "b", "c"]
    assert {"id", "score", "tier", "reasons", "sentiment", "topics"} <= set(out[0])
    assert out[0]["score"] > out[1]["score"]
    assert out[1]["tier"] == "insufficient"
    assert "wait_time" in out[2]["topics"]
