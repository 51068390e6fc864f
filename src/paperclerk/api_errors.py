"""The documented shape of every API error, for routes' ``responses=`` (see ``app.error_response``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="Stable, machine-readable: e.g. DOCUMENT_NOT_FOUND, VALIDATION_ERROR")
    message: str = Field(description="What went wrong, for a person")
    details: dict[str, Any] = Field(description="Structured context; for VALIDATION_ERROR the failing fields")


class ErrorResponse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    error: ErrorBody


ERROR_DESCRIPTIONS = {
    400: "The request cannot be used as sent (e.g. an empty or malformed upload)",
    401: "No credentials, or ones that do not work (expired, revoked, wrong)",
    403: "The caller's role does not grant this (the permission is in details)",
    404: "No such object in the caller's organisation",
    409: "The object is not in a state that allows this",
    413: "Over the upload limit",
    415: "A file type paperclerk does not read",
    422: "A parameter or the body does not validate (the failing fields are in details.errors)",
    429: "Too many requests or failed logins (see Retry-After)",
    503: "A dependency is down, or the service is briefly unavailable",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting ``statuses`` as answered with :class:`ErrorResponse`."""
    return {status: {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS[status]} for status in statuses}
