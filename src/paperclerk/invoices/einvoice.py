"""Exact reading of structured e-invoices: UBL 2.1 / Peppol BIS Billing 3 ``Invoice`` and ``CreditNote``,
and UN/CEFACT CII ``CrossIndustryInvoice`` (the XML inside Factur-X / ZUGFeRD PDFs).

XML from outside is parsed defensively: a document type declaration (the carrier of XXE and
"billion laughs" entity bombs) is refused before parsing with ``XML_UNSAFE``, and the parser itself
never resolves entities, loads DTDs or touches the network. Broken XML fails with ``XML_MALFORMED``.
"""

from __future__ import annotations

import codecs
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from lxml import etree

from paperclerk.config import get_settings
from paperclerk.core.errors import ExtractionError
from paperclerk.extraction import sandbox
from paperclerk.extraction.base import Extraction
from paperclerk.extraction.pdf import PDFIUM_LOCK
from paperclerk.invoices.reading import CREDIT_NOTE, INVOICE, Evidence, FieldValue, InvoiceExtraction, LineItem

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NS = {"cac": CAC, "cbc": CBC, "rsm": CII, "ram": RAM, "udt": UDT}

#: UNTDID 1001 document type codes that are credit notes.
CREDIT_NOTE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
#: Larger XML than this is refused (an invoice is kilobytes; megabytes with many lines).
MAX_XML_BYTES = 20 * 1024 * 1024
#: Names of the invoice XML attached to Factur-X, ZUGFeRD (1.x and 2.x) and XRechnung PDFs.
EMBEDDED_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "zugferd_invoice.xml", "xrechnung.xml")

_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False,
                   "dtd_validation": False, "remove_comments": True, "remove_pis": True}
_ROOT_RE = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(Invoice|CreditNote|CrossIndustryInvoice)[\s>/]")


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    declared = re.match(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", data[:200])
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def looks_like_xml(data: bytes) -> bool:
    """True when the bytes start (after a BOM and blanks) like an XML document."""
    head = _decode(data[:512]).lstrip("\ufeff \t\r\n")
    return head.startswith("<?xml") or bool(re.match(r"<[A-Za-z_][\w.:-]*[\s>/]", head))


def sniff_einvoice(data: bytes) -> str | None:
    """``"ubl"`` or ``"cii"`` when the XML's root element is a UBL Invoice/CreditNote or a CII invoice,
    else None (a cheap look at the head, before any parsing)."""
    if not looks_like_xml(data):
        return None
    head = _decode(data[:4096])
    head = re.sub(r"<\?.*?\?>|<!--.*?-->", "", head, flags=re.DOTALL)
    match = _ROOT_RE.search(head)
    if match is None:
        return None
    if match.group(1) == "CrossIndustryInvoice" and CII in head:
        return "cii"
    if match.group(1) in ("Invoice", "CreditNote") and ("ubl:schema:xsd" in head):
        return "ubl"
    return None


def parse_xml(data: bytes) -> etree._Element:
    """The root element of untrusted XML, parsed safely.

    Raises ``ExtractionError``: ``XML_UNSAFE`` for a DTD/entity declaration (XXE, entity bombs) or an
    oversized file, ``XML_MALFORMED`` for anything that is not well-formed XML.
    """
    if len(data) > MAX_XML_BYTES:
        raise ExtractionError(f"The XML file is larger than {MAX_XML_BYTES // (1024 * 1024)} MB.", code="XML_UNSAFE",
                              details={"bytes": len(data)})
    text = _decode(data)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ExtractionError("The XML declares a document type or entities, which e-invoices never need; "
                              "it was refused as potentially hostile (XXE or entity expansion).", code="XML_UNSAFE")
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"The XML is malformed: {exc}", code="XML_MALFORMED") from exc
    except ValueError as exc:
        raise ExtractionError(f"The XML is malformed: {exc}", code="XML_MALFORMED") from exc
    if root is None:
        raise ExtractionError("The XML is empty.", code="XML_MALFORMED")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise ExtractionError("The XML declares a document type; refused as potentially hostile.", code="XML_UNSAFE")
    return root


def read_einvoice(data: bytes, *, page: int = 1) -> InvoiceExtraction:
    """Read UBL or CII XML bytes exactly (confidence 1.0, extractor ``ubl`` / ``cii``).

    ``page`` is the evidence page: 1 for an XML file, 0 for XML embedded in a PDF. Raises
    ``ExtractionError`` (``XML_UNSAFE``, ``XML_MALFORMED``, or ``FILE_UNSUPPORTED`` for XML of another kind).
    """
    root = parse_xml(data)
    reader = _Reader(root, _decode(data), page)
    namespace = etree.QName(root).namespace
    if namespace in (UBL_INVOICE, UBL_CREDIT_NOTE):
        return reader.ubl(credit=namespace == UBL_CREDIT_NOTE)
    if namespace == CII:
        return reader.cii()
    raise ExtractionError("The XML is neither a UBL invoice/credit note nor a UN/CEFACT CII invoice.",
                          code="FILE_UNSUPPORTED", details={"root": root.tag})


class EInvoiceExtractor:
    """Reads UBL / CII XML carried by an extraction: an XML attachment, or a page whose text is the XML."""

    name = "einvoice"

    def extract(self, extraction: Extraction) -> InvoiceExtraction:
        for attachment in extraction.attachments:
            if sniff_einvoice(attachment.data):
                return read_einvoice(attachment.data, page=0)
        if len(extraction.pages) == 1 and sniff_einvoice(extraction.pages[0].text.encode("utf-8")):
            return read_einvoice(extraction.pages[0].text.encode("utf-8"))
        return InvoiceExtraction()


def embedded_einvoice(path: Path) -> bytes | None:
    """The UBL/CII XML attached to a PDF (Factur-X, ZUGFeRD, XRechnung), else None; the PDF is opened in the
    sandbox (``ExtractionError`` FILE_TOO_COMPLEX or PARSER_CRASHED past its limits)."""
    return sandbox.run(attached_einvoice, Path(path).absolute(), settings=get_settings())


def attached_einvoice(path: Path) -> bytes | None:
    """:func:`embedded_einvoice`'s work, in the sandbox child."""
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            return None
        try:
            candidates: list[tuple[int, bytes]] = []
            for index in range(document.count_attachments()):
                attachment = document.get_attachment(index)
                name = attachment.get_name() or ""
                if not name.lower().endswith(".xml"):
                    continue
                try:
                    data = bytes(attachment.get_data())
                except pdfium.PdfiumError:
                    continue
                if len(data) <= MAX_XML_BYTES and sniff_einvoice(data):
                    candidates.append((0 if name.lower() in EMBEDDED_NAMES else 1, data))
            return min(candidates, key=lambda item: item[0])[1] if candidates else None
        finally:
            document.close()


class _Reader:
    def __init__(self, root: etree._Element, text: str, page: int) -> None:
        self.root = root
        self.page = page
        self.text = text
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.result = InvoiceExtraction()
        self.extractor = ""

    # Helpers ---------------------------------------------------------------------------------------------

    def _first(self, path: str, context: etree._Element | None = None) -> etree._Element | None:
        found = (context if context is not None else self.root).xpath(path, namespaces=NS)
        return found[0] if found else None

    def _text(self, path: str, context: etree._Element | None = None) -> str | None:
        element = self._first(path, context)
        if element is None or element.text is None or not element.text.strip():
            return None
        return " ".join(element.text.split())

    def _evidence(self, element: etree._Element) -> Evidence:
        line = (element.sourceline or 1) - 1
        start = self.line_starts[min(line, len(self.line_starts) - 1)]
        end = self.text.find("\n", start)
        end = len(self.text) if end < 0 else end
        closing = self.text.find(f"</{element.prefix + ':' if element.prefix else ''}{etree.QName(element).localname}>",
                                 start)
        if closing >= 0:
            end = max(end, self.text.find(">", closing) + 1)
        return Evidence(self.page, start, end, None, (element.text or "").strip() or etree.QName(element).localname)

    def _put(self, name: str, value: Any, element: etree._Element | None) -> None:
        if value is None or value == "":
            return
        self.result.fields[name] = FieldValue(name, value, 1.0, self.extractor,
                                              self._evidence(element) if element is not None else None)

    def _field(self, name: str, path: str, kind: str = "text", context: etree._Element | None = None) -> None:
        element = self._first(path, context)
        if element is None or element.text is None:
            return
        self._put(name, _convert(element.text, kind), element)

    # UBL -------------------------------------------------------------------------------------------------

    def ubl(self, *, credit: bool) -> InvoiceExtraction:
        self.extractor = "ubl"
        root = "CreditNote" if credit else "Invoice"
        type_code = self._text(f"cbc:{root}TypeCode")
        kind = CREDIT_NOTE if credit or (type_code in CREDIT_NOTE_CODES) else INVOICE
        code_element = self._first(f"cbc:{root}TypeCode")
        self._put("document_type", kind, code_element if code_element is not None else self.root)
        self._field("invoice_number", "cbc:ID")
        self._field("invoice_date", "cbc:IssueDate", "date")
        self._field("due_date", "cbc:DueDate", "date")
        if "due_date" not in self.result.fields:
            self._field("due_date", "cac:PaymentMeans/cbc:PaymentDueDate", "date")
        currency = self._text("cbc:DocumentCurrencyCode")
        self._field("currency", "cbc:DocumentCurrencyCode", "code")
        self._field("purchase_order", "cac:OrderReference/cbc:ID")
        self._field("payment_terms", "cac:PaymentTerms/cbc:Note")
        supplier = self._first("cac:AccountingSupplierParty/cac:Party")
        if supplier is not None:
            name = self._first("cac:PartyLegalEntity/cbc:RegistrationName", supplier)
            if name is None:
                name = self._first("cac:PartyName/cbc:Name", supplier)
            if name is not None:
                self._put("vendor_name", _convert(name.text or "", "text"), name)
            address = self._first("cac:PostalAddress", supplier)
            if address is not None:
                parts = [self._text(p, address) for p in ("cbc:StreetName", "cbc:AdditionalStreetName",
                                                          "cac:AddressLine/cbc:Line")]
                city = " ".join(filter(None, [self._text("cbc:PostalZone", address),
                                              self._text("cbc:CityName", address)]))
                parts += [city, self._text("cbc:CountrySubentity", address),
                          self._text("cac:Country/cbc:IdentificationCode", address)]
                self._put("vendor_address", ", ".join(p for p in parts if p), address)
            tax_id = self._first("cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID", supplier)
            if tax_id is None:
                tax_id = self._first("cac:PartyTaxScheme/cbc:CompanyID", supplier)
            if tax_id is not None:
                self._put("vendor_tax_id", _convert(tax_id.text or "", "id"), tax_id)
        customer = self._first("cac:AccountingCustomerParty/cac:Party")
        if customer is not None:
            name = self._first("cac:PartyLegalEntity/cbc:RegistrationName", customer)
            if name is None:
                name = self._first("cac:PartyName/cbc:Name", customer)
            if name is not None:
                self._put("customer_name", _convert(name.text or "", "text"), name)
        self._field("vendor_iban", "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", "id")
        self._field("vendor_bic", "cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
                    "id")
        totals = "cac:LegalMonetaryTotal"
        self._field("subtotal", f"{totals}/cbc:TaxExclusiveAmount", "amount")
        self._field("total", f"{totals}/cbc:TaxInclusiveAmount", "amount")
        self._field("amount_due", f"{totals}/cbc:PayableAmount", "amount")
        self._field("allowance_total", f"{totals}/cbc:AllowanceTotalAmount", "amount")
        self._field("charge_total", f"{totals}/cbc:ChargeTotalAmount", "amount")
        self._field("prepaid_amount", f"{totals}/cbc:PrepaidAmount", "amount")
        tax = self._first(f"cac:TaxTotal/cbc:TaxAmount[@currencyID='{currency}']") if currency else None
        if tax is None:
            tax = self._first("cac:TaxTotal/cbc:TaxAmount")
        if tax is not None:
            self._put("tax_total", _convert(tax.text or "", "amount"), tax)
        line_tag = "CreditNoteLine" if credit else "InvoiceLine"
        quantity_tag = "CreditedQuantity" if credit else "InvoicedQuantity"
        for line in self.root.xpath(f"cac:{line_tag}", namespaces=NS):
            description = self._text("cac:Item/cbc:Name", line) or self._text("cac:Item/cbc:Description", line) or ""
            price = _convert(self._text("cac:Price/cbc:PriceAmount", line) or "", "amount")
            base = _convert(self._text("cac:Price/cbc:BaseQuantity", line) or "", "amount")
            if price is not None and base not in (None, Decimal(0)):
                price = price / base
            self.result.lines.append(LineItem(
                description=description,
                quantity=_convert(self._text(f"cbc:{quantity_tag}", line) or "", "amount"),
                unit_price=price,
                amount=_convert(self._text("cbc:LineExtensionAmount", line) or "", "amount"),
                tax_rate=_convert(self._text("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", line) or "", "amount"),
                evidence=self._evidence(line)))
        return self.result

    # CII -------------------------------------------------------------------------------------------------

    def cii(self) -> InvoiceExtraction:
        self.extractor = "cii"
        document = "rsm:ExchangedDocument"
        type_code = self._first(f"{document}/ram:TypeCode")
        kind = CREDIT_NOTE if type_code is not None and (type_code.text or "").strip() in CREDIT_NOTE_CODES else INVOICE
        self._put("document_type", kind, type_code if type_code is not None else self.root)
        self._field("invoice_number", f"{document}/ram:ID")
        self._field("invoice_date", f"{document}/ram:IssueDateTime/udt:DateTimeString", "cii_date")
        transaction = "rsm:SupplyChainTradeTransaction"
        agreement = f"{transaction}/ram:ApplicableHeaderTradeAgreement"
        settlement = f"{transaction}/ram:ApplicableHeaderTradeSettlement"
        seller = self._first(f"{agreement}/ram:SellerTradeParty")
        if seller is not None:
            self._field("vendor_name", "ram:Name", context=seller)
            address = self._first("ram:PostalTradeAddress", seller)
            if address is not None:
                parts = [self._text(p, address) for p in ("ram:LineOne", "ram:LineTwo", "ram:LineThree")]
                city = " ".join(filter(None, [self._text("ram:PostcodeCode", address),
                                              self._text("ram:CityName", address)]))
                parts += [city, self._text("ram:CountrySubDivisionName", address), self._text("ram:CountryID", address)]
                self._put("vendor_address", ", ".join(p for p in parts if p), address)
            tax_id = self._first("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", seller)
            if tax_id is None:
                tax_id = self._first("ram:SpecifiedTaxRegistration/ram:ID", seller)
            if tax_id is not None:
                self._put("vendor_tax_id", _convert(tax_id.text or "", "id"), tax_id)
        self._field("customer_name", f"{agreement}/ram:BuyerTradeParty/ram:Name")
        self._field("purchase_order", f"{agreement}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID")
        currency = self._text(f"{settlement}/ram:InvoiceCurrencyCode")
        self._field("currency", f"{settlement}/ram:InvoiceCurrencyCode", "code")
        means = f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans"
        self._field("vendor_iban", f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID", "id")
        self._field("vendor_bic", f"{means}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID", "id")
        terms = f"{settlement}/ram:SpecifiedTradePaymentTerms"
        self._field("payment_terms", f"{terms}/ram:Description")
        self._field("due_date", f"{terms}/ram:DueDateDateTime/udt:DateTimeString", "cii_date")
        summation = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
        self._field("subtotal", f"{summation}/ram:TaxBasisTotalAmount", "amount")
        self._field("total", f"{summation}/ram:GrandTotalAmount", "amount")
        self._field("amount_due", f"{summation}/ram:DuePayableAmount", "amount")
        self._field("allowance_total", f"{summation}/ram:AllowanceTotalAmount", "amount")
        self._field("charge_total", f"{summation}/ram:ChargeTotalAmount", "amount")
        self._field("prepaid_amount", f"{summation}/ram:TotalPrepaidAmount", "amount")
        tax = self._first(f"{summation}/ram:TaxTotalAmount[@currencyID='{currency}']") if currency else None
        if tax is None:
            tax = self._first(f"{summation}/ram:TaxTotalAmount")
        if tax is not None:
            self._put("tax_total", _convert(tax.text or "", "amount"), tax)
        for line in self.root.xpath(f"{transaction}/ram:IncludedSupplyChainTradeLineItem", namespaces=NS):
            price = _convert(self._text("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
                                        "ram:ChargeAmount", line) or "", "amount")
            base = _convert(self._text("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
                                       "ram:BasisQuantity", line) or "", "amount")
            if price is not None and base not in (None, Decimal(0)):
                price = price / base
            line_settlement = "ram:SpecifiedLineTradeSettlement"
            self.result.lines.append(LineItem(
                description=self._text("ram:SpecifiedTradeProduct/ram:Name", line) or "",
                quantity=_convert(self._text("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", line) or "",
                                  "amount"),
                unit_price=price,
                amount=_convert(self._text(f"{line_settlement}/ram:SpecifiedTradeSettlementLineMonetarySummation/"
                                           "ram:LineTotalAmount", line) or "", "amount"),
                tax_rate=_convert(self._text(f"{line_settlement}/ram:ApplicableTradeTax/ram:RateApplicablePercent",
                                             line) or "", "amount"),
                evidence=self._evidence(line)))
        return self.result


def _convert(raw: str, kind: str) -> Any:
    """An XML text as a typed value, or None when it does not read as that type."""
    text = " ".join(raw.split())
    if not text:
        return None
    if kind == "amount":
        # EN 16931 amounts and quantities are plain decimals; exponents ("1E+999999") are refused.
        if not re.fullmatch(r"[+-]?\d{1,18}(?:\.\d{1,10})?", text):
            return None
        return Decimal(text)
    if kind == "date":
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    if kind == "cii_date":  # format 102: CCYYMMDD
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if re.fullmatch(r"\d{8}", text) else None
        except ValueError:
            return None
    if kind == "code":
        return text.upper()
    if kind == "id":
        return text.replace(" ", "").upper()
    return text

