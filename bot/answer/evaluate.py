"""Evaluating what the user sees: the answer pipeline end to end, per language.

Input: a JSON-lines file of single questions and dialogs (the format of ``indexer/data/testset.jsonl``)::

    {"q": "...", "lang": "ru", "expect": {"status": "answered", "note": "dropout", "also": [...], "depth": "deep"}}
    {"q": "...", "expect": {"status": "demo", "demo": "dropout", "params": {"p": 0.3}}}   # or "error": "p"
    {"dialog": [{"q": ..., "expect": {...}}, ...]}                                      # one chat, in order

The retrieval dev set format (``{"q", "lang", "slugs"}``), the uncovered and look-alike off-topic
questions (``{"q", "lang"}``: any refusal is right) and the demo requests (``{"q", "demo", "params"}``;
those that only make sense inside a dialog, marked ``fallback``, are skipped) are read too. Metrics per language (the primary one is ``shown_right``):

- ``shown_right``: of the answerable questions, the share whose shown note is a right one;
- ``unknown_refused``: of the uncovered questions, the share not answered with a note;
- ``false_unknown``: of the answerable questions, the share refused;
- ``status_accuracy``: the decided status equals the expected one (all single questions);
- ``intent_accuracy``: the router's intent is one the expected status implies (:data:`STATUS_INTENTS`;
  single questions the router read, and whose expectation implies an intent: an uncovered or off-topic
  line without one, ``{"q", "lang"}``, implies none);
- ``demo_accuracy``: demo requests with the right demo and parameters (or the right refused parameter);
- ``follow_up_accuracy``: dialog turns after the first that meet every expectation.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answer.dialogue import DialogueState
from bot.answer.model import Answer
from common.errors import UserError
from common.i18n import detect_lang

ANSWERABLE = ("answered", "resources")
REFUSED = ("unknown", "off_topic", "clarify")
METRICS = (
    "shown_right",
    "unknown_refused",
    "false_unknown",
    "status_accuracy",
    "intent_accuracy",
    "demo_accuracy",
    "follow_up_accuracy",
)
# The router's intents each expected status implies: an answerable or an uncovered question is a
# question about ML, a meme or a concept (the router need not know whether a note covers it).
STATUS_INTENTS = {
    "answered": {"explain_concept", "explain_meme"},
    "unknown": {"explain_concept", "explain_meme"},
    "resources": {"resources"},
    "demo": {"run_demo"},
    "off_topic": {"off_topic"},
    "smalltalk": {"smalltalk"},
    "help": {"help"},
    "submit": {"submit_meme"},
}


class EvalFileError(UserError):
    key = "data_file_error"


@dataclass
class Case:
    query: str
    lang: str
    expect: dict[str, Any]


@dataclass
class Outcome:
    case: Case
    answer: dict[str, Any]
    ok: bool
    follow_up: bool = False


@dataclass
class Evaluation:
    """Per-language counts; :meth:`rates` turns them into the metrics."""

    outcomes: list[Outcome] = field(default_factory=list)

    def _rate(
        self, lang: str, keep: Callable[[Outcome], bool], good: Callable[[Outcome], bool]
    ) -> tuple[float, int]:
        chosen = [o for o in self.outcomes if (lang == "all" or o.case.lang == lang) and keep(o)]
        if not chosen:
            return math.nan, 0
        return sum(1 for o in chosen if good(o)) / len(chosen), len(chosen)

    def rates(self, lang: str) -> dict[str, tuple[float, int]]:
        single = lambda o: not o.follow_up  # noqa: E731
        answerable = lambda o: single(o) and o.case.expect.get("status") in ANSWERABLE  # noqa: E731
        return {
            "shown_right": self._rate(lang, answerable, lambda o: _right_note(o)),
            "unknown_refused": self._rate(
                lang,
                lambda o: single(o) and o.case.expect.get("status") == "unknown",
                lambda o: o.answer["status"] in REFUSED,
            ),
            "false_unknown": self._rate(lang, answerable, lambda o: o.answer["status"] in REFUSED),
            "status_accuracy": self._rate(lang, single, lambda o: _status_ok(o)),
            "intent_accuracy": self._rate(
                lang,
                lambda o: single(o) and o.answer.get("intent") is not None and _implied(o) is not None,
                lambda o: o.answer["intent"] in (_implied(o) or ()),
            ),
            "demo_accuracy": self._rate(
                lang, lambda o: single(o) and o.case.expect.get("status") == "demo", lambda o: o.ok
            ),
            "follow_up_accuracy": self._rate(lang, lambda o: o.follow_up, lambda o: o.ok),
        }

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def format(self) -> str:
        lines = [f"{'metric':<20}" + "".join(f"{lang:>14}" for lang in ("ru", "en", "all"))]
        for metric in METRICS:
            cells = []
            for lang in ("ru", "en", "all"):
                value, n = self.rates(lang)[metric]
                cells.append(f"{'—' if math.isnan(value) else f'{value:.3f}'} ({n})".rjust(14))
            lines.append(f"{metric:<20}" + "".join(cells))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            lang: {m: {"rate": v, "n": n} for m, (v, n) in self.rates(lang).items()}
            for lang in ("ru", "en", "all")
        }


def _implied(o: Outcome) -> set[str] | None:
    """The intents the expectation implies (``intents`` when it lists them; none for an empty list)."""
    if "intents" in o.case.expect:
        return set(o.case.expect["intents"]) or None
    return STATUS_INTENTS.get(str(o.case.expect.get("status")))


def _status_ok(o: Outcome) -> bool:
    expected = o.case.expect.get("status")
    return o.answer["status"] == expected or (expected == "unknown" and o.answer["status"] in REFUSED)


def _right_note(o: Outcome) -> bool:
    expect = o.case.expect
    right = {expect.get("note"), *expect.get("also", [])} - {None}
    return o.answer["status"] in ANSWERABLE and o.answer["note"] in right


def _params_equal(got: dict[str, Any], want: dict[str, Any]) -> bool:
    for name, value in want.items():
        if name not in got:
            return False
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                if not math.isclose(float(got[name]), float(value), rel_tol=1e-6, abs_tol=1e-9):
                    return False
            except (TypeError, ValueError):
                return False
        elif str(got[name]).strip().lower() != str(value).strip().lower():
            return False
    return True


def meets(answer: dict[str, Any], expect: dict[str, Any]) -> bool:
    """Whether one answer (``Answer.to_json()``) meets every expectation given."""
    status = expect.get("status")
    if status == "unknown":
        return answer["status"] in REFUSED
    if answer["status"] != status:
        return False
    if (
        status in ANSWERABLE
        and expect.get("note")
        and answer["note"] not in {expect["note"], *expect.get("also", [])}
    ):
        return False
    if expect.get("depth") and answer["depth"] != expect["depth"]:
        return False
    if status == "demo":
        demo = answer.get("demo") or {}
        if demo.get("id") != expect.get("demo"):
            return False
        if "error" in expect:
            return bool(demo.get("error")) and demo.get("error_param") in (expect["error"], None)
        return not demo.get("error") and _params_equal(demo.get("params", {}), expect.get("params", {}))
    return True


def load_cases(path: Path) -> list[list[Case]]:
    """Each item is a list of cases answered in one chat (a single question is a one-case dialog)."""
    items: list[list[Case]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            turns = row["dialog"] if "dialog" in row else [row]
            cases = []
            if "fallback" in row:
                continue  # a follow-up demo request («а теперь p=0.1») means nothing without its dialog
            for turn in turns:
                expect = turn.get("expect")
                if expect is None and "demo" in turn:  # router/data/demo_requests.jsonl
                    expect = {"status": "demo", "demo": turn["demo"]}
                    expect.update(
                        {"error": turn["error"]} if "error" in turn else {"params": turn.get("params", {})}
                    )
                if expect is None:
                    slugs = turn.get("slugs")
                    expect = (
                        {"status": "answered", "note": slugs[0], "also": slugs[1:]}
                        if slugs
                        # uncovered or look-alike off-topic: any refusal is right, and no intent is implied
                        else {"status": "unknown", "intents": []}
                    )
                cases.append(
                    Case(str(turn["q"]), turn.get("lang") or detect_lang(str(turn["q"])), dict(expect))
                )
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise EvalFileError(detail=f"{path}:{number}: not an evaluation line ({exc})") from None
        items.append(cases)
    return items


def evaluate(
    items: list[list[Case]],
    answer: Callable[[str, str, DialogueState], Answer],
    kinds: dict[str, str] | None = None,
) -> Evaluation:
    """Answer every case (dialogs share one state) and score it; ``kinds`` maps slug → kind for resources."""
    evaluation = Evaluation()
    for cases in items:
        state = DialogueState()
        for turn, case in enumerate(cases):
            expect = dict(case.expect)
            if (
                kinds
                and expect.get("status") == "answered"
                and kinds.get(expect.get("note", "")) == "resource"
            ):
                expect["status"] = "resources"
            case = Case(case.query, case.lang, expect)
            result = answer(case.query, case.lang, state).to_json()
            evaluation.outcomes.append(Outcome(case, result, meets(result, expect), follow_up=turn > 0))
    return evaluation
