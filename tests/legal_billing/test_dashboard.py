"""The spend dashboard's figures on both databases: spend by firm, timekeeper and phase, savings, rules, waiting."""

from __future__ import annotations

from decimal import Decimal

from paperclerk.core.db import session_scope
from paperclerk.legal_billing import dashboard
from tests.helpers import api_key, organization_id
from tests.legal_billing.ledes_samples import legal_invoice


def test_dashboard_figures(any_env) -> None:
    api_key("acme")
    api_key("rival")
    acme = organization_id("acme")
    legal_invoice(acme)
    legal_invoice(acme)
    legal_invoice(organization_id("rival"))
    with session_scope(readonly=True) as session:
        board = dashboard.build(session, acme, dashboard.DashboardFilter())
        assert board.invoices == 2 and board.billed == Decimal("4635.00")
        assert board.by_matter == [("CM-2025-01", Decimal("4635.00"))]
        assert board.by_timekeeper[0] == ("Marlowe, Ada", Decimal("3250.00"))
        assert dict(board.by_phase)["L100 Case Assessment Development and Administration"] == Decimal("3250.00")
        assert dict(board.waiting_by_age)["0-7 days"] == 2
        empty = dashboard.build(session, acme, dashboard.DashboardFilter(firm="Nobody LLP"))
        assert empty.invoices == 0 and empty.by_firm == []
    chart = dashboard.bars([("a", Decimal(10)), ("credit", Decimal(-5))])
    assert [bar.width > 0 for bar in chart["bars"]] == [True, False]
