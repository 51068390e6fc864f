"""The master-data and export pages in-process: vendors, purchase orders, goods receipts, CSV imports, exports.

Pages are browsed through the real login form by users of each role, with the page's CSRF token on every post;
invoices are made through the real API (an admin's API key) and read back through it to see the re-checks.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

import httpx
from fastapi.testclient import TestClient

from paperclerk.invoices.masterdata.imports import MAX_CSV_BYTES
from tests.helpers import upload_and_wait
from tests.invoices.ap import IBAN, OTHER_IBAN, TAX_ID, VENDOR, add_vendor, invoice_id_for, invoice_pdf, open_rules
from tests.web.conftest import FORM_TOKEN, Browser

ADMIN_FORMS = ("/vendors", "/vendors/import", "/purchase-orders", "/purchase-orders/import")
VENDORS_CSV = ("name,tax_id,iban,bic,country,active\n"
               f"{VENDOR},{TAX_ID},{IBAN},ABNANL2A,NL,yes\n"
               "Fabrikam GmbH,DE136695976,DE00 1234,,DE,yes\n"
               "Contoso Ltd,,,,GB,no\n"
               ",,,,,\n")
ORDERS_CSV = ("po_number,vendor,currency,order_date,line_number,description,quantity,unit_price\n"
              f"PO-7781,{VENDOR},EUR,2024-03-01,1,Consulting hours,10,95.00\n"
              f"PO-7781,{VENDOR},EUR,2024-03-01,2,Docking station,2,150.00\n"
              f"PO-7782,{VENDOR},EUR,,1,Chairs,three,80\n"
              "PO-7783,Nobody Inc,EUR,,1,Chairs,3,80\n")


def _token(client: TestClient, path: str = "/vendors") -> str:
    match = FORM_TOKEN.search(client.get(path).text)
    assert match, path
    return match.group(1)


def _post(client: TestClient, path: str, data: dict[str, Any] | None = None, *,
          files: dict[str, Any] | None = None, token_from: str = "/vendors") -> httpx.Response:
    return client.post(path, data={"csrf_token": _token(client, token_from), **(data or {})}, files=files,
                       follow_redirects=False)


def _csv_file(content: bytes, name: str = "import.csv") -> dict[str, Any]:
    return {"file": (name, content, "text/csv")}


def _error(response: httpx.Response) -> str:
    match = re.search(r'<div class="alert alert-error" role="alert" data-error><p>(.*?)</p>', response.text, re.S)
    assert match, response.text
    return match.group(1)


def _id_in(location: str, prefix: str) -> str:
    match = re.fullmatch(rf"{prefix}/([0-9a-f-]{{36}})\?done=\w+", location)
    assert match, location
    return match.group(1)


def _invoice(api: TestClient, invoice_id: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/invoices/{invoice_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _vendor_form(**values: str) -> dict[str, str]:
    return {"name": VENDOR, "tax_id": TAX_ID, "iban": IBAN, "bic": "ABNANL2A", "country": "nl", **values}


def _order_form(vendor: str, number: str = "PO-7781", **values: Any) -> dict[str, Any]:
    return {"number": number, "vendor_id": vendor, "currency": "eur", "order_date": "2024-03-01",
            "description": ["Consulting hours", "Docking station", ""], "quantity": ["10", "2", ""],
            "unit_price": ["95.00", "150", ""], **values}


# -- every page, for a reader and for an administrator ------------------------------------------------------


def test_each_page_renders_read_only_for_a_viewer_and_with_forms_for_an_admin(browse: Browser) -> None:
    api = browse("api")
    vendor = add_vendor(api)
    order = api.post("/api/v1/invoices/purchase-orders", json={
        "number": "PO-1", "vendor_id": vendor["id"], "currency": "EUR",
        "lines": [{"line_number": 1, "description": "Widgets", "quantity": "10", "unit_price": "2.5"}]}).json()
    assert api.post("/api/v1/invoices/goods-receipts", json={
        "number": "GR-1", "purchase_order_id": order["id"], "received_on": "2024-03-05",
        "lines": [{"line_number": 1, "quantity": "4"}]}).status_code == 201
    pages = ("/vendors", f"/vendors/{vendor['id']}", "/purchase-orders", f"/purchase-orders/{order['id']}",
             "/goods-receipts")

    viewer = browse("viewer")
    for path in pages:
        page = viewer.get(path)
        assert page.status_code == 200, (path, page.text)
        assert not re.search(r'<form[^>]*method="post"(?![^>]*data-logout)', page.text), path
        assert not re.search(r"\sstyle=|<style\b|<script(?![^>]*\bsrc=)", page.text), path
    nav = re.search(r'<nav class="mainnav".*?</nav>', viewer.get("/vendors").text, re.S)
    assert nav and 'href="/vendors" aria-current="page"' in nav.group(0) and 'href="/purchase-orders"' in nav.group(0)
    assert 'href="/exports"' not in nav.group(0)
    assert viewer.get("/exports").status_code == 403

    row = re.search(rf'<tr data-vendor-id="{vendor["id"]}">.*?</tr>', viewer.get("/vendors").text, re.S)
    assert row and VENDOR in row.group(0) and TAX_ID in row.group(0) and IBAN in row.group(0)
    assert "ABNANL2A" in row.group(0) and ">NL<" in row.group(0) and "badge-active" in row.group(0)
    orders = viewer.get("/purchase-orders").text
    row = re.search(rf'<tr data-order-id="{order["id"]}">.*?</tr>', orders, re.S)
    assert row and "PO-1" in row.group(0) and VENDOR in row.group(0)
    assert re.search(r'<td class="num">1</td>\s*<td class="num" data-order-value>25.00 EUR</td>', row.group(0))
    detail = viewer.get(f"/purchase-orders/{order['id']}").text
    assert re.search(r'data-ordered>10</td>\s*<td class="num" data-received>4</td>\s*'
                     r'<td class="num" data-outstanding>6</td>', detail)
    receipts = viewer.get("/goods-receipts").text
    assert re.search(rf'<tr data-receipt="GR-1">.*?href="/purchase-orders/{order["id"]}">PO-1</a>.*?2024-03-05.*?'
                     r"line 1: 4", receipts, re.S)

    admin = browse("admin")
    forms = {"/vendors": ("data-add-vendor", "data-import-vendors"),
             f"/vendors/{vendor['id']}": ("data-edit-vendor", "data-vendor-toggle"),
             "/purchase-orders": ("data-add-order", "data-import-orders"),
             f"/purchase-orders/{order['id']}": ("data-add-receipt",)}
    for path, markers in forms.items():
        page = admin.get(path)
        assert page.status_code == 200 and all(marker in page.text for marker in markers), path
        for form in re.findall(r'<form[^>]*method="post"[^>]*>\s*<input[^>]*>', page.text):
            assert 'name="csrf_token"' in form, (path, form)  # the token is every form's first field
    assert 'href="/exports"' in admin.get("/vendors").text and admin.get("/exports").status_code == 200


# -- vendors ----------------------------------------------------------------------------------------------


def test_admin_adds_a_vendor_and_the_invoice_in_review_is_rechecked_then_edits_and_deactivates_it(
        browse: Browser) -> None:
    api = browse("api")
    (document,) = upload_and_wait(api, ("northwind.pdf", invoice_pdf("INV-1001", po=None)))
    invoice_id = invoice_id_for(document["id"])
    assert "INV-VENDOR-UNKNOWN" in open_rules(_invoice(api, invoice_id))

    admin = browse("admin")
    refused = [("", "Give the vendor a name"), ("   ", "Give the vendor a name")]
    for name, message in refused:
        response = _post(admin, "/vendors", _vendor_form(name=name))
        assert response.status_code == 400 and message in _error(response)
    response = _post(admin, "/vendors", _vendor_form(iban="NL00 ABNA 0000 0000 00"))
    assert response.status_code == 400 and "The IBAN NL00ABNA0000000000 is not valid" in _error(response)
    assert 'value="NL00 ABNA 0000 0000 00"' in response.text  # what was typed stays in the form
    response = _post(admin, "/vendors", _vendor_form(country="NLD"))
    assert response.status_code == 400 and "two-letter ISO code" in _error(response)
    assert "No vendors yet" in admin.get("/vendors").text

    created = _post(admin, "/vendors", _vendor_form())
    assert created.status_code == 303, created.text
    vendor_id = _id_in(created.headers["location"], "/vendors")
    page = admin.get(created.headers["location"]).text
    assert "The vendor was added" in page and f"<h1 data-vendor-name>{VENDOR}</h1>" in page
    assert re.search(rf'<tr data-invoice-id="{invoice_id}">.*?INV-1001', page, re.S)  # matched by the re-check
    invoice = _invoice(api, invoice_id)
    assert "INV-VENDOR-UNKNOWN" not in open_rules(invoice) and invoice["vendor_id"] == vendor_id
    duplicate = _post(admin, "/vendors", _vendor_form(name=VENDOR.upper()))
    assert duplicate.status_code == 409 and "already exists" in _error(duplicate)

    assert vendor_id in admin.get("/vendors?name=northWIND").text
    filtered = admin.get("/vendors?name=nobody").text
    assert vendor_id not in filtered and "No vendor name contains “nobody”" in filtered

    path = f"/vendors/{vendor_id}"
    bad = _post(admin, path, _vendor_form(name=""), token_from=path)
    assert bad.status_code == 400 and "Give the vendor a name" in _error(bad)
    edited = _post(admin, path, _vendor_form(iban=OTHER_IBAN, bic=""), token_from=path)
    assert edited.status_code == 303 and edited.headers["location"] == f"{path}?done=updated"
    page = admin.get(edited.headers["location"]).text
    assert f'name="iban" value="{OTHER_IBAN}"' in page and 'name="bic" value=""' in page
    assert "INV-VENDOR-BANK-CHANGED" in open_rules(_invoice(api, invoice_id))  # checked against the new IBAN

    off = _post(admin, f"{path}/active", {"active": "no"}, token_from=path)
    assert off.status_code == 303 and off.headers["location"] == f"{path}?done=deactivated"
    assert "badge-inactive" in admin.get(path).text and ">Activate</button>" in admin.get(path).text
    assert "INV-VENDOR-INACTIVE" in open_rules(_invoice(api, invoice_id))
    assert "badge-inactive" in re.search(rf'<tr data-vendor-id="{vendor_id}">.*?</tr>',
                                         admin.get("/vendors").text, re.S).group(0)  # type: ignore[union-attr]
    on = _post(admin, f"{path}/active", {"active": "yes"}, token_from=path)
    assert on.headers["location"] == f"{path}?done=activated"
    assert "INV-VENDOR-INACTIVE" not in open_rules(_invoice(api, invoice_id))
    assert admin.get("/vendors/no-such-vendor").status_code == 404


def test_vendor_import_reports_each_rejected_row_and_refuses_unreadable_files(browse: Browser) -> None:
    admin = browse("admin")
    response = _post(admin, "/vendors/import", files=_csv_file(VENDORS_CSV.encode()))
    assert response.status_code == 200, response.text
    assert "data-created>2 created<" in response.text and "data-updated>0 updated<" in response.text
    assert "data-rejected>2 rejected<" in response.text
    rows = dict(re.findall(r'<tr data-rejected-row="(\d+)"><td class="num">\d+</td><td>(.*?)</td>', response.text))
    assert set(rows) == {"3", "5"}
    assert "IBAN" in rows["3"] and "name is empty" in rows["5"]
    listed = admin.get("/vendors").text
    assert VENDOR in listed and "Contoso Ltd" in listed and "Fabrikam" not in listed
    again = _post(admin, "/vendors/import", files=_csv_file(VENDORS_CSV.encode()))
    assert "data-created>0 created<" in again.text and "data-updated>2 updated<" in again.text

    for content, status, message in (
        (b"name;iban\nx;y\n", 400, "lacks the column(s) name"),
        ("name\nMüller AG\n".encode("latin-1"), 400, "not UTF-8"),
        (b"name\n" + b"x" * MAX_CSV_BYTES, 400, "larger than 10 MB"),
    ):
        response = _post(admin, "/vendors/import", files=_csv_file(content))
        assert response.status_code == status and message in _error(response), message
    missing = _post(admin, "/vendors/import", files=_csv_file(b"", name=""))
    assert missing.status_code == 400 and "Choose a CSV file" in _error(missing)


# -- purchase orders and goods receipts ---------------------------------------------------------------------


def test_admin_creates_imports_and_receives_purchase_orders(browse: Browser) -> None:
    api = browse("api")
    vendor = add_vendor(api)
    admin = browse("admin")

    for changes, status, message in (
        ({"currency": "EURO"}, 400, "three-letter ISO 4217"),
        ({"vendor_id": ""}, 400, "Choose a vendor"),
        ({"number": ""}, 400, "Give a number"),
        ({"quantity": ["10", "two", ""]}, 400, "Line 2: the quantity must be a number above 0"),
        ({"unit_price": ["95.00", "", ""]}, 400, "Line 2: the unit price"),
        ({"description": [""], "quantity": [""], "unit_price": [""]}, 400, "Fill in at least one line"),
    ):
        response = _post(admin, "/purchase-orders", _order_form(vendor["id"], **changes))
        assert response.status_code == status and message in _error(response), message
    assert "No purchase orders yet" in response.text
    kept = _post(admin, "/purchase-orders", _order_form(vendor["id"], quantity=["10", "two", ""]))
    assert 'name="quantity" value="two"' in kept.text and 'name="number" value="PO-7781"' in kept.text

    created = _post(admin, "/purchase-orders", _order_form(vendor["id"]))
    assert created.status_code == 303, created.text
    order_id = _id_in(created.headers["location"], "/purchase-orders")
    page = admin.get(created.headers["location"]).text
    assert "The purchase order was added" in page and "Purchase order PO-7781" in page
    assert "1,250.00 EUR" in page and "Docking station" in page and "Nothing received yet" in page
    duplicate = _post(admin, "/purchase-orders", _order_form(vendor["id"]))
    assert duplicate.status_code == 409 and "Purchase order PO-7781 already exists" in _error(duplicate)

    imported = _post(admin, "/purchase-orders/import", files=_csv_file(ORDERS_CSV.encode()))
    assert imported.status_code == 200 and "data-updated>2 updated<" in imported.text
    rows = dict(re.findall(r'<tr data-rejected-row="(\d+)"><td class="num">\d+</td><td>(.*?)</td>', imported.text))
    assert set(rows) == {"4", "5"} and rows["4"].startswith("quantity") and "no vendor" in rows["5"]
    assert "data-created>0 created<" in imported.text

    path = f"/purchase-orders/{order_id}"
    target = f"{path}/goods-receipts"
    receipt = {"number": "GR-1", "received_on": "2024-03-05", "line_number": ["1", "2"], "quantity": ["4", ""]}
    for changes, status, message in (
        ({"quantity": ["", ""]}, 400, "at least one line"),
        ({"quantity": ["-1", ""]}, 400, "Line 1: the quantity must be a number above 0"),
        ({"line_number": ["9", "2"]}, 400, "has no line 9"),
        ({"received_on": "yesterday"}, 400, "must be a date"),
    ):
        response = _post(admin, target, {**receipt, **changes}, token_from=path)
        assert response.status_code == status and message in _error(response), message
    recorded = _post(admin, target, receipt, token_from=path)
    assert recorded.status_code == 303 and recorded.headers["location"] == f"{path}?done=received"
    page = admin.get(recorded.headers["location"]).text
    assert "The goods receipt was recorded" in page
    assert re.search(r'<tr data-line="1" class="">.*?data-received>4</td>\s*<td class="num" data-outstanding>6</td>',
                     page, re.S)
    assert re.search(r'<tr data-line="2" class="">.*?data-received>0</td>', page, re.S)
    assert '<tr data-receipt="GR-1">' in page
    again = _post(admin, target, receipt, token_from=path)
    assert again.status_code == 409 and "Goods receipt GR-1 already exists" in _error(again)
    _post(admin, target, {**receipt, "number": "GR-2", "quantity": ["6", "2"]}, token_from=path)
    page = admin.get(path).text
    assert page.count('class="is-complete"') == 2 and page.count('class="done-mark"') == 2
    assert re.findall(r'<tr data-receipt="(GR-\d)">', admin.get("/goods-receipts").text) == ["GR-1", "GR-2"]
    assert api.get("/api/v1/invoices/goods-receipts").json()[0]["lines"] == [{"line_number": 1, "quantity": "4"}]


def test_receipt_against_the_order_clears_the_three_way_match_finding(browse: Browser) -> None:
    api = browse("api")
    vendor = add_vendor(api)
    admin = browse("admin")
    created = _post(admin, "/purchase-orders", _order_form(vendor["id"]))
    order_id = _id_in(created.headers["location"], "/purchase-orders")
    (document,) = upload_and_wait(api, ("northwind.pdf", invoice_pdf("INV-1001", po="PO-7781")))
    invoice_id = invoice_id_for(document["id"])
    assert "INV-PO-007" in open_rules(_invoice(api, invoice_id))  # nothing received yet
    path = f"/purchase-orders/{order_id}"
    response = _post(admin, f"{path}/goods-receipts", {"number": "GR-1", "received_on": "2024-03-05",
                                                       "line_number": ["1", "2"], "quantity": ["10", "2"]},
                     token_from=path)
    assert response.status_code == 303
    assert not {"INV-PO-007", "INV-PO-008"} & open_rules(_invoice(api, invoice_id))


# -- who may change what --------------------------------------------------------------------------------------


def test_a_viewer_or_reviewer_posting_an_admin_form_is_refused(browse: Browser) -> None:
    api = browse("api")
    vendor = add_vendor(api)
    order = api.post("/api/v1/invoices/purchase-orders", json={
        "number": "PO-1", "vendor_id": vendor["id"], "currency": "EUR",
        "lines": [{"line_number": 1, "description": "Widgets", "quantity": "1", "unit_price": "1"}]}).json()
    posts = [(path, {"name": "Forged"}) for path in ADMIN_FORMS] + [
        (f"/vendors/{vendor['id']}", _vendor_form(iban=OTHER_IBAN)),
        (f"/vendors/{vendor['id']}/active", {"active": "no"}),
        (f"/purchase-orders/{order['id']}/goods-receipts",
         {"number": "GR-9", "received_on": "2024-03-05", "line_number": ["1"], "quantity": ["1"]}),
    ]
    for role in ("viewer", "reviewer", "approver"):
        client = browse(role)
        for path, data in posts:
            response = _post(client, path, data)
            assert response.status_code == 403 and "data-forbidden" in response.text, (role, path)
            assert "You cannot change the master data" in response.text and "settings:manage" in response.text
    assert api.get(f"/api/v1/invoices/vendors/{vendor['id']}").json()["iban"] == IBAN
    assert api.get(f"/api/v1/invoices/vendors/{vendor['id']}").json()["active"] is True
    assert [item["name"] for item in api.get("/api/v1/invoices/vendors").json()] == [VENDOR]
    assert api.get("/api/v1/invoices/goods-receipts").json() == []


def test_form_posts_without_the_csrf_token_are_refused(browse: Browser) -> None:
    admin = browse("admin")
    for path, extra in (("/vendors", {"data": _vendor_form()}),
                        ("/vendors/import", {"files": _csv_file(VENDORS_CSV.encode())}),
                        ("/exports", {"data": {"format": "csv"}})):
        response = admin.post(path, follow_redirects=False, **extra)  # type: ignore[arg-type]
        assert response.status_code == 403 and response.json()["error"]["code"] == "CSRF_FAILED", path
    assert "No vendors yet" in admin.get("/vendors").text


def test_another_organisations_vendors_and_orders_are_not_found(browse: Browser) -> None:
    api = browse("api")
    vendor = add_vendor(api)
    order = api.post("/api/v1/invoices/purchase-orders", json={
        "number": "PO-1", "vendor_id": vendor["id"], "currency": "EUR",
        "lines": [{"line_number": 1, "description": "Widgets", "quantity": "1", "unit_price": "1"}]}).json()
    stranger = browse("admin", "globex")
    for path in (f"/vendors/{vendor['id']}", f"/purchase-orders/{order['id']}"):
        response = stranger.get(path)
        assert response.status_code == 404 and "Page not found" in response.text and VENDOR not in response.text
    for path, data in ((f"/vendors/{vendor['id']}", _vendor_form(iban=OTHER_IBAN)),
                       (f"/vendors/{vendor['id']}/active", {"active": "no"}),
                       (f"/purchase-orders/{order['id']}/goods-receipts",
                        {"number": "GR-9", "received_on": "2024-03-05", "line_number": ["1"], "quantity": ["1"]})):
        response = _post(stranger, path, data)
        assert response.status_code == 404 and "Page not found" in response.text, path
    forged = _post(stranger, "/purchase-orders", _order_form(vendor["id"]))
    assert forged.status_code == 404 and "No vendor with this id" in _error(forged)
    for path in ("/vendors", "/purchase-orders", "/goods-receipts"):
        page = stranger.get(path).text
        assert VENDOR not in page and "PO-1" not in page, path
    assert api.get(f"/api/v1/invoices/vendors/{vendor['id']}").json()["iban"] == IBAN
    assert api.get("/api/v1/invoices/goods-receipts").json() == []
    assert [item["number"] for item in api.get("/api/v1/invoices/purchase-orders").json()] == ["PO-1"]


# -- exports ----------------------------------------------------------------------------------------------------


def _approved(api: TestClient, *numbers: str) -> list[str]:
    add_vendor(api)
    documents = upload_and_wait(api, *((f"{number}.pdf", invoice_pdf(number, po=None)) for number in numbers))
    ids = [invoice_id_for(document["id"]) for document in documents]
    for invoice_id in ids:
        assert api.post(f"/api/v1/invoices/{invoice_id}/approve").status_code == 200
    return ids


def test_export_page_downloads_csv_json_and_ubl_and_marks_invoices_exported(browse: Browser) -> None:
    api = browse("api")
    first, second = _approved(api, "A-1", "B-2")
    reviewer = browse("reviewer")
    refused = reviewer.get("/exports")
    assert refused.status_code == 403 and "You cannot export invoices" in refused.text
    assert _post(reviewer, "/exports", {"format": "csv"}).status_code == 403

    approver = browse("approver")
    page = approver.get("/exports").text
    assert 'data-waiting="2"' in page and "<strong>2</strong> approved invoices waiting" in page
    assert "Nothing exported yet" in page
    assert 'value="vendor_iban" checked' in page and 'value="decided_by" >' in page  # the default columns
    none = _post(approver, "/exports", {"format": "csv"}, token_from="/exports")
    assert none.status_code == 400 and "Choose at least one column" in _error(none)
    unknown = _post(approver, "/exports", {"format": "csv", "columns": ["password"]}, token_from="/exports")
    assert unknown.status_code == 400 and "Unknown column(s): password" in _error(unknown)

    columns = ["invoice_number", "total", "vendor_iban"]
    response = _post(approver, "/exports", {"format": "csv", "columns": columns}, token_from="/exports")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r"attachment; filename\*=utf-8''invoices-\d{8}-\d{6}\.csv",
                        response.headers["content-disposition"])
    assert response.headers["x-invoice-count"] == "2"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == columns and sorted(rows[1:]) == [["A-1", "1512.50", IBAN], ["B-2", "1512.50", IBAN]]
    assert {_invoice(api, invoice_id)["status"] for invoice_id in (first, second)} == {"exported"}

    page = approver.get("/exports").text
    assert 'data-waiting="0"' in page and "No approved invoices are waiting" in page
    filename = response.headers["content-disposition"].rsplit("'", 1)[1]
    recent = re.search(rf'<li data-export-file="{re.escape(filename)}">.*?</li>', page, re.S)
    assert recent and "2 invoices · CSV" in recent.group(0) and "approver-" in recent.group(0)
    nothing = _post(approver, "/exports", {"format": "csv", "columns": columns}, token_from="/exports")
    assert nothing.status_code == 409 and "There are no approved invoices to export" in _error(nothing)
    assert nothing.headers["content-type"].startswith("text/html")

    again = _post(approver, "/exports", {"format": "json", "include_exported": "yes"}, token_from="/exports")
    assert again.status_code == 200 and again.headers["content-type"] == "application/json"
    assert sorted(item["invoice_number"] for item in again.json()["invoices"]) == ["A-1", "B-2"]
    ubl = _post(approver, "/exports", {"format": "ubl", "include_exported": "yes"}, token_from="/exports")
    assert ubl.status_code == 200 and ubl.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(ubl.content)) as archive:
        assert sorted(archive.namelist()) == ["A-1.xml", "B-2.xml"]
        assert b"<cbc:ID>A-1</cbc:ID>" in archive.read("A-1.xml")
    recent_formats = re.findall(r"\d invoices · (\w+) ·", approver.get("/exports").text)
    assert recent_formats == ["UBL", "JSON", "CSV"]
