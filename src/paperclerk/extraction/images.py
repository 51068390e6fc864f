"""PNG, JPEG and TIFF scans through OCR (a page per TIFF frame), refusing decompression bombs early."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps

from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.base import JPEG, PNG, TIFF, ExtractedPage, Extraction, Limits, NeedsOCR
from paperclerk.extraction.ocr import ocr_image
from paperclerk.extraction.registry import register

#: Pillow format name -> media type (Pillow opens multi-picture JPEGs as "MPO").
_MEDIA_TYPES = {"PNG": PNG, "JPEG": JPEG, "MPO": JPEG, "TIFF": TIFF}


@register(PNG, JPEG, TIFF)
def extract_image(path: Path, *, allow_ocr: bool, limits: Limits) -> Extraction:
    try:
        with Image.open(path, formats=["PNG", "JPEG", "TIFF"]) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > limits.max_pages:
                raise ExtractionError(f"The image has {frames} frames; the limit is {limits.max_pages}.",
                                      code="FILE_TOO_COMPLEX", details={"pages": frames})
            _check_size(image, limits)
            if not allow_ocr:
                raise NeedsOCR("Images are read with OCR.")
            pages = [_read_frame(image, index, limits) for index in range(frames)]
            return Extraction(media_type=_MEDIA_TYPES[image.format or "PNG"], pages=pages)
    except Image.DecompressionBombError as exc:
        raise ExtractionError(f"The image is too large: {exc}", code="FILE_TOO_COMPLEX") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # PIL's ways of saying "damaged"
        raise ExtractionError(f"The image is damaged: {exc}", code="FILE_CORRUPT") from exc


def _check_size(image: Image.Image, limits: Limits) -> None:
    """Refuse a frame whose declared size crosses the pixel limit; only the header has been read."""
    width, height = image.size
    if width * height > limits.max_image_pixels:
        raise ExtractionError(f"The image has {width}x{height} pixels (limit {limits.max_image_pixels}).",
                              code="FILE_TOO_COMPLEX", details={"width": width, "height": height})


def _read_frame(image: Image.Image, index: int, limits: Limits) -> ExtractedPage:
    image.seek(index)
    _check_size(image, limits)
    image.load()
    upright = ImageOps.exif_transpose(image)
    result = ocr_image(upright, limits.ocr_engine)
    return ExtractedPage(index + 1, result.text, "ocr", float(upright.width), float(upright.height),
                         result.segments, result.confidence)
