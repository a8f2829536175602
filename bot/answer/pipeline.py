"""The answer pipeline shared by the Telegram bot, ``memebot ask`` and the terminal chat.

One question becomes one :class:`~bot.answer.model.Answer` in four steps:

1. **Clean** the text (capped before any work) and pick the language.
2. **Dialogue**: a follow-up of the chat's :class:`~bot.answer.dialogue.DialogueState` («подробнее»,
   «а пример?», «теперь p=0.2», «а почему делят на 1-p?») is answered from the current note or demo.
3. **Evidence**: the router's intent probabilities and the retriever's hits (with their per-channel
   scores and answerability).
4. **Decision** (:mod:`bot.answer.decision`): one status from all of it — a canned reply never
   wins over a strong hit for an explain question; then the note, suggestions or demo.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Any, Protocol

from bot.answer.decision import Decider, Evidence, RuleDecider, strong_hit
from bot.answer.demo_naming import DemoNaming, demo_naming
from bot.answer.dialogue import (
    DialogueState,
    asks_for_demo,
    follow_up,
    refers_back,
    sets_a_value_in_words,
    short_question,
    without_demo_request,
)
from bot.answer.model import Answer, DemoChoice, Status
from bot.answer.render import hit_title, render_text
from bot.answer.smalltalk import looks_like_smalltalk, reply_key, smalltalk_kind
from common.errors import UserError
from common.i18n import Lang, as_lang, detect_lang, t
from common.pools import pool
from common.textnorm import clean_question
from demos.registry import validate_params
from indexer.notes import Note
from indexer.search import Hit, Retriever
from indexer.text import tokenize
from indexer.uncovered import TopicMatch
from router.params import (
    DemoRequest,
    ParamValueError,
    extract_demo_request,
    extract_params,
    names_a_demo,
    names_a_param,
    read_relative,
    relative_factor,
    value_said_of_another,
)

logger = logging.getLogger(__name__)

SUGGESTIONS = 3
RESULTS = 5
FOLLOW_UP_WITHIN = 5  # a follow-up question stays on the current note if retrieval ranks it this high
OWN_WORDS = 3  # content words a pointing-back follow-up may have before it is a topic of its own
NOTE_COVERS = 2 / 3  # share of a follow-up's topic words the current note must contain to answer it


class IntentRouter(Protocol):
    def route(self, text: str, vector: Any = None) -> Any: ...


class AnswerPipeline:
    """Route a question, retrieve notes, decide, and compose an :class:`Answer`.

    Example::

        pipeline = AnswerPipeline(Retriever.load(Path("var/index")), router=None, demos=list_demos())
        pipeline.answer("что такое дропаут").note.slug  # 'dropout'
    """

    def __init__(
        self,
        retriever: Retriever,
        router: IntentRouter | None = None,
        demos: Sequence[Any] = (),
        decider: Decider | None = None,
    ):
        self.retriever = retriever
        self.router = router
        self.demos = list(demos)
        self.decider = decider or RuleDecider()
        self._demo_naming: DemoNaming | None = None

    # ----------------------------------------------------------------- public

    def answer(
        self, query: str, lang: str | None = None, state: DialogueState | None = None, picture: bool = False
    ) -> Answer:
        """Answer ``query`` (in ``lang``, else its own language), continuing ``state`` if given.

        ``state`` is updated in place to what this answer is about. ``picture=True`` says the text was
        read from a picture a user sent (a caption, not a question): it is matched against the memes.
        """
        query = clean_question(query)
        language: Lang = as_lang(lang) if lang in ("ru", "en") else detect_lang(query)
        answer = self._from_picture(query, language) if picture else self._answer(query, language, state)
        if state is not None:
            self._remember(state, answer)
        return answer

    def evidence(self, query: str) -> Evidence:
        """What the decision sees for a fresh question (used to fit the decision model)."""
        return self._gather(clean_question(query))

    def _gather(self, query: str, read: str | None = None) -> Evidence:
        """Encode a cleaned question once; search and route with that vector (``read``: the question
        as the router reads it, when the caller has it already; it is normalised once per answer).

        The router's transformer (onnxruntime, GIL released) runs on the ``route`` pool while this
        thread searches and reads the demo evidence (Python): the two overlap on two cores.
        """
        vector = self.retriever.encoder.encode([query])[0]
        read = read or self._router_text(query)
        routing = (
            pool("route", 1).submit(self.router.route, read, vector) if self.router is not None else None
        )
        hits = self.retriever.search(query, k=RESULTS, vector=vector)
        # «ostav 70% neironov» is read as «остав 70% нейрон»: a value the Latin letters hide
        demo_named, demo_request = self._demo_named(read), self._demo_request(read, hits)
        coverage = self.retriever.coverage(query, hits[0].slug if hits else None)
        return Evidence(
            query=query,
            hits=hits,
            route=routing.result() if routing is not None else None,
            demo_named=demo_named,
            demo_request=demo_request,
            coverage=coverage,
            demo_asked=asks_for_demo(query),
            unknown_names=self.retriever.unknown_names(query),
            uncovered=self.retriever.uncovered_topics(query),
        )

    def _asks_for_top_demo(self, evidence: Evidence) -> bool:
        """The question asks in words for a demo («покажи, как …», "show me what happens …") and the
        demo it would run is the one of the note the answer would show: run it rather than tell."""
        request, hits = evidence.demo_request, evidence.hits
        return (
            evidence.demo_asked
            and request is not None
            and request.demo_id is not None
            and bool(hits)
            and self.retriever.notes[hits[0].slug].demo == request.demo_id
        )

    def _asks_for_another_demo(self, evidence: Evidence, status: Status, state: DialogueState) -> bool:
        """A demo decision for a demo the question names or sets a parameter of ("what if it does 5
        newton steps" after ImageNet), other than the current note's: no follow-up of that note."""
        request = evidence.demo_request
        note = self.retriever.notes.get(state.note or "")
        return (
            status == "demo"
            and request is not None
            and request.demo_id is not None
            and request.found_by in ("name", "params", "words")
            and (note is None or note.demo != request.demo_id)
        )

    def _demo_beside_named_note(self, evidence: Evidence) -> bool:
        """«перплексити 10 это хорошо?»: the question is about a note without a demo (a strong hit), and
        the demo is only a lower hit's, none of whose parameters is named (a bare number fits one)."""
        request = evidence.demo_request
        if request is None or request.found_by != "fallback" or evidence.demo_asked or evidence.demo_named:
            return False
        spec = self._demo_spec(request.demo_id)
        return (
            strong_hit(evidence)
            and not self.retriever.notes[evidence.hits[0].slug].demo
            and not names_a_param(evidence.query, spec.params)
        )

    def _shows_current(self, query: str, evidence: Evidence, current: Any) -> bool:
        """A demo asked for in words about what the current demo shows («покажи, как сеть приближает
        функцию» after universal approximation): every topic word is in its note and no other demo is
        named. «а покажи демку с атакой» after dropout names a topic of its own."""
        request = evidence.demo_request
        return (
            evidence.demo_asked
            and current.note_slug in self.retriever.notes
            and not (evidence.demo_named and request is not None and request.demo_id != current.id)
            and self.retriever.coverage(without_demo_request(query), current.note_slug)[1] >= NOTE_COVERS
        )

    def _router_text(self, query: str) -> str:
        """The question as the router and the dialogue read it: transliterated Russian in Cyrillic («skolko klasterov
        brat v k-means» is Latin noise to it), otherwise as typed (it learned typos as people type them)."""
        normalised = self.retriever.normalise(query)
        return normalised if _cyrillic_letters(normalised) > _cyrillic_letters(query) else query

    # ----------------------------------------------------------------- steps

    def _answer(self, query: str, lang: Lang, state: DialogueState | None) -> Answer:
        if not query:
            return self._fixed(Answer(query, lang, "help"), "help")
        if looks_like_smalltalk(query):
            return self._smalltalk(Answer(query, lang, "smalltalk"))
        current = self._current_demo(state)
        problems: list[ParamValueError] = []
        # «a pochemu on na tablichkah luchshe?» continues as «а почему он …» does
        read = self._router_text(query)
        # «перплексити 10 это хорошо?», "lr 0.1" after the dropout demo: the number is another topic's
        elsewhere = current is not None and self._said_of_another(read, current)
        given = (
            self._given_params(read, current, state, problems)
            if current is not None and not elsewhere
            else {}
        )
        kind = follow_up(read, state, has_params=bool(given or problems))
        if kind == "deeper":
            return self._deeper(query, lang, state)
        if kind == "demo" and state is not None:
            return self._demo_of_current(query, lang, state)
        if kind == "params" and current is not None and state is not None:
            params = {**(state.params if state.demo == current.id else {}), **given}
            return self._demo(Answer(query, lang, "demo"), current.id, params, problems)

        evidence = self._gather(query, read)
        hits, route = evidence.hits, evidence.route
        answer = Answer(
            query, lang, "unknown", results=hits, intent=route.intent if route is not None else None
        )
        decision = self.decider.decide(evidence)
        if current is not None and state is not None and self._shows_current(query, evidence, current):
            return self._demo(Answer(query, lang, "demo"), current.id, {**given}, problems)
        if (
            state is not None
            and not elsewhere
            and not self._asks_for_another_demo(evidence, decision.status, state)
            and state.fresh()
            and state.note in self.retriever.notes
            and (kind == "question" or short_question(query))
            and _about_current(
                query,
                hits,
                state.note,
                decision.status,
                covered=self.retriever.coverage(query, state.note)[1],
                pointed=kind == "question",
                unknown=bool(self.retriever.unknown_terms(query)),
                uncovered=bool(evidence.uncovered),
            )
        ):
            answer.status, answer.confidence = "answered", 1.0
            return self._with_note(answer, self.retriever.notes[state.note], depth="deep")
        status = decision.status
        if status == "demo" and self._demo_beside_named_note(evidence):
            status = "answered"
        if status == "off_topic" and kind == "question" and strong_hit(evidence):
            # «а галлюцинации он убирает?» after RAG: a follow-up that points back at the conversation
            # and names a note it covers is no off-topic look-alike ("college dropout rate by state"
            # after dropout does not point back, and stays off-topic)
            status = "answered"
        if self._asks_for_top_demo(evidence) and (
            status == "answered" or (status == "unknown" and evidence.hits[0].relevant)
        ):
            status = "demo"
        answer.status, answer.confidence = status, decision.confidence
        return self._compose(answer, status, evidence.demo_request, evidence.uncovered)

    def _from_picture(self, query: str, lang: Lang) -> Answer:
        """A picture's caption: the best relevant meme among the top hits, else the best relevant note."""
        hits = self.retriever.search(query, k=RESULTS) if query else []
        answer = Answer(query, lang, "unknown", results=hits, intent="explain_meme")
        relevant = [h for h in hits[:3] if h.relevant]
        chosen = next((h for h in relevant if h.kind == "meme"), relevant[0] if relevant else None)
        if chosen is None:
            return self._compose(answer, "unknown")
        answer.status, answer.confidence = "answered", 1.0
        return self._with_note(answer, self.retriever.notes[chosen.slug])

    def _compose(
        self,
        answer: Answer,
        status: Status,
        request: DemoRequest | None = None,
        topics: Sequence[TopicMatch] = (),
    ) -> Answer:
        """The answer for ``status``; ``request`` is the demo request the evidence already read,
        ``topics`` the topics without a note the question names (a refusal says which)."""
        hits = answer.results
        if status == "answered" and hits:
            answer.suggestions = (
                [h for h in hits[1:] if h.relevant][:SUGGESTIONS] if (answer.confidence or 0) < 0.5 else []
            )
            return self._with_note(answer, self.retriever.notes[hits[0].slug])
        if status == "resources":
            resources = [h for h in self.retriever.search(answer.query, k=20) if h.kind == "resource"]
            if resources:
                return self._with_note(answer, self.retriever.notes[resources[0].slug])
            answer.status = "unknown"
            status = "unknown"
        if status == "demo":
            assert request is not None, "a demo decision comes from evidence, which read the request"
            if request.demo_id is None:
                answer.text = t("demo_unknown", answer.lang, ids=", ".join(d.id for d in self.demos) or "—")
                return answer
            return self._demo(answer, request.demo_id, request.params, request.problems)
        if status == "smalltalk":
            return self._smalltalk(answer)
        if status == "unknown":
            answer.suggestions = [h for h in hits if h.relevant or h.dense >= 0.3][:SUGGESTIONS]
            if topics:
                answer.topic = topics[0].name(answer.lang)
                answer.suggestions = self._closest_to_topic(topics[0].near, hits)
            if answer.suggestions:
                answer.text = render_text(answer, self.demos)
            elif answer.topic:
                answer.text = t("unknown_topic_bare", answer.lang, topic=answer.topic)
            else:
                answer.text = t("unknown_bare", answer.lang)
            return answer
        key = {"help": "help", "submit": "submit", "off_topic": "off_topic", "clarify": "clarify"}[status]
        return self._fixed(answer, key)

    # ----------------------------------------------------------------- pieces

    def _closest_to_topic(self, near: str | None, hits: Sequence[Hit]) -> list[Hit]:
        """A refused topic's suggestions: the note the glossary calls closest ("no note on DBSCAN;
        closest: k-means"), found or not, then the relevant hits."""
        note = self.retriever.notes.get(near or "")
        first = (
            []
            if note is None
            else [next((h for h in hits if h.slug == note.slug), None) or Hit.of_note(note)]
        )
        return (first + [h for h in hits if h.relevant and h.slug != near])[:SUGGESTIONS]

    def _fixed(self, answer: Answer, key: str) -> Answer:
        answer.text = t(key, answer.lang)
        return answer

    def _smalltalk(self, answer: Answer) -> Answer:
        answer.status = "smalltalk"
        answer.smalltalk = smalltalk_kind(answer.query)
        return self._fixed(answer, reply_key(answer.smalltalk))

    def _with_note(self, answer: Answer, note: Note, depth: str = "short") -> Answer:
        answer.note = note
        answer.depth = "deep" if depth == "deep" else "short"
        if note.kind == "resource" and answer.status == "answered":
            answer.status = "resources"
        answer.related = [self.retriever.notes[s] for s in note.related if s in self.retriever.notes][:3]
        if note.demo:
            answer.demo = DemoChoice(note.demo)
        answer.text = render_text(answer, self.demos)
        return answer

    def _deeper(self, query: str, lang: Lang, state: DialogueState | None) -> Answer:
        if state is None or not state.fresh() or state.note is None or state.note not in self.retriever.notes:
            return self._fixed(Answer(query, lang, "clarify"), "clarify")
        answer = Answer(query, lang, "answered", confidence=1.0)
        note = self.retriever.notes[state.note]
        self._with_note(answer, note, depth="deep")
        if state.depth == "deep":  # already shown in full: say so, offer related notes
            answer.end_of_note = True
            answer.text = render_text(answer, self.demos)
        return answer

    def _current_demo(self, state: DialogueState | None) -> Any:
        if state is None or not state.fresh():
            return None
        note = self.retriever.notes.get(state.note or "")
        return self._demo_spec(
            state.demo or (_own_or_core_demo(note, self.retriever.notes) if note else None)
        )

    def _demo_spec(self, demo_id: str | None) -> Any:
        """The spec of demo ``demo_id`` among this pipeline's demos (None when it has no such demo)."""
        return next((d for d in self.demos if d.id == demo_id), None)

    def _said_of_another(self, read: str, current: Any) -> bool:
        """The follow-up's number belongs to another topic or demo («перплексити 10 это хорошо?», "lr
        0.1" after the dropout demo): a fresh question, not a new value for the current demo."""
        own = {slug for slug, note in self.retriever.notes.items() if note.demo == current.id}
        others = [p for d in self.demos if d.id != current.id for p in d.params]
        return value_said_of_another(
            read, current.params, others, lambda words: bool(self.retriever.names_in(words) - own)
        )

    def _without_other_names(self, read: str, current: Any) -> str:
        """``read`` without the names of notes the current demo does not illustrate, unless a name also
        names one of its parameters: "and double descent?" after the overfitting demo doubles nothing."""
        notes = self.retriever.notes
        others = self.retriever.names_in(read) - {s for s, n in notes.items() if n.demo == current.id}
        for slug in sorted(others):
            for name in notes[slug].names:
                if not names_a_param(name, current.params):
                    read = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", read, flags=re.I)
        return read

    def _given_params(
        self, query: str, current: Any, state: DialogueState | None, problems: list[ParamValueError]
    ) -> dict[str, Any]:
        """The values a follow-up sets for the current demo: said relative to the ones it ran with
        ("double it", «в 10 раз меньше»: that reading wins, «в 2 раза» is no value of 2), else written."""
        ran_with: dict[str, Any] = {}
        last_set = None
        ran = False
        if state is not None and state.demo == current.id:
            ran, ran_with, last_set = True, state.params, state.last_set
        scaled = self._without_other_names(query, current) if relative_factor(query) is not None else query
        given = read_relative(scaled, current.params, ran_with, last_set) or extract_params(
            query, current.params, problems
        )
        if not given and not problems and ran and sets_a_value_in_words(query):
            given = extract_params(query, current.params, problems, number_words=True)
        return given

    def _demo_of_current(self, query: str, lang: Lang, state: DialogueState) -> Answer:
        spec = self._current_demo(state)
        if spec is None:
            notes = self.retriever.notes
            note = notes.get(state.note or "")
            title = note.display_title(lang) if note is not None else "—"
            # the demos of the notes it links to come first: after PCA, k-means; after bagging, dropout
            near = [notes[s].demo for s in (note.related if note is not None else ()) if s in notes]
            ids = [d.id for d in self.demos]
            examples = ", ".join(list(dict.fromkeys(d for d in (*near, *ids) if d in ids))[:5])
            answer = Answer(query, lang, "unknown")
            answer.text = t("no_demo_here", lang, title=title, examples=examples)
            return answer
        problems: list[ParamValueError] = []
        params = extract_params(query, spec.params, problems)
        return self._demo(Answer(query, lang, "demo"), spec.id, params, problems)

    def _demo(
        self, answer: Answer, demo_id: str, raw: dict[str, Any], problems: Sequence[ParamValueError] = ()
    ) -> Answer:
        answer.status = "demo"
        spec = self._demo_spec(demo_id)
        choice = DemoChoice(demo_id, run=True)
        try:
            choice.params = validate_params(spec, raw)
        except UserError as exc:  # out of range or wrong type: say so in the user's language
            choice.error, choice.run = exc.message(answer.lang), False
            choice.error_param = getattr(exc, "param", None)
        if problems:  # a value written but unreadable («p=много»): name the parameter and its range
            choice.error, choice.run = problems[0].message(answer.lang), False
            choice.error_param = problems[0].param
        answer.demo = choice
        if spec.note_slug in self.retriever.notes:
            answer.note = self.retriever.notes[spec.note_slug]
        answer.text = render_text(answer, self.demos)
        return answer

    def _demo_request(self, query: str, hits: Sequence[Hit]) -> DemoRequest:
        """The demo a question asks for (named, else the first of the top notes' demos) and its values."""
        notes = self.retriever.notes
        fallback = next((notes[h.slug].demo for h in hits[:3] if notes[h.slug].demo), None)
        naming = self._naming()
        return extract_demo_request(
            query, self.demos, fallback_demo_id=fallback, names=naming.names, common=naming.common
        )

    def _demo_named(self, query: str) -> bool:
        """A demo's id or title is written (not just a word or parameter of it): evidence for the decision."""
        self._naming()  # its phrase tables, loaded from the index version rather than built here
        return names_a_demo(query, self.demos)

    def _naming(self) -> DemoNaming:
        """The names that call the demos («дропаут», «кот у крана» too), made once per pipeline."""
        if self._demo_naming is None:
            self._demo_naming = demo_naming(self.retriever, self.demos)
        return self._demo_naming

    def _remember(self, state: DialogueState, answer: Answer) -> None:
        """The chat is now about what this answer showed (unknown and canned replies keep the old topic)."""
        if answer.status == "demo" and answer.demo is not None and answer.demo.run:
            spec = self._demo_spec(answer.demo.id)
            before = state.params if state.demo == answer.demo.id else validate_params(spec, {})
            changed = [k for k, v in answer.demo.params.items() if before.get(k) != v]
            if state.demo != answer.demo.id or changed:
                state.last_set = changed[-1] if changed else None
            state.demo, state.params = answer.demo.id, dict(answer.demo.params)
            state.note = answer.note.slug if answer.note is not None else state.note
        elif answer.status in ("answered", "resources") and answer.note is not None:
            if answer.note.slug != state.note:
                state.demo, state.params, state.last_set = None, {}, None
            state.note, state.depth = answer.note.slug, answer.depth
        else:
            return
        state.lang, state.at = answer.lang, time.time()


def _own_or_core_demo(note: Note, notes: dict[str, Note]) -> str | None:
    """The demo a note shows: its own, or for a meme without one, that of the concept it is about
    (its first related note): «покажи на примере» after the train/test accuracy meme runs overfitting."""
    if note.demo or note.kind != "meme" or not note.related:
        return note.demo
    core = notes.get(note.related[0])
    return core.demo if core is not None else None


def _cyrillic_letters(text: str) -> int:
    return sum("а" <= c <= "я" or c == "ё" for c in text.lower())


def _about_current(
    query: str,
    hits: Sequence[Hit],
    note: str,
    status: Status,
    covered: float,
    pointed: bool,
    unknown: bool,
    uncovered: bool = False,
) -> bool:
    """Whether a short question is about the current note rather than a topic of its own.

    ``pointed``: the question has the form of a follow-up («а где он используется?», "and in
    keras?"). It is about the current note unless it names another one; when retrieval does not find
    the current note it still is if nothing else would be answered, if the note speaks of its words
    and the answer would be a top hit neither named nor judged relevant («а зачем делить на 1-p?»
    after dropout, whose top hit is top-p sampling), or if it points back at it with
    few words of its own («почему это смешно?»; «что это за мем, где кот пьёт из-под крана»
    describes a topic of its own) or with words the note speaks of («а сколько параметров она
    обучает?» after LoRA). Any other short question («зачем делить на корень из d_k?» after
    attention) is about the current note only when the note speaks of its words (``covered``: the
    share of its topic words found in the note) and nothing else would be answered. ``unknown``: the
    question has a word no note uses («а федеративное обучение как устроено?» after RLHF): when
    nothing would be answered either, that is a topic of its own the notes do not cover.
    ``uncovered``: the question names a topic without a note («а hnsw индекс как устроен?» after
    embeddings, "what about hierarchical clustering?" after k-means): a topic of its own.
    """
    if uncovered or (hits and hits[0].named and hits[0].slug != note):
        return False
    answered = status in ("answered", "resources")
    if not pointed:
        return covered >= NOTE_COVERS and not answered
    if unknown and not answered:
        return False
    if any(h.slug == note for h in hits[:FOLLOW_UP_WITHIN]) or not answered:
        return True
    if covered >= NOTE_COVERS and not (hits and (hits[0].named or hits[0].relevant)):
        return True
    return refers_back(query) and (len(tokenize(query)) <= OWN_WORDS or covered >= NOTE_COVERS)


def suggestion_titles(answer: Answer) -> list[str]:
    return [hit_title(h, answer.lang) for h in answer.suggestions]


__all__ = ["AnswerPipeline", "Hit"]
