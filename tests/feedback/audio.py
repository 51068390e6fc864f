"""Recordings for the feedback tests, made in code from the one public-domain clip kept in ``data/`` (LJ Speech
LJ001-0002, "in being comparatively modern.", 16 kHz FLAC)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

CLIP = Path(__file__).parent / "data" / "lj001-0002.flac"
CLIP_TEXT = "in being comparatively modern"


def reencode(source: Path, target: Path, codec: str = "libopus", rate: int = 48_000) -> Path:
    """The clip as a phone's MediaRecorder would send it (WebM/Opus by default)."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        for frame in inp.decode(audio=0):
            for piece in resampler.resample(frame):
                for packet in stream.encode(piece):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return target


def tone(target: Path, seconds: float, rate: int = 16_000) -> Path:
    """A WAV of a quiet hum ``seconds`` long."""
    samples = (np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 220 / rate) * 3000).astype(np.int16)
    with av.open(str(target), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return target
