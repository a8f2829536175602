"""Dialogue context: what the chat was last about, so a follow-up is understood as one.

A :class:`DialogueState` is kept per chat (Telegram: the chat's persisted data; ``memebot chat``:
in memory; ``ask --jsonl``: per ``chat`` id) and expires after :data:`TTL_SECONDS`.
:func:`follow_up` reads a message against it:

- «подробнее» / "more" → the current note's next depth (then "that's all");
- «а пример?» / «покажи демо» / "run it" → the current note's demo;
- «теперь p=0.2» / "now eps .3" / "double it" / «вдвое меньше» → the current demo again with the new
  parameters;
- a short question without a topic of its own («а почему делят на 1-p?», "and in keras?", «зачем
  она нужна?», "when should I use it?") → a question about the current note (the pipeline answers
  from it unless the question names another note).
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bot.answer.smalltalk import smalltalk_kind
from common.textnorm import translit_to_cyrillic

TTL_SECONDS = 30 * 60

FollowUpKind = Literal["deeper", "demo", "params", "question", "none"]

_WORD = r"(?<![\w-]){}(?![\w-])"
# Politeness and hedges people wrap a follow-up in («подробнее плиз», "demo pls", «а пример есть?»).
_PLEASE_WORDS = r"плз|плиз|пжл|пж|pls|plz|please|пожалуйста|можно|есть|ли|бы"
_PLEASE = rf"(?:{_PLEASE_WORDS})"
DEEPER_RE = re.compile(
    r"^\W*(?:а\s+|and\s+|ok\s+|ок\s+|хорошо\s+|давай\s+|можно\s+|расскажи\s+|tell me\s+|go\s+)?"
    r"(?:(?:по)?подробн\w*|ещё|еще|дальше|продолж\w*|глубже|детальн\w*|развернут\w*|podrobn\w*|popodrobn\w*|eshch?e"
    r"|more|tell me more|go on|keep going|carry on|deeper|in depth|details?|elaborate|continue)"
    rf"(?:\s+{_PLEASE})*\W*$",
    re.I,
)
DEMO_RE = re.compile(
    r"^\W*(?:а\s+|a\s+|and\s+|ну\s+|ок\s+|ok\s+|можно\s+|а можно\s+|can you\s+|could you\s+|can i\s+|let me\s+"
    r"|let'?s\s+|давай\s+)?"
    r"(?:покажи|запусти|прогони|пример|примерчик|демо|демку|демка|эксперимент|primer|pokazhi|zapusti"
    r"|show|run|demo|example|try|see)\w*"
    r"(?:\s+(?:демо|демку|пример|эксперимент|it|me|the demo|an example|a demo|его|её|это|in action|in practice"
    r"|на практике|на примере|в деле|как работает|how it works|"
    rf"{_PLEASE_WORDS}))*\W*$",
    re.I,
)
PARAMS_HINT_RE = re.compile(
    r"(?<!\w)(?:теперь|а если|и если|с|на|при|что будет|попробуй|запусти|давай|возьми|поставь|сделай"
    r"|now|what about|what if|what happens|what would happen|with|using|use|set|run|try)(?!\w)",
    re.I,
)
# A question of more than a few words mentions values without setting them unless it says so
# («а какой шанс, что все пять чисел отрицательные?», "so temp 0 means no hallucinations?";
# but «а если слоёв 40?», "what about t=0.1?", «а p=0.3?», «а совсем холодную, 0.1?»).
QUESTION_WORDS_FOR_VALUES = 4
# A why-question about the note («а почему делят на 1-p?») mentions a parameter without setting it.
WHY_RE = re.compile(r"(?<!\w)(?:почему|зачем|отчего|why|how come)(?!\w)", re.I)
FOLLOW_QUESTION_RE = re.compile(
    r"^\W*(?:а|и|and|but|so|also|plus|а вот|а как|а почему|а зачем|а что|а ещё|а еще|ещё|еще|почему|зачем|why|how"
    r"|what about|а в|in)\b",
    re.I,
)
# Words that open a continuation of what was said («а …», «и …», "and …", "also …"): a longer question
# that opens so is a follow-up (a longer "why …"/"how …" may bring its own topic).
CONTINUES_RE = re.compile(r"^\W*(?:а|и|and|but|so|also|plus|ещё|еще)(?!\w)", re.I)
# A question word without the «а»/"and" (the question is a follow-up only when it also points back:
# «зачем она нужна?», "when should I use it?", but not «что такое батчнорм»).
BARE_QUESTION_RE = re.compile(
    r"^\W*(?:почему|зачем|как|где|когда|что|чем|какой|какая|какие|кто|сколько|можно ли"
    r"|why|how|where|when|what|which|who|does|do|is|are|can|could|should|will|would)(?!\w)",
    re.I,
)
# A question asking what something is: it brings its own topic.
DEFINITION_RE = re.compile(
    r"^\W*(?:а\s+|and\s+|so\s+)?(?:что так\w*|что за|что значит|что означает|кто так\w*|объясни|расскажи про"
    r"|what is|what's|whats|what are|what does \S+ mean|who is|explain|tell me about)(?!\w)",
    re.I,
)
# Words that point back at what was just shown: «а где он используется?», "why does it ...".
REFERS_BACK_RE = re.compile(
    r"(?<!\w)(?:он|она|оно|они|его|её|ее|ему|ей|их|это|этот|эта|этого|там|тут|здесь"
    r"|it|its|this|that|they|them|there|here)(?!\w)",
    re.I,
)
SHORT_FOLLOW_UP_WORDS = 9
LONG_FOLLOW_UP_WORDS = 18
POINTER_WITHIN = 3  # a longer question's first words, where a pronoun is its subject

# A follow-up read word by word: a short message made only of cue words for "deeper" or "demo"
# and words that carry no topic («раскажи подробней», "tell me more about that", «го демку»,
# "got a demo for this?", "can you show it running?"). The patterns above need a fixed order;
# these take the words in any order, so word order and a typo in a filler word do not matter.
_DEEPER_CUES = re.compile(
    r"(?:по)?подробн\w*|детальн\w*|детал\w*|глубже|развернут\w*|ещё|еще|дальше|продолж\w*|podrobn\w*"
    r"|more|deeper|detail\w*|elaborate|depth|continue|expand",
    re.I,
)
_DEMO_NOUNS = re.compile(
    r"демо|демк\w*|демонстрац\w*|пример\w*|эксперимент\w*|вживую|demos?|demonstrat\w*|example\w*|experiment\w*|primer"
    r"|график\w*|графичек|heatmaps?|plots?|graphs?|charts?",  # what a demo draws: "show me a heatmap"
    re.I,
)
_DEMO_VERBS = re.compile(
    r"покаж\w*|показ\w*|запуст\w*|прогон\w*|наглядн\w*|глянуть|посмотреть|увидеть|show\w*|run\w*|action"
    r"|live|visual\w*|see|watch|сравни\w*|compare",
    re.I,
)
_CUES = (("deeper", _DEEPER_CUES), ("noun", _DEMO_NOUNS), ("verb", _DEMO_VERBS))
_FILLERS = frozenset(
    """а и ну ок окей давай го можно можешь могу мне меня нам ли бы есть плз плиз пжл пж
    пожалуйста как он она оно они его её ее это этого этот эта тут там про о об на в с по чуть
    немного поподробней расскажи раскажи рассказать раскажите расскажите объясни обьясни объяснить
    работает работают деле действии тогда дай дайте хочу для
    and so ok okay go can could would you me us i let lemme please pls plz tell explain say show it its
    this that these those about on of in for with a an the is there got have any some bit little
    works working how then now give gimme want wanna
    от такое чего отчего бывает происходит получается разница разницу difference what happens""".split()
)
FOLLOW_UP_WORD_LIMIT = 7
# «покажи этот мем ещё раз» asks for the picture, not an experiment
_PICTURE_RE = re.compile(r"(?<!\w)(?:мем\w*|картинк\w*|meme\w*|picture\w*|image\w*)", re.I)
# words of its own a demo request pointing back («покажи это на цифрах») may carry
POINTED_DEMO_OWN_WORDS = 2


def _word_kind(word: str) -> str | None:
    """``deeper``, ``noun`` or ``verb`` for a cue word, ``filler`` for a word without a topic, else None."""
    cue = next((kind for kind, cue_re in _CUES if cue_re.fullmatch(word)), None)
    return cue or ("filler" if word in _FILLERS else None)


def _cue_kind(text: str) -> FollowUpKind:
    """``deeper``/``demo`` when every word is a cue or a filler (see :data:`_FILLERS`), else none.

    A demo asked for with a pronoun pointing back may carry a word or two of its own ("show it on
    digits", «покажи это на цифрах»): "it" is what was just shown, the other words say how.
    """
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words or len(words) > FOLLOW_UP_WORD_LIMIT:
        return "none"
    cues: set[str] = set()
    own = 0
    for word in words:
        kind = _word_kind(word)
        if kind is None and word.isascii():
            kind = _word_kind(translit_to_cyrillic(word))  # «pokazhi demku», «podrobnee»
        if kind is None:
            own += 1  # a word of its own: a topic («покажи пример переобучения»)
        else:
            cues.add(kind)
    if own and not (
        own <= POINTED_DEMO_OWN_WORDS
        and "verb" in cues
        and refers_back(text)
        and not _PICTURE_RE.search(text)
    ):
        return "none"
    if "noun" in cues or ("verb" in cues and "deeper" not in cues):
        return "demo"
    return "deeper" if "deeper" in cues else "none"


@dataclass
class DialogueState:
    """What a chat was last about: the note shown and how deep, the demo run and its parameters."""

    note: str | None = None
    depth: str = "short"
    demo: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    lang: str = "ru"
    at: float = 0.0
    last_set: str | None = None  # the parameter the user changed last ("double it" scales it)

    def fresh(self, now: float | None = None) -> bool:
        """Still the same conversation: something was shown less than :data:`TTL_SECONDS` ago."""
        now = time.time() if now is None else now
        return (self.note is not None or self.demo is not None) and now - self.at <= TTL_SECONDS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> DialogueState:
        """A state restored from persisted chat data; anything malformed gives an empty state."""
        if not isinstance(data, dict):
            return cls()
        try:
            return cls(
                note=data.get("note") if isinstance(data.get("note"), str) else None,
                depth=str(data.get("depth", "short")),
                demo=data.get("demo") if isinstance(data.get("demo"), str) else None,
                params=dict(data.get("params") or {}),
                lang=str(data.get("lang", "ru")),
                at=float(data.get("at", 0.0)),
                last_set=data.get("last_set") if isinstance(data.get("last_set"), str) else None,
            )
        except (TypeError, ValueError):
            return cls()


_ASKS_DEMO_RE = re.compile(
    r"(?<!\w)(?:демо|демк\w*|демонстрац\w*|продемонстрир\w*|эксперимент\w*|запусти\w*|прогони\w*|вживую"
    r"|симуляц\w*|покажи,?\s+(?:как|что)|покажи(?=\W*$)|demos?|demonstrat\w*|experiment\w*|run|simulat\w*|in action"
    r"|show(?:\s+me)?\s+(?:how|what))(?!\w)",
    re.I,
)


def asks_for_demo(text: str) -> bool:
    """The text asks for a demo in words («покажи демку про температуру софтмакса», "demo: how a loss
    turns into NaN", «покажи, как шум ломает классификатор», "show what happens when …"), whether or
    not it names one: evidence for the decision, not a decision."""
    return bool(_ASKS_DEMO_RE.search(text))


def without_demo_request(text: str) -> str:
    """``text`` without the words that ask for a demo («покажи, как сеть приближает функцию» → «, как
    сеть приближает функцию»): what is left says what the demo should show."""
    return _ASKS_DEMO_RE.sub(" ", text)


def sets_a_value_in_words(text: str) -> bool:
    """A few words that set a value, right after a demo ran («а с тремя?», "and with seven?", «а пять?»):
    a number word alone there is the demo's value, not a word of a question («а почему три?»)."""
    stripped = " ".join(text.split())
    return (
        len(stripped.split()) <= QUESTION_WORDS_FOR_VALUES
        and not WHY_RE.search(stripped)
        and bool(PARAMS_HINT_RE.search(stripped) or CONTINUES_RE.match(stripped))
    )


def short_question(text: str) -> bool:
    """A question of a few words («зачем делить на корень из d_k?», "what shape is the mask then?")
    that does not ask what something is («что такое dbscan?» names a topic of its own, even when the
    current note mentions it): the pipeline checks whether the current note speaks of it."""
    stripped = " ".join(text.split())
    return (
        _asks(stripped)
        and len(stripped.split()) <= SHORT_FOLLOW_UP_WORDS
        and not DEFINITION_RE.match(stripped)
    )


def _asks(stripped: str) -> bool:
    return stripped.endswith("?") or BARE_QUESTION_RE.match(stripped) is not None


def refers_back(text: str) -> bool:
    """The text points at what was just shown (a pronoun or «это»), rather than naming its own topic."""
    return bool(REFERS_BACK_RE.search(text))


def follow_up(
    text: str, state: DialogueState | None, has_params: bool = False, now: float | None = None
) -> FollowUpKind:
    """How ``text`` continues the conversation in ``state`` (``"none"``: a fresh question).

    ``has_params`` says whether the text assigns a parameter of the current demo (the pipeline
    parses parameters; this module only knows the words around them).
    """
    stripped = " ".join(text.split())
    cue = _cue_kind(stripped)
    if DEEPER_RE.match(stripped) or (cue == "deeper" and not has_params):
        return "deeper"
    if state is None or not state.fresh(now):
        return "none"
    if (DEMO_RE.match(stripped) or (cue == "demo" and not has_params)) and smalltalk_kind(stripped) != "bye":
        return "demo"  # "see you" is a goodbye, "let me see it" the demo
    if has_params and (state.demo is not None or state.note is not None) and not WHY_RE.search(stripped):
        words = len(stripped.split())
        if PARAMS_HINT_RE.search(stripped) or (
            words <= SHORT_FOLLOW_UP_WORDS and not (_asks(stripped) and words > QUESTION_WORDS_FOR_VALUES)
        ):
            return "params"
    if (
        has_params
        and state.demo is not None
        and _asks(stripped)
        and len(stripped.split()) <= SHORT_FOLLOW_UP_WORDS
    ):
        return "question"  # "is 0.5 a good value?" after the demo asks about a value, sets none
    if asks_for_demo(stripped) and not (state.demo is not None and WHY_RE.search(stripped)):
        # «а покажи демку с атакой»: a demo asked for in words with a topic of its own is a fresh
        # request (the current note's demo was handled above), not a question about the note; «а почему
        # в том демо стало хуже?» after a demo asks about the one that ran
        return "none"
    if state.note is not None and len(stripped.split()) <= SHORT_FOLLOW_UP_WORDS:
        if FOLLOW_QUESTION_RE.match(stripped):
            return "question"
        if BARE_QUESTION_RE.match(stripped) and refers_back(stripped):
            return "question"
    if (
        state.note is not None
        and len(stripped.split()) <= LONG_FOLLOW_UP_WORDS
        and (
            CONTINUES_RE.match(stripped)
            or (BARE_QUESTION_RE.match(stripped) and refers_back(" ".join(stripped.split()[:POINTER_WITHIN])))
        )
        and not DEFINITION_RE.match(stripped)
    ):
        # a longer question that continues («а какой шанс, что все пять чисел отрицательные?», "also
        # why do people set bias=False on the conv right before it?") or whose subject points back
        # ("why does it divide m and v by 1 - beta^t?"; in «как работает lora … и зачем она нужна» the
        # pronoun comes late and is the question's own topic)
        return "question"
    return "none"
