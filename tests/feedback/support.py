"""A business ready for feedback, made through the line's services: a programme, a store with its QR code and POS
transactions to verify against."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperclerk.auth.principal import system_actor
from paperclerk.core.db import session_scope
from paperclerk.feedback import program, transactions
from tests.helpers import api_key, organization_id

#: When the test purchases happened.
SOLD_AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sale:
    """A POS transaction as a reader yields it."""

    external_id: str
    amount: Decimal
    occurred_at: datetime = SOLD_AT
    store_ref: str = "Main street"
    source: str = "csv"
    currency: str = "SEK"
    card_fingerprint: str | None = None
    receipt_number: str | None = None


@dataclass(frozen=True)
class Business:
    organization_id: str
    store_id: str
    store_code: str
    sales: list[Sale]


def business(slug: str = "acme", *, sales: int = 5, store: str = "Main street", cards: list[str] | None = None,
             categories: list[str] | None = None) -> Business:
    api_key(slug, "admin")  # makes the organisation
    org = organization_id(slug)
    actor = system_actor("tests", organization_id=org)
    made = [Sale(f"R-{uuid.uuid4().hex[:8]}", Decimal("89.50") + index, SOLD_AT + timedelta(minutes=index),
                 store_ref=store, card_fingerprint=(cards[index] if cards and index < len(cards) else None))
            for index in range(sales)]
    with session_scope() as session:
        program.update_program(session, actor, {"categories": categories or ["coffee", "pastries"],
                                                "reward_amount": "50", "commission_percent": "10"})
        shop = program.create_store(session, actor, store)
        transactions.import_transactions(session, actor, made)
        return Business(org, shop.id, shop.code, made)


def receipt(sale: Sale, *, device: str = "device-1") -> dict[str, str]:
    """The verify form as a customer fills it in from the receipt."""
    local = sale.occurred_at.replace(tzinfo=None)
    return {"transaction_id": sale.external_id, "amount": str(sale.amount), "occurred_at": local.isoformat(),
            "device_id": device}


@dataclass(frozen=True)
class Submitted:
    session_id: str
    customer_token: str | None
    finding_id: str | None


GENERATED = "As an AI language model I found the coffee good. In conclusion, the staff were friendly."
USEFUL = ("The cinnamon bun was dry on Saturday morning and we waited 20 minutes at the counter because only one "
          "barista was working. You should put a second person on the till at weekends. Anna was friendly though.")


def _generated() -> str:
    """Generated-looking text, different each time (so only the generated-text rule fires)."""
    words = USEFUL.split()
    random.shuffle(words)
    return f"As an AI language model, {' '.join(words[:12])}."


def submitted_feedback(shop: Business, index: int, *, flagged: bool, text: str | None = None,
                       device: str | None = None) -> Submitted:
    """Feedback on the shop's ``index``-th sale, sent through the services; ``flagged`` sends text a fraud rule
    holds (generated-text markers)."""
    from sqlalchemy import select

    from paperclerk.feedback import sessions
    from paperclerk.feedback.models import FraudFinding

    sale = shop.sales[index]
    with session_scope() as session:
        feedback, token = sessions.start(session, store_code=shop.store_code, external_id=sale.external_id,
                                         amount=sale.amount, occurred_at=sale.occurred_at, customer_token=None,
                                         phone=None, device_id=device or f"device-{uuid.uuid4()}",
                                         ip=f"10.0.{index // 250}.{index % 250}")
        sessions.submit(session, feedback, consent_text="I agree (test)", consent=True,
                        text=text or (_generated() if flagged else USEFUL + f" Visit {uuid.uuid4().hex[:6]}."),
                        typing=sessions.Typing(typing_seconds=90))
        finding = session.scalar(select(FraudFinding.id).where(FraudFinding.session_id == feedback.id))
        return Submitted(feedback.id, token, finding)
