"""The decision's refusal operating point, chosen on out-of-fold probabilities (pure numpy, no models)."""

from __future__ import annotations

import numpy as np

from bot.answer.fit import MAX_FALSE_REFUSAL, refusal_shift

CLASSES = ["answered", "unknown"]


def test_the_shift_refuses_most_within_the_false_refusal_limit() -> None:
    rng = np.random.default_rng(0)
    # 200 answerable questions and 100 to refuse, their "unknown" margins overlapping
    margin = np.concatenate([rng.normal(-2.0, 1.0, 200), rng.normal(0.5, 1.0, 100)])
    logits = np.column_stack([np.zeros(300), margin])
    y = np.asarray([0] * 200 + [1] * 100)
    answerable = y == 0
    shift, refused, false, _ = refusal_shift(logits, y, answerable, CLASSES)
    assert false <= MAX_FALSE_REFUSAL
    # one step more would break the limit (or reach the grid's end): the point is the most refusing one
    more = np.argmax(logits + (shift + 0.1) * np.asarray([0, 1]), axis=1)
    assert (more[answerable] == 1).mean() > MAX_FALSE_REFUSAL or refused == 1.0
    assert refused > (np.argmax(logits + (shift - 0.5) * np.asarray([0, 1]), axis=1)[~answerable] == 1).mean()


def test_no_shift_when_nothing_is_refused_wrongly() -> None:
    logits = np.asarray([[2.0, -2.0], [2.0, -2.0], [-2.0, 2.0]])
    y = np.asarray([0, 0, 1])
    shift, refused, false, accuracy = refusal_shift(logits, y, y == 0, CLASSES)
    assert (shift, refused, false, accuracy) == (0.0, 1.0, 0.0, 1.0)
