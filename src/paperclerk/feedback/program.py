"""A business's feedback programme (categories, reward tiers, currency, commission, purchase tolerances) and its
stores with their QR codes. Plain functions taking a session; they never commit."""

from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paperclerk.auth.principal import Principal
from paperclerk.core import events
from paperclerk.core.audit import record_audit
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.feedback.models import Program, Store
from paperclerk.feedback.quality import DEFAULT_TIERS, Tier

_CURRENCY_DIGITS = 3


def program_of(session: Session, organization_id: str) -> Program:
    """The organisation's programme; a default one (added to the session) when it has none yet."""
    program = session.get(Program, organization_id)
    if program is None:
        program = Program(organization_id=organization_id, categories=[], tiers=tiers_to_json(DEFAULT_TIERS),
                          reward_amount=Decimal("50"), currency="SEK", commission_percent=Decimal("10"),
                          amount_tolerance=Decimal("1.00"), time_tolerance_minutes=15, llm_weight=0.5)
        session.add(program)
        session.flush()
    return program


def tiers_to_json(tiers: Sequence[Tier]) -> list[dict[str, Any]]:
    return [{"name": tier.name, "min_score": tier.min_score, "reward_percent": str(tier.reward_percent)}
            for tier in sorted(tiers, key=lambda tier: tier.min_score, reverse=True)]


def tiers_of(program: Program) -> tuple[Tier, ...]:
    return tuple(Tier(str(item["name"]), int(item["min_score"]), Decimal(str(item["reward_percent"])))
                 for item in (program.tiers or tiers_to_json(DEFAULT_TIERS)))


def _decimal(value: object, name: str, *, low: Decimal, high: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidRequest(f"{name} must be a number", code="INVALID_FIELD", details={"field": name}) from exc
    if not number.is_finite() or number < low or (high is not None and number > high):
        raise InvalidRequest(f"{name} must be between {low} and {high if high is not None else 'any'}",
                             code="INVALID_FIELD", details={"field": name})
    return number


def parse_tiers(raw: Sequence[dict[str, Any]]) -> tuple[Tier, ...]:
    """Tiers from a form or the API: unique names, scores and percentages 0 to 100, one tier starting at 0."""
    tiers = []
    for item in raw:
        name = str(item.get("name", "")).strip()
        if not name or len(name) > 40:
            raise InvalidRequest("each tier needs a name of at most 40 characters", code="INVALID_FIELD",
                                 details={"field": "tiers"})
        minimum = int(_decimal(item.get("min_score"), "min_score", low=Decimal(0), high=Decimal(100)))
        percent = _decimal(item.get("reward_percent"), "reward_percent", low=Decimal(0), high=Decimal(100))
        tiers.append(Tier(name, minimum, percent))
    if len({tier.name for tier in tiers}) != len(tiers) or not any(tier.min_score == 0 for tier in tiers):
        raise InvalidRequest("tier names must be unique and one tier must start at score 0", code="INVALID_FIELD",
                             details={"field": "tiers"})
    return tuple(tiers)


def _snapshot(program: Program) -> dict[str, Any]:
    return {"categories": list(program.categories), "tiers": list(program.tiers),
            "reward_amount": str(program.reward_amount), "currency": program.currency,
            "commission_percent": str(program.commission_percent),
            "amount_tolerance": str(program.amount_tolerance),
            "time_tolerance_minutes": program.time_tolerance_minutes, "llm_weight": program.llm_weight}


def update_program(session: Session, principal: Principal, changes: dict[str, Any]) -> Program:
    """Change the programme; every field checked, the change audited and announced."""
    program = program_of(session, principal.tenant)
    before = _snapshot(program)
    if "categories" in changes:
        categories = [str(item).strip() for item in changes["categories"] if str(item).strip()]
        if len(categories) > 50 or any(len(item) > 60 for item in categories):
            raise InvalidRequest("at most 50 categories of at most 60 characters", code="INVALID_FIELD",
                                 details={"field": "categories"})
        program.categories = list(dict.fromkeys(categories))
    if "tiers" in changes:
        program.tiers = tiers_to_json(parse_tiers(changes["tiers"]))
    if "reward_amount" in changes:
        program.reward_amount = _decimal(changes["reward_amount"], "reward_amount", low=Decimal(0),
                                         high=Decimal(100000))
    if "currency" in changes:
        currency = str(changes["currency"]).strip().upper()
        if len(currency) != _CURRENCY_DIGITS or not currency.isalpha():
            raise InvalidRequest("currency must be an ISO 4217 code such as SEK", code="INVALID_FIELD",
                                 details={"field": "currency"})
        program.currency = currency
    if "commission_percent" in changes:
        program.commission_percent = _decimal(changes["commission_percent"], "commission_percent", low=Decimal(0),
                                              high=Decimal(100))
    if "amount_tolerance" in changes:
        program.amount_tolerance = _decimal(changes["amount_tolerance"], "amount_tolerance", low=Decimal(0),
                                            high=Decimal(1000))
    if "time_tolerance_minutes" in changes:
        program.time_tolerance_minutes = int(_decimal(changes["time_tolerance_minutes"], "time_tolerance_minutes",
                                                      low=Decimal(0), high=Decimal(24 * 60)))
    if "llm_weight" in changes:
        program.llm_weight = float(_decimal(changes["llm_weight"], "llm_weight", low=Decimal(0), high=Decimal(1)))
    after = _snapshot(program)
    if after != before:
        record_audit(session, principal, "feedback.program.update", ("feedback_program", program.organization_id),
                     before=before, after=after)
        events.record(session, "feedback.program_changed", organization_id=program.organization_id,
                      subject_type="feedback_program", subject_id=program.organization_id)
    return program


def create_store(session: Session, principal: Principal, name: str, pos_ref: str = "") -> Store:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidRequest("a store needs a name of at most 200 characters", code="INVALID_FIELD",
                             details={"field": "name"})
    if session.scalar(select(Store.id).where(Store.organization_id == principal.tenant, Store.name == name)):
        raise Conflict(f"there is already a store called {name!r}", code="STORE_EXISTS")
    store = Store(organization_id=principal.tenant, name=name, pos_ref=pos_ref.strip()[:120],
                  code=secrets.token_urlsafe(9))
    session.add(store)
    session.flush()
    record_audit(session, principal, "feedback.store.create", ("feedback_store", store.id),
                 after={"name": store.name, "pos_ref": store.pos_ref})
    return store


def stores(session: Session, organization_id: str) -> list[Store]:
    return list(session.scalars(select(Store).where(Store.organization_id == organization_id).order_by(Store.name)))


def store_of(session: Session, organization_id: str, store_id: str) -> Store:
    store = session.get(Store, store_id)
    if store is None or store.organization_id != organization_id:
        raise NotFound("no such store", code="STORE_NOT_FOUND")
    return store


def store_by_code(session: Session, code: str) -> Store:
    """The store a QR code leads to (the customer pages' only way in)."""
    store = session.scalar(select(Store).where(Store.code == code)) if 0 < len(code) <= 40 else None
    if store is None:
        raise NotFound("this QR code leads to no store", code="STORE_NOT_FOUND")
    return store


def qr_svg(url: str) -> str:
    """The QR code of a store's feedback address, as SVG."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode()
