"""The table parser is not tied to invoices: a time-entry schema reads hours x rate = amount rows the same way."""

from __future__ import annotations

from decimal import Decimal

from paperclerk.invoices.layout.table import LINE_ITEMS, TableSchema, header_columns, read_rows

TIME_ENTRIES = TableSchema(
    columns={"date": r"date", "timekeeper": r"timekeeper", "narrative": r"description|narrative",
             "hours": r"hours|hrs", "rate": r"rate", "amount": r"amount"},
    text_column="narrative",
    required=frozenset({"narrative", "amount"}),
    product=("hours", "rate", "amount"),
)


def test_a_time_entry_table_reads_with_its_own_schema() -> None:
    lines = ["Description Hours Rate Amount",
             "Draft motion to dismiss 2.5 300.00 750.00",
             "Call with client re settlement 0.4 300.00 120.00",
             "(continued)",
             "Review discovery 1.0 250.00 250.00",
             "",
             "Total fees 1,120.00"]
    columns = header_columns(lines[0], TIME_ENTRIES)
    assert columns == ["narrative", "hours", "rate", "amount"]
    rows = read_rows(lines, 0, columns, TIME_ENTRIES, ".", ends_table=lambda index: False,
                     is_labelled=lambda index: False)
    assert [(row.text, row.values) for row in rows] == [
        ("Draft motion to dismiss", {"hours": Decimal("2.5"), "rate": Decimal("300.00"), "amount": Decimal("750.00")}),
        ("Call with client re settlement (continued)",
         {"hours": Decimal("0.4"), "rate": Decimal("300.00"), "amount": Decimal("120.00")}),
        ("Review discovery", {"hours": Decimal("1.0"), "rate": Decimal("250.00"), "amount": Decimal("250.00")}),
    ]
    assert rows[1].lines == (2, 3)


def test_line_items_follow_the_header_order_and_drop_the_position() -> None:
    lines = ["Pos Description Price Qty Amount", "1 Widget 12.50 3 37.50"]
    columns = header_columns(lines[0], LINE_ITEMS)
    assert columns is not None
    rows = read_rows(lines, 0, columns, LINE_ITEMS, ".", ends_table=lambda index: False,
                     is_labelled=lambda index: False)
    assert rows[0].values == {"quantity": Decimal("3"), "unit_price": Decimal("12.50"), "amount": Decimal("37.50")}


def test_a_sentence_is_not_a_header() -> None:
    assert header_columns("Please describe the items and the total amount you were charged for the service",
                          LINE_ITEMS) is None


BILLED_TIME = TableSchema(
    columns={"date": r"date", "task": r"task", "timekeeper": r"timekeeper|atty", "narrative": r"description",
             "hours": r"hours", "amount": r"amount"},
    text_column="narrative", required=frozenset({"date", "narrative", "hours"}),
    optional=frozenset({"task", "timekeeper"}),
    words={"date": r"\d\d/\d\d/\d{4}|[A-Z][a-z]{2} \d{1,2}, \d{4}", "task": r"L\d{3}", "timekeeper": r"[A-Z]{2,4}"})


def test_word_columns_are_read_before_and_after_the_text_and_may_be_missing_when_optional() -> None:
    lines = ["Date Task Timekeeper Description Hours Amount",
             "02/01/2024 L250 JDS Review motion to compel 1.50 675.00",
             "Feb 2, 2024 MKL Draft opposition to motion 3.20 1,040.00",
             "02/05/2024 L120 Attention to file 0.40 180.00",
             "arguments in reply",
             "Total fees 1,895.00"]
    columns = header_columns(lines[0], BILLED_TIME)
    assert columns == ["date", "task", "timekeeper", "narrative", "hours", "amount"]
    rows = read_rows(lines, 0, columns, BILLED_TIME, ".", ends_table=lambda index: lines[index].startswith("Total"),
                     is_labelled=lambda index: False)
    assert [(row.words, row.text, row.values["hours"]) for row in rows] == [
        ({"date": "02/01/2024", "task": "L250", "timekeeper": "JDS"}, "Review motion to compel", Decimal("1.50")),
        ({"date": "Feb 2, 2024", "timekeeper": "MKL"}, "Draft opposition to motion", Decimal("3.20")),
        ({"date": "02/05/2024", "task": "L120"}, "Attention to file arguments in reply", Decimal("0.40")),
    ]
    assert rows[2].lines == (3, 4)  # the last row's wrapped text, before the line that ends the table
    after = ["Date Description Atty Hours Amount", "02/01/2024 Review motion to compel JDS 1.50 675.00"]
    columns = header_columns(after[0], BILLED_TIME)
    assert columns == ["date", "narrative", "timekeeper", "hours", "amount"]
    (row,) = read_rows(after, 0, columns, BILLED_TIME, ".", ends_table=lambda index: False,
                       is_labelled=lambda index: False)
    assert (row.words, row.text) == ({"date": "02/01/2024", "timekeeper": "JDS"}, "Review motion to compel")


def test_a_row_without_its_required_word_cell_is_not_a_row() -> None:
    lines = ["Date Description Hours Amount", "Review motion to compel 1.50 675.00"]
    columns = header_columns(lines[0], BILLED_TIME)
    assert columns is not None
    assert read_rows(lines, 0, columns, BILLED_TIME, ".", ends_table=lambda index: False,
                     is_labelled=lambda index: False) == []
