"""The decision's refusal operating point, chosen on out-of-fold probabilities (pure numpy, no models)."""

from __future__ import annotations

import numpy as np

from bot.answer.decision import FEATURE_NAMES, Evidence, LearnedDecider
from bot.answer.fit import MAX_FALSE_REFUSAL, SHIFTS, refusal_shift
from indexer.search import Hit

CLASSES = ["answered", "unknown"]


def _points(logits: np.ndarray, y: np.ndarray) -> dict[float, tuple[float, float]]:
    """Every shift on the grid: (false refusals, accuracy)."""
    out = {}
    for shift in SHIFTS:
        predicted = np.argmax(logits + shift * np.asarray([0, 1]), axis=1)
        out[shift] = (float((predicted[y == 0] == 1).mean()), float((predicted == y).mean()))
    return out


def test_the_shift_is_the_most_accurate_one_within_the_false_refusal_limit() -> None:
    rng = np.random.default_rng(0)
    # 200 answerable questions and 100 to refuse, their "unknown" margins overlapping
    margin = np.concatenate([rng.normal(-2.0, 1.0, 200), rng.normal(0.5, 1.0, 100)])
    logits = np.column_stack([np.zeros(300), margin])
    y = np.asarray([0] * 200 + [1] * 100)
    shift, refused, false, accuracy = refusal_shift(logits, y, y == 0, CLASSES)
    points = _points(logits, y)
    assert (false, accuracy) == points[shift]
    assert false <= MAX_FALSE_REFUSAL
    assert accuracy == max(acc for f, acc in points.values() if f <= MAX_FALSE_REFUSAL)
    # the limit binds here: the most accurate shift of all refuses too many answerable questions
    assert max(points.values(), key=lambda p: p[1])[0] > MAX_FALSE_REFUSAL


def test_no_shift_when_nothing_is_refused_wrongly() -> None:
    logits = np.asarray([[2.0, -2.0], [2.0, -2.0], [-2.0, 2.0]])
    y = np.asarray([0, 0, 1])
    shift, refused, false, accuracy = refusal_shift(logits, y, y == 0, CLASSES)
    assert (shift, refused, false, accuracy) == (0.0, 1.0, 0.0, 1.0)


def _learned_help_always() -> LearnedDecider:
    """A fitted model that answers "help" whatever the evidence (a bias only)."""
    classes = ["answered", "unknown", "help", "off_topic"]
    n = len(FEATURE_NAMES)
    return LearnedDecider(
        np.zeros((4, n)), np.asarray([0.0, 0.0, 3.0, 0.0]), np.zeros(n), np.ones(n), classes
    )


def _evidence(named: bool, coverage: tuple[float, float, float]) -> Evidence:
    hit = Hit(
        "batch-normalization",
        "concept",
        "Батч-нормализация",
        "Batch normalization",
        7.4,
        0.43,
        5.4,
        named=named,
        e5=0.87,
        agree=1,
    )
    return Evidence("объясни батчнорм плиз", [hit], coverage=coverage)


def test_no_request_reply_wins_over_a_strong_hit() -> None:
    """Whatever the fit learned, «объясни батчнорм плиз» with its note named and covering the question
    is answered, not met with the help text; a hit that is not named, or leaves the question
    outside its note, does not overrule it."""
    decider = _learned_help_always()
    assert _evidence(True, (0.5, 0.5, 0.0)).hits[0].relevant
    assert decider.decide(_evidence(True, (0.5, 0.5, 0.0))).status == "answered"
    assert decider.decide(_evidence(False, (0.5, 0.5, 0.0))).status == "help"
    assert decider.decide(_evidence(True, (0.5, 0.2, 0.0))).status == "help"
