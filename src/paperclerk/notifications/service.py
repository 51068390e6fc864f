"""Each person's in-app list, and their choice of which events they are told about on which channel.

Only people (users) have a list and choices; an API key has neither (its list is empty, it cannot choose).
Marking read and changing choices are audited like every change a person makes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from paperclerk.auth.permissions import role_allows
from paperclerk.auth.principal import Principal
from paperclerk.core import events
from paperclerk.core.audit import record_audit
from paperclerk.core.db import utcnow
from paperclerk.core.errors import InvalidRequest, NotFound
from paperclerk.core.lines import EventType
from paperclerk.notifications.models import Channel, Notification, Preference

#: The channels a person chooses for themselves (webhooks belong to the organisation).
PERSONAL_CHANNELS = (Channel.IN_APP, Channel.EMAIL)


@dataclass(frozen=True)
class Choice:
    """One event as a person's preferences show it."""

    event: EventType
    in_app: bool
    email: bool


def default(event_type: EventType, channel: str) -> bool:
    """Told in the app about the events that say so, unless one opts out; by e-mail only when one opts in."""
    return event_type.in_app if channel == Channel.IN_APP else False


def receivable(role: str) -> list[EventType]:
    """The events a role may be told about, by name."""
    return sorted((item for item in events.declared().values() if role_allows(role, item.permission)),
                  key=lambda item: item.name)


def stored_choices(session: Session, organization_id: str, user_ids: Iterable[str],
                   event_name: str | None = None) -> dict[tuple[str, str, str], bool]:
    """(user, event, channel) → enabled, for the choices people made (the rest are defaults)."""
    query = select(Preference).where(Preference.organization_id == organization_id,
                                     Preference.user_id.in_(list(user_ids)))
    if event_name is not None:
        query = query.where(Preference.event_name == event_name)
    return {(row.user_id, row.event_name, row.channel): row.enabled for row in session.scalars(query)}


def choices(session: Session, principal: Principal) -> list[Choice]:
    """Every event this caller may be told about, with their choice (or the default) per channel."""
    user_id = principal.id if principal.is_user else None
    stored = stored_choices(session, principal.tenant, [user_id]) if user_id else {}

    def chosen(item: EventType, channel: str) -> bool:
        return stored.get((user_id or "", item.name, channel), default(item, channel))

    return [Choice(item, chosen(item, Channel.IN_APP), chosen(item, Channel.EMAIL))
            for item in receivable(principal.role)]


def _person(principal: Principal) -> str:
    if not principal.is_user or principal.id is None:
        raise InvalidRequest("Only a person has notifications; an API key has none (use a webhook).",
                             code="NOTIFICATIONS_NEED_A_USER")
    return principal.id


def set_choices(session: Session, principal: Principal, changes: dict[str, dict[str, bool]], *,
                ip: str | None = None) -> list[Choice]:
    """Set ``{event name: {channel: on}}`` for the caller; unknown events or channels are refused whole."""
    user_id = _person(principal)
    allowed = {item.name: item for item in receivable(principal.role)}
    for name, channels in changes.items():
        if name not in allowed:
            raise InvalidRequest(f"There is no event {name!r} you can be told about.", code="UNKNOWN_EVENT",
                                 details={"event": name})
        unknown = sorted(set(channels) - set(PERSONAL_CHANNELS))
        if unknown:
            raise InvalidRequest(f"Unknown channel {unknown[0]!r}: use in_app or email.", code="UNKNOWN_CHANNEL",
                                 details={"event": name, "channel": unknown[0]})
    stored = {(row.event_name, row.channel): row for row in session.scalars(select(Preference).where(
        Preference.organization_id == principal.tenant, Preference.user_id == user_id))}
    before: dict[str, bool] = {}
    after: dict[str, bool] = {}
    for name, channels in changes.items():
        for channel, enabled in channels.items():
            row = stored.get((name, channel))
            was = row.enabled if row is not None else default(allowed[name], channel)
            if was == enabled:
                continue
            before[f"{name}:{channel}"], after[f"{name}:{channel}"] = was, enabled
            if row is None:
                session.add(Preference(organization_id=principal.tenant, user_id=user_id, event_name=name,
                                       channel=channel, enabled=enabled))
            else:
                row.enabled = enabled
    if after:
        record_audit(session, principal, "notifications.preferences", ("user", user_id), before=before, after=after,
                     ip=ip)
    session.flush()
    return choices(session, principal)


def _inbox(principal: Principal) -> tuple[str, str] | None:
    return (principal.tenant, principal.id) if principal.is_user and principal.id else None


def list_notifications(session: Session, principal: Principal, *, unread_only: bool = False, limit: int = 50,
                       offset: int = 0) -> tuple[Sequence[Notification], int]:
    """Newest event first, with the total matching."""
    inbox = _inbox(principal)
    if inbox is None:
        return [], 0
    query = select(Notification).where(Notification.organization_id == inbox[0], Notification.user_id == inbox[1])
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.order_by(Notification.event_id.desc(), Notification.id.desc())
                            .limit(limit).offset(offset)).all()
    return items, int(total)


def unread_count(session: Session, principal: Principal) -> int:
    inbox = _inbox(principal)
    if inbox is None:
        return 0
    return int(session.scalar(select(func.count()).where(
        Notification.organization_id == inbox[0], Notification.user_id == inbox[1],
        Notification.read_at.is_(None))) or 0)


def mark_read(session: Session, principal: Principal, notification_id: str, *, ip: str | None = None) -> Notification:
    inbox = _inbox(principal)
    item = session.get(Notification, notification_id) if inbox else None
    if item is None or inbox is None or (item.organization_id, item.user_id) != inbox:
        raise NotFound("No such notification.", code="NOTIFICATION_NOT_FOUND")
    if item.read_at is None:
        item.read_at = utcnow()
        record_audit(session, principal, "notification.read", ("notification", item.id), before={"read": False},
                     after={"read": True}, ip=ip)
    return item


def mark_all_read(session: Session, principal: Principal, *, ip: str | None = None) -> int:
    """Mark every unread notification of the caller read; how many were."""
    inbox = _inbox(principal)
    if inbox is None:
        return 0
    result = session.execute(update(Notification).where(
        Notification.organization_id == inbox[0], Notification.user_id == inbox[1], Notification.read_at.is_(None))
        .values(read_at=utcnow()))
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        record_audit(session, principal, "notifications.read_all", ("user", inbox[1]), after={"marked_read": count},
                     ip=ip)
    return count
