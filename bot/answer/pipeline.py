"""The answer pipeline shared by the Telegram bot, ``memebot ask`` and the terminal chat:
route → retrieve → answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from common.i18n import Lang, as_lang, detect_lang
from common.i18n import t as text
from demos.errors import DemoError
from demos.registry import validate_params
from indexer.notes import Note
from indexer.search import ANSWERABLE_WITHIN, Hit, Retriever, answerable
from router.params import extract_demo_request, note_names

logger = logging.getLogger(__name__)

SUGGESTIONS = 3
# A suggestion under "I don't know" should at least be loosely related.
SUGGESTION_MIN_DENSE = 0.3


EXPLAIN_KIND = {"explain_meme": "meme", "explain_concept": "concept", "resources": "resource"}


class IntentRouter(Protocol):
    def route(self, text: str, vector: Any = None) -> Any: ...


@dataclass
class DemoChoice:
    """A demo the answer offers or asks to run. ``error`` holds a message when parameters are invalid."""

    id: str
    params: dict[str, Any] = field(default_factory=dict)
    run: bool = False
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "params": self.params, "run": self.run}
        if self.error:
            data["error"] = self.error
        return data


@dataclass
class Answer:
    """Everything the surfaces need to show one answer.

    ``note`` is the note answered from (None for help, off-topic, unknown); ``suggestions`` are
    "did you mean" notes; ``text`` is a plain-text rendering in ``lang``.
    """

    query: str
    lang: Lang
    intent: str | None
    confidence: float | None
    results: list[Hit]
    note: Note | None = None
    related: list[Note] = field(default_factory=list)
    suggestions: list[Hit] = field(default_factory=list)
    demo: DemoChoice | None = None
    known: bool = True
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "lang": self.lang,
            "intent": self.intent,
            "confidence": None if self.confidence is None else round(float(self.confidence), 4),
            "results": [
                {"slug": h.slug, "kind": h.kind, "title": h.title if self.lang == "ru" else h.title_en, "score": h.score}
                for h in self.results
            ],
            "demo": self.demo.to_json() if self.demo else None,
            "answer": self.text,
        }


class AnswerPipeline:
    """Route a question, retrieve notes and compose an :class:`Answer`.

    Example::

        pipeline = AnswerPipeline(Retriever.load(), router=None, demos=list_demos())
        pipeline.answer("что такое дропаут").note.slug  # 'dropout'
    """

    def __init__(self, retriever: Retriever, router: IntentRouter | None = None, demos: Sequence[Any] = ()):
        self.retriever = retriever
        self.router = router
        self.demos = list(demos)

    # ----------------------------------------------------------------- public

    def answer(self, query: str, lang: str | None = None) -> Answer:
        query = " ".join(query.split())
        lang = as_lang(lang) if lang in ("ru", "en") else detect_lang(query)
        vector = self.retriever.encoder.encode([query])[0] if query else None
        hits = self.retriever.search(query, k=5, vector=vector) if query else []
        route = self.router.route(query, vector=vector) if (self.router is not None and query) else None
        intent = route.intent if route is not None else None
        confidence = route.confidence if route is not None else None
        answer = Answer(query=query, lang=lang, intent=intent, confidence=confidence, results=hits)

        if not query:
            return self._fixed(answer, "help")
        if route is not None and not route.confident:
            # Unsure which intent: let retrieval decide, and offer alternatives. If retrieval finds
            # nothing either and the router leans to off-topic or help, say that instead.
            if not answerable(hits) and intent in ("off_topic", "help"):
                answer.known = intent == "help"
                return self._fixed(answer, intent)
            return self._from_hits(answer, hits, suggest_always=True)
        if intent == "help":
            return self._fixed(answer, "help")
        if intent == "off_topic":
            answer.known = False
            return self._fixed(answer, "off_topic")
        if intent == "submit_meme":
            return self._fixed(answer, "submit")
        if intent == "run_demo":
            return self._demo(answer, hits)
        if intent == "resources":
            # Asked what to read: the best resource note, even if a concept note matches the words better.
            resources = [h for h in self.retriever.search(query, k=20, vector=vector) if h.kind == "resource"]
            return self._from_hits(answer, resources[:1] + hits, prefer_kind="resource", known=bool(resources))
        if intent in EXPLAIN_KIND:
            return self._from_hits(answer, hits, prefer_kind=EXPLAIN_KIND[intent])
        return self._from_hits(answer, hits)

    # ----------------------------------------------------------------- pieces

    def _fixed(self, answer: Answer, key: str) -> Answer:
        answer.text = text(key, answer.lang)
        return answer

    def _from_hits(
        self, answer: Answer, hits: list[Hit], suggest_always: bool = False, prefer_kind: str | None = None, known: bool | None = None
    ) -> Answer:
        """Answer from the best hit, or admit not knowing.

        Whether the question is answerable is judged on the top hits (``known`` overrides); the
        answer is then the best note of ``prefer_kind`` among them, else the first relevant one.
        """
        lang = answer.lang
        dedup: dict[str, Hit] = {}
        for h in hits:
            dedup.setdefault(h.slug, h)
        hits = list(dedup.values())
        if known is None:
            known = answerable(hits)
        if known:
            top = hits[:ANSWERABLE_WITHIN]
            preferred = next((h for h in top if h.kind == prefer_kind and h.dense >= SUGGESTION_MIN_DENSE), None) if prefer_kind else None
            preferred = preferred or next((h for h in top if h.relevant), hits[0])
            hits = [preferred] + [h for h in hits if h is not preferred]
        if not known:
            answer.known = False
            answer.suggestions = [h for h in hits if h.relevant or h.dense >= SUGGESTION_MIN_DENSE][:SUGGESTIONS]
            if answer.suggestions:
                lines = [text("unknown", lang), *(f"• {self._title(h, lang)}" for h in answer.suggestions)]
                answer.text = "\n".join(lines)
            else:
                answer.text = text("unknown_bare", lang)
            return answer
        note = self.retriever.notes[hits[0].slug]
        answer.note = note
        answer.related = [self.retriever.notes[s] for s in note.related if s in self.retriever.notes][:3]
        if suggest_always:
            answer.suggestions = [h for h in hits[1:] if h.relevant][:SUGGESTIONS]
        if note.demo:
            answer.demo = DemoChoice(note.demo)
        answer.text = self.render(answer)
        return answer

    def _demo(self, answer: Answer, hits: list[Hit]) -> Answer:
        from_retrieval = next((self.retriever.notes[h.slug].demo for h in hits if self.retriever.notes[h.slug].demo), None)
        names = note_names(self.retriever.notes.values())
        request = extract_demo_request(answer.query, self.demos, fallback_demo_id=from_retrieval, names=names)
        if request.demo_id is None:
            answer.text = text("demo_unknown", answer.lang, ids=", ".join(d.id for d in self.demos) or "—")
            return answer
        choice = DemoChoice(request.demo_id, run=True)
        spec = next(d for d in self.demos if d.id == request.demo_id)
        try:
            choice.params = validate_params(spec, request.params)
        except DemoError as exc:  # out of range or wrong type: say so in the user's language
            choice.error = exc.message(answer.lang)
            choice.run = False
        if request.problems:  # a value written but unreadable («p=много»): name the parameter and its range
            choice.error = request.problems[0].message(answer.lang)
            choice.run = False
        answer.demo = choice
        if spec.note_slug in self.retriever.notes:
            answer.note = self.retriever.notes[spec.note_slug]
        title = spec.title_ru if answer.lang == "ru" else spec.title_en
        params = ", ".join(f"{k}={v}" for k, v in choice.params.items()) or "—"
        answer.text = choice.error or text("demo_run", answer.lang, title=title, params=params)
        return answer

    @staticmethod
    def _title(hit: Hit, lang: str) -> str:
        return hit.title if lang == "ru" else hit.title_en

    def render(self, answer: Answer) -> str:
        """Plain-text answer: title, short explanation, related notes, demo."""
        note, lang = answer.note, answer.lang
        assert note is not None
        parts = [note.display_title(lang), "", note.short(lang)]
        if answer.related:
            parts += ["", text("related", lang) + " " + ", ".join(r.display_title(lang) for r in answer.related)]
        if answer.demo:
            spec = next((d for d in self.demos if d.id == answer.demo.id), None)
            title = (spec.title_ru if lang == "ru" else spec.title_en) if spec else answer.demo.id
            parts += ["", text("demo_available", lang, title=title, id=answer.demo.id)]
        if answer.suggestions:
            parts += ["", text("did_you_mean", lang) + " " + ", ".join(self._title(h, lang) for h in answer.suggestions)]
        return "\n".join(parts)
