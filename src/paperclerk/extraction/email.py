"""E-mail messages: a header block plus the text body as one page; attached files and messages returned."""

from __future__ import annotations

from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.base import EMAIL, Attachment, ExtractedPage, Extraction, Limits
from paperclerk.extraction.html import html_to_text
from paperclerk.extraction.registry import register
from paperclerk.extraction.text import decode_text

_SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject")
_METADATA_HEADERS = {
    "from": "From", "to": "To", "subject": "Subject", "date": "Date", "message_id": "Message-ID",
}


@register(EMAIL)
def extract_email(path: Path, *, allow_ocr: bool, limits: Limits) -> Extraction:
    try:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        headers = {name: _header(message, name) for name in {*_SHOWN_HEADERS, *_METADATA_HEADERS.values()}}
        body = _body_text(message)
        attachments = _attachments(message, limits)
    except (ExtractionError, OSError):
        raise
    except Exception as exc:  # the stdlib parser has many ways to trip over broken mail
        raise ExtractionError(f"The e-mail message is malformed: {exc}", code="FILE_CORRUPT") from exc
    header_block = "\n".join(f"{name}: {headers[name]}" for name in _SHOWN_HEADERS if headers[name])
    text = f"{header_block}\n\n{body}".strip() if body else header_block
    metadata = {key: headers[name] for key, name in _METADATA_HEADERS.items() if headers[name]}
    if "date" in metadata:
        metadata["date"] = _iso_date(metadata["date"])
    return Extraction(media_type=EMAIL, pages=[ExtractedPage(1, text, "email")], attachments=attachments,
                      metadata=metadata)


def _header(message: EmailMessage, name: str) -> str:
    """A header as readable text; falls back to the raw value when the policy cannot parse it."""
    try:
        value = message.get(name)
        return " ".join(str(value).split()) if value is not None else ""
    except Exception:  # malformed header: decode the raw value as best we can
        for key, raw in message.raw_items():
            if key.lower() == name.lower():
                try:
                    return " ".join(str(make_header(decode_header(str(raw)))).split())
                except Exception:
                    return " ".join(str(raw).split())
        return ""


def _iso_date(value: str) -> str:
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return value


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        text, _ = html_to_text(text)
    return text.strip()


def _part_text(part: MIMEPart) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, ValueError, AttributeError):  # unknown charset or a broken transfer encoding
        pass
    payload = part.get_payload(decode=True)
    return decode_text(payload)[0] if isinstance(payload, bytes) else ""


def _attachments(message: EmailMessage, limits: Limits) -> list[Attachment]:
    """Named non-inline parts and attached messages (not descended into), in message order."""
    found: list[Attachment] = []
    stack: list[MIMEPart] = [message]
    while stack:
        part = stack.pop()
        if part.get_content_type() == "message/rfc822" and part is not message:
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner and isinstance(inner[0], MIMEPart) else b""
            found.append(Attachment(_safe_name(part.get_filename(), f"message-{len(found) + 1}.eml"), data))
        elif part.is_multipart():
            payload = part.get_payload()
            stack.extend(reversed([item for item in payload if isinstance(item, MIMEPart)]
                                  if isinstance(payload, list) else []))
        elif part.get_filename() and part.get_content_disposition() != "inline":
            content = part.get_payload(decode=True)
            found.append(Attachment(_safe_name(part.get_filename(), f"attachment-{len(found) + 1}"),
                                    content if isinstance(content, bytes) else b""))
        if len(found) > limits.max_pages:
            raise ExtractionError(f"The e-mail has more than {limits.max_pages} attachments.",
                                  code="FILE_TOO_COMPLEX")
    return found


def _safe_name(name: str | None, default: str) -> str:
    """The file name without any directory part a sender may have put in it."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    return base or default
