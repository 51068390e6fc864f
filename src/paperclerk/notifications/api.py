"""Notifications API: each caller's in-app list and choices (``notifications:read``) and the organisation's
webhooks with their delivery logs (``webhooks:manage``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import request_ip, require
from paperclerk.auth.principal import Principal
from paperclerk.core.db import read_session, session_scope
from paperclerk.notifications import service, webhooks
from paperclerk.notifications.schemas import (
    ChoiceOut,
    DeliveryOut,
    MarkedRead,
    NotificationOut,
    NotificationPage,
    PreferencesUpdate,
    WebhookCreate,
    WebhookOut,
    WebhookUpdate,
    WebhookWithSecret,
)

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"],
                   responses=error_responses(401, 403, 429))
webhooks_router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], responses=error_responses(401, 403, 429))
POSTED = (400, 413, 422)
Reader = Annotated[Principal, Depends(require("notifications:read"))]
Manager = Annotated[Principal, Depends(require("webhooks:manage"))]
ReadSession = Annotated[Session, Depends(read_session)]
ObjectId = Annotated[str, Path(max_length=36)]


@router.get("", response_model=NotificationPage, responses=error_responses(422),
            summary="Your notifications, newest first, with your unread count")
def list_notifications(principal: Reader, session: ReadSession, unread: bool = False,
                       limit: Annotated[int, Query(ge=1, le=200)] = 50,
                       offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> NotificationPage:
    items, total = service.list_notifications(session, principal, unread_only=unread, limit=limit, offset=offset)
    return NotificationPage(items=[NotificationOut.of(item) for item in items], total=total,
                            unread=service.unread_count(session, principal))


@router.post("/read-all", response_model=MarkedRead, responses=error_responses(*POSTED),
             summary="Mark all your notifications read")
def read_all(principal: Reader, request: Request) -> MarkedRead:
    with session_scope() as session:
        return MarkedRead(marked_read=service.mark_all_read(session, principal, ip=request_ip(request)))


@router.get("/preferences", response_model=list[ChoiceOut],
            summary="Which events you are told about, in the app and by e-mail")
def preferences(principal: Reader, session: ReadSession) -> list[ChoiceOut]:
    return [ChoiceOut.of(choice) for choice in service.choices(session, principal)]


@router.patch("/preferences", response_model=list[ChoiceOut], responses=error_responses(*POSTED),
              summary="Turn events on or off per channel (people only; an API key has no notifications)")
def set_preferences(body: PreferencesUpdate, principal: Reader, request: Request) -> list[ChoiceOut]:
    with session_scope() as session:
        return [ChoiceOut.of(choice) for choice in service.set_choices(session, principal, body.changes(),
                                                                       ip=request_ip(request))]


@router.post("/{notification_id}/read", response_model=NotificationOut, responses=error_responses(*POSTED, 404),
             summary="Mark one notification read")
def read_one(notification_id: ObjectId, principal: Reader, request: Request) -> NotificationOut:
    with session_scope() as session:
        return NotificationOut.of(service.mark_read(session, principal, notification_id, ip=request_ip(request)))


@webhooks_router.get("", response_model=list[WebhookOut], summary="Your organisation's webhooks")
def list_webhooks(principal: Manager, session: ReadSession) -> list[WebhookOut]:
    return [WebhookOut.of(item) for item in webhooks.list_webhooks(session, principal.tenant)]


@webhooks_router.post("", response_model=WebhookWithSecret, status_code=201, responses=error_responses(*POSTED),
                      summary="Add a webhook (its signing secret is shown once, here)")
def create_webhook(body: WebhookCreate, principal: Manager, request: Request) -> WebhookWithSecret:
    with session_scope() as session:
        webhook = webhooks.create_webhook(session, principal, url=body.url, event_names=body.events,
                                          description=body.description, secret=body.secret, ip=request_ip(request))
        return WebhookWithSecret.of(webhook)


@webhooks_router.get("/{webhook_id}", response_model=WebhookOut, responses=error_responses(404, 422),
                     summary="One webhook")
def get_webhook(webhook_id: ObjectId, principal: Manager, session: ReadSession) -> WebhookOut:
    return WebhookOut.of(webhooks.get_webhook(session, principal.tenant, webhook_id))


@webhooks_router.patch("/{webhook_id}", response_model=WebhookOut, responses=error_responses(*POSTED, 404),
                       summary="Change a webhook, or turn it off or on again (which forgets its failures)")
def update_webhook(webhook_id: ObjectId, body: WebhookUpdate, principal: Manager, request: Request) -> WebhookOut:
    with session_scope() as session:
        return WebhookOut.of(webhooks.update_webhook(session, principal, webhook_id, url=body.url,
                                                     event_names=body.events, description=body.description,
                                                     active=body.active, ip=request_ip(request)))


@webhooks_router.post("/{webhook_id}/rotate-secret", response_model=WebhookWithSecret,
                      responses=error_responses(*POSTED, 404),
                      summary="Replace the signing secret (the new one is shown once, here)")
def rotate_secret(webhook_id: ObjectId, principal: Manager, request: Request) -> WebhookWithSecret:
    with session_scope() as session:
        return WebhookWithSecret.of(webhooks.update_webhook(session, principal, webhook_id, new_secret_value=True,
                                                            ip=request_ip(request)))


@webhooks_router.delete("/{webhook_id}", status_code=204, response_class=Response,
                        responses=error_responses(404, 422), summary="Remove a webhook and its delivery log")
def delete_webhook(webhook_id: ObjectId, principal: Manager, request: Request) -> Response:
    with session_scope() as session:
        webhooks.delete_webhook(session, principal, webhook_id, ip=request_ip(request))
    return Response(status_code=204)


@webhooks_router.get("/{webhook_id}/deliveries", response_model=list[DeliveryOut], responses=error_responses(404, 422),
                     summary="The webhook's delivery log, newest first: every attempt with its answer")
def list_deliveries(webhook_id: ObjectId, principal: Manager, session: ReadSession,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> list[DeliveryOut]:
    return [DeliveryOut.of(item) for item in webhooks.deliveries(session, principal.tenant, webhook_id, limit=limit,
                                                                 offset=offset)]
