"""Page images for people to look at (a review page's evidence view).

An uploaded file is rendered only in the sandbox (``sandbox.run``, under the parse time and memory limits),
fitted into ``page_image_max_pixels`` before anything is allocated at full size (pdfium renders straight at the
reduced scale; JPEG decodes at a reduced size), and the PNG is cached by content under
``<data_dir>/cache/pages`` so that a page is rendered once however often it is viewed. The cache may be deleted
at any time.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from pathlib import Path

from PIL import Image

from paperclerk.config import Settings
from paperclerk.core.errors import ExtractionError, NotFound
from paperclerk.core.storage import get_store, private_dir
from paperclerk.extraction import sandbox
from paperclerk.extraction.base import IMAGE_TYPES, PDF, Limits
from paperclerk.extraction.pdf import render_page


def has_page_images(media_type: str) -> bool:
    return media_type == PDF or media_type in IMAGE_TYPES


def page_png(sha256: str, media_type: str, number: int, *, dpi: int, settings: Settings) -> bytes:
    """Page ``number`` (1-based) of the stored file ``sha256`` as a PNG of at most ``page_image_max_pixels``.

    Raises ``NotFound`` (PAGE_NOT_FOUND) for a page the file does not have or a type without pages, and
    ``ExtractionError`` when the file cannot be rendered within the sandbox's limits.
    """
    if not has_page_images(media_type):
        raise NotFound("This file has no page images.", code="PAGE_NOT_FOUND")
    max_pixels = settings.page_image_max_pixels
    cached = _cache_dir(settings) / f"{sha256}-{number}-{dpi}-{max_pixels}.png"
    try:
        return cached.read_bytes()
    except FileNotFoundError:
        pass
    with get_store().local_path(sha256) as path:
        png = sandbox.run(render_png, Path(path).absolute(), media_type, number, settings=settings, dpi=dpi,
                          max_pixels=max_pixels, limits=Limits.from_settings(settings))
    _store(cached, png)
    return png


def render_png(path: Path, media_type: str, number: int, *, dpi: int, max_pixels: int, limits: Limits) -> bytes:
    """Render one page into a PNG (runs in the sandbox child)."""
    if media_type == PDF:
        image = render_page(path, number, dpi=dpi, limits=Limits(max_image_pixels=max_pixels))
    else:
        image = _raster_page(path, number, max_pixels=max_pixels, limits=limits)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _raster_page(path: Path, number: int, *, max_pixels: int, limits: Limits) -> Image.Image:
    with Image.open(path) as source:
        try:
            source.seek(number - 1)  # multi-page TIFF; other images have one frame
        except EOFError:
            raise NotFound("The file has no such page.", code="PAGE_NOT_FOUND") from None
        width, height = source.size
        if width * height > limits.max_image_pixels:
            raise ExtractionError("The image has too many pixels to be shown.", code="FILE_TOO_COMPLEX",
                                  details={"pixels": width * height, "max_image_pixels": limits.max_image_pixels})
        target = _fitted(width, height, max_pixels)
        source.draft("RGB", target)  # JPEG: decode at (about) the target size, never at full size
        image = source.convert("RGB")
    if image.width * image.height > max_pixels:
        image.thumbnail(_fitted(image.width, image.height, max_pixels))
    return image


def _fitted(width: int, height: int, max_pixels: int) -> tuple[int, int]:
    scale = min(1.0, math.sqrt(max_pixels / max(1, width * height)))
    return max(1, int(width * scale)), max(1, int(height * scale))


def _cache_dir(settings: Settings) -> Path:
    return settings.data_dir / "cache" / "pages"


def _store(target: Path, png: bytes) -> None:
    """Write atomically (a concurrent viewer reads a whole PNG or none)."""
    private_dir(target.parent)
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=".page-")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(png)
    os.replace(name, target)
