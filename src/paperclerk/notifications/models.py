"""Tables of notifications: each person's in-app list and choices, the organisation's webhooks, and one row per
message sent out (e-mail or webhook) with its state, so that a delivery is never sent twice by accident."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from paperclerk.core.db import Base, UTCDateTime, new_id, utcnow


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    #: The message is being handed over; a worker that died here may or may not have sent it.
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    #: Its worker died while the message was being handed over: not sent again, so never sent twice.
    UNCONFIRMED = "unconfirmed"
    #: Nothing to send any more (the webhook was removed or turned off, the person opted out).
    CANCELLED = "cancelled"


FINAL_DELIVERY_STATUSES = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.UNCONFIRMED,
                                     DeliveryStatus.CANCELLED})


class Notification(Base):
    """One event in one person's in-app list (of one organisation)."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "organization_id"),
                      Index("ix_notifications_inbox", "user_id", "organization_id", "read_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    event_name: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Preference(Base):
    """A person's choice for one event and channel (no row: the event's default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "organization_id", "event_name", "channel",
                                       name="uq_notification_preferences_choice"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_name: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Webhook(Base):
    """An organisation's receiver: events of the chosen names are posted to ``url``, signed with ``secret``."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    secret: Mapped[str] = mapped_column(String(200))
    event_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Deliveries given up in a row; reset by a delivered one. At the setting's limit the webhook is turned off.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Delivery(Base):
    """One message to one target (a person's e-mail address, a webhook): its state and every attempt."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "target"),
                      Index("ix_notification_deliveries_webhook", "webhook_id", "created_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    event_name: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(20))
    #: ``user:<id>`` or ``webhook:<id>``: each target gets an event once.
    target: Mapped[str] = mapped_column(String(50))
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    webhook_id: Mapped[str | None] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    #: The e-mail address or URL it goes to.
    address: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: One entry per attempt: ``{"at", "outcome", "status_code", "error", "ms"}``.
    attempt_log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
