"""Invoice routes under /api/v1/invoices: review workflow, direct upload, exports, and the master data
(vendors, purchase orders, goods receipts) invoices are checked against. Thin: services do the work.

Master data is read by anyone who reads invoices and changed only by administrators (``settings:manage``):
vendor bank details are what invoice fraud targets, so the people approving payments cannot edit them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import request_ip, require
from paperclerk.auth.principal import Principal
from paperclerk.core.db import read_session, session_scope
from paperclerk.documents.api import receive_uploads
from paperclerk.documents.service import Intake
from paperclerk.invoices import exports, policy, service, workflow
from paperclerk.invoices.masterdata import imports
from paperclerk.invoices.masterdata import service as masterdata
from paperclerk.invoices.models import InvoiceStatus
from paperclerk.invoices.reading import INVOICE
from paperclerk.invoices.schemas import (
    ApproveIn,
    CorrectionIn,
    ExportIn,
    FindingOut,
    GoodsReceiptIn,
    GoodsReceiptOut,
    GoodsReceiptPatch,
    ImportProblem,
    ImportResult,
    InvoiceDetail,
    InvoiceList,
    InvoiceSummary,
    InvoiceUpload,
    InvoiceUploadResult,
    LineIn,
    LinePatch,
    PolicyOut,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderPatch,
    ReasonIn,
    RuleOut,
    RulesIn,
    ToleranceOut,
    TolerancesIn,
    VendorIn,
    VendorOut,
    VendorPatch,
    tolerances_out,
)

_COMMON = error_responses(401, 403, 422, 429)
router = APIRouter(prefix="/api/v1/invoices", tags=["invoices"], responses=_COMMON)
#: Included before ``router`` so that ``/vendors`` is not taken for an invoice id.
masterdata_router = APIRouter(prefix="/api/v1/invoices", tags=["invoice master data"], responses=_COMMON)

Reader = Annotated[Principal, Depends(require("documents:read"))]
Admin = Annotated[Principal, Depends(require("settings:manage"))]
ReadSession = Annotated[Session, Depends(read_session)]


# Invoices ----------------------------------------------------------------------------------------------


@router.get("", response_model=InvoiceList, summary="List invoices, newest first")
def list_invoices(
    session: ReadSession, principal: Reader,
    status: Annotated[InvoiceStatus | None, Query()] = None,
    vendor_id: Annotated[str | None, Query(max_length=36)] = None,
    vendor: Annotated[str | None, Query(max_length=200, description="Part of the vendor name")] = None,
    flagged: Annotated[bool | None, Query(description="Has open findings of severity warning or above")] = None,
    date_from: Annotated[date | None, Query(description="Invoice date, inclusive")] = None,
    date_to: Annotated[date | None, Query(description="Invoice date, inclusive")] = None,
    amount_min: Annotated[Decimal | None, Query(description="Total, inclusive")] = None,
    amount_max: Annotated[Decimal | None, Query(description="Total, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> InvoiceList:
    filters = service.InvoiceFilter(organization_id=principal.tenant, status=status, vendor_id=vendor_id,
                                    vendor=vendor, flagged=flagged, date_from=date_from, date_to=date_to,
                                    amount_min=amount_min, amount_max=amount_max)
    items, total, counts = service.list_invoices(session, filters, limit=limit, offset=offset)
    return InvoiceList(items=[InvoiceSummary.model_validate(item).model_copy(
        update={"open_findings": counts.get(item.id, 0)}) for item in items], total=total, limit=limit, offset=offset)


@router.post("/upload", status_code=202, response_model=InvoiceUploadResult,
             summary="Upload invoice files; each becomes an invoice once processed (the same bytes again: "
                     "duplicate, the invoice already received)",
             responses=error_responses(400, 413, 415, 503))
def upload(files: Annotated[list[UploadFile], File(description="Invoice PDFs, scans or e-invoice XML")],
           request: Request,
           principal: Annotated[Principal, Depends(require("documents:upload"))]) -> InvoiceUploadResult:
    invoices: dict[str, str] = {}

    def receive(session: Session, intake: Intake) -> None:
        invoices[intake.document.id] = service.receive(session, intake.document).id

    result = receive_uploads(files, source="invoice-upload", principal=principal, ip=request_ip(request),
                             declared_kind=INVOICE, then=receive)
    return InvoiceUploadResult(rejected=result.rejected, documents=[
        InvoiceUpload(**item.model_dump(), invoice_id=invoices[item.id]) for item in result.documents])


@router.get("/exports/{export_id}", summary="An earlier export's file again, exactly as it was handed over",
            response_class=Response,
            responses={**error_responses(404), 200: {"content": {"text/csv": {}, "application/json": {},
                                                                 "application/zip": {}}}})
def download_export(export_id: str, session: ReadSession,
                    principal: Annotated[Principal, Depends(require("documents:export"))]) -> Response:
    result = exports.get_export(session, export_id, organization_id=principal.tenant)
    return Response(result.content, media_type=result.media_type, headers=result.headers)


@router.post("/exports", summary="Export approved invoices as CSV, JSON or UBL (zip); marks them exported",
             response_class=Response,
             responses={**error_responses(400, 409), 200: {"content": {"text/csv": {}, "application/json": {},
                                                                       "application/zip": {}}}})
def export(body: ExportIn, request: Request,
           principal: Annotated[Principal, Depends(require("documents:export"))]) -> Response:
    with session_scope() as session:
        result = exports.export(session, principal.tenant, format=body.format, columns=body.columns,
                                include_exported=body.include_exported, actor=principal, ip=request_ip(request))
    return Response(result.content, media_type=result.media_type, headers=result.headers)


@router.get("/{invoice_id}", response_model=InvoiceDetail,
            summary="An invoice: fields with evidence, lines, findings, corrections",
            responses=error_responses(404))
def get_invoice(invoice_id: str, session: ReadSession, principal: Reader) -> InvoiceDetail:
    invoice = service.get(session, invoice_id, organization_id=principal.tenant, full=True)
    return InvoiceDetail.of(invoice, page_count=service.page_count(session, invoice))


def _detail(invoice_id: str, organization_id: str) -> InvoiceDetail:
    with session_scope(readonly=True) as session:
        invoice = service.get(session, invoice_id, organization_id=organization_id, full=True)
        return InvoiceDetail.of(invoice, page_count=service.page_count(session, invoice))


@router.post("/{invoice_id}/corrections", response_model=InvoiceDetail,
             summary="Correct a field (the value read is kept); validation re-runs at once",
             responses=error_responses(400, 404, 409))
def correct(invoice_id: str, body: CorrectionIn, request: Request,
            principal: Annotated[Principal, Depends(require("documents:correct"))]) -> InvoiceDetail:
    with session_scope() as session:
        workflow.correct(session, invoice_id, organization_id=principal.tenant, field=body.field, value=body.value,
                         actor=principal, ip=request_ip(request))
    return _detail(invoice_id, principal.tenant)


@router.post("/{invoice_id}/lines", response_model=InvoiceDetail,
             summary="Add a line the extraction missed; validation re-runs at once",
             responses=error_responses(400, 404, 409))
def add_line(invoice_id: str, body: LineIn, request: Request,
             principal: Annotated[Principal, Depends(require("documents:correct"))]) -> InvoiceDetail:
    return _correct_line(invoice_id, None, body.model_dump(), principal, request)


@router.patch("/{invoice_id}/lines/{position}", response_model=InvoiceDetail,
              summary="Correct a line (the line as read is kept); validation re-runs at once",
              responses=error_responses(400, 404, 409))
def correct_line(invoice_id: str, position: Annotated[int, Path(ge=1, le=100_000)], body: LinePatch,
                 request: Request,
                 principal: Annotated[Principal, Depends(require("documents:correct"))]) -> InvoiceDetail:
    return _correct_line(invoice_id, position, body.model_dump(exclude_unset=True), principal, request)


@router.delete("/{invoice_id}/lines/{position}", response_model=InvoiceDetail,
               summary="Remove a misread line (kept in the corrections); validation re-runs at once",
               responses=error_responses(404, 409))
def remove_line(invoice_id: str, position: Annotated[int, Path(ge=1, le=100_000)], request: Request,
                principal: Annotated[Principal, Depends(require("documents:correct"))]) -> InvoiceDetail:
    return _correct_line(invoice_id, position, None, principal, request)


def _correct_line(invoice_id: str, position: int | None, values: dict[str, Any] | None, principal: Principal,
                  request: Request) -> InvoiceDetail:
    with session_scope() as session:
        workflow.correct_line(session, invoice_id, position, organization_id=principal.tenant, values=values,
                              actor=principal, ip=request_ip(request))
    return _detail(invoice_id, principal.tenant)


@router.post("/{invoice_id}/findings/{finding_id}/dismiss", response_model=FindingOut,
             summary="Dismiss a finding, with the reason",
             responses=error_responses(400, 404, 409))
def dismiss(invoice_id: str, finding_id: str, body: ReasonIn, request: Request,
            principal: Annotated[Principal, Depends(require("documents:dismiss"))]) -> FindingOut:
    with session_scope() as session:
        finding = workflow.dismiss(session, invoice_id, finding_id, organization_id=principal.tenant,
                                   reason=body.reason, actor=principal, ip=request_ip(request))
        return FindingOut.of(finding)


@router.post("/{invoice_id}/approve", response_model=InvoiceDetail,
             summary="Approve for payment (409 while a possible duplicate or a critical finding is open, or open "
                     "errors without a reason)",
             responses=error_responses(400, 404, 409))
def approve(invoice_id: str, request: Request,
            principal: Annotated[Principal, Depends(require("documents:approve"))],
            body: ApproveIn | None = None) -> InvoiceDetail:
    with session_scope() as session:
        workflow.approve(session, invoice_id, organization_id=principal.tenant, actor=principal,
                         reason=body.reason if body else None, ip=request_ip(request))
    return _detail(invoice_id, principal.tenant)


@router.post("/{invoice_id}/reject", response_model=InvoiceDetail, summary="Reject, with the reason",
             responses=error_responses(400, 404, 409))
def reject(invoice_id: str, body: ReasonIn, request: Request,
           principal: Annotated[Principal, Depends(require("documents:reject"))]) -> InvoiceDetail:
    with session_scope() as session:
        workflow.reject(session, invoice_id, organization_id=principal.tenant, reason=body.reason, actor=principal,
                        ip=request_ip(request))
    return _detail(invoice_id, principal.tenant)


# Validation policy -------------------------------------------------------------------------------------


@masterdata_router.get("/rules", response_model=PolicyOut,
                       summary="The validation rules and tolerances, as this organisation has them")
def get_policy(session: ReadSession, principal: Reader) -> PolicyOut:
    return PolicyOut.of(policy.rule_states(session, principal.tenant),
                        policy.tolerance_values(session, principal.tenant))


@masterdata_router.patch("/rules", response_model=list[RuleOut],
                         summary="Turn rules on or off, or set their severity; open invoices are re-checked",
                         responses=error_responses(400, 404))
def update_rules(body: RulesIn, request: Request, principal: Admin) -> list[RuleOut]:
    changes = {rule_id: change.model_dump(exclude_unset=True) for rule_id, change in body.rules.items()}
    with session_scope() as session:
        states = policy.set_rules(session, principal.tenant, changes, actor=principal, ip=request_ip(request))
        return [RuleOut.of(state) for state in states]


@masterdata_router.patch("/tolerances", response_model=list[ToleranceOut],
                         summary="Set tolerances (null: back to the default); open invoices are re-checked",
                         responses=error_responses(400, 404))
def update_tolerances(body: TolerancesIn, request: Request, principal: Admin) -> list[ToleranceOut]:
    with session_scope() as session:
        values = policy.set_tolerances(session, principal.tenant, body.values, actor=principal,
                                       ip=request_ip(request))
        return tolerances_out(values)


# Master data -------------------------------------------------------------------------------------------


@masterdata_router.get("/vendors", response_model=list[VendorOut], summary="Vendors, by name")
def list_vendors(session: ReadSession, principal: Reader) -> list[VendorOut]:
    return [VendorOut.model_validate(item) for item in masterdata.list_vendors(session, principal.tenant)]


@masterdata_router.post("/vendors", status_code=201, response_model=VendorOut, summary="Add a vendor",
                        responses=error_responses(400, 409))
def create_vendor(body: VendorIn, request: Request, principal: Admin) -> VendorOut:
    with session_scope() as session:
        vendor = masterdata.create_vendor(session, principal.tenant, body.model_dump(), actor=principal,
                                          ip=request_ip(request))
        return VendorOut.model_validate(vendor)


@masterdata_router.post("/vendors/import", response_model=ImportResult,
                        summary="Import vendors from CSV (name, tax_id, iban, bic, country, active)",
                        responses=error_responses(400))
def import_vendors(file: Annotated[UploadFile, File()], request: Request, principal: Admin) -> ImportResult:
    text = imports.csv_text(file.file)
    with session_scope() as session:
        return _import_result(imports.import_vendors(session, principal.tenant, text, actor=principal,
                                                     ip=request_ip(request)))


@masterdata_router.get("/vendors/{vendor_id}", response_model=VendorOut, summary="A vendor",
                       responses=error_responses(404))
def get_vendor(vendor_id: str, session: ReadSession, principal: Reader) -> VendorOut:
    return VendorOut.model_validate(masterdata.get_vendor(session, vendor_id, organization_id=principal.tenant))


@masterdata_router.patch("/vendors/{vendor_id}", response_model=VendorOut, summary="Change a vendor",
                         responses=error_responses(400, 404, 409))
def update_vendor(vendor_id: str, body: VendorPatch, request: Request, principal: Admin) -> VendorOut:
    with session_scope() as session:
        vendor = masterdata.update_vendor(session, vendor_id, principal.tenant, body.model_dump(exclude_unset=True),
                                          actor=principal, ip=request_ip(request))
        return VendorOut.model_validate(vendor)


@masterdata_router.get("/purchase-orders", response_model=list[PurchaseOrderOut], summary="Purchase orders")
def list_purchase_orders(session: ReadSession, principal: Reader) -> list[PurchaseOrderOut]:
    return [PurchaseOrderOut.of(item) for item in masterdata.list_purchase_orders(session, principal.tenant)]


@masterdata_router.post("/purchase-orders", status_code=201, response_model=PurchaseOrderOut,
                        summary="Add a purchase order with its lines",
                        responses=error_responses(400, 404, 409))
def create_purchase_order(body: PurchaseOrderIn, request: Request, principal: Admin) -> PurchaseOrderOut:
    with session_scope() as session:
        order = masterdata.create_purchase_order(session, principal.tenant, body.model_dump(), actor=principal,
                                                 ip=request_ip(request))
        return PurchaseOrderOut.of(order)


@masterdata_router.post("/purchase-orders/import", response_model=ImportResult,
                        summary="Import purchase-order lines from CSV (po_number, vendor, currency, order_date, "
                                "line_number, description, quantity, unit_price)",
                        responses=error_responses(400))
def import_purchase_orders(file: Annotated[UploadFile, File()], request: Request, principal: Admin) -> ImportResult:
    text = imports.csv_text(file.file)
    with session_scope() as session:
        return _import_result(imports.import_purchase_orders(session, principal.tenant, text, actor=principal,
                                                     ip=request_ip(request)))


@masterdata_router.get("/purchase-orders/{order_id}", response_model=PurchaseOrderOut, summary="A purchase order",
                       responses=error_responses(404))
def get_purchase_order(order_id: str, session: ReadSession, principal: Reader) -> PurchaseOrderOut:
    return PurchaseOrderOut.of(masterdata.get_purchase_order(session, order_id, organization_id=principal.tenant))


@masterdata_router.patch("/purchase-orders/{order_id}", response_model=PurchaseOrderOut,
                         summary="Change a purchase order (lines given replace all lines)",
                         responses=error_responses(400, 404))
def update_purchase_order(order_id: str, body: PurchaseOrderPatch, request: Request,
                          principal: Admin) -> PurchaseOrderOut:
    with session_scope() as session:
        order = masterdata.update_purchase_order(session, order_id, principal.tenant,
                                                 body.model_dump(exclude_unset=True), actor=principal,
                                                 ip=request_ip(request))
        return PurchaseOrderOut.of(order)


@masterdata_router.get("/goods-receipts", response_model=list[GoodsReceiptOut], summary="Goods receipts")
def list_goods_receipts(session: ReadSession, principal: Reader) -> list[GoodsReceiptOut]:
    return [GoodsReceiptOut.of(item) for item in masterdata.list_goods_receipts(session, principal.tenant)]


@masterdata_router.post("/goods-receipts", status_code=201, response_model=GoodsReceiptOut,
                        summary="Record goods received against a purchase order",
                        responses=error_responses(400, 404, 409))
def create_goods_receipt(body: GoodsReceiptIn, request: Request, principal: Admin) -> GoodsReceiptOut:
    with session_scope() as session:
        receipt = masterdata.create_goods_receipt(session, principal.tenant, body.model_dump(), actor=principal,
                                                  ip=request_ip(request))
        return GoodsReceiptOut.of(receipt)


@masterdata_router.post("/goods-receipts/import", response_model=ImportResult,
                        summary="Import goods received from CSV, one received order line a row (receipt_number, "
                                "po_number, received_on, line_number, quantity)",
                        responses=error_responses(400))
def import_goods_receipts(file: Annotated[UploadFile, File()], request: Request, principal: Admin) -> ImportResult:
    text = imports.csv_text(file.file)
    with session_scope() as session:
        return _import_result(imports.import_goods_receipts(session, principal.tenant, text, actor=principal,
                                                     ip=request_ip(request)))


@masterdata_router.get("/goods-receipts/{receipt_id}", response_model=GoodsReceiptOut, summary="A goods receipt",
                       responses=error_responses(404))
def get_goods_receipt(receipt_id: str, session: ReadSession, principal: Reader) -> GoodsReceiptOut:
    return GoodsReceiptOut.of(masterdata.get_goods_receipt(session, receipt_id, organization_id=principal.tenant))


@masterdata_router.patch("/goods-receipts/{receipt_id}", response_model=GoodsReceiptOut,
                         summary="Change a goods receipt (lines given replace all lines)",
                         responses=error_responses(400, 404))
def update_goods_receipt(receipt_id: str, body: GoodsReceiptPatch, request: Request,
                         principal: Admin) -> GoodsReceiptOut:
    with session_scope() as session:
        receipt = masterdata.update_goods_receipt(session, receipt_id, principal.tenant,
                                                  body.model_dump(exclude_unset=True), actor=principal,
                                                  ip=request_ip(request))
        return GoodsReceiptOut.of(receipt)


def _import_result(report: imports.ImportReport) -> ImportResult:
    return ImportResult(created=report.created, updated=report.updated, revalidated_invoices=report.revalidated,
                        rejected=[ImportProblem(row=row, reason=reason) for row, reason in report.rejected])
