"""Page images are rendered in the sandbox under a pixel cap and cached: a huge page costs megabytes, not a
gigabyte, and never the server process."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from paperclerk import samples
from paperclerk.config import Settings, get_settings
from paperclerk.core.errors import ExtractionError, NotFound
from paperclerk.core.storage import get_store
from paperclerk.extraction import page_images, sandbox
from paperclerk.extraction.base import PDF, Limits
from paperclerk.extraction.page_images import page_png, render_png
from paperclerk.extraction.sandbox import Sandbox
from tests.conftest import Env, activate

#: 7000 x 7000 pt: at 100 dpi 9722 x 9722 pixels, about 1 GB to render as it was before the cap.
HUGE_POINTS = 7000


def _huge_pdf(path: Path) -> Path:
    document = pdfium.PdfDocument.new()
    document.new_page(HUGE_POINTS, HUGE_POINTS)
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 2048  # a tiny file
    return path


def _stored(data: bytes, scratch: Path) -> str:
    digest = hashlib.sha256(data).hexdigest()
    source = scratch / "incoming"
    source.write_bytes(data)
    get_store().put(digest, source)
    return digest


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _pixels(png: bytes) -> int:
    with Image.open(io.BytesIO(png)) as image:
        return image.width * image.height


def test_a_huge_page_is_downscaled_in_the_sandbox_without_a_big_allocation(tmp_path: Path) -> None:
    path = _huge_pdf(tmp_path / "huge.pdf")
    box = Sandbox()
    try:
        png = box.call(render_png, path, PDF, 1, dpi=100, max_pixels=4_000_000, limits=Limits(),
                       time_limit=60, memory_limit_mb=2048)
        assert box.pid is not None
        peak = _peak_mb(box.pid)
    finally:
        box.close()
    assert png.startswith(b"\x89PNG") and 3_900_000 <= _pixels(png) <= 4_000_000
    assert peak < 300, f"the child peaked at {peak:.0f} MB"  # rendered uncapped it peaks near 1 GB


def test_an_uncapped_render_of_a_huge_page_is_refused_by_the_sandbox_memory_limit(tmp_path: Path) -> None:
    path = _huge_pdf(tmp_path / "huge.pdf")
    settings = Settings(parse_memory_limit_mb=300)
    with pytest.raises(ExtractionError) as refused:
        sandbox.run(render_png, path, PDF, 1, settings=settings, dpi=100, max_pixels=200_000_000, limits=Limits())
    assert refused.value.code == "FILE_TOO_COMPLEX"


def test_page_images_are_capped_by_the_setting_and_cached(env: Env, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    activate(monkeypatch, env, PAPERCLERK_PAGE_IMAGE_MAX_PIXELS="250000")
    digest = _stored(_huge_pdf(tmp_path / "huge.pdf").read_bytes(), tmp_path)
    png = page_png(digest, PDF, 1, dpi=100, settings=get_settings())
    assert 240_000 <= _pixels(png) <= 250_000
    cached = list((env.data_dir / "cache" / "pages").iterdir())
    assert [path.name for path in cached] == [f"{digest}-1-100-250000.png"]
    assert cached[0].stat().st_mode & 0o077 == 0

    def no_rendering(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("a cached page was rendered again")

    monkeypatch.setattr(page_images.sandbox, "run", no_rendering)
    assert page_png(digest, PDF, 1, dpi=100, settings=get_settings()) == png


def test_scans_are_shown_downscaled_and_missing_frames_are_not_found(env: Env, monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    activate(monkeypatch, env, PAPERCLERK_PAGE_IMAGE_MAX_PIXELS="40000")
    digest = _stored(samples.scan_image("Invoice 42 total 99.00"), tmp_path)
    png = page_png(digest, "image/png", 1, dpi=100, settings=get_settings())
    assert 0 < _pixels(png) <= 40_000
    with pytest.raises(NotFound):
        page_png(digest, "image/png", 2, dpi=100, settings=get_settings())
    with pytest.raises(NotFound):
        page_png(digest, "text/plain", 1, dpi=100, settings=get_settings())
