"""A scan or phone photo made fit for OCR: the paper cut out of the table it lies on, light evened out, turned
upright (quarter turns and skew), text brought to the size the recognisers read best, and the page's layout told
(a till receipt is read as one column of rows, anything else is segmented automatically).

``prepare`` keeps the transform from the prepared image back to the original, so that every OCR box is reported
where it is on the picture the user sent. A page upside down cannot be told from its ink alone: ``ocr.ocr_image``
reads ``turned`` as well when the first reading is poor, and keeps the better one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from PIL import Image

Box = tuple[float, float, float, float]

#: The paper is looked for on a copy this many pixels on its longer side.
_PAPER_SIDE = 512
#: The paper must cover at least this share of the photo, and at most ``_PAPER_MAX``, else nothing is cut.
_PAPER_MIN, _PAPER_MAX = 0.15, 0.9
#: ... and the photo's border must be mostly darker than the paper (a table, not a white margin).
_DARK_BORDER = 0.6
#: Light is evened out when the background varies by more than this (grey levels between its 5th and 95th
#: percentile) or is darker than ``_GREY_PAPER``: a photo's shadow, a grey thermal roll.
_UNEVEN_LIGHT, _GREY_PAPER = 40, 190
#: Skew is searched within ± this many degrees (coarse 1° steps, then 0.1°) and corrected above ``_MIN_SKEW``.
_MAX_SKEW, _MIN_SKEW = 15, 0.3
#: Ink points sampled to measure the text lines' direction; ink is analysed on a copy at most this long.
_SAMPLE_POINTS, _ANGLE_SIDE = 40_000, 1200
#: Letters stand taller than wide: when the median letter-like blob is wider than tall, the page lies on its side.
_QUARTER_ASPECT = 1.0
#: Letters shorter than ``_GLYPH_SMALL`` pixels (median) are enlarged to ``_GLYPH_UP`` (at most ``_MAX_UPSCALE``
#: times), taller than ``_GLYPH_LARGE`` reduced to ``_GLYPH_DOWN``: tesseract reads 150 dpi print as well as
#: 300 dpi, and more pixels only cost time.
_GLYPH_SMALL, _GLYPH_UP, _GLYPH_LARGE, _GLYPH_DOWN = 12, 24, 60, 40
_MAX_UPSCALE = 4.0
#: ... and never beyond this many pixels (an A4 page at 600 dpi is 35 million).
_MAX_PIXELS = 40_000_000
#: Paper narrower than this many letter heights, with text across at least ``_RECEIPT_FILL`` of it, is a till
#: receipt (an 80 mm roll measures about 40, 42 characters filling 85 % of it; an A4 page 55 in 16 pt print,
#: over 100 in 10 pt).
_RECEIPT_WIDTH, _RECEIPT_FILL = 45, 0.6


class Layout(StrEnum):
    PAGE = "page"
    RECEIPT = "receipt"


@dataclass(frozen=True)
class Prepared:
    """The image to read, its layout, and the 3x3 transform from its pixels to the original image's."""

    image: Image.Image
    layout: Layout
    to_original: np.ndarray

    def original_box(self, bbox: Box) -> Box:
        """``bbox`` on the prepared image as a box on the original (the bounds of its mapped corners)."""
        if np.allclose(self.to_original, np.eye(3)):
            return bbox
        left, top, right, bottom = bbox
        corners = np.array([[left, top, 1], [right, top, 1], [right, bottom, 1], [left, bottom, 1]], dtype=np.float64)
        mapped = corners @ self.to_original.T
        xs, ys = mapped[:, 0] / mapped[:, 2], mapped[:, 1] / mapped[:, 2]
        return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))

    def turned(self) -> Prepared:
        """The same page half a turn round (for a page that was upside down)."""
        width, height = self.image.size
        half_turn = np.array([[-1, 0, width], [0, -1, height], [0, 0, 1]], dtype=np.float64)  # its own inverse
        return Prepared(self.image.rotate(180), self.layout, self.to_original @ half_turn)


def prepare(image: Image.Image) -> Prepared:
    """``image`` made fit for OCR (see the module's description); greyscale."""
    grey = np.asarray(flattened(image).convert("L"))
    to_original = np.eye(3)
    paper = _paper(grey)
    if paper is not None:
        forward, size = paper
        grey = cv2.warpPerspective(grey, forward, size, flags=cv2.INTER_LINEAR, borderValue=255)
        to_original = np.linalg.inv(forward)
    grey = _even_light(grey, photo=paper is not None)
    ink = _ink(grey)
    letters = _letters(ink)
    angle = _text_angle(ink, letters)
    glyph = _glyph_height(letters, on_its_side=abs(angle) > 45)
    scale = 1.0
    if glyph and glyph < _GLYPH_SMALL:
        scale = max(1.0, min(_GLYPH_UP / glyph, _MAX_UPSCALE, (_MAX_PIXELS / grey.size) ** 0.5))
    elif glyph and glyph > _GLYPH_LARGE:
        scale = _GLYPH_DOWN / glyph
    if angle or scale != 1.0:
        forward, size = _turn_and_scale(grey.shape, angle, scale)
        grey = cv2.warpAffine(grey, forward[:2], size, flags=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA,
                              borderValue=255)
        to_original = to_original @ np.linalg.inv(forward)
        ink = _ink(grey)
    return Prepared(Image.fromarray(grey), _layout(ink, glyph * scale if glyph else None), to_original)


def flattened(image: Image.Image) -> Image.Image:
    """Transparency laid on white paper."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image


def _paper(grey: np.ndarray) -> tuple[np.ndarray, tuple[int, int]] | None:
    """The perspective transform that cuts a sheet of paper out of a photo of it on a darker surface, and the
    size of the cut-out; None when the picture is the paper already."""
    height, width = grey.shape
    factor = _PAPER_SIDE / max(height, width)
    small = cv2.resize(grey, (max(1, round(width * factor)), max(1, round(height * factor))),
                       interpolation=cv2.INTER_AREA) if factor < 1 else grey
    factor = min(factor, 1.0)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Text on the paper is dark too: close it into the sheet before looking for the sheet's outline.
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    ring = np.concatenate([bright[:3].ravel(), bright[-3:].ravel(), bright[:, :3].ravel(), bright[:, -3:].ravel()])
    if (ring == 0).mean() < _DARK_BORDER:
        return None
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = cv2.convexHull(max(contours, key=cv2.contourArea))
    if not _PAPER_MIN <= cv2.contourArea(outline) / bright.size <= _PAPER_MAX:
        return None
    corners = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True).reshape(-1, 2)
    if len(corners) != 4:
        corners = cv2.boxPoints(cv2.minAreaRect(outline))
    quad = _clockwise(corners.astype(np.float32) / factor)
    out_width = round(max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3])))
    out_height = round(max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1])))
    target = np.array([[0, 0], [out_width - 1, 0], [out_width - 1, out_height - 1], [0, out_height - 1]],
                      dtype=np.float32)
    return cv2.getPerspectiveTransform(quad, target).astype(np.float64), (out_width, out_height)


def _clockwise(points: np.ndarray) -> np.ndarray:
    """Four corners as top-left, top-right, bottom-right, bottom-left."""
    sums, diffs = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array([points[sums.argmin()], points[diffs.argmin()], points[sums.argmax()], points[diffs.argmax()]],
                    dtype=np.float32)


def _even_light(grey: np.ndarray, *, photo: bool) -> np.ndarray:
    """Divide by the paper's own brightness (text removed by a grey closing) where it varies: shadows and grey
    paper become white, the ink keeps its contrast. A clean scan is left as it is."""
    height, width = grey.shape
    factor = min(1.0, 256 / max(height, width))
    small = cv2.resize(grey, (max(1, round(width * factor)), max(1, round(height * factor))),
                       interpolation=cv2.INTER_AREA)
    background = cv2.medianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)), 5)
    low, high, middle = np.percentile(background, (5, 95, 50))
    if not (photo or high - low > _UNEVEN_LIGHT or middle < _GREY_PAPER):
        return grey
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    even = grey.astype(np.float32) / np.maximum(background, 1) * 255
    return np.clip(even, 0, 255).astype(np.uint8)


def _ink(grey: np.ndarray) -> np.ndarray:
    """Dark pixels (Otsu) as a boolean mask."""
    _, dark = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return dark.astype(bool)


def _text_angle(ink: np.ndarray, letters: np.ndarray) -> float:
    """The angle (degrees, counter-clockwise) that makes the text lines horizontal: a quarter turn when the letters
    (``_letters``) lie on their side, plus the skew, found where the ink's row profile is sharpest (text lines and
    the gaps between them); 0 when there is too little ink to tell."""
    ys, xs = np.nonzero(ink)
    if len(xs) < 200:
        return 0.0
    if len(xs) > _SAMPLE_POINTS:
        pick = np.random.default_rng(0).choice(len(xs), _SAMPLE_POINTS, replace=False)
        xs, ys = xs[pick], ys[pick]
    factor = min(1.0, _ANGLE_SIDE / max(ink.shape))
    on_its_side = len(letters) > 0 and float(np.median(letters[:, 1] / letters[:, 0])) < _QUARTER_ASPECT
    angle = _sharpest(xs * factor, ys * factor, 90.0 if on_its_side else 0.0)
    return 0.0 if abs(angle) < _MIN_SKEW else angle


def _sharpest(xs: np.ndarray, ys: np.ndarray, around: float) -> float:
    """The angle near ``around`` whose row profile of the points is sharpest."""

    def sharpness(angle: float) -> float:
        theta = np.deg2rad(angle)
        rows = -xs * np.sin(theta) + ys * np.cos(theta)
        counts = np.bincount((rows - rows.min()).astype(np.int64))
        return float((counts.astype(np.float64) ** 2).sum())

    coarse = max(np.arange(around - _MAX_SKEW, around + _MAX_SKEW + 0.5, 1.0), key=sharpness)
    return round(float(max(np.arange(coarse - 1, coarse + 1.05, 0.1), key=sharpness)), 1)


def _letters(ink: np.ndarray) -> np.ndarray:
    """(width, height) of each letter-like blob of ink: not a speck, a rule, a frame or a picture."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    sizes = stats[1:, [cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT]]
    small, large = sizes.min(axis=1), sizes.max(axis=1)
    keep = (small >= 2) & (large >= 5) & (large <= min(ink.shape) / 8) & (large <= 3 * small)
    letters: np.ndarray = sizes[keep]
    return letters


def _glyph_height(letters: np.ndarray, on_its_side: bool) -> float | None:
    """The median letter height in pixels (measured across a page that lies on its side); None without letters."""
    if len(letters) < 5:
        return None
    return float(np.median(letters[:, 0] if on_its_side else letters[:, 1]))


def _turn_and_scale(shape: tuple[int, ...], angle: float, scale: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The 3x3 transform that turns an image of ``shape`` by ``angle`` degrees about its centre and scales it,
    moved so that all of it stays in view, and the output size."""
    height, width = shape[:2]
    rotation = np.vstack([cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale), [0, 0, 1]])
    corners = np.array([[0, 0, 1], [width, 0, 1], [width, height, 1], [0, height, 1]], dtype=np.float64)
    moved = corners @ rotation.T
    low = moved[:, :2].min(axis=0)
    rotation[:2, 2] -= low
    out_width, out_height = np.ceil(moved[:, :2].max(axis=0) - low).astype(int)
    return rotation, (int(out_width), int(out_height))


def _layout(ink: np.ndarray, glyph: float | None) -> Layout:
    """A receipt when the paper is narrow for its letters and the text fills its width; else a page."""
    if glyph is None or ink.shape[1] / glyph >= _RECEIPT_WIDTH:
        return Layout.PAGE
    columns = ink.sum(axis=0)
    cumulative = np.cumsum(columns) / max(columns.sum(), 1)
    left, right = np.searchsorted(cumulative, 0.01), np.searchsorted(cumulative, 0.99)
    return Layout.RECEIPT if right - left >= _RECEIPT_FILL * ink.shape[1] else Layout.PAGE
