"""Any server speaking the OpenAI wire formats: ``POST {base}/chat/completions`` (whole or streamed as
server-sent events) and ``POST {base}/embeddings``. OpenAI, Azure OpenAI's v1 endpoint, Gemini's OpenAI
endpoint, Ollama, vLLM and llama.cpp's server all do.

Each request has a time limit; connection errors, time-outs, 429 and 5xx answers are retried with exponential
back-off; what still fails is :class:`~paperclerk.ai.errors.ModelUnavailable` (``ML_001``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import httpx
import numpy as np

from paperclerk.ai.errors import ModelUnavailable
from paperclerk.ai.providers import ChatReply, Embeddings, Message, StreamDelta, normalise

T = TypeVar("T")
_RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class OpenAICompatible:
    """One endpoint and one model; both the chat and the embedding interface."""

    def __init__(self, base_url: str, model: str, *, api_key: str = "", timeout: float = 30.0, retries: int = 3,
                 retry_base_seconds: float = 1.0, remote: bool = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.remote = remote
        #: Scales differ between remote models: nothing is dropped unless it points away from the query.
        self.min_similarity = 0.0
        self._retries = retries
        self._retry_base = retry_base_seconds
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)

    # -- chat ------------------------------------------------------------------------------------------------

    def complete(self, messages: Sequence[Message], *, json_schema: dict[str, Any] | None = None,
                 temperature: float = 0.0, max_tokens: int | None = None) -> ChatReply:
        payload = self._chat_payload(messages, temperature, max_tokens)
        if json_schema is not None:
            payload["response_format"] = {"type": "json_schema",
                                          "json_schema": {"name": "answer", "schema": json_schema, "strict": True}}
        body = self._with_retries(lambda: self._post_json("/chat/completions", payload))
        try:
            text = body["choices"][0]["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise self._unavailable("the chat answer has no choices[0].message") from None
        usage = body.get("usage") or {}
        return ChatReply(text=text, model=str(body.get("model") or self.model),
                         prompt_tokens=int(usage.get("prompt_tokens") or _estimate(m["content"] for m in messages)),
                         completion_tokens=int(usage.get("completion_tokens") or _estimate([text])))

    def stream(self, messages: Sequence[Message], *, temperature: float = 0.0,
               max_tokens: int | None = None) -> Iterator[StreamDelta]:
        payload = {**self._chat_payload(messages, temperature, max_tokens), "stream": True,
                   "stream_options": {"include_usage": True}}
        response = self._with_retries(lambda: self._open_stream(payload))
        parts: list[str] = []
        usage: dict[str, Any] = {}
        try:
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                chunk = json.loads(data)
                usage = chunk.get("usage") or usage
                for choice in chunk.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        parts.append(piece)
                        yield StreamDelta(piece)
        except (httpx.HTTPError, json.JSONDecodeError, AttributeError) as exc:
            raise self._unavailable(f"the answer stream broke off: {exc}") from None
        finally:
            response.close()
        yield StreamDelta("", done=True,
                          prompt_tokens=int(usage.get("prompt_tokens") or _estimate(m["content"] for m in messages)),
                          completion_tokens=int(usage.get("completion_tokens") or _estimate(parts)))

    def _chat_payload(self, messages: Sequence[Message], temperature: float, max_tokens: int | None
                      ) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": self.model, "messages": list(messages), "temperature": temperature}
        if max_tokens is not None:
            payload["max_tokens"] = max_tokens
        return payload

    # -- embeddings ------------------------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return Embeddings(np.zeros((0, 0), dtype=np.float32), self.model, 0)
        body = self._with_retries(lambda: self._post_json("/embeddings", {"model": self.model, "input": list(texts)}))
        try:
            rows = sorted(body["data"], key=lambda row: row["index"])
            vectors = np.array([row["embedding"] for row in rows], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise self._unavailable(f"the embeddings answer is malformed: {exc}") from None
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise self._unavailable(f"asked for {len(texts)} embeddings, got {len(vectors)}")
        tokens = int((body.get("usage") or {}).get("prompt_tokens") or _estimate(texts))
        return Embeddings(normalise(vectors), self.model, tokens)

    # -- transport -------------------------------------------------------------------------------------------

    def _post_json(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._client.post(self.base_url + path, json=payload)
        except httpx.HTTPError as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from None
        self._check(response)
        try:
            body = response.json()
        except ValueError:
            raise self._unavailable("the answer is not JSON", response.status_code) from None
        if not isinstance(body, dict):
            raise self._unavailable("the answer is not a JSON object", response.status_code)
        return body

    def _open_stream(self, payload: dict[str, Any]) -> httpx.Response:
        request = self._client.build_request("POST", self.base_url + "/chat/completions", json=payload)
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from None
        if response.status_code >= 400:
            response.read()
            response.close()
        self._check(response)
        return response

    def _check(self, response: httpx.Response) -> None:
        if response.status_code in _RETRYABLE_STATUS:
            raise _Retryable(f"HTTP {response.status_code}", response.status_code)
        if response.status_code >= 400:
            raise self._unavailable(f"HTTP {response.status_code}: {response.text[:200]}", response.status_code)

    def _with_retries(self, call: Callable[[], T]) -> T:
        last: _Retryable | None = None
        for attempt in range(self._retries + 1):
            if attempt:
                time.sleep(self._retry_base * 2 ** (attempt - 1))
            try:
                return call()
            except _Retryable as exc:
                last = exc
        assert last is not None
        raise self._unavailable(f"{last} after {self._retries + 1} attempt(s)", last.status)

    def _unavailable(self, reason: str, status: int | None = None) -> ModelUnavailable:
        details: dict[str, Any] = {"endpoint": self.base_url, "model": self.model}
        if status is not None:
            details["status"] = status
        return ModelUnavailable(f"The model {self.model!r} at {self.base_url} is not ready: {reason}.",
                                details=details)


def _estimate(texts: Any) -> int:
    """Tokens by the usual rule of thumb (four characters each), for servers that report no usage."""
    return max(1, sum(len(text) for text in texts) // 4)
