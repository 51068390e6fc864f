"""Speech to text with the model shipped in pip packages: English read correctly from FLAC and from WebM/Opus (what
a phone's browser records), the language detected, and every bad recording refused with a stable code."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from paperclerk.config import Settings
from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback import speech
from tests.conftest import Env
from tests.feedback.audio import CLIP, CLIP_TEXT, reencode, tone


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("speech"), feedback_max_audio_seconds=5,
                    feedback_max_audio_bytes=200_000)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z]+", text.lower()))


def test_model_ships_in_packages_and_reads_english(settings: Settings) -> None:
    result = speech.transcribe_file(CLIP, settings=settings)
    assert _words(result.text) == CLIP_TEXT
    assert result.language == "en"
    assert 1.5 < result.duration_s < 2.5
    joined = speech.model_dir(settings)  # the packages' parts, joined once
    assert (joined / "model.bin").stat().st_size > 100_000_000 and (joined / "tokenizer.json").is_file()
    assert speech.model_loaded()


def test_webm_opus_from_a_browser(settings: Settings, tmp_path: Path) -> None:
    recording = reencode(CLIP, tmp_path / "recording.webm")
    assert _words(speech.transcribe_file(recording, settings=settings).text) == CLIP_TEXT


@pytest.mark.parametrize(("make", "code"), [
    (lambda path: path.write_bytes(b""), "FILE_EMPTY"),
    (lambda path: path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 10), "FILE_CORRUPT"),
    (lambda path: path.write_bytes(b"%PDF-1.7 not a recording at all\n" * 20), "FILE_CORRUPT"),
    (lambda path: path.write_bytes(b"\x00" * 300_000), "FILE_TOO_LARGE"),
    (lambda path: tone(path, 8, rate=8_000), "AUDIO_TOO_LONG"),
])
def test_bad_recordings_are_refused_with_a_code(settings: Settings, tmp_path: Path, make: Callable[[Path], object],
                                                code: str) -> None:
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(PaperclerkError) as raised:
        speech.transcribe_file(path, settings=settings)
    assert raised.value.code == code
    assert raised.value.http_status < 500


def test_spoken_feedback_through_the_customer_page_and_a_replay(settings: Settings, env: Env,
                                                                tmp_path: Path) -> None:
    """A recording sent from the page is transcribed, scored and kept for retention; the same recording sent again by
    another customer is held as a replay."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from paperclerk.app import create_app
    from paperclerk.core.db import session_scope
    from paperclerk.feedback.models import FeedbackSession, FraudFinding
    from paperclerk.feedback.voice_store import voice_store
    from tests.feedback.support import business, receipt

    recording = reencode(CLIP, tmp_path / "recording.webm").read_bytes()
    shop = business(sales=2)
    for index in range(2):
        with TestClient(create_app(embedded_workers=False), raise_server_exceptions=False) as client:
            form_page = client.post(f"/f/{shop.store_code}/verify", data=receipt(shop.sales[index], device=f"d{index}"),
                                    follow_redirects=False).headers["location"]
            sent = client.post(form_page, data={"consent": "yes"},
                               files={"audio": ("recording.webm", recording, "audio/webm")}, follow_redirects=False)
            assert sent.status_code == 303, sent.text
    with session_scope(readonly=True) as session:
        first, second = session.scalars(select(FeedbackSession).order_by(FeedbackSession.created_at)).all()
        assert first.channel == "voice" and first.language == "en" and CLIP_TEXT in _words(first.text)
        assert first.audio_key and voice_store().exists(first.audio_key) and first.transcribed_at
        assert first.audio_fingerprint and first.audio_fingerprint == second.audio_fingerprint
        rules = set(session.scalars(select(FraudFinding.rule).where(FraudFinding.session_id == second.id)))
        assert "FB-REPLAY" in rules and second.status == "held"
