"""The one decision: what to show for a question, from the router's probabilities and the hits.

:class:`LearnedDecider` is a multinomial logistic regression over :func:`features` (intent
probabilities, the top hits' per-channel scores and answerability, agreement, whether a note or a
demo is named), fitted on the dev data and cross-validated by :mod:`bot.answer.fit`; its weights
are a small JSON file under ``MEMEBOT_HOME``. :class:`RuleDecider` is the fallback when no fitted
model exists: the same evidence, hand rules.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.answer.model import Status
from indexer.search import Hit
from indexer.uncovered import TopicMatch

# The statuses the decision chooses between (clarify comes from the dialogue, never from here).
DECISIONS: tuple[Status, ...] = (
    "answered",
    "resources",
    "demo",
    "unknown",
    "smalltalk",
    "help",
    "submit",
    "off_topic",
)
INTENT_STATUS: dict[str, Status] = {
    "explain_meme": "answered",
    "explain_concept": "answered",
    "resources": "resources",
    "run_demo": "demo",
    "smalltalk": "smalltalk",
    "help": "help",
    "submit_meme": "submit",
    "off_topic": "off_topic",
}
INTENTS = tuple(INTENT_STATUS)
STRONG_HIT_CONFIDENCE = 0.75  # rules only: a named or agreed-on hit that covers the question
# The rules' look-alike guard (the fitted model learns its own): the top note must contain this share
# of the question's words to beat a canned reply, and an answer whose note covers less is off-topic
# when the router gives off_topic at least this probability.
COVERS = 0.5
LOOKALIKE_OFF_TOPIC = 0.15
# ... and, when the router is sure it is off-topic, the index must know this share of the question's
# words: "how do I fine tune my guitar" has all but the guitar in the fine-tuning note, and no note
# knows the guitar. (Asked of every question, it sent meme captions typed as questions away too.)
KNOWN = 0.75
LOOKALIKE_SURE = 0.5
MODEL_FILE = "decision.json"

logger = logging.getLogger(__name__)


@dataclass
class Evidence:
    """Everything the decision looks at for one question."""

    query: str
    hits: list[Hit]
    route: Any = None  # router.infer.Route or None
    demo_named: bool = False
    # the demo the question would run and the values written for it (router.params.DemoRequest or None)
    demo_request: Any = None
    # share of the question's words the index knows, the share the top note's text contains, and the
    # rarity of the rarest word other notes use but the top note does not (Retriever.coverage):
    # look-alikes and uncovered questions leave most words, or one telling word, outside the note
    coverage: tuple[float, float, float] = (1.0, 1.0, 0.0)
    # a demo asked for in words («покажи демку про …», "demo: …"), named or not
    demo_asked: bool = False
    # Latin words no note uses (Retriever.unknown_names): a method's name the notes do not know
    unknown_names: int = 0
    # topics without a note the question names, with the closest note (Retriever.uncovered_topics):
    # "how does dbscan work" ranks k-means first, since k-means names DBSCAN in passing
    uncovered: list[TopicMatch] = field(default_factory=list)

    @property
    def demo_params(self) -> bool:
        """Parameter values are written for the demo of the named or top notes («k-means с семью кластерами»)."""
        request = self.demo_request
        return request is not None and bool(request.params or request.problems)

    def intent_probs(self) -> dict[str, float]:
        scores = getattr(self.route, "scores", None) or {}
        return {intent: float(scores.get(intent, 0.0)) for intent in INTENTS}


@dataclass
class Decision:
    status: Status
    confidence: float
    probabilities: dict[str, float] = field(default_factory=dict)


class Decider(Protocol):
    def decide(self, evidence: Evidence) -> Decision: ...


def _hit_features(hit: Hit | None) -> list[float]:
    if hit is None:
        return [0.0] * 9
    return [
        1.0,
        float(hit.dense),
        float(getattr(hit, "e5", 0.0)),
        math.log1p(max(float(hit.bm25), 0.0)),
        1.0 if hit.named else 0.0,
        float(getattr(hit, "agree", 0)) / 3.0,
        1.0 if hit.relevant else 0.0,
        1.0 if hit.kind == "resource" else 0.0,
        1.0 if hit.kind == "meme" else 0.0,
    ]


def features(evidence: Evidence) -> np.ndarray:
    """The decision's input vector (fixed order; :data:`FEATURE_NAMES` names each position)."""
    probs = evidence.intent_probs()
    hits = evidence.hits
    top = hits[0] if hits else None
    second = hits[1] if len(hits) > 1 else None
    gap = float(top.score - second.score) if top is not None and second is not None else 0.0
    words = len(evidence.query.split())
    vector = [
        *(probs[i] for i in INTENTS),
        *_hit_features(top),
        *_hit_features(second)[1:4],
        gap * 10.0,
        sum(1.0 for h in hits[:3] if h.relevant) / 3.0,
        1.0 if evidence.demo_named else 0.0,
        math.log1p(words),
        1.0 if evidence.route is None else 0.0,
        1.0 if evidence.demo_params else 0.0,
        *evidence.coverage,
        1.0 if evidence.demo_asked else 0.0,
        min(evidence.unknown_names, 2) / 2.0,
        1.0 if evidence.uncovered else 0.0,
    ]
    return np.asarray(vector, dtype=np.float64)


FEATURE_NAMES = [
    *(f"p_{i}" for i in INTENTS),
    "top_present", "top_dense", "top_e5", "top_bm25", "top_named", "top_agree", "top_relevant", "top_resource", "top_meme",
    "second_dense", "second_e5", "second_bm25",
    "score_gap", "relevant_share", "demo_named", "log_words", "no_router",
    "demo_params", "known_share", "top_coverage", "rare_outside", "demo_asked", "unknown_names",
    "uncovered",
]  # fmt: skip


CANNED: tuple[Status, ...] = ("help", "submit", "off_topic", "smalltalk")
ASKED_FOR: tuple[Status, ...] = ("help", "submit", "smalltalk")  # canned replies to a request


def _covers(evidence: Evidence) -> bool:
    """The top note speaks of most of the question: "how do I fine tune my guitar" names fine-tuning
    but leaves the guitar outside it (and the router is sure it is off-topic)."""
    probs = evidence.intent_probs()
    return evidence.coverage[1] >= COVERS and (
        evidence.coverage[0] >= KNOWN or probs.get("off_topic", 0.0) < LOOKALIKE_SURE
    )


def strong_hit(evidence: Evidence) -> bool:
    """The top hit is relevant, named or agreed on by the channels, and covers the question: no canned
    reply may win over it («объясни батчнорм плиз» is no request for help)."""
    hits = evidence.hits
    return (
        bool(hits)
        and hits[0].relevant
        and (hits[0].named or getattr(hits[0], "agree", 0) >= 2)
        and _covers(evidence)
    )


class RuleDecider:
    """Hand rules over the same evidence; used until a fitted model exists."""

    def decide(self, evidence: Evidence) -> Decision:
        probs = evidence.intent_probs()
        intent = max(probs, key=lambda k: probs[k]) if evidence.route is not None else None
        hits = evidence.hits
        relevant = any(h.relevant for h in hits[:3])
        covers, strong = _covers(evidence), strong_hit(evidence)
        confidence = probs.get(intent, 0.0) if intent else 0.0
        if intent is None:
            return Decision("answered" if relevant else "unknown", 0.5)
        status = INTENT_STATUS[intent]
        if status == "demo" and not (evidence.demo_named or relevant):
            status = "unknown"
        elif status in CANNED and strong:
            # A canned reply never wins over a strong hit; the router's probability of that reply is no
            # measure of the answer (the learning loop lists answers below 0.5 as guesses).
            status, confidence = "answered", max(STRONG_HIT_CONFIDENCE, 1.0 - confidence)
        elif (
            status in ("help", "submit", "smalltalk")
            and not getattr(evidence.route, "confident", True)
            and not relevant
        ):
            # «как работает фильтр калмана» sent to help at p = 0.39: "I don't know", not a menu
            status = "unknown"
        elif status == "answered" and (not relevant or (evidence.uncovered and not hits[0].named)):
            status = "unknown"
        elif status == "answered" and not covers and probs["off_topic"] >= LOOKALIKE_OFF_TOPIC:
            status = "off_topic"  # «отчислиться из вуза это dropout?»: a name, the rest about something else
        return Decision(status, confidence)


class LearnedDecider:
    """Multinomial logistic regression: ``softmax(W · standardise(features) + b)`` over :data:`DECISIONS`."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        mean: np.ndarray,
        scale: np.ndarray,
        classes: list[str],
        meta: dict[str, Any] | None = None,
    ):
        self.weights, self.bias, self.mean, self.scale = weights, bias, mean, scale
        self.classes = classes
        self.meta = meta or {}

    @classmethod
    def load(cls, path: Path) -> LearnedDecider:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("features") != FEATURE_NAMES:
            raise ValueError("the decision model was fitted on other features; run 'memebot router train'")
        return cls(
            np.asarray(data["weights"], dtype=np.float64),
            np.asarray(data["bias"], dtype=np.float64),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            list(data["classes"]),
            data.get("meta", {}),
        )

    def save(self, path: Path) -> None:
        data = {
            "features": FEATURE_NAMES,
            "classes": self.classes,
            "weights": self.weights.tolist(),
            "bias": self.bias.tolist(),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "meta": self.meta,
        }
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.weights.T + self.bias
        z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        out: np.ndarray = e / e.sum(axis=-1, keepdims=True)
        return out

    def decide(self, evidence: Evidence) -> Decision:
        probs = self.probabilities(features(evidence)[None, :])[0]
        best = int(np.argmax(probs))
        status: Status = self.classes[best]  # type: ignore[assignment]
        confidence = float(probs[best])
        if status == "answered" and not evidence.hits:
            status = "unknown"
        elif status in ASKED_FOR and "answered" in self.classes and strong_hit(evidence):
            # whatever the fit learned, help, a submission or small talk never wins over a strong hit
            # (off-topic may: look-alikes such as "college dropout rate by state" name a note too)
            status, confidence = "answered", float(probs[self.classes.index("answered")])
        return Decision(status, confidence, {c: float(p) for c, p in zip(self.classes, probs, strict=True)})


def load_decider(home: Path) -> Decider:
    """The fitted decision model in ``home`` if there is one (and it matches the features), else the rules."""
    path = home / MODEL_FILE
    if path.is_file():
        try:
            return LearnedDecider.load(path)
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("decision model unusable (%s); using the rules", exc)
    return RuleDecider()
