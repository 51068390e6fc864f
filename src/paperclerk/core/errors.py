"""Stable error codes and the one exception type that carries them to API, CLI and documents."""

from __future__ import annotations

from typing import Any


class PaperclerkError(Exception):
    """An expected failure with a stable code, a message a person understands and an HTTP status.

    Raised by any layer; the API turns it into ``{"error": {"code", "message", "details"}}``,
    the pipeline records it on the failed document, the CLI prints it.
    """

    code = "INTERNAL_ERROR"
    http_status = 500
    retryable = False

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None,
                 http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(PaperclerkError):
    code = "NOT_FOUND"
    http_status = 404


class InvalidRequest(PaperclerkError):
    code = "INVALID_REQUEST"
    http_status = 400


class Conflict(PaperclerkError):
    code = "CONFLICT"
    http_status = 409


class FileRejected(PaperclerkError):
    """A file refused at the door (upload or ingest): nothing is stored."""

    code = "FILE_REJECTED"
    http_status = 400


class FileTooLarge(FileRejected):
    code = "FILE_TOO_LARGE"
    http_status = 413


class FileEmpty(FileRejected):
    code = "FILE_EMPTY"
    http_status = 400


class FileUnsupported(FileRejected):
    code = "FILE_UNSUPPORTED"
    http_status = 415


class ExtractionError(PaperclerkError):
    """A stored file whose content cannot be read; the document ends ``failed`` with this code.

    Codes: FILE_CORRUPT, FILE_ENCRYPTED, FILE_TOO_COMPLEX (decompression bombs, absurd page
    counts or sizes, over the parse time or memory limit), FILE_UNSUPPORTED, FILE_EMPTY, OCR_FAILED,
    PARSER_CRASHED (the reading process died).
    """

    code = "FILE_CORRUPT"
    http_status = 422


class TransientError(PaperclerkError):
    """Something that may work on a later attempt (storage or database briefly unavailable)."""

    code = "TRANSIENT_ERROR"
    http_status = 503
    retryable = True


class ServiceUnavailable(PaperclerkError):
    code = "SERVICE_UNAVAILABLE"
    http_status = 503


class DatabaseBusy(TransientError):
    """Every database connection is in use (a lock held too long, a burst of slow requests): come back shortly."""

    code = "DATABASE_BUSY"
    #: Seconds a client should wait before trying again (the API sends it as ``Retry-After``).
    retry_after = 5
