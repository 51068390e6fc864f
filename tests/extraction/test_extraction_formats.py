from __future__ import annotations

from paperclerk import samples
from paperclerk.extraction.base import DOCX, EMAIL, HTML, TEXT


def test_docx_paragraphs_then_table_in_order(run):
    table = [["Service", "Target"], ["Delivery", "3 days"]]
    extraction = run("contract.docx", samples.docx(["Service agreement", "Term: twelve months."], table))
    assert extraction.media_type == DOCX
    page = extraction.pages[0]
    assert page.method == "docx" and page.segments == []
    assert page.text.splitlines() == [
        "Service agreement", "Term: twelve months.", "Service\tTarget", "Delivery\t3 days"]


def test_html_visible_text_only(run):
    paragraphs = ["Monday to Friday", "Closed on <holidays> & Sundays"]
    extraction = run("page.html", samples.html("Opening hours", paragraphs))
    assert extraction.media_type == HTML
    assert extraction.metadata["title"] == "Opening hours"
    assert extraction.pages[0].text.splitlines() == [
        "Opening hours", "Monday to Friday", "Closed on <holidays> & Sundays"]
    assert "trackingCode" not in extraction.text and "color" not in extraction.text


def test_html_blocks_cells_and_no_entity_expansion(run):
    data = (b'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><html><body>'
            b"<div>one<br>two</div><table><tr><td>a</td><td>b</td></tr></table>&xxe;<span>end</span></body></html>")
    text = run("table.html", data).pages[0].text
    lines = text.splitlines()  # like a browser, the parser shows the subset's "]>" as text
    assert lines[lines.index("one"):lines.index("one") + 3] == ["one", "two", "a\tb"]
    assert "root:" not in text
    assert lines[-1] == "&xxe;end"  # an unknown entity stays literal text, as in a browser


def test_text_encodings(run):
    for encoding in ("utf-8", "utf-8-sig", "utf-16", "cp1252"):
        extraction = run(f"note-{encoding}.txt", samples.plain_text("Grüße, café - €5\r\nline two", encoding))
        assert extraction.media_type == TEXT
        assert extraction.pages[0].text == "Grüße, café - €5\nline two", encoding
        assert extraction.pages[0].method == "text"
    latin1 = run("latin1.txt", "Hello \x81 caf\xe9 fine".encode("latin-1"))
    assert latin1.pages[0].text == "Hello \x81 café fine"


def test_form_feed_splits_pages(run):
    extraction = run("report.txt", samples.plain_text("page one\fpage two\fpage three\f"))
    assert [page.text for page in extraction.pages] == ["page one", "page two", "page three"]
    assert [page.number for page in extraction.pages] == [1, 2, 3]


def test_email_headers_body_and_attachments(run):
    pdf = samples.text_pdf(["Invoice 17"])
    attachments = [("invoice-17.pdf", pdf), ("notes.txt", b"n")]
    data = samples.email("Invoice 17", "Hello,\nplease find the invoice attached.", attachments)
    extraction = run("mail.eml", data)
    assert extraction.media_type == EMAIL
    text = extraction.pages[0].text
    assert text.startswith("From: Alice Martin <alice@example.com>\nTo: Support <support@example.org>\n")
    assert "Subject: Invoice 17" in text and "please find the invoice attached." in text
    assert [(a.filename, a.data) for a in extraction.attachments] == attachments
    assert extraction.metadata["subject"] == "Invoice 17"
    assert extraction.metadata["message_id"] == "<sample-0001@example.com>"
    assert extraction.metadata["date"] == "2024-03-14T09:30:00+00:00"


def test_email_html_body_and_attached_message(run, write):
    inner = samples.email("Original", "first message", [])
    data = (
        b"From: x@example.com\nTo: y@example.com\nSubject: Fwd\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n'
        b'--b\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>Hi <b>there</b></p>'
        b"<script>x()</script></body></html>\n"
        b"--b\nContent-Type: message/rfc822\n\n" + inner + b"\n"
        b"--b\nContent-Type: application/octet-stream\n"
        b'Content-Disposition: attachment; filename="../../etc/x.bin"\n'
        b"Content-Transfer-Encoding: base64\n\nAAEC\n--b--\n"
    )
    extraction = run("fwd.eml", data)
    assert extraction.pages[0].text.endswith("\n\nHi there")
    names = [attachment.filename for attachment in extraction.attachments]
    assert names == ["message-1.eml", "x.bin"]
    assert b"first message" in extraction.attachments[0].data
    assert extraction.attachments[1].data == b"\x00\x01\x02"


def test_malformed_email_is_best_effort(run):
    data = (b"From: =?utf-8?q?broken\nTo: <<<@@@>>>\nSubject: =?bogus-charset?b?AAAA?=\n"
            b"Date: not a date\nContent-Type: text/plain; charset=no-such-charset\n"
            b"Content-Transfer-Encoding: base64\n\n%%%not base64")
    extraction = run("bad.eml", data)
    assert extraction.media_type == EMAIL
    assert extraction.metadata["date"] == "not a date"
