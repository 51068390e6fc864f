"""Cells every line's CSV exports share: text a spreadsheet shows as text and never runs as a formula."""

from __future__ import annotations

import re

#: A formula start at the beginning of a cell or after a separator a spreadsheet may split on (``;`` in DE/FR/NL/ES
#: locales, ``,``, tab, line breaks), spaces allowed in between.
_FORMULA_START = re.compile(r"(^|[;,\t\r\n])(\s*)([=+\-@\t\r])")


def formula_safe(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (CSV injection): every formula start, at the beginning
    or after a separator, gets a leading apostrophe. The CSV writers also quote every text cell."""
    return _FORMULA_START.sub(lambda match: f"{match.group(1)}{match.group(2)}'{match.group(3)}", text)
