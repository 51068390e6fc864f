"""The AI layer's stable error codes."""

from __future__ import annotations

from paperclerk.core.errors import PaperclerkError


class ModelUnavailable(PaperclerkError):
    """``ML_001``: a model is configured but not ready — unreachable, refusing (401, 404, 5xx after the retries),
    or a local model file that is not installed. The offline paths keep working."""

    code = "ML_001"
    http_status = 503
    retryable = True


class LLMNotConfigured(PaperclerkError):
    """A feature that needs a language model was asked for, and none is configured (``PAPERCLERK_LLM_URL``)."""

    code = "LLM_NOT_CONFIGURED"
    http_status = 503


class BudgetExceeded(PaperclerkError):
    """The organisation has spent its monthly token budget (``PAPERCLERK_AI_MONTHLY_TOKEN_BUDGET``)."""

    code = "AI_BUDGET_EXCEEDED"
    http_status = 429


class BadModelOutput(PaperclerkError):
    """The model's answer did not match the JSON schema it was asked for, after the allowed re-asks."""

    code = "LLM_BAD_OUTPUT"
    http_status = 503
