"""An organisation's invoice validation policy: which rules are on, their severities, and the tolerances.

The rules and their defaults live in code (``rules.RULES``, ``checks.RULES``, the fields of ``RuleConfig``);
an organisation stores only what it changed. :func:`rule_config` builds the ``RuleConfig`` every check of
that organisation's invoices uses. Changes are audited; the caller re-validates open invoices afterwards.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paperclerk.auth.principal import Principal
from paperclerk.core.audit import record_audit
from paperclerk.core.errors import InvalidRequest, NotFound
from paperclerk.invoices import rules, validation
from paperclerk.invoices.masterdata import checks
from paperclerk.invoices.models import InvoiceRuleSetting, InvoiceTolerance
from paperclerk.invoices.reading import FIELDS
from paperclerk.invoices.rules import SEVERITIES, RuleConfig

DOCUMENT = "document"
MASTER_DATA = "master_data"
MAX_DECIMAL = Decimal("1000000000000")
MAX_DAYS = 100 * 366


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    description: str
    #: ``document``: checks the invoice alone; ``master_data``: against vendors, orders, receipts, earlier invoices.
    scope: str
    default_severity: str


@dataclass(frozen=True)
class Tolerance:
    name: str
    description: str
    kind: str  # decimal | days | fields
    default: Any


def catalogue() -> dict[str, RuleInfo]:
    """Every rule an organisation can configure, engine rules first."""
    found = {item["id"]: RuleInfo(item["id"], item["title"], item["description"], DOCUMENT, item["severity"])
             for item in rules.describe_rules()}
    for item in checks.RULES.values():
        found[item.id] = RuleInfo(item.id, item.title, item.description, MASTER_DATA, item.severity)
    return found


def _tolerances() -> dict[str, Tolerance]:
    hints = typing.get_type_hints(RuleConfig)
    kinds = {Decimal: "decimal", int: "days", bool: "switch"}
    return {item.name: Tolerance(item.name, item.metadata["doc"], kinds.get(hints[item.name], "fields"), item.default)
            for item in dataclasses.fields(RuleConfig) if "doc" in item.metadata}


TOLERANCES = _tolerances()
SWITCH_WORDS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


def parse_tolerance(name: str, value: Any) -> Any:
    """A tolerance value as ``RuleConfig`` types it; ``InvalidRequest`` (``INVALID_TOLERANCE``) otherwise."""
    tolerance = TOLERANCES.get(name)
    if tolerance is None:
        raise NotFound(f"There is no tolerance called {name!r}.", code="TOLERANCE_NOT_FOUND",
                       details={"name": name, "tolerances": sorted(TOLERANCES)})

    def invalid(expected: str) -> InvalidRequest:
        return InvalidRequest(f"{value!r} is not a valid value for {name}: {expected}.", code="INVALID_TOLERANCE",
                              details={"name": name})

    if tolerance.kind == "switch":
        return _switch(value, invalid)
    if tolerance.kind == "fields":
        return _fields(value, invalid)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise invalid("give a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid("give a number") from None
    if tolerance.kind == "days":
        if not number.is_finite() or number != number.to_integral_value() or not 0 <= number <= MAX_DAYS:
            raise invalid(f"give a whole number of days from 0 to {MAX_DAYS}")
        return int(number)
    if not number.is_finite() or not 0 <= number <= MAX_DECIMAL:
        raise invalid(f"give a number from 0 to {MAX_DECIMAL:,}")
    return number


def _switch(value: Any, invalid: Callable[[str], InvalidRequest]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in SWITCH_WORDS:
        return SWITCH_WORDS[value.strip().lower()]
    raise invalid("give yes or no")


def _fields(value: Any, invalid: Callable[[str], InvalidRequest]) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise invalid("give a list of field names")
    unknown = sorted(set(value) - set(FIELDS))
    if unknown:
        raise invalid(f"unknown field(s) {', '.join(unknown)}")
    return tuple(dict.fromkeys(value))


def _stored(value: Any) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else str(value) if isinstance(value, Decimal) else value)


def _settings(session: Session, organization_id: str) -> dict[str, InvoiceRuleSetting]:
    return {item.rule_id: item for item in session.scalars(
        select(InvoiceRuleSetting).where(InvoiceRuleSetting.organization_id == organization_id))}


def tolerance_values(session: Session, organization_id: str) -> dict[str, Any]:
    """The organisation's tolerances that differ from the defaults, typed."""
    values = {}
    for row in session.scalars(select(InvoiceTolerance).where(InvoiceTolerance.organization_id == organization_id)):
        if row.name in TOLERANCES:  # a tolerance retired from the code is ignored, not fatal
            values[row.name] = parse_tolerance(row.name, json.loads(row.value))
    return values


def rule_config(session: Session, organization_id: str, *, today: date | None = None) -> RuleConfig:
    """The configuration every check of this organisation's invoices runs with (``today``: now by default)."""
    settings = _settings(session, organization_id)
    return RuleConfig(
        today=today or date.today(),
        severities={rule_id: item.severity for rule_id, item in settings.items() if item.severity},
        disabled=frozenset(rule_id for rule_id, item in settings.items() if not item.enabled),
        **tolerance_values(session, organization_id))


@dataclass(frozen=True)
class RuleState:
    rule: RuleInfo
    enabled: bool
    #: The organisation's severity, or None when the rule keeps its default.
    severity: str | None

    @property
    def effective_severity(self) -> str:
        return self.severity or self.rule.default_severity


def rule_states(session: Session, organization_id: str) -> list[RuleState]:
    settings = _settings(session, organization_id)
    return [RuleState(info, settings[info.id].enabled if info.id in settings else True,
                      settings[info.id].severity if info.id in settings else None)
            for info in catalogue().values()]


def set_rules(session: Session, organization_id: str, changes: dict[str, dict[str, Any]], *, actor: Principal,
              ip: str | None = None) -> list[RuleState]:
    """Per rule id, turn the rule on or off (``enabled``) and/or set its ``severity`` (None: back to the default).
    Every change is checked before any is stored; each changed rule is one audit entry; the invoices in review are
    re-checked."""
    known = catalogue()
    for rule_id, change in changes.items():
        if rule_id not in known:
            raise NotFound(f"There is no rule {rule_id!r}.", code="RULE_NOT_FOUND", details={"rule_id": rule_id})
        severity = change.get("severity")
        if severity is not None and severity not in SEVERITIES:
            raise InvalidRequest(f"Unknown severity {severity!r} for {rule_id}; use one of {', '.join(SEVERITIES)}.",
                                 code="INVALID_SEVERITY", details={"rule_id": rule_id, "severities": list(SEVERITIES)})
    settings = _settings(session, organization_id)
    for rule_id, change in changes.items():
        row = settings.get(rule_id)
        before = {"enabled": row.enabled if row else True, "severity": row.severity if row else None}
        if row is None:
            row = settings[rule_id] = InvoiceRuleSetting(organization_id=organization_id, rule_id=rule_id,
                                                         enabled=True, severity=None)
            session.add(row)
        if change.get("enabled") is not None:
            row.enabled = bool(change["enabled"])
        if "severity" in change:
            row.severity = change["severity"]
        row.updated_by = actor.label
        after = {"enabled": row.enabled, "severity": row.severity}
        if after != before:
            record_audit(session, actor, "invoice.rule.update", ("invoice_rule", rule_id), ip=ip,
                         organization_id=organization_id, before=before, after=after)
    session.flush()
    validation.revalidate_open(session, organization_id)
    return [RuleState(known[rule_id], settings[rule_id].enabled, settings[rule_id].severity) for rule_id in changes]


def set_tolerances(session: Session, organization_id: str, values: dict[str, Any], *, actor: Principal,
                   ip: str | None = None) -> dict[str, Any]:
    """Set tolerances (None, or the default's value, puts one back to its default); returns the organisation's
    values. Every value is checked before any is stored; the invoices in review are re-checked."""
    unknown = sorted(name for name in values if name not in TOLERANCES)
    if unknown:
        raise NotFound(f"There is no tolerance called {unknown[0]!r}.", code="TOLERANCE_NOT_FOUND",
                       details={"names": unknown, "tolerances": sorted(TOLERANCES)})
    typed = {name: None if value is None else parse_tolerance(name, value) for name, value in values.items()}
    typed = {name: None if value == TOLERANCES[name].default else value for name, value in typed.items()}
    rows = {row.name: row for row in session.scalars(
        select(InvoiceTolerance).where(InvoiceTolerance.organization_id == organization_id))}
    before = tolerance_values(session, organization_id)
    for name, value in typed.items():
        row = rows.get(name)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(InvoiceTolerance(organization_id=organization_id, name=name, value=_stored(value),
                                         updated_by=actor.label))
        else:
            row.value, row.updated_by = _stored(value), actor.label
    session.flush()
    after = tolerance_values(session, organization_id)
    record_audit(session, actor, "invoice.tolerances.update", ("invoice_tolerances", organization_id), ip=ip,
                 organization_id=organization_id, before=_jsonable(before), after=_jsonable(after))
    validation.revalidate_open(session, organization_id)
    return after


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {name: json.loads(_stored(value)) for name, value in values.items()}
