"""Legal e-billing routes under /api/v1/legal: law-firm invoices (upload, review, line decisions, approval,
exports), the billing guidelines and the master data (law firms, matters, timekeepers). Thin: services do the work.

Reading needs ``documents:read``; line decisions ``documents:correct``; approving and rejecting
``documents:approve`` / ``documents:reject``; exports ``documents:export``; the guidelines ``rules:manage``; master
data ``settings:manage`` (approved rates are what over-billing targets).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import request_ip, require
from paperclerk.auth.principal import Principal
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.storage import get_store
from paperclerk.documents.api import receive_uploads
from paperclerk.documents.schemas import UploadResult
from paperclerk.documents.service import Intake
from paperclerk.legal_billing import exports, masterdata, service, verification, workflow
from paperclerk.legal_billing.guidelines import MAX_GUIDELINES_BYTES, guidelines_from, parse_guidelines
from paperclerk.legal_billing.ledes import read_ledes, sniff_ledes
from paperclerk.legal_billing.ledes.read import MAX_LEDES_BYTES
from paperclerk.legal_billing.models import LegalInvoiceStatus
from paperclerk.legal_billing.schemas import (
    GuidelinesOut,
    ImportResult,
    LawFirmIn,
    LawFirmOut,
    LegalInvoiceDetail,
    LegalInvoiceList,
    LegalInvoiceSummary,
    LineDecisionIn,
    MatterIn,
    MatterOut,
    ReasonIn,
    TimekeeperIn,
    TimekeeperOut,
)

router = APIRouter(prefix="/api/v1/legal", tags=["legal e-billing"],
                   responses=error_responses(400, 401, 403, 422, 429))
Reader = Annotated[Principal, Depends(require("documents:read"))]
Admin = Annotated[Principal, Depends(require("settings:manage"))]
ReadSession = Annotated[Session, Depends(read_session)]
InvoiceId = Annotated[str, Path(max_length=36)]


# Invoices ------------------------------------------------------------------------------------------------------


def _refuse_malformed_ledes(session: Session, intake: Intake) -> None:
    """A LEDES file that breaks its format is refused at the door with every error (nothing stored)."""
    if intake.duplicate:
        return
    with get_store().open(intake.document.sha256) as handle:
        data = handle.read(MAX_LEDES_BYTES + 1)
    if sniff_ledes(data) is not None:
        read_ledes(data)


@router.post("/invoices/upload", status_code=202, response_model=UploadResult,
             summary="Upload law-firm invoices (LEDES 1998B / 1998BI / XML 2.0 / 2.1, PDF); malformed LEDES files "
                     "are refused with their line- and field-exact errors, the others go on",
             responses=error_responses(400, 413, 415, 503))
def upload(files: Annotated[list[UploadFile], File(description="LEDES files or PDF bills")], request: Request,
           principal: Annotated[Principal, Depends(require("documents:upload"))]) -> UploadResult:
    return receive_uploads(files, source="legal-upload", principal=principal, ip=request_ip(request),
                           declared_kind="legal_invoice", then=_refuse_malformed_ledes)


@router.get("/invoices", response_model=LegalInvoiceList, summary="Law-firm invoices, newest first")
def list_invoices(session: ReadSession, principal: Reader,
                  status: Annotated[LegalInvoiceStatus | None, Query()] = None,
                  firm: Annotated[str | None, Query(max_length=200)] = None,
                  matter: Annotated[str | None, Query(max_length=60)] = None,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> LegalInvoiceList:
    items, total = service.list_invoices(session, principal.tenant, status=status, firm=firm, matter=matter,
                                         limit=limit, offset=offset)
    return LegalInvoiceList(items=[LegalInvoiceSummary.model_validate(item) for item in items], total=total,
                            limit=limit, offset=offset)


@router.get("/invoices/{invoice_id}", response_model=LegalInvoiceDetail,
            summary="A law-firm invoice: lines, findings, proposed adjustments, decisions",
            responses=error_responses(404))
def get_invoice(invoice_id: InvoiceId, session: ReadSession, principal: Reader) -> LegalInvoiceDetail:
    return LegalInvoiceDetail.model_validate(service.get_invoice(session, principal.tenant, invoice_id))


@router.post("/invoices/{invoice_id}/lines/{number}/decision", response_model=LegalInvoiceDetail,
             summary="Accept, reduce or reject a line (a reduction or rejection says why)",
             responses=error_responses(400, 404, 409))
def decide_line(invoice_id: InvoiceId, number: Annotated[int, Path(ge=1, le=1_000_000)], body: LineDecisionIn,
                request: Request, principal: Annotated[Principal, Depends(require("documents:correct"))]
                ) -> LegalInvoiceDetail:
    with session_scope() as session:
        invoice = workflow.decide_line(session, principal.tenant, invoice_id, number, decision=body.decision,
                                       reason=body.reason, amount=body.amount, actor=principal,
                                       ip=request_ip(request))
        return LegalInvoiceDetail.model_validate(invoice)


@router.post("/invoices/{invoice_id}/approve", response_model=LegalInvoiceDetail,
             summary="Approve for payment at the approved total", responses=error_responses(404, 409))
def approve(invoice_id: InvoiceId, request: Request,
            principal: Annotated[Principal, Depends(require("documents:approve"))]) -> LegalInvoiceDetail:
    with session_scope() as session:
        invoice = workflow.approve(session, principal.tenant, invoice_id, actor=principal, ip=request_ip(request))
        return LegalInvoiceDetail.model_validate(invoice)


@router.post("/invoices/{invoice_id}/reject", response_model=LegalInvoiceDetail, summary="Reject, with the reason",
             responses=error_responses(400, 404, 409))
def reject(invoice_id: InvoiceId, body: ReasonIn, request: Request,
           principal: Annotated[Principal, Depends(require("documents:reject"))]) -> LegalInvoiceDetail:
    with session_scope() as session:
        invoice = workflow.reject(session, principal.tenant, invoice_id, reason=body.reason, actor=principal,
                                  ip=request_ip(request))
        return LegalInvoiceDetail.model_validate(invoice)


@router.get("/invoices/{invoice_id}/export", summary="The adjusted invoice as LEDES 1998B or CSV",
            response_class=Response, responses={**error_responses(404), 200: {
                "content": {"text/plain": {}, "text/csv": {}}, "description": "The adjusted invoice"}})
def export(invoice_id: InvoiceId, session: ReadSession,
           principal: Annotated[Principal, Depends(require("documents:export"))],
           format: Annotated[Literal["ledes", "csv"], Query()] = "ledes") -> Response:
    invoice = service.get_invoice(session, principal.tenant, invoice_id)
    name = "".join(char if char.isalnum() or char in "-_" else "_" for char in invoice.invoice_number)
    if format == "csv":
        return Response(exports.csv_lines([invoice]), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}-adjusted.csv"'})
    return Response(exports.ledes_1998b(invoice), media_type="text/plain",
                    headers={"Content-Disposition": f'attachment; filename="{name}-adjusted.txt"'})


@router.post("/invoices/{invoice_id}/verify", response_model=LegalInvoiceDetail,
             summary="Verify the invoice's attorneys against bar admission records, then re-review it (a provider "
                     "that cannot answer leaves the finding verification_unavailable)",
             responses=error_responses(404))
def verify(invoice_id: InvoiceId, session: ReadSession,
           principal: Annotated[Principal, Depends(require("documents:correct"))]) -> LegalInvoiceDetail:
    service.get_invoice(session, principal.tenant, invoice_id)
    session.close()
    verification.verify_invoice(principal.tenant, invoice_id, actor=principal)
    with session_scope() as fresh:
        return LegalInvoiceDetail.model_validate(service.get_invoice(fresh, principal.tenant, invoice_id))


# Guidelines ----------------------------------------------------------------------------------------------------


@router.get("/guidelines", response_model=GuidelinesOut, summary="The billing guidelines, defaults included")
def get_guidelines(session: ReadSession, principal: Reader) -> GuidelinesOut:
    guidelines = service.get_guidelines(session, principal.tenant)
    return GuidelinesOut(guidelines=guidelines.to_json(), unknown_keys=guidelines.unknown_keys)


@router.put("/guidelines", response_model=GuidelinesOut,
            summary="Replace the billing guidelines (JSON); invoices in review are re-reviewed",
            responses=error_responses(400))
def put_guidelines(body: Annotated[dict[str, Any], Body()], request: Request,
                   principal: Annotated[Principal, Depends(require("rules:manage"))]) -> GuidelinesOut:
    guidelines = guidelines_from(body)
    with session_scope() as session:
        count = workflow.set_guidelines(session, principal.tenant, guidelines, actor=principal,
                                        ip=request_ip(request))
    return GuidelinesOut(guidelines=guidelines.to_json(), unknown_keys=guidelines.unknown_keys, rereviewed=count)


@router.post("/guidelines/import", response_model=GuidelinesOut,
             summary="Replace the billing guidelines from a YAML or JSON file", responses=error_responses(400, 413))
def import_guidelines(file: Annotated[UploadFile, File()], request: Request,
                      principal: Annotated[Principal, Depends(require("rules:manage"))]) -> GuidelinesOut:
    guidelines = parse_guidelines(file.file.read(MAX_GUIDELINES_BYTES + 1), source=file.filename or "guidelines")
    with session_scope() as session:
        count = workflow.set_guidelines(session, principal.tenant, guidelines, actor=principal,
                                        ip=request_ip(request))
    return GuidelinesOut(guidelines=guidelines.to_json(), unknown_keys=guidelines.unknown_keys, rereviewed=count)


# Master data ---------------------------------------------------------------------------------------------------


@router.get("/firms", response_model=list[LawFirmOut], summary="Law firms, by name")
def list_firms(session: ReadSession, principal: Reader) -> list[LawFirmOut]:
    return [LawFirmOut.model_validate(item) for item in masterdata.list_firms(session, principal.tenant)]


@router.post("/firms", status_code=201, response_model=LawFirmOut, summary="Add a law firm",
             responses=error_responses(409))
def create_firm(body: LawFirmIn, request: Request, principal: Admin) -> LawFirmOut:
    with session_scope() as session:
        firm = masterdata.create_firm(session, principal.tenant, body.model_dump(), actor=principal,
                                      ip=request_ip(request))
        service.rereview_open(session, principal.tenant)
        return LawFirmOut.model_validate(firm)


@router.get("/matters", response_model=list[MatterOut], summary="Matters, by client matter id")
def list_matters(session: ReadSession, principal: Reader) -> list[MatterOut]:
    return [MatterOut.model_validate(item) for item in masterdata.list_matters(session, principal.tenant)]


@router.post("/matters", response_model=MatterOut, summary="Add a matter, or change the one with its client matter id",
             responses=error_responses(400))
def save_matter(body: MatterIn, request: Request, principal: Admin) -> MatterOut:
    with session_scope() as session:
        matter, _created = masterdata.save_matter(session, principal.tenant, body.model_dump(), actor=principal,
                                                  ip=request_ip(request))
        service.rereview_open(session, principal.tenant)
        return MatterOut.model_validate(matter)


@router.get("/timekeepers", response_model=list[TimekeeperOut], summary="Timekeepers with their approved rates")
def list_timekeepers(session: ReadSession, principal: Reader) -> list[TimekeeperOut]:
    return [TimekeeperOut.model_validate(item) for item in masterdata.list_timekeepers(session, principal.tenant)]


@router.post("/timekeepers", response_model=TimekeeperOut,
             summary="Add a timekeeper or change one (a rate given is added with its effective dates)",
             responses=error_responses(400))
def save_timekeeper(body: TimekeeperIn, request: Request, principal: Admin) -> TimekeeperOut:
    values = body.model_dump()
    values["classification"] = (values["classification"] or "").upper() or None
    with session_scope() as session:
        keeper, _created = masterdata.save_timekeeper(session, principal.tenant, values, actor=principal,
                                                      ip=request_ip(request))
        service.rereview_open(session, principal.tenant)
        return TimekeeperOut.model_validate(keeper)


def _import(kind: str, file: UploadFile, request: Request, principal: Principal) -> ImportResult:
    text = masterdata.csv_text(file.file)
    with session_scope() as session:
        outcome = masterdata.import_csv(session, principal.tenant, kind, text, actor=principal,
                                        ip=request_ip(request))
        service.rereview_open(session, principal.tenant)
    return ImportResult(created=outcome.created, updated=outcome.updated, problems=outcome.problems)


@router.post("/firms/import", response_model=ImportResult, responses=error_responses(400),
             summary="Import law firms from CSV (name, tax_id); bad rows listed with their number")
def import_firms(file: Annotated[UploadFile, File()], request: Request, principal: Admin) -> ImportResult:
    return _import("firms", file, request, principal)


@router.post("/matters/import", response_model=ImportResult, responses=error_responses(400),
             summary="Import matters from CSV (client_matter_id, firm_matter_id, law_firm_tax_id, name, budget, "
                     "open_date, close_date, responsible_lawyer)")
def import_matters(file: Annotated[UploadFile, File()], request: Request, principal: Admin) -> ImportResult:
    return _import("matters", file, request, principal)


@router.post("/timekeepers/import", response_model=ImportResult, responses=error_responses(400),
             summary="Import timekeepers from CSV (law_firm_tax_id, timekeeper_id, name, classification, bar_number, "
                     "bar_jurisdiction, approved, rate, rate_from, rate_to, client_matter_id)")
def import_timekeepers(file: Annotated[UploadFile, File()], request: Request, principal: Admin) -> ImportResult:
    return _import("timekeepers", file, request, principal)


@router.post("/bar-roll/import", response_model=ImportResult, responses=error_responses(400),
             summary="Import a bar's public roll into the offline register (name, bar_number, jurisdiction, status, "
                     "admission_date)")
def import_bar_roll(file: Annotated[UploadFile, File()], request: Request, principal: Admin) -> ImportResult:
    text = masterdata.csv_text(file.file)
    with session_scope() as session:
        outcome = verification.import_bar_roll(session, principal.tenant, text, actor=principal,
                                               ip=request_ip(request))
    return ImportResult(created=outcome.created, updated=outcome.updated, problems=outcome.problems)
