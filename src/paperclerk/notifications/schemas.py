"""API shapes of notifications and webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from paperclerk.notifications import webhooks
from paperclerk.notifications.models import Delivery, Notification, Webhook
from paperclerk.notifications.service import Choice


class NotificationOut(BaseModel):
    id: str
    event: str = Field(description="The event's name, e.g. invoice.flagged")
    title: str
    body: str
    link: str | None = Field(description="The page the notification is about, if any")
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, item: Notification) -> NotificationOut:
        return cls(id=item.id, event=item.event_name, title=item.title, body=item.body, link=item.link,
                   created_at=item.created_at, read_at=item.read_at)


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int
    unread: int = Field(description="Unread notifications of the caller (what the page header shows)")


class MarkedRead(BaseModel):
    marked_read: int


class ChoiceOut(BaseModel):
    event: str
    description: str
    in_app: bool
    email: bool

    @classmethod
    def of(cls, choice: Choice) -> ChoiceOut:
        return cls(event=choice.event.name, description=choice.event.description, in_app=choice.in_app,
                   email=choice.email)


class ChannelChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    in_app: bool | None = None
    email: bool | None = None


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preferences: dict[str, ChannelChoice] = Field(
        description="By event name: the channels to turn on or off (a channel left out stays as it is)",
        max_length=500)

    def changes(self) -> dict[str, dict[str, bool]]:
        return {name: choice.model_dump(exclude_none=True) for name, choice in self.preferences.items()}


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="http(s) URL the events are posted to")
    events: list[str] = Field(max_length=200, description="Event names, or ['*'] for every event")
    description: str = Field(default="", max_length=200)
    secret: str | None = Field(default=None, min_length=16, max_length=200,
                               description="Signing secret; generated when left out")


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2000)
    events: list[str] | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=200)
    active: bool | None = Field(default=None, description="true turns a webhook back on and forgets its failures")


class WebhookOut(BaseModel):
    id: str
    url: str
    description: str
    events: list[str]
    active: bool
    consecutive_failures: int
    disabled_at: datetime | None
    disabled_reason: str | None
    secret_hint: str = Field(description="The secret's first and last characters")
    created_at: datetime

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookOut:
        return cls(id=webhook.id, url=webhook.url, description=webhook.description, events=list(webhook.event_names),
                   active=webhook.active, consecutive_failures=webhook.consecutive_failures,
                   disabled_at=webhook.disabled_at, disabled_reason=webhook.disabled_reason,
                   secret_hint=webhooks.masked(webhook.secret), created_at=webhook.created_at)


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="The signing secret: shown when created or rotated only")

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookWithSecret:
        return cls(**WebhookOut.of(webhook).model_dump(), secret=webhook.secret)


class DeliveryOut(BaseModel):
    id: str
    event: str
    event_id: int
    status: str = Field(description="pending, sending, delivered, failed, unconfirmed or cancelled")
    attempts: int
    attempt_log: list[dict[str, Any]] = Field(description="Each attempt: at, outcome, status_code, error, ms")
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls(id=delivery.id, event=delivery.event_name, event_id=delivery.event_id, status=delivery.status,
                   attempts=delivery.attempts, attempt_log=list(delivery.attempt_log), last_error=delivery.last_error,
                   created_at=delivery.created_at, delivered_at=delivery.delivered_at)
