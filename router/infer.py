"""Route a question to an intent with a confidence: the exported classifier on onnxruntime.

No torch, transformers or sklearn here: the graph was exported by :mod:`router.training.export`.
Its inputs come from the index's encoder, shared with search so that a question is encoded once:
e5's token states after its lower layers (the graph holds fine-tuned copies of the layers above)
and the ``[use | e5]`` sentence vector.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.errors import UserError
from indexer.e5 import STATES_AFTER
from indexer.encoders import E5Encoder, Encoder, get_encoder

logger = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"
META_FILE = "meta.json"
MAX_TOKENS = 64  # e5 tokens a question is cut to before routing (the prefix and the ends included)


class RouterMissingError(UserError):
    """No trained router model exists yet."""

    key = "router_missing"


@dataclass
class Thresholds:
    """A prediction is confident when ``confidence >= min_confidence`` and ``margin >= min_margin``."""

    min_confidence: float
    min_margin: float
    accepted_accuracy: float = 0.0
    coverage: float = 0.0


@dataclass(frozen=True)
class Route:
    """The router's decision. ``confident`` is False below the thresholds chosen on held-out data."""

    intent: str
    confidence: float
    margin: float
    scores: dict[str, float]
    confident: bool


def pad_states(states: list[np.ndarray], max_tokens: int = MAX_TOKENS) -> tuple[np.ndarray, np.ndarray]:
    """Token state arrays ``(tokens_i, H)`` → one zero-padded batch ``(n, T, H)`` (float32) and its
    mask ``(n, T)`` (int64); each is cut to its first ``max_tokens`` tokens."""
    lengths = [min(len(s), max_tokens) for s in states]
    hidden = states[0].shape[1] if states else E5Encoder.dim
    batch = np.zeros((len(states), max(lengths, default=1) or 1, hidden), dtype=np.float32)
    mask = np.zeros(batch.shape[:2], dtype=np.int64)
    for i, (s, n) in enumerate(zip(states, lengths, strict=True)):
        batch[i, :n] = s[:n]
        mask[i, :n] = 1
    return batch, mask


class IntentRouter:
    """Loads the exported classifier once and routes questions.

    Inputs: a question (and optionally its sentence vector from the index's encoder). Output: :class:`Route`.

    Example::

        router = load_router(Path("var/router"), retriever.encoder)
        router.route("покажи дропаут, p=0.3").intent  # 'run_demo'
    """

    def __init__(self, model_dir: Path, sentence_encoder: Encoder | None = None, threads: int = 1):
        from indexer.sessions import open_session

        meta_path, model_path = model_dir / META_FILE, model_dir / MODEL_FILE
        if not meta_path.exists() or not model_path.exists():
            raise RouterMissingError(model_dir=str(model_dir))
        self.meta = json.loads(meta_path.read_text())
        if self.meta.get("states_after") != STATES_AFTER:  # an older recipe's graph: it reads other inputs
            raise RouterMissingError(model_dir=str(model_dir))
        self.labels: list[str] = self.meta["labels"]
        self.thresholds = Thresholds(**self.meta["thresholds"])
        self.sentence_dim = int(self.meta["sentence_dim"])
        self.encoder_name = self.meta["sentence_encoder"]
        # One intra-op thread, no spinning: measured under load (bench/RESULTS.md, indexer.threads).
        self.session = open_session(model_path, threads)
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.max_tokens = int(self.meta["max_tokens"])
        self._encoder = sentence_encoder
        self._assets = Path(self.meta.get("assets", model_dir / "assets"))
        self._lock = threading.Lock()

    @property
    def sentence_encoder(self) -> Encoder:
        """The encoder whose vectors the head was trained on (the index's, or loaded on first use)."""
        if self._encoder is None:
            self._encoder = get_encoder(self.encoder_name, self._assets)
        return self._encoder

    def scores(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Softmax probabilities, shape ``(len(texts), n_intents)``."""
        if vectors is None:
            vectors = self.sentence_encoder.encode(list(texts))
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        if self.sentence_dim and vectors.shape[1] != self.sentence_dim:
            raise ValueError(
                f"the router needs {self.sentence_dim}-dim {self.encoder_name} vectors, got {vectors.shape[1]}"
            )
        states, mask = pad_states(self.sentence_encoder.token_states(list(texts)), self.max_tokens)  # type: ignore[attr-defined]
        feeds = {"states": states, "attention_mask": mask, "sentence_vectors": vectors}
        with self._lock:
            return self.session.run(["probs"], {k: v for k, v in feeds.items() if k in self._inputs})[0]

    def route(self, text: str, vector: np.ndarray | None = None) -> Route:
        """Classify one question; pass ``vector`` (the index encoder's vector of it) to avoid encoding it twice."""
        probs = self.scores([text], None if vector is None else np.asarray(vector).reshape(1, -1))[0]
        order = np.argsort(probs)[::-1]
        confidence, margin = float(probs[order[0]]), float(probs[order[0]] - probs[order[1]])
        confident = confidence >= self.thresholds.min_confidence and margin >= self.thresholds.min_margin
        return Route(
            intent=self.labels[order[0]],
            confidence=confidence,
            margin=margin,
            scores={self.labels[i]: float(probs[i]) for i in order},
            confident=confident,
        )

    def share_encoder(self, encoder: Encoder) -> bool:
        """Use ``encoder`` (the index's) for the sentence vectors when it is the one the head was trained
        with, so that the pipeline encodes each question once. Returns whether it was taken."""
        inner = getattr(encoder, "inner", encoder)
        if inner.name != self.encoder_name:
            return False
        self._encoder = encoder
        return True


def load_router(model_dir: Path, sentence_encoder: Encoder | None = None) -> IntentRouter:
    """The trained router saved in ``model_dir`` (raises RouterMissingError if absent).

    Pass the index's encoder as ``sentence_encoder`` when it is the one the router was trained
    with (``use+e5``): the pipeline then encodes each question once (see :meth:`IntentRouter.share_encoder`).
    """
    router = IntentRouter(model_dir)
    if sentence_encoder is not None:
        router.share_encoder(sentence_encoder)
    return router
