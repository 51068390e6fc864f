"""Web pages: the visible text (no script, style or head), one line per block element, title as metadata."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

from paperclerk.extraction.base import HTML, ExtractedPage, Extraction, Limits
from paperclerk.extraction.registry import register

_HIDDEN = frozenset({"script", "style", "head", "noscript", "template", "iframe", "object", "svg", "math"})
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
})
_CELLS = frozenset({"td", "th"})
_SPACES = re.compile(r"\s+")


def _parser() -> lxml.html.HTMLParser:
    # The HTML parser never fetches anything; the flags make that explicit and bound the tree.
    return lxml.html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True, remove_pis=True,
                                remove_blank_text=False)


@register(HTML)
def extract_html(path: Path, *, allow_ocr: bool, limits: Limits) -> Extraction:
    text, title = html_to_text(path.read_bytes())
    metadata = {"title": title} if title else {}
    return Extraction(media_type=HTML, pages=[ExtractedPage(1, text, "html")], metadata=metadata)


def html_to_text(data: bytes | str) -> tuple[str, str | None]:
    """(visible text, title) of an HTML document; the encoding comes from a BOM or <meta charset>."""
    try:
        root = lxml.html.document_fromstring(data, parser=_parser())
    except (etree.ParserError, ValueError):  # an empty or whitespace-only document
        return "", None
    title_element = root.find(".//title")
    title = _SPACES.sub(" ", title_element.text_content()).strip() if title_element is not None else None
    parts: list[str] = []
    in_pre = 0  # depth of <pre> elements around the current node: whitespace kept there
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _HIDDEN:
                walker.skip_subtree()
                continue
            in_pre += tag == "pre"
            if tag in _BLOCKS:
                parts.append("\n")
            if element.text:
                parts.append(element.text if in_pre else _SPACES.sub(" ", element.text))
        else:
            in_pre -= tag == "pre"
            if tag in _BLOCKS:
                parts.append("\n")
            elif tag in _CELLS:
                parts.append("\t")
            if element.tail and element is not root:
                parts.append(element.tail if in_pre else _SPACES.sub(" ", element.tail))
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line), title or None

