"""The LEDES files the tests read (written here from the public LEDES format descriptions) and ways to break them."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
LEDES_1998B = DATA / "ledes1998b_two_invoices.txt"
LEDES_98BI = DATA / "ledes98bi_v2.txt"
LEDES_XML_20 = DATA / "ledes_xml_20.xml"
LEDES_XML_21 = DATA / "ledes_xml_21.xml"


def lines_1998b() -> list[str]:
    """The 1998B sample's physical lines (CRLF line ends removed)."""
    return LEDES_1998B.read_bytes().decode().split("\r\n")


def replace_field(line: str, index: int, value: str) -> str:
    """``line`` (a 1998B record ending in ``[]``) with field ``index`` (0-based) replaced."""
    fields = line[:-2].split("|")
    fields[index] = value
    return "|".join(fields) + "[]"
