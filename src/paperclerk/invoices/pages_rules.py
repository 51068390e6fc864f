"""The invoice rules page: every validation rule and tolerance as this organisation has them; administrators
turn rules on or off, change severities and tolerances. Changes go through the policy service and re-check the
invoices still in review, as the API's do."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperclerk.auth.dependencies import request_ip
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.errors import InvalidRequest, PaperclerkError
from paperclerk.invoices import policy
from paperclerk.invoices.rules import SEVERITIES
from paperclerk.web.shell import Viewer, page_require, render

router = APIRouter(include_in_schema=False)
DONE = {"rules": "The rules were saved; invoices in review were checked again.",
        "tolerances": "The tolerances were saved; invoices in review were checked again."}
MAX_FORM_FIELDS = 400
WORDING = "change the invoice rules"  # what the 403 page says a caller without settings:manage cannot do


def _page(request: Request, session: Session, viewer: Viewer, *, error: str | None = None,
          status_code: int = 200) -> Response:
    tenant = viewer.principal.tenant
    values = policy.tolerance_values(session, tenant)
    return render(request, "invoices/rules.html", {
        "states": policy.rule_states(session, tenant), "severities": SEVERITIES,
        "tolerances": [(item, values.get(item.name, item.default)) for item in policy.TOLERANCES.values()],
        "can_manage": viewer.can("settings:manage"), "error": error, "nav": "rules",
        "done": DONE.get(request.query_params.get("done", "")),
    }, viewer=viewer, status_code=status_code)


@router.get("/rules", response_class=HTMLResponse, response_model=None)
def rules_page(
    request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
    session: Annotated[Session, Depends(read_session)]
) -> Response:
    return _page(request, session, viewer)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _save(request: Request, viewer: Viewer, done: str, change: Any) -> Response:
    try:
        with session_scope() as session:
            change(session, viewer)
    except PaperclerkError as problem:
        with session_scope(readonly=True) as session:
            return _page(request, session, viewer, error=problem.message, status_code=problem.http_status)
    return RedirectResponse(f"/rules?done={done}", status_code=303)


def rule_changes(form: dict[str, str]) -> dict[str, dict[str, Any]]:
    """What the rules form asks for: per rule, on when its box is ticked, and its severity (``default``: None)."""
    changes: dict[str, dict[str, Any]] = {}
    for rule_id in policy.catalogue():
        severity = form.get(f"severity:{rule_id}", "default")
        if severity != "default" and severity not in SEVERITIES:
            raise InvalidRequest(f"Unknown severity {severity!r} for {rule_id}.", code="INVALID_SEVERITY")
        changes[rule_id] = {"enabled": form.get(f"enabled:{rule_id}") == "on",
                            "severity": None if severity == "default" else severity}
    return changes


@router.post("/rules", response_model=None)
async def save_rules(request: Request, viewer: Annotated[Viewer, Depends(page_require(
        "settings:manage", back="/rules", wording=WORDING))]) -> Response:
    form = await _form(request)
    return _save(request, viewer, "rules", lambda session, viewer: policy.set_rules(
        session, viewer.principal.tenant, rule_changes(form), actor=viewer.principal, ip=request_ip(request)))


def tolerance_changes(form: dict[str, str]) -> dict[str, Any]:
    """What the tolerances form asks for: a value per tolerance (field names comma-separated; empty: default)."""
    changes: dict[str, Any] = {}
    for item in policy.TOLERANCES.values():
        text = form.get(f"tolerance:{item.name}", "").strip()
        if not text:
            changes[item.name] = None
        elif item.kind == "switch":
            changes[item.name] = text
        elif item.kind == "fields":
            changes[item.name] = [name.strip() for name in text.split(",") if name.strip()]
        else:
            changes[item.name] = text
    return changes


@router.post("/rules/tolerances", response_model=None)
async def save_tolerances(request: Request, viewer: Annotated[Viewer, Depends(page_require(
        "settings:manage", back="/rules", wording=WORDING))]) -> Response:
    form = await _form(request)
    return _save(request, viewer, "tolerances", lambda session, viewer: policy.set_tolerances(
        session, viewer.principal.tenant, tolerance_changes(form), actor=viewer.principal, ip=request_ip(request)))
