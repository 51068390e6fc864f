"""The two provider interfaces every model sits behind, and what they answer.

A chat provider completes a conversation (whole, or streamed as text deltas); an embedding provider turns
texts into unit-length vectors. Providers know nothing of organisations, budgets or caches: that is
:mod:`paperclerk.ai.service`, which every product line calls.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypedDict

import numpy as np


class Message(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class ChatReply:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class StreamDelta:
    """A piece of a streamed answer; the last one carries the token counts (``done``)."""

    text: str
    done: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Embeddings:
    #: One row per text, float32, L2-normalised (a dot product is the cosine similarity).
    vectors: np.ndarray
    model: str
    tokens: int


class ChatProvider(Protocol):
    model: str

    def complete(self, messages: Sequence[Message], *, json_schema: dict[str, Any] | None = None,
                 temperature: float = 0.0, max_tokens: int | None = None) -> ChatReply: ...

    def stream(self, messages: Sequence[Message], *, temperature: float = 0.0,
               max_tokens: int | None = None) -> Iterator[StreamDelta]: ...


class EmbeddingProvider(Protocol):
    #: Names the vector space: vectors of different models are never compared.
    model: str
    #: Whether its calls cost tokens (counted against the organisation's budget).
    remote: bool
    #: Cosine similarity at or below which two texts are unrelated for this model (search drops such matches).
    min_similarity: float

    def embed(self, texts: Sequence[str]) -> Embeddings: ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: np.ndarray = vectors / np.maximum(norms, 1e-12)
    return normalised
