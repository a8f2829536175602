"""Route a question to an intent with a confidence, using the trained classifier."""

from __future__ import annotations

import json
import logging
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from common.errors import UserError
from indexer.encoders import Encoder, get_encoder
from router.features import Featurizer
from router.model import IntentClassifier

logger = logging.getLogger(__name__)


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


class IntentRouter:
    """Loads the fine-tuned classifier once and routes questions.

    Inputs: a question (and optionally its precomputed USE vector). Output: :class:`Route`.

    Example::

        router = load_router()
        router.route("покажи дропаут, p=0.3").intent  # 'run_demo'
    """

    def __init__(self, model_dir: Path, sentence_encoder: Encoder | None = None, threads: int = 1, quantize: bool = True):
        meta_path, model_path = model_dir / "meta.json", model_dir / "model.pt"
        if not meta_path.exists() or not model_path.exists():
            raise RouterMissingError(model_dir=str(model_dir))
        self.meta = json.loads(meta_path.read_text())
        self.labels: list[str] = self.meta["labels"]
        self.thresholds = Thresholds(**self.meta["thresholds"])
        cfg = self.meta["config"]
        # One intra-op thread: a short query gains nothing from two, and two OpenMP threads spinning
        # beside the numpy encoder's threads on 2 cores made p50 latency 20x worse (bench/RESULTS.md).
        torch.set_num_threads(threads)
        self.model = IntentClassifier(
            len(self.labels),
            use_sentence_vectors=cfg.get("use_sentence_vectors", True),
            dropout=cfg.get("dropout", 0.1),
        )
        self.model.load_state_dict(torch.load(model_path, map_location="cpu", weights_only=True))
        self.model.eval()
        if quantize:
            # int8 weights for the linear layers: ~2x faster on CPU, same held-out accuracy
            # (checked by tests/test_router.py against the metadata; figures in bench/RESULTS.md).
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8)
        self.featurizer = Featurizer(sentence_encoder or get_encoder("use"))
        self._lock = threading.Lock()

    def scores(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Softmax probabilities, shape ``(len(texts), n_intents)``."""
        vecs = torch.from_numpy(np.asarray(vectors, dtype=np.float32)) if vectors is not None else self.featurizer.vectors(texts)
        toks = self.featurizer.tokens(texts)
        with self._lock, torch.inference_mode():
            logits = self.model(toks["input_ids"], toks["attention_mask"], vecs.reshape(len(texts), -1))
        return torch.softmax(logits, dim=-1).numpy()

    def route(self, text: str, vector: np.ndarray | None = None) -> Route:
        """Classify one question; pass ``vector`` (its USE embedding) to avoid encoding it twice."""
        probs = self.scores([text], None if vector is None else vector.reshape(1, -1))[0]
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


def load_router(model_dir: Path, sentence_encoder: Encoder | None = None) -> IntentRouter:
    """The trained router saved in ``model_dir`` (raises RouterMissingError if absent)."""
    return IntentRouter(model_dir, sentence_encoder)
