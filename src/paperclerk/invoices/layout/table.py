"""Tables of typed columns read from text rows: a header line names the columns, the rows under it are split into
one free-text column and numeric columns.

Nothing here is specific to invoices: a ``TableSchema`` says which header words announce which column, which
column is the free text, which columns are read and dropped (a row number, a product code), which may be left
empty, which hold words of a known shape instead of numbers (a date, a timekeeper's initials, a task code), and
which three columns multiply (quantity x price = amount). ``LINE_ITEMS`` is the invoice's; a law firm's time-entry
table (date, timekeeper, description, hours, rate, amount) is another schema over the same reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from itertools import permutations

from paperclerk.core.money import ISO_4217
from paperclerk.invoices.numbers import SYMBOLS, parse_number

#: A row whose product column differs from quantity x price by more than this is read another way first.
PRODUCT_TOLERANCE = Decimal("0.011")
#: A header line longer than this is a sentence, not a header.
MAX_HEADER_CHARS = 160
#: The share of a header line (without spaces) its column words must cover.
HEADER_COVERAGE = 0.5
#: A short line between two rows (shorter than this) continues the description above it; a description wraps onto
#: at most this many such lines.
MAX_CONTINUATION_CHARS = 80
MAX_CONTINUATION_LINES = 3
#: Blank lines allowed between a header and its first row.
MAX_BLANKS_BEFORE_ROWS = 2
#: Ways to group a row's trailing tokens into numbers, at most (thousands groups split by spaces).
MAX_GROUPINGS = 32
#: A word cell (a date such as "Feb 1, 2024", a name) spans at most this many tokens.
MAX_CELL_TOKENS = 3
_CODE_RE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")


@dataclass(frozen=True)
class TableSchema:
    """The columns of one kind of table, by the header words that announce them (regexes)."""

    columns: dict[str, str]
    text_column: str
    #: Columns a header must have to be one (besides at least ``min_columns`` columns in all).
    required: frozenset[str]
    #: Numeric columns read so that a row lines up, then dropped (row numbers, product codes).
    dropped: frozenset[str] = frozenset()
    #: Columns rows often leave empty.
    optional: frozenset[str] = frozenset()
    #: Columns whose cells are percentages ("21 %"): a value counts there only when written with '%'.
    percent: frozenset[str] = frozenset()
    #: (quantity, price, amount): a row where quantity x price = amount is read that way first.
    product: tuple[str, str, str] | None = None
    min_columns: int = 3
    #: Columns of words, not numbers, by the regex their cell matches whole, case-sensitively (a date, initials, a
    #: code, a title; one to ``MAX_CELL_TOKENS`` tokens: before the text column the fewest that match, right after it
    #: the most, "Senior Associate" rather than "Associate"). Optional ones may be missing from a row.
    words: dict[str, str] = field(default_factory=dict)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("|".join(rf"(?P<{name}>(?<!\w)(?:{words})(?!\w))" for name, words in self.columns.items()),
                          re.IGNORECASE)


@dataclass(frozen=True)
class TableRow:
    """One row: its free text, its numbers by column (dropped columns left out), the indexes of the lines it
    was read from (the row's own line first, then lines that continued its text) and its word cells by column."""

    text: str
    values: dict[str, Decimal]
    lines: tuple[int, ...]
    words: dict[str, str] = field(default_factory=dict)


LINE_ITEMS = TableSchema(
    columns={
        "position": r"pos\.?(?:\s*nr\.?)?|position|lfd\.?\s*nr\.?|line\s*no\.?|item\s*no\.?|n[°º]|nr\.?|no\.?|#|"
                    r"s(?:r|l)\.?(?:\s*no\.?)?|s\.\s*no\.?",
        # A numeric product classification (India's HSN / SAC): read and dropped, like the position.
        "code": r"hsn(?:\s*/\s*sac)?(?:\s*code)?|sac",
        "unit_price": r"unit\s*price|unit\s*cost|price|rate|prix\s*unitaire|p\.\s*u\.(?:\s*ht)?|pu\s*ht|pu|prix|"
                      r"eenheidsprijs|stukprijs|prijs|einzelpreis|e-preis|st[üu]ckpreis|preis|precio\s*unitario|"
                      r"precio\s*unit\.?|precio",
        "description": r"description|descr\.?|items?|articles?|products?|services?|details|d[ée]signation|libell[ée]|"
                       r"omschrijving|beschrijving|artikel|beschreibung|bezeichnung|leistung|descripci[óo]n|concepto|"
                       r"art[íi]culo|producto",
        "quantity": r"qty|quantity|qt[ée]|quantit[ée]|aantal|hoeveelheid|menge|anzahl|cantidad|"
                    r"cant\.?|uds\.?|units?|hours|hrs",
        "tax_rate": r"(?:vat|tax|tva|btw|mwst|ust|iva|gst)\s*%|%\s*(?:vat|tax|tva|btw|mwst|ust|iva)|vat|tax|tva|btw|"
                    r"mwst|ust|iva|gst|%",
        "amount": r"line\s*total|amount|total\s*ht|total|montant\s*ht|montant|bedrag|totaal|betrag|gesamtpreis|"
                  r"gesamt|summe|importe|subtotal|net(?:\s*amount)?",
    },
    text_column="description",
    required=frozenset({"description", "amount"}),
    dropped=frozenset({"position", "code"}),
    optional=frozenset({"tax_rate"}),
    percent=frozenset({"tax_rate"}),
    product=("quantity", "unit_price", "amount"),
)


def header_columns(text: str, schema: TableSchema) -> list[str] | None:
    """The column names of a table header line, left to right, or None when it is not one."""
    if len(text) > MAX_HEADER_CHARS:
        return None
    columns: list[str] = []
    covered = 0
    for match in schema.pattern.finditer(text):
        name = match.lastgroup
        assert name is not None
        if name in columns:
            continue
        columns.append(name)
        covered += match.end() - match.start()
    if not schema.required <= set(columns) or schema.text_column not in columns or len(columns) < schema.min_columns:
        return None
    if covered < HEADER_COVERAGE * len(text.replace(" ", "")):
        return None  # a sentence that mentions a few of the words, not a header
    return columns


def read_rows(lines: Sequence[str], header: int, columns: list[str], schema: TableSchema, hint: str | None, *,
              ends_table: Callable[[int], bool], is_labelled: Callable[[int], bool]) -> list[TableRow]:
    """The rows under the header on line ``header``, up to a line for which ``ends_table`` holds (a totals label),
    a blank line or a line that is not a row; short unlabelled text lines (up to ``MAX_CONTINUATION_LINES``) between
    two rows, or between the last row and the line that ends the table, continue the text above them."""
    rows: list[TableRow] = []
    pending: list[int] = []
    text_at = columns.index(schema.text_column)
    before, after = columns[:text_at], columns[text_at + 1:]
    index = header + 1
    blanks = 0
    while index < len(lines):
        text = lines[index]
        if not text:
            if rows or blanks >= MAX_BLANKS_BEFORE_ROWS:
                break
            blanks += 1
            index += 1
            continue
        if ends_table(index):
            if pending:
                rows[-1] = _continued(rows[-1], lines, pending)
            break
        row = parse_row(text, before, after, schema, hint)
        if row is None:
            if rows and len(pending) < MAX_CONTINUATION_LINES and len(text) < MAX_CONTINUATION_CHARS \
                    and not is_labelled(index):
                pending.append(index)  # a wrapped description, if a row follows
                index += 1
                continue
            break
        if pending:
            rows[-1] = _continued(rows[-1], lines, pending)
            pending = []
        description, values, words = row
        rows.append(TableRow(description, values, (index,), words))
        index += 1
    return rows


def _continued(row: TableRow, lines: Sequence[str], more: list[int]) -> TableRow:
    extra = " ".join(lines[index].strip() for index in more)
    return TableRow(f"{row.text} {extra}", row.values, (*row.lines, *more), row.words)


def parse_row(text: str, before: list[str], after: list[str], schema: TableSchema, hint: str | None
              ) -> tuple[str, dict[str, Decimal], dict[str, str]] | None:
    """(free text, values by column, word cells by column) of a row whose columns are ``before`` + text column +
    ``after``, or None when the line is not a row."""
    tokens = [t for t in text.split() if not (t in SYMBOLS or (_CODE_RE.fullmatch(t) and t in ISO_4217))]
    peeled = _leading_words(tokens, before, schema)
    if peeled is None:
        return None
    tokens, before, words = peeled
    trailing = [name for name in after if name in schema.words]
    after = [name for name in after if name not in schema.words]
    merged: list[str] = []
    for token in tokens:
        if token == "%" and merged:
            merged[-1] += "%"
        else:
            merged.append(token)
    tokens = _without_unit(merged, len(after), hint)
    known: dict[str, Decimal | None] = {}  # each token and cell is tried in many groupings

    def numeric(token: str) -> Decimal | None:
        if token not in known:
            known[token] = number(token, hint)
        return known[token]

    values = [numeric(token) for token in tokens]
    lead = 0
    while lead < len(before) and lead < len(tokens) and values[lead] is not None:
        lead += 1
    trail = 0
    while trail < len(tokens) - lead and values[len(tokens) - 1 - trail] is not None:
        trail += 1
    if lead != len(before):
        return None
    names = before + after
    best: tuple[int, str, dict[str, Decimal], dict[str, str]] | None = None
    for columns in _column_options(names, schema):
        wanted = len(columns) - lead
        for groups in _groupings(tokens, len(tokens) - trail, len(tokens), wanted):
            cells = ["\u00a0".join(tokens[i] for i in group) for group in groups]
            numbers = [numeric(token) for token in tokens[:lead]] + [numeric(cell) for cell in cells]
            if any(value is None for value in numbers):
                continue
            text_tokens = tokens[lead: groups[0][0] if groups else len(tokens)]
            cells_after = _trailing_words(text_tokens, trailing, schema)
            if cells_after is None:
                continue
            description = " ".join(text_tokens[:len(text_tokens) - cells_after[0]]).strip()
            if not description or not re.search(r"[A-Za-zÀ-ÿ]", description):
                continue
            row = {name: value for name, value in zip(columns, numbers, strict=True) if value is not None}
            if any(name in row and name not in after and not any(cell.endswith("%") for cell in cells)
                   for name in schema.percent):
                continue
            merges = sum(len(group) - 1 for group in groups)
            score = (0 if _product_ok(row, schema) else 10) + merges + (len(names) - len(columns))
            if best is None or score < best[0]:
                best = (score, description, row, cells_after[1])
    if best is None:
        return None
    _, description, row, found_after = best
    _fix_product(row, schema)
    return description, {name: value for name, value in row.items() if name not in schema.dropped}, \
        {**words, **found_after}


def _word_cell(tokens: list[str], start: int, pattern: str) -> int:
    """How many tokens from ``start`` make one cell matching ``pattern`` (the fewest), 0 when none do."""
    for size in range(1, MAX_CELL_TOKENS + 1):
        if start + size <= len(tokens) and re.fullmatch(pattern, " ".join(tokens[start:start + size])):
            return size
    return 0


def _leading_words(tokens: list[str], before: list[str], schema: TableSchema
                   ) -> tuple[list[str], list[str], dict[str, str]] | None:
    """The row without its word cells before the text column: (tokens left, numeric columns left, the cells), or
    None when a word cell that must be there is not."""
    kept_tokens: list[str] = []
    kept_columns: list[str] = []
    words: dict[str, str] = {}
    position = 0
    for name in before:
        if name not in schema.words:
            if position < len(tokens):
                kept_tokens.append(tokens[position])
            kept_columns.append(name)
            position += 1
            continue
        size = _word_cell(tokens, position, schema.words[name])
        if size == 0 and name not in schema.optional:
            return None
        if size:
            words[name] = " ".join(tokens[position:position + size])
        position += size
    return kept_tokens + tokens[position:], kept_columns, words


def _trailing_words(text_tokens: list[str], trailing: list[str], schema: TableSchema
                    ) -> tuple[int, dict[str, str]] | None:
    """The word cells right after the text column, read from the end of the text, each as long as it matches:
    (tokens they take, the cells), or None when one that must be there is not."""
    taken, words = 0, {}
    for name in reversed(trailing):
        end = len(text_tokens) - taken
        size = next((size for size in range(MAX_CELL_TOKENS, 0, -1)
                     if size < end and re.fullmatch(schema.words[name], " ".join(text_tokens[end - size:end]))), 0)
        if size == 0 and name not in schema.optional:
            return None
        if size:
            words[name] = " ".join(text_tokens[end - size:end])
        taken += size
    return taken, words


def number(token: str, hint: str | None) -> Decimal | None:
    """A cell as a number: currency signs dropped, '(12.00)' and '12.00-' negative."""
    stripped = token
    for symbol in sorted(SYMBOLS, key=len, reverse=True):
        if stripped.startswith(symbol) and stripped != symbol:
            stripped = stripped[len(symbol):]
        elif stripped.endswith(symbol) and stripped != symbol:
            stripped = stripped[: -len(symbol)]
    if stripped.startswith("(") and stripped.endswith(")"):
        inner = parse_number(stripped[1:-1], hint=hint)
        return None if inner is None else -inner
    if stripped.endswith("-") and len(stripped) > 1:
        inner = parse_number(stripped[:-1], hint=hint)
        return None if inner is None else -inner
    return parse_number(stripped, hint=hint)


_UNIT_RE = re.compile(r"(?:stk|st|stck|pcs|pc|pce|ea|each|h|hrs?|std|kg|units?|uds?|stuks?|pi[eè]ces?|x)\.?",
                      re.IGNORECASE)


def _without_unit(tokens: list[str], columns_after: int, hint: str | None) -> list[str]:
    """The row's tokens without a unit written after the quantity ("5 Stk. 35,03 175,15"): a unit word that
    follows a number and is followed by exactly the other numeric columns."""
    index = len(tokens) - columns_after  # where the unit stands when the other columns follow it
    if 0 < index < len(tokens) and _UNIT_RE.fullmatch(tokens[index]) and number(tokens[index - 1], hint) is not None \
            and all(number(token, hint) is not None for token in tokens[index + 1:]):
        return tokens[:index] + tokens[index + 1:]
    return tokens


def _column_options(names: list[str], schema: TableSchema) -> list[list[str]]:
    """The header's columns, and without its optional ones (rows often leave an optional rate empty)."""
    options = [names]
    if schema.optional & set(names):
        options.append([name for name in names if name not in schema.optional])
    return options


_GROUP_HEAD = re.compile(r"-?\d{1,3}")
_GROUP_TAIL = re.compile(r"\d{3}")
_GROUP_LAST = re.compile(r"\d{3}(?:[.,]\d{1,2})?-?")


def _groupings(tokens: list[str], start: int, end: int, count: int) -> list[list[list[int]]]:
    """Ways to read the last tokens of ``tokens[start:end]`` as ``count`` numbers, right to left: each number
    one token, or a plain-space thousands group split into several ("1 234,56")."""
    if count == 0:
        return [[]]
    results: list[list[list[int]]] = []
    for size in range(1, 4):
        first = end - size
        if first < start:
            break
        parts = tokens[first:end]
        if size > 1 and not (_GROUP_HEAD.fullmatch(parts[0]) and all(_GROUP_TAIL.fullmatch(p) for p in parts[1:-1])
                             and _GROUP_LAST.fullmatch(parts[-1])):
            continue
        for rest in _groupings(tokens, start, first, count - 1):
            results.append([*rest, list(range(first, end))])
        if len(results) > MAX_GROUPINGS:
            break
    return results


def _product_ok(row: dict[str, Decimal], schema: TableSchema) -> bool:
    if schema.product is None or not all(key in row for key in schema.product):
        return True
    quantity, price, amount = (row[key] for key in schema.product)
    return abs(quantity * price - amount) <= PRODUCT_TOLERANCE


def _fix_product(row: dict[str, Decimal], schema: TableSchema) -> None:
    """When quantity x price != amount as read, try the other assignments of the three numbers."""
    if schema.product is None or _product_ok(row, schema):
        return
    for perm in permutations(row[key] for key in schema.product):
        if abs(perm[0] * perm[1] - perm[2]) <= PRODUCT_TOLERANCE and perm[0] == perm[0].to_integral():
            row.update(zip(schema.product, perm, strict=True))
            return
