"""An organisation's billing guidelines: what the rules check against, read from YAML or JSON.

The documented keys (``billing_increment_hours``, ``max_hours_per_day``, ``rates``, ``timekeepers``,
``non_billable_expense_codes``, ``vague_phrases``) keep working; every further key has a default, so an empty file
is a complete set of guidelines. Keys this version does not know are kept and reported, never fatal.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from paperclerk.core.errors import PaperclerkError
from paperclerk.legal_billing.utbms import TASK_SETS

#: Largest guidelines file accepted (they are a page or two of settings).
MAX_GUIDELINES_BYTES = 1024 * 1024

DEFAULT_VAGUE_PHRASES = (
    "attention to", "attention to file", "work on matter", "work on file", "review file", "review of file",
    "file review", "review documents", "review of documents", "legal research", "research", "conference",
    "telephone call", "phone call", "emails", "e-mails", "correspondence", "follow up", "follow-up", "various",
    "miscellaneous", "general", "update", "trial preparation", "case management", "analysis", "review",
    "prepare", "meeting", "strategy",
)
DEFAULT_NON_BILLABLE_WORDS = (
    "meal", "meals", "dinner", "lunch", "breakfast", "first class", "first-class", "overtime", "office supplies",
    "alcohol", "minibar", "entertainment",
)


class GuidelinesInvalid(PaperclerkError):
    code = "GUIDELINES_INVALID"
    http_status = 422


class RatePeriod(BaseModel):
    """An approved rate in force from ``start`` to ``end`` (both inclusive, either open)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    rate: Decimal = Field(ge=0)
    start: date | None = Field(default=None, alias="from")
    end: date | None = Field(default=None, alias="to")

    def applies(self, day: date | None) -> bool:
        if day is None:
            return self.start is None and self.end is None
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class TimekeeperGuideline(BaseModel):
    """One timekeeper's terms: an approved rate (overrides the classification's), dated rates, whether they may
    bill at all, and their classification when the invoice does not give it."""

    model_config = ConfigDict(extra="forbid")
    rate: Decimal | None = Field(default=None, ge=0)
    rates: list[RatePeriod] = Field(default_factory=list)
    approved: bool = True
    classification: str | None = None

    def rate_on(self, day: date | None) -> Decimal | None:
        dated = [period.rate for period in self.rates if period.applies(day)]
        return dated[0] if dated else self.rate


class ExpenseCap(BaseModel):
    """A ceiling on an expense code: per unit (a copy, a mile) and/or per line; ``words`` limit it to lines whose
    description mentions one of them (mileage among local travel)."""

    model_config = ConfigDict(extra="forbid")
    code: str | None = None
    per_unit: Decimal | None = Field(default=None, ge=0)
    per_line: Decimal | None = Field(default=None, ge=0)
    words: list[str] = Field(default_factory=list)


class MatterGuideline(BaseModel):
    """A matter's budget and dates, by client or law-firm matter id (master data, when present, comes first)."""

    model_config = ConfigDict(extra="forbid")
    budget: Decimal | None = Field(default=None, ge=0)
    open_date: date | None = None
    close_date: date | None = None


class RuleSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    severity: str | None = Field(default=None, pattern="^(info|warning|error|critical)$")


class Reductions(BaseModel):
    """The share of a line a finding proposes to cut (1 = the whole line)."""

    model_config = ConfigDict(extra="forbid")
    block_billing: Decimal = Field(default=Decimal("0.2"), ge=0, le=1)
    vague_description: Decimal = Field(default=Decimal(1), ge=0, le=1)
    administrative_task: Decimal = Field(default=Decimal(1), ge=0, le=1)
    outside_billing_period: Decimal = Field(default=Decimal(1), ge=0, le=1)
    late_submission: Decimal = Field(default=Decimal(0), ge=0, le=1)


class Guidelines(BaseModel):
    model_config = ConfigDict(extra="allow")

    billing_increment_hours: Decimal = Field(default=Decimal("0.1"), gt=0)
    max_hours_per_day: Decimal = Field(default=Decimal(10), gt=0)
    #: Approved hourly rates by timekeeper classification (PARTNR, ASSOC, PARLGL …).
    rates: dict[str, Annotated[Decimal, Field(ge=0)]] = Field(default_factory=dict)
    timekeepers: dict[str, TimekeeperGuideline] = Field(default_factory=dict)
    #: Only the timekeepers listed in ``timekeepers`` (or in the master data) may bill.
    approved_timekeepers_only: bool = False
    non_billable_expense_codes: list[str] = Field(default_factory=list)
    non_billable_expense_words: list[str] = Field(default_factory=lambda: list(DEFAULT_NON_BILLABLE_WORDS))
    #: The organisation's vague phrases: they extend the built-in list (``DEFAULT_VAGUE_PHRASES``) unless
    #: ``builtin_vague_phrases`` is false, when they alone apply.
    vague_phrases: list[str] = Field(default_factory=list)
    builtin_vague_phrases: bool = True
    #: Clerical work a lawyer must not bill, as extra phrases (the built-in ones always apply).
    administrative_phrases: list[str] = Field(default_factory=list)
    expense_caps: dict[str, ExpenseCap] = Field(default_factory=lambda: {
        "E101": ExpenseCap(per_unit=Decimal("0.10")),
        "mileage": ExpenseCap(code="E109", per_unit=Decimal("0.70"), words=["mile", "miles", "mileage"]),
    })
    task_code_sets: list[str] = Field(default_factory=lambda: list(TASK_SETS))
    require_utbms_codes: bool = True
    #: Days after the billing period's end by which the invoice must be dated (or received).
    submission_deadline_days: int = Field(default=60, ge=0)
    #: How alike two descriptions must be (0-1) for entries with the same timekeeper, date and hours to be one.
    duplicate_similarity: float = Field(default=0.9, ge=0, le=1)
    matters: dict[str, MatterGuideline] = Field(default_factory=dict)
    reductions: Reductions = Field(default_factory=Reductions)
    #: Per rule id or category: ``{enabled: false}`` or ``{severity: error}``.
    rules: dict[str, RuleSetting] = Field(default_factory=dict)

    @field_validator("timekeepers", "matters", "rates", "expense_caps", "rules", mode="before")
    @classmethod
    def _string_keys(cls, value: Any) -> Any:
        """YAML reads ``22547:`` as a number: ids are strings."""
        return {str(key): item for key, item in value.items()} if isinstance(value, dict) else value

    @field_validator("rates", mode="before")
    @classmethod
    def _upper_classifications(cls, value: Any) -> Any:
        return {str(key).upper(): item for key, item in value.items()} if isinstance(value, dict) else value

    @field_validator("non_billable_expense_codes", mode="before")
    @classmethod
    def _upper_codes(cls, value: Any) -> Any:
        return [str(item).upper() for item in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _known_code_sets(self) -> Guidelines:
        unknown = sorted(set(self.task_code_sets) - set(TASK_SETS))
        if unknown:
            raise ValueError(f"task_code_sets: unknown sets {unknown}; use {', '.join(TASK_SETS)}")
        return self

    @property
    def unknown_keys(self) -> list[str]:
        """Top-level keys this version does not read (kept, and reported to whoever imports the file)."""
        return sorted(self.model_extra or {})

    def approved_rate(self, timekeeper_id: str | None, classification: str | None, day: date | None
                      ) -> Decimal | None:
        """The rate approved for a timekeeper on a day: their own (dated or flat), else their classification's."""
        own = self.timekeepers.get(timekeeper_id or "")
        if own is not None:
            rate = own.rate_on(day)
            if rate is not None:
                return rate
            classification = classification or own.classification
        return self.rates.get((classification or "").upper())

    def all_vague_phrases(self) -> list[str]:
        """The phrases the vague-description rule looks for: the built-in ones (unless opted out), then the
        organisation's."""
        builtin = list(DEFAULT_VAGUE_PHRASES) if self.builtin_vague_phrases else []
        return list(dict.fromkeys(builtin + self.vague_phrases))

    def rule_enabled(self, rule_id: str, category: str) -> bool:
        return all(setting.enabled for key, setting in self.rules.items() if key in (rule_id, category))

    def severity(self, rule_id: str, category: str, default: str) -> str:
        for key in (rule_id, category):
            setting = self.rules.get(key)
            if setting is not None and setting.severity:
                return setting.severity
        return default

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def parse_guidelines(data: bytes | str, *, source: str = "guidelines") -> Guidelines:
    """Guidelines from YAML or JSON text (JSON is YAML); ``GUIDELINES_INVALID`` names every bad key."""
    if len(data) > MAX_GUIDELINES_BYTES:
        raise GuidelinesInvalid(f"{source}: a guidelines file is limited to {MAX_GUIDELINES_BYTES // 1024} KB")
    try:
        loaded = yaml.safe_load(data) if data.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise GuidelinesInvalid(f"{source}: not valid YAML or JSON: {exc}",
                                details={"line": mark.line + 1 if mark else None}) from None
    if not isinstance(loaded, dict):
        raise GuidelinesInvalid(f"{source}: the guidelines must be a mapping of keys to values")
    return guidelines_from(loaded, source=source)


def guidelines_from(values: dict[str, Any], *, source: str = "guidelines") -> Guidelines:
    try:
        json.dumps(values, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        raise GuidelinesInvalid(f"{source}: holds text that is not valid Unicode (a lone surrogate)") from None
    try:
        return Guidelines.model_validate(values)
    except ValidationError as exc:
        errors = [{"field": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
                  for error in exc.errors()]
        first = errors[0]
        raise GuidelinesInvalid(f"{source}: {first['field']}: {first['message']}",
                                details={"errors": errors}) from None


def dump_guidelines(guidelines: Guidelines) -> str:
    return json.dumps(guidelines.to_json(), indent=2, default=str)
