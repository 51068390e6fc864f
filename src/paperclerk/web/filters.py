"""Template filters every page may use: sizes, moments, durations, file metadata, labels, audit changes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from paperclerk.core import money
from paperclerk.documents.models import DocumentStatus
from paperclerk.pipeline.classify import kind_label

STATUS_LABELS: dict[str, str] = {
    DocumentStatus.QUEUED: "Queued",
    DocumentStatus.PROCESSING: "Processing",
    DocumentStatus.PROCESSED: "Processed",
    DocumentStatus.NEEDS_REVIEW: "Needs review",
    DocumentStatus.FAILED: "Failed",
}


def filesize(size: int | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def clock(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?")


def meta(value: Any) -> str:
    """A file-metadata value for people: PDF dates (``D:20240314093000Z``) become ISO-like dates."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {meta(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(meta(item) for item in value)
    text = "" if value is None else str(value)
    match = _PDF_DATE.match(text)
    if match:
        year, month, day, hour, minute, second = match.groups()
        date = f"{year}-{month}-{day}"
        return f"{date} {hour}:{minute}:{second or '00'}" if hour else date
    return text


@dataclass(frozen=True)
class Change:
    """One field of an audit entry's state: ``added`` (only after), ``removed`` (only before) or ``changed``."""

    field: str
    kind: str
    before: str
    after: str


def _shown(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "), default=str)
    return str(value)


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """An audit entry's before → after as the fields that differ, in order of their names (unchanged ones left
    out); a state that is not a mapping counts as one field named ``value``."""
    old = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    new = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    found: list[Change] = []
    for field in sorted(set(old) | set(new)):
        if field in old and field in new:
            if old[field] != new[field]:
                found.append(Change(field, "changed", _shown(old[field]), _shown(new[field])))
        elif field in new:
            found.append(Change(field, "added", "", _shown(new[field])))
        else:
            found.append(Change(field, "removed", _shown(old[field]), ""))
    return found


def label(value: str | None) -> str:
    """A status or a kind in words."""
    if not value:
        return "—"
    return STATUS_LABELS.get(value) or kind_label(value)


FILTERS: dict[str, Callable[..., Any]] = {"filesize": filesize, "when": when, "clock": clock, "meta": meta, "iso": iso,
                                          "ms": ms, "label": label, "changes": changes,
                                          "money": money.display}
