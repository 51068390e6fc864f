"""The UTBMS code sets, shipped as data (``data/utbms.csv``): task codes of the litigation (L), counselling (C),
project (P) and bankruptcy (B) sets, activity codes (A) and expense codes (E), each with its phase and meaning.

:func:`check_line` tells what is wrong with a line's codes, in words; the rules turn that into findings.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TASK, ACTIVITY, EXPENSE = "task", "activity", "expense"
#: The task code sets by name, as guidelines name them (``task_code_sets: [litigation]``).
TASK_SETS = ("litigation", "counselling", "project", "bankruptcy")
_DATA = Path(__file__).parent / "data" / "utbms.csv"


@dataclass(frozen=True)
class Code:
    code: str
    set: str
    kind: str
    phase: str | None
    description: str


@lru_cache
def codes() -> dict[str, Code]:
    """Every UTBMS code by its code (``L120``)."""
    with _DATA.open(newline="", encoding="utf-8") as handle:
        return {row["code"]: Code(row["code"], row["set"], row["kind"], row["phase"] or None, row["description"])
                for row in csv.DictReader(handle)}


def describe(code: str | None) -> str | None:
    """``L120 Analysis/Strategy``-style words for a code, or None for an unknown one."""
    known = codes().get(code or "")
    return f"{known.code} {known.description}" if known else None


def phase(code: str | None) -> str | None:
    """The phase a task code belongs to (``L120`` → ``L100``), None for other or unknown codes."""
    known = codes().get(code or "")
    return known.phase if known and known.kind == TASK else None


@dataclass(frozen=True)
class CodeProblem:
    field: str  # task_code | activity_code | expense_code
    kind: str  # unknown | wrong_set | missing | not_allowed
    message: str


def check_line(*, is_fee: bool, is_expense: bool, task_code: str | None, activity_code: str | None,
               expense_code: str | None, task_sets: Iterable[str] = TASK_SETS,
               require_codes: bool = True) -> list[CodeProblem]:
    """What is wrong with one line's UTBMS codes: unknown codes, a code of the wrong set or in the wrong field
    (a fee with an expense code, an activity code in the task field …), a code set the guidelines do not
    allow, and, when ``require_codes``, a fee without task and activity codes or an expense without its code."""
    problems: list[CodeProblem] = []
    allowed = set(task_sets)
    expected = {"task_code": TASK, "activity_code": ACTIVITY, "expense_code": EXPENSE}
    for field, value in (("task_code", task_code), ("activity_code", activity_code),
                         ("expense_code", expense_code)):
        if value is None:
            continue
        known = codes().get(value)
        if known is None:
            problems.append(CodeProblem(field, "unknown", f"{value} is not a UTBMS code"))
        elif known.kind != expected[field]:
            problems.append(CodeProblem(field, "wrong_set", f"{value} is a UTBMS {known.kind} code, billed as the "
                                                            f"{field.replace('_', ' ')}"))
        elif known.kind == TASK and known.set not in allowed:
            problems.append(CodeProblem(field, "not_allowed", f"{value} is from the {known.set} code set; the "
                                                              f"guidelines allow {', '.join(sorted(allowed))}"))
    if is_fee and expense_code is not None:
        problems.append(CodeProblem("expense_code", "wrong_set", f"a fee carries the expense code {expense_code}"))
    if is_expense and activity_code is not None:
        problems.append(CodeProblem("activity_code", "wrong_set",
                                    f"an expense carries the activity code {activity_code}"))
    if require_codes and is_fee:
        problems.extend(CodeProblem(field, "missing", f"a fee needs a UTBMS {field.replace('_', ' ')}")
                        for field, value in (("task_code", task_code), ("activity_code", activity_code))
                        if value is None)
    if require_codes and is_expense and expense_code is None:
        problems.append(CodeProblem("expense_code", "missing", "an expense needs a UTBMS expense code"))
    return problems
