"""The UTBMS code sets as data and the per-line code check."""

from __future__ import annotations

from paperclerk.legal_billing import utbms


def test_code_sets_shipped() -> None:
    sets = {code.set for code in utbms.codes().values()}
    assert sets == {"litigation", "counselling", "project", "bankruptcy", "activity", "expense"}
    assert utbms.describe("E101") == "E101 Copying"
    assert utbms.phase("L120") == "L100" and utbms.phase("B110") == "B100" and utbms.phase("A101") is None
    assert len([code for code in utbms.codes().values() if code.set == "expense"]) == 24


def _kinds(**line) -> list[tuple[str, str]]:
    defaults = {"is_fee": True, "is_expense": False, "task_code": None, "activity_code": None,
                "expense_code": None}
    return [(problem.field, problem.kind) for problem in utbms.check_line(**{**defaults, **line})]


def test_line_codes() -> None:
    assert _kinds(task_code="L120", activity_code="A104") == []
    assert _kinds(task_code="L999", activity_code="A104") == [("task_code", "unknown")]
    assert _kinds(task_code="A104", activity_code="L120") == [("task_code", "wrong_set"),
                                                              ("activity_code", "wrong_set")]
    assert _kinds(task_code="L120", activity_code="A104", expense_code="E101") == [("expense_code", "wrong_set")]
    assert _kinds(task_code="L120") == [("activity_code", "missing")]
    assert _kinds(task_code="L120", require_codes=False) == []
    assert _kinds(task_code="P300", activity_code="A103", task_sets=["litigation"]) == [("task_code", "not_allowed")]
    assert _kinds(is_fee=False, is_expense=True, expense_code="E101", task_code="L320") == []
    assert _kinds(is_fee=False, is_expense=True, activity_code="A101") == [("activity_code", "wrong_set"),
                                                                           ("expense_code", "missing")]
