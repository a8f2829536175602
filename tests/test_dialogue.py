"""Follow-ups read against the chat's dialogue state, and small talk."""

from __future__ import annotations

import time

import pytest

from bot.answer.dialogue import (
    TTL_SECONDS,
    DialogueState,
    asks_for_demo,
    follow_up,
    refers_back,
    sets_a_value_in_words,
    short_question,
)
from bot.answer.smalltalk import is_goodbye, looks_like_smalltalk, smalltalk_kind

DROPOUT = DialogueState(note="dropout", demo=None, at=time.time())


@pytest.mark.parametrize(
    "text",
    [
        "подробнее",
        "подробнее плз",
        "а подробнее?",
        "ещё",
        "more",
        "tell me more",
        "In depth",
        "go on",
        "а поподробнее можно?",
        "подробнее плиз",
        "podrobnee",
        "more pls",
        "раскажи подробней",
        "tell me more about that",
        "go deeper on that",
        "explain in more detail",
        "keep going",
    ],
)
def test_deeper(text: str) -> None:
    assert follow_up(text, DROPOUT) == "deeper"
    assert follow_up(text, None) == "deeper", (
        "the pipeline turns it into 'clarify' when there is nothing to deepen"
    )


@pytest.mark.parametrize(
    "text",
    [
        "а пример?",
        "покажи демо",
        "а демку можно",
        "запусти",
        "show me",
        "run it",
        "demo please",
        "можно пример",
        "а пример есть?",
        "покажи на примере",
        "ну покажи как работает",
        "demo pls",
        "can i see it in action?",
        "a primer?",
        "а есть демка?",
        "го демку",
        "демку покажи",
        "покажи как он работает",
        "got a demo for this?",
        "is there a demo?",
        "can you show it running?",
        "дай демку",
        "pokazhi demku",
        "покажи наглядно демкой",
        "show it on digits",  # a pronoun points back; the other words say how
        "покажи это на цифрах",
        "lemme see it",
        "а для этого демо есть?",
        "show me a heatmap",  # what the demo draws
        "покажи график",
    ],
)
def test_demo_of_the_current_note(text: str) -> None:
    assert follow_up(text, DROPOUT) == "demo"


@pytest.mark.parametrize(
    "text",
    [
        "покажи пример переобучения",
        "show that meme again",
        "покажи эту картинку ещё раз",
        "see you",
        "ok see ya",
    ],
)
def test_a_request_with_a_topic_of_its_own_is_not_the_current_demo(text: str) -> None:
    assert follow_up(text, DROPOUT) != "demo"


def test_a_longer_question_that_continues_or_points_back_is_a_follow_up() -> None:
    gan = DialogueState(note="gan", at=time.time())
    assert (
        follow_up("а почему он на mnist иногда рисует одни единицы, что бы ни подал на вход?", gan)
        == "question"
    )
    assert follow_up("also why do people set bias=False on the conv right before it?", gan) == "question"
    # a longer "how …" may bring a topic of its own («affinity propagation»)
    assert (
        follow_up("how does affinity propagation clustering pick the number of clusters by itself", gan)
        == "none"
    )
    assert follow_up("а что такое attention и зачем он в трансформере нужен вообще", gan) == "none"


def test_a_why_question_about_the_demo_that_ran_is_a_follow_up() -> None:
    """«а почему в том демо стало хуже?» after the fine-tuning demo asks about it; a demo asked for
    with a topic of its own («а покажи демку с атакой») stays a fresh request."""
    ran = DialogueState(note="fine-tuning", demo="fine-tuning", at=time.time())
    assert follow_up("а почему в том демо на цифрах стало хуже, а не лучше?", ran) == "question"
    assert follow_up("and why did the demo get worse with more shots?", ran) == "question"
    assert follow_up("а покажи демку с атакой на классификатор", ran) == "none"
    # without a demo run there is no "that demo" to ask about
    assert follow_up("а почему в том демо на цифрах стало хуже, а не лучше?", DROPOUT) == "none"


def test_questions_about_the_demo_that_ran_are_follow_ups() -> None:
    """After the dropout demo: «почему так плохо?» (a why without «а»), "what does p mean here?" (points
    back with "here") and "is 0.5 a good value?" (a value asked about, not set) are questions about it."""
    ran = DialogueState(note="dropout", demo="dropout", params={"p": 0.9}, at=time.time())
    assert follow_up("почему так плохо?", ran) == "question"
    assert follow_up("what does p mean here?", ran) == "question"
    assert follow_up("is 0.5 a good value?", ran, has_params=True) == "question"
    assert follow_up("а 0.5?", ran, has_params=True) == "params"  # a bare value still sets it
    assert follow_up("is 0.5 a good value?", DROPOUT, has_params=True) != "question"  # no demo ran


def test_a_demo_asked_for_with_words_that_carry_no_topic() -> None:
    """ "show me the difference" and «покажи от чего такое бывает» after a note ask for its demo: their
    other words name no topic. «покажи пример переобучения» names one and is a fresh request."""
    nan = DialogueState(note="nan-loss", at=time.time())
    assert follow_up("show me the difference", nan) == "demo"
    assert follow_up("покажи от чего такое бывает", nan) == "demo"
    assert follow_up("сравни на графике", nan) == "demo"
    assert follow_up("покажи пример переобучения", nan) == "none"


def test_a_number_word_alone_right_after_a_demo_sets_its_value() -> None:
    """«а с тремя?», "and with seven?", «а пять?» are values; «а почему три?» and a longer question
    that mentions a number are not."""
    for text in ("а с тремя?", "and with seven?", "а пять?", "what about five"):
        assert sets_a_value_in_words(text), text
    for text in ("а почему три?", "why three?", "а с тремя слоями сеть вообще обучится нормально?", "три"):
        assert not sets_a_value_in_words(text), text


def test_parameters_for_the_current_demo() -> None:
    assert follow_up("теперь p=0.2", DROPOUT, has_params=True) == "params"
    assert (
        follow_up("now eps .3", DialogueState(demo="adversarial", at=time.time()), has_params=True)
        == "params"
    )
    assert follow_up("теперь p=0.2", DROPOUT, has_params=False) == "none"
    # «1-p» reads as a value of p, but a why-question asks about the note, it sets nothing
    assert follow_up("а почему делят на 1-p?", DROPOUT, has_params=True) == "question"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a question of more than a few words mentions a value without setting it ...
        ("а какой шанс что все пять чисел окажутся отрицательными?", "question"),
        ("so temp 0 means no hallucinations?", "question"),
        # ... unless it says it sets one
        ("а если слоёв 40?", "params"),
        ("а на 10 числах?", "params"),
        ("can you run it with eps 0.2", "params"),
        ("what about t=0.1?", "params"),
        ("а p=0.3?", "params"),
        ("а совсем холодную, 0.1?", "params"),
    ],
)
def test_a_question_with_a_value_in_it_sets_it_only_when_it_says_so(text: str, kind: str) -> None:
    state = DialogueState(note="meme-torch-log-negative", demo="log-negative", at=time.time())
    assert follow_up(text, state, has_params=True) == kind


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("зачем делить на корень из d_k?", True),
        ("what shape is the mask then?", True),
        ("что такое dbscan?", False),  # asks what something is: a topic of its own
        ("what is a gan?", False),
        ("спасибо, всё понятно", False),  # not a question
        ("а можно подробно и с примерами кода объяснить как это всё работает внутри?", False),
    ],
)
def test_short_questions_that_may_be_about_the_current_note(text: str, short: bool) -> None:
    assert short_question(text) is short


@pytest.mark.parametrize(
    ("text", "back"),
    [("а где он используется?", True), ("and why does it work?", True), ("что такое батчнорм", False)],
)
def test_refers_back(text: str, back: bool) -> None:
    assert refers_back(text) is back


@pytest.mark.parametrize("text", ["а почему делят на 1-p?", "а в керасе как?", "and in keras?", "why?"])
def test_short_questions_follow_the_current_note(text: str) -> None:
    assert follow_up(text, DROPOUT) == "question"


@pytest.mark.parametrize(
    "text",
    [
        "что такое батчнорм",
        "explain the shoggoth meme to me please",
        "как работает lora в трансформерах и зачем она нужна вообще",
        "покажи пример переобучения",
        "show me an example of batch norm",
        "tell me more about gans",
    ],
)
def test_a_new_topic_is_a_fresh_question(text: str) -> None:
    assert follow_up(text, DROPOUT) == "none"


def test_the_context_expires() -> None:
    old = DialogueState(note="dropout", at=time.time() - TTL_SECONDS - 1)
    assert not old.fresh() and follow_up("а пример?", old) == "none"
    assert not DialogueState().fresh()


def test_state_round_trips_and_survives_garbage() -> None:
    state = DialogueState(
        note="dropout", depth="deep", demo="dropout", params={"p": 0.2}, lang="en", at=123.0, last_set="p"
    )
    assert DialogueState.from_dict(state.to_dict()) == state
    assert DialogueState.from_dict({"note": 5, "at": "x"}) == DialogueState()
    assert DialogueState.from_dict(None) == DialogueState()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("привет", "hello"),
        ("спасибо!", "thanks"),
        ("пасиб", "thanks"),
        ("пока", "bye"),
        ("thanks a lot", "thanks"),
        ("hi there", "hello"),
        ("ты кто", "who"),
        ("🤔", "other"),
    ],
)
def test_smalltalk_kinds(text: str, kind: str) -> None:
    assert smalltalk_kind(text) == kind


def test_emoji_and_goodbyes() -> None:
    assert looks_like_smalltalk("🤔") and looks_like_smalltalk("?!") and not looks_like_smalltalk("p=0.3")
    assert is_goodbye("Пока!") and is_goodbye("bye") and not is_goodbye("пока не понял дропаут")


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("покажи демку про температуру софтмакса", True),
        ("demo: how a loss turns into NaN", True),
        ("запусти эксперимент с дропаутом", True),
        ("покажи, как незаметный шум ломает классификатор цифр", True),
        ("продемонстрируй забывание старой задачи", True),
        ("show what happens when the step size is way too big", True),
        ("сравни sgd и адам на одной поверхности лосса, покажи", True),  # «покажи» closing a request
        ("покажи мем про кота у крана", False),  # show a meme: an explanation, not an experiment
        ("покажи формулу софтмакса", False),
        ("что такое дропаут", False),
        ("why is the demolition meme funny", False),
    ],
)
def test_a_demo_asked_for_in_words(text: str, asked: bool) -> None:
    assert asks_for_demo(text) is asked
