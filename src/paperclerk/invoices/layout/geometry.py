"""Lines of a page with the boxes of their segments, and how lines sit relative to each other.

A ``Line`` is one text line of a page (offsets into the page text, the union box of its segments); these
functions answer the geometric questions the readers ask: which line is directly below, whether two lines are
one block, which cell of a line sits under a given box.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from paperclerk.extraction.base import ExtractedPage, TextSegment

Box = tuple[float, float, float, float]
#: A value under its label may start up to this many points right of the label's end (a short label, a long value).
VALUE_REACH = 40.0
#: Two lines are one block when the gap between them is at most this many line heights.
BLOCK_GAP = 1.5
#: A line below a label is out of reach past this many line heights of gap.
BELOW_REACH = 2.5
#: A line below that starts further right than this many line heights past the label's line is in another column.
COLUMN_OFFSET = 5.0
#: How many lines under a label are searched for its value.
BELOW_LINES = 3
#: Lines whose boxes overlap vertically by this share of the smaller height stand on one row.
SAME_ROW_OVERLAP = 0.5
#: How many lines before and after a line are searched for the rest of its row.
ROW_LINES = 8
#: A block under a label in a row of labels ("Billed to:   Provided by:"): its first line starts within this many
#: line heights of the label's left edge, at most ``COLUMN_REACH`` line heights lower, among the next ``COLUMN_LINES``.
COLUMN_ALIGN = 2.0
COLUMN_REACH = 5.0
COLUMN_LINES = 16


@dataclass
class Line:
    page: int
    start: int  # offsets in the page text
    end: int
    text: str
    bbox: Box | None  # the union of the segments on the line
    segments: list[TextSegment]

    def box(self, start: int, end: int) -> Box | None:
        """The box of the segments covering page offsets ``start``..``end`` (the line's box as a fallback)."""
        covering = [s.bbox for s in self.segments if s.start < end and s.end > start]
        return union_box(covering) if covering else self.bbox

    def cells(self) -> list[tuple[int, int, Box]]:
        """(start, end, box) in the line's text of its cells: the segments, when the line has several (text
        that a wide gap sets apart, as in two address blocks side by side or a label and its value far right)."""
        if len(self.segments) < 2:
            return []
        return [(s.start - self.start, s.end - self.start, s.bbox) for s in self.segments]

    def cell_end(self, position: int) -> int:
        """The end of the cell holding ``position`` (or of the next cell, when it falls in a gap)."""
        for _start, end, _box in self.cells():
            if position < end:
                return end
        return len(self.text)


def page_lines(page: ExtractedPage) -> list[Line]:
    """The page's text lines (blank ones kept, as block separators), each with the boxes of the segments
    on it: one per line from a PDF text layer, one per word group from OCR, none for plain text."""
    segments = sorted(page.segments, key=lambda s: s.start)
    lines: list[Line] = []
    offset = cursor = 0
    for raw in page.text.split("\n"):
        stripped = raw.strip()
        start = offset + len(raw) - len(raw.lstrip())
        end = start + len(stripped)
        while cursor < len(segments) and segments[cursor].end <= start:
            cursor += 1
        boxes = []
        index = cursor
        while stripped and index < len(segments) and segments[index].start < end:
            boxes.append(segments[index])
            index += 1
        lines.append(Line(page.number, start, end, stripped, union_box([s.bbox for s in boxes]), boxes))
        offset += len(raw) + 1
    return lines


def union_box(boxes: Sequence[Box | None]) -> Box | None:
    real = [box for box in boxes if box]
    if not real:
        return None
    return (min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real), max(b[3] for b in real))


def split_cells(text: str, count: int) -> list[tuple[int, int]] | None:
    """Split a value row into ``count`` cells: by runs of 2+ spaces when there are exactly that many,
    else by single spaces when the token count matches."""
    for splitter in (r"\s{2,}|\t|\s\|\s", r"\s+"):
        spans, position = [], 0
        for part in re.split(f"({splitter})", text):
            if part and not re.fullmatch(splitter, part):
                spans.append((position, position + len(part)))
            position += len(part)
        if len(spans) == count:
            return spans
    return None


def adjacent(lines: list[Line], upper: int, lower: int) -> bool:
    """True when line ``lower`` directly follows line ``upper`` in one block (same page, no blank line
    and, with positions, no gap taller than a line between them)."""
    first, second = lines[upper], lines[lower]
    if first.page != second.page or not second.text or not first.text:
        return False
    if first.bbox and second.bbox:
        return second.bbox[1] - first.bbox[3] <= BLOCK_GAP * (first.bbox[3] - first.bbox[1])
    return True


def line_below(lines: list[Line], index: int) -> int | None:
    """The nearest line under line ``index`` in the same column and block, if any."""
    here = lines[index]
    for below in range(index + 1, min(index + 1 + BELOW_LINES, len(lines))):
        line = lines[below]
        if line.page != here.page:
            return None
        if not line.text:
            return None
        if here.bbox and line.bbox:
            height = here.bbox[3] - here.bbox[1]
            if line.bbox[1] - here.bbox[3] > BELOW_REACH * height:
                return None
            if line.bbox[2] < here.bbox[0] or line.bbox[0] > here.bbox[2] + COLUMN_OFFSET * height:
                continue  # a line in another column
        return below
    return None


def cell_under(box: Box | None, below: Line) -> tuple[int, int] | None:
    """(start, end) of the cell of line ``below`` that sits under ``box``, when the line has cells (positions
    known)."""
    cells = below.cells()
    if not cells or box is None:
        return None
    overlap = [(min(cell[2], box[2] + VALUE_REACH) - max(cell[0], box[0]), start, end) for start, end, cell in cells]
    best = max(overlap)
    return (best[1], best[2]) if best[0] > 0 else None


def column_under(lines: list[Line], index: int, box: Box | None) -> int | None:
    """The first line of the block under ``box`` (a label on line ``index``) in that label's column: the highest
    line below it whose left edge lines up with the label's. The text layer may emit two columns one after the
    other, so the lines that follow are searched, not only the next one."""
    here = lines[index]
    if here.bbox is None or box is None:
        return None
    height = here.bbox[3] - here.bbox[1]
    best: int | None = None
    for below in range(index + 1, min(len(lines), index + 1 + COLUMN_LINES)):
        line = lines[below]
        if line.page != here.page:
            break
        if not line.text or line.bbox is None:
            continue
        gap = line.bbox[1] - here.bbox[3]
        if gap < -SAME_ROW_OVERLAP * height or gap > COLUMN_REACH * height \
                or abs(line.bbox[0] - box[0]) > COLUMN_ALIGN * height:
            continue
        if best is None or line.bbox[1] < lines[best].bbox[1]:  # type: ignore[index]
            best = below
    return best


def in_column(upper: Line, lower: Line) -> bool:
    """Whether ``lower`` starts where ``upper`` starts (the same column of a block), as far as boxes tell."""
    if upper.bbox is None or lower.bbox is None:
        return True
    return abs(lower.bbox[0] - upper.bbox[0]) <= COLUMN_ALIGN * (upper.bbox[3] - upper.bbox[1])


def same_row(lines: list[Line], index: int) -> int | None:
    """The nearest line to the right of line ``index`` on the same row of the page, when the text came out as
    separate lines (a right-aligned amount column that OCR or the text layer emitted apart from its labels)."""
    here = lines[index]
    if here.bbox is None:
        return None
    best: tuple[float, int] | None = None
    for other in range(max(0, index - ROW_LINES), min(len(lines), index + ROW_LINES + 1)):
        line = lines[other]
        if other == index or line.page != here.page or not line.text or line.bbox is None:
            continue
        overlap = min(here.bbox[3], line.bbox[3]) - max(here.bbox[1], line.bbox[1])
        height = min(here.bbox[3] - here.bbox[1], line.bbox[3] - line.bbox[1])
        if height <= 0 or overlap < SAME_ROW_OVERLAP * height or line.bbox[0] < here.bbox[2]:
            continue
        if best is None or line.bbox[0] < best[0]:
            best = (line.bbox[0], other)
    return None if best is None else best[1]
