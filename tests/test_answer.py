"""The answer pipeline with the real index, the real router and the real demo registry: one status per
question (answered / resources / demo / unknown / off_topic / help / smalltalk …) and what it shows."""

from __future__ import annotations

import pytest

from bot.answer import AnswerPipeline


@pytest.fixture(scope="module")
def pipeline(retriever, intent_router):
    from demos.registry import list_demos

    return AnswerPipeline(retriever, router=intent_router, demos=list_demos())


@pytest.fixture(scope="module")
def pipeline_without_router(retriever):
    from demos.registry import list_demos

    return AnswerPipeline(retriever, router=None, demos=list_demos())


def test_russian_concept_question(pipeline) -> None:
    answer = pipeline.answer("что такое дропаут")
    assert answer.lang == "ru" and answer.status == "answered" and answer.known
    assert answer.note.slug == "dropout" and answer.depth == "short"
    assert answer.note.short("ru") in answer.text
    assert answer.demo.id == "dropout" and not answer.demo.run
    assert "Связанное:" in answer.text


def test_english_meme_question_answers_in_english(pipeline) -> None:
    answer = pipeline.answer("what's the joke with the cat pretending to drink from the tap")
    assert answer.lang == "en" and answer.status == "answered"
    assert answer.note.slug == "meme-finetune-cat"
    assert answer.note.short("en") in answer.text


def test_a_meme_question_gets_the_meme_note(pipeline) -> None:
    answer = pipeline.answer("в чём прикол мема про xgboost на kaggle")
    assert answer.status == "answered" and answer.note.slug == "meme-xgboost-kaggle"


def test_resources_question_gets_a_resource_note(pipeline) -> None:
    answer = pipeline.answer("что почитать по теории вероятностей")
    assert answer.status == "resources"
    assert answer.note.kind == "resource" and answer.note.slug == "resources-probability"


def test_off_topic_gets_a_polite_refusal(pipeline) -> None:
    for query, lang in [("какая погода завтра в москве", "ru"), ("price of a used toyota corolla", "en")]:
        answer = pipeline.answer(query)
        assert answer.status == "off_topic" and answer.note is None and not answer.known
        assert answer.text.startswith(
            "Это не про машинное обучение" if lang == "ru" else "That's not about machine learning"
        )


@pytest.mark.parametrize(
    "query",
    [
        "рецепт борща со сметаной",
        "отчислиться из вуза это dropout?",
        "lava lamp for sale",
        "how do I fine tune my guitar",
    ],
)
def test_off_topic_with_ml_words_is_never_answered_with_a_note(pipeline, query: str) -> None:
    """Look-alikes share words with notes (fine-tuning a guitar, a university dropout)."""
    answer = pipeline.answer(query)
    assert answer.note is None and not answer.known, query


def test_help_small_talk_and_an_empty_question(pipeline) -> None:
    helped = pipeline.answer("что ты умеешь?")
    assert helped.status == "help" and "Что можно спросить" in helped.text
    assert pipeline.answer("спасибо!").status == "smalltalk"
    assert "Try asking" in pipeline.answer("   ", lang="en").text


def test_unknown_ml_topic_is_admitted_not_guessed(pipeline) -> None:
    answer = pipeline.answer("how does a kalman filter update its covariance")
    assert answer.status == "unknown" and answer.note is None and not answer.known
    assert answer.topic == "Kalman filter" and answer.suggestions[0].slug == "time-series-forecasting"
    assert answer.text.startswith("I have no note on Kalman filter yet")
    bare = pipeline.answer("how does a quasar emit x-rays in the gravitational lens")
    assert bare.status in ("unknown", "off_topic") and bare.topic is None


def test_a_topic_without_a_note_is_named_in_the_refusal_with_the_closest_note_first(pipeline) -> None:
    """The k-means note names DBSCAN in passing, so search ranks it first for a DBSCAN question; the
    glossary knows DBSCAN has no note. In a dialogue about k-means too, it is a topic of its own."""
    from bot.answer.dialogue import DialogueState

    answer = pipeline.answer("how does dbscan find clusters of arbitrary shape")
    assert answer.status == "unknown" and answer.note is None and answer.topic == "DBSCAN"
    assert answer.suggestions[0].slug == "k-means"
    assert answer.text.startswith("I have no note on DBSCAN yet")
    assert answer.to_json()["topic"] == "DBSCAN"

    state = DialogueState()
    assert pipeline.answer("что такое k-means", state=state).note.slug == "k-means"
    follow_up = pipeline.answer("а дбскан чем лучше?", state=state)
    assert follow_up.status == "unknown" and follow_up.topic == "DBSCAN"
    assert follow_up.text.startswith("Про «DBSCAN» заметки у меня пока нет")


def test_run_demo_extracts_and_validates_parameters(pipeline) -> None:
    answer = pipeline.answer("покажи дропаут на примере, p=0.3")
    assert answer.status == "demo"
    assert answer.demo.id == "dropout" and answer.demo.run and answer.demo.params["p"] == pytest.approx(0.3)

    bad = pipeline.answer("run the dropout demo with p=7")
    assert bad.status == "demo" and bad.demo.id == "dropout" and not bad.demo.run
    assert "0.95" in bad.demo.error and "7" in bad.demo.error and bad.text == bad.demo.error


def test_without_router_answers_by_retrieval(pipeline_without_router) -> None:
    answer = pipeline_without_router.answer("what is dropout")
    assert answer.intent is None and answer.status == "answered" and answer.note.slug == "dropout"


def test_json_contract(pipeline) -> None:
    data = pipeline.answer("что такое переобучение").to_json()
    assert set(data) == {
        "query",
        "lang",
        "status",
        "intent",
        "confidence",
        "note",
        "depth",
        "suggestions",
        "results",
        "demo",
        "topic",
        "answer",
    }
    assert data["topic"] is None
    assert data["lang"] == "ru" and data["status"] == "answered" and data["note"] == "overfitting"
    assert data["intent"] == "explain_concept" and 0 < data["confidence"] <= 1
    assert data["results"][0]["slug"] == "overfitting"
    assert set(data["results"][0]) == {"slug", "kind", "title", "score"}
    assert data["results"][0]["title"] == "Переобучение"


def test_the_router_reads_transliterated_russian_in_cyrillic_and_the_rest_as_typed(pipeline) -> None:
    assert pipeline._router_text("skolko klasterov brat v k-means") == "сколько кластеров брат в k-means"
    assert pipeline._router_text("how does gradiant descent work") == "how does gradiant descent work"
    assert pipeline._router_text("что такое дропаутт") == "что такое дропаутт"


def test_a_short_question_the_current_note_speaks_of_is_answered_from_it(pipeline_without_router) -> None:
    """No follow-up form and no pronoun, but every topic word is in the note and nothing else would
    be answered; a question about what something is brings its own topic even when the note
    mentions it (the k-means note mentions DBSCAN in passing)."""
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    assert (
        pipeline_without_router.answer("как работает attention в трансформерах", state=state).note.slug
        == "attention"
    )
    follow = pipeline_without_router.answer("зачем делить на корень из d_k?", state=state)
    assert follow.status == "answered" and follow.note.slug == "attention" and follow.depth == "deep"
    state = DialogueState()
    assert pipeline_without_router.answer("что такое k-means", state=state).note.slug == "k-means"
    assert pipeline_without_router.answer("что такое dbscan?", state=state).status == "unknown"


def test_a_demo_asked_after_a_note_without_one_names_the_demos_of_its_linked_notes(pipeline) -> None:
    """PCA has no demo; it links k-means, whose demo is offered first (not just any five demos)."""
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    assert pipeline.answer("что такое метод главных компонент pca", state=state).note.slug == "pca"
    reply = pipeline.answer("покажи демо", state=state)
    assert reply.status == "unknown" and reply.demo is None
    assert "«Метод главных компонент (PCA)»" in reply.text
    offered = reply.text.rsplit(":", 1)[1]
    assert offered.split(",")[0].strip(" .") == "k-means"


def test_a_demo_asked_after_a_meme_without_one_runs_the_demo_of_its_concept(pipeline) -> None:
    """The train/test accuracy meme has no demo of its own; it is about overfitting, whose demo runs,
    and the values that follow go to that demo. A concept without a demo offers demos instead (above)."""
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    meme = pipeline.answer("мем где на трейне 99% точности а на тесте 60", state=state)
    assert meme.note.slug == "meme-train-vs-test-accuracy"
    shown = pipeline.answer("покажи на примере", state=state)
    assert shown.status == "demo" and shown.demo.id == "overfitting" and shown.demo.run
    again = pipeline.answer("а со степенью 20?", state=state)
    assert again.demo.id == "overfitting" and again.demo.params["degree"] == 20


def test_short_follow_ups_stay_on_the_note_and_a_described_meme_does_not(pipeline) -> None:
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    assert pipeline.answer("что такое батч нормализация", state=state).note.slug == "batch-normalization"
    follow = pipeline.answer("зачем она вообще нужна?", state=state)
    assert follow.status == "answered" and follow.note.slug == "batch-normalization"
    fresh = pipeline.answer("что это за мем где кот пьёт из-под крана", state=state)
    assert fresh.note.slug == "meme-finetune-cat"
    assert pipeline.answer("а пример есть?", state=state).demo.id == "fine-tuning"


def test_a_follow_up_the_current_note_covers_beats_a_weak_top_hit() -> None:
    """«а зачем делить на 1-p?» after dropout: the fitted decision answers from the sampling note
    (top-p), ranked first by neither name nor relevance, while the dropout note has all its words. The
    follow-up stays on dropout; a named or relevant top hit still takes it elsewhere."""
    from bot.answer.pipeline import _about_current
    from indexer.search import Hit

    def hit(named: bool = False, relevant: bool = False) -> Hit:
        return Hit("sampling-temperature", "concept", "t", "t", 4.0, 0.3, 1.0, named=named, judged=relevant)

    question = "а зачем делить на 1-p?"
    ask = dict(note="dropout", status="answered", pointed=True, unknown=False)
    assert _about_current(question, [hit()], covered=1.0, **ask)
    assert not _about_current(question, [hit(relevant=True)], covered=1.0, **ask)
    assert not _about_current(question, [hit(named=True)], covered=1.0, **ask)
    assert not _about_current(question, [hit()], covered=0.5, **ask)  # the note lacks its words


def test_a_continuation_about_a_topic_no_note_knows_is_not_kept_on_the_current_note(pipeline) -> None:
    """«а …» after RLHF keeps the chat on RLHF, unless it names something no note uses."""
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    assert pipeline.answer("что такое rlhf", state=state).note.slug == "rlhf"
    assert pipeline.answer("а зачем он нужен?", state=state).note.slug == "rlhf"
    other = pipeline.answer("а федеративное обучение как устроено?", state=state)
    assert other.status in ("unknown", "off_topic") and other.note is None


def test_a_demo_asked_for_in_words_runs_the_demo_of_the_note_it_is_about(pipeline) -> None:
    """«покажи, что творится …» about batch normalization runs its demo instead of telling about it."""
    answer = pipeline.answer("покажи что творится с активациями в глубокой сетке с нормализацией по батчу")
    assert answer.status == "demo" and answer.demo is not None and answer.demo.id == "batch-normalization"
    told = pipeline.answer("зачем нужна нормализация по батчу в глубокой сетке")
    assert told.status == "answered" and told.note.slug == "batch-normalization"


def test_a_value_said_relative_to_the_last_run_scales_the_parameter_set_last(pipeline) -> None:
    """ "double it" after "try temp 1.5" runs temperature 3; «в 10 раз меньше» scales what it names
    (and «в 2 раза» is no value of 2)."""
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    assert pipeline.answer("what does temperature do when you sample from an LLM", state=state).note
    assert pipeline.answer("try temp 1.5", state=state).demo.params["t"] == pytest.approx(1.5)
    doubled = pipeline.answer("double it", state=state)
    assert doubled.status == "demo" and doubled.demo.id == "softmax-temperature"
    assert doubled.demo.params["t"] == pytest.approx(3.0)
    state = DialogueState()
    assert pipeline.answer("покажи демо переобучения, степень 12", state=state).demo
    noisier = pipeline.answer("а теперь шум в 2 раза больше", state=state)
    assert noisier.demo.id == "overfitting" and noisier.demo.params == {
        "degree": 12,
        "noise": pytest.approx(0.6),
    }


def test_values_written_in_transliterated_russian_are_read(pipeline) -> None:
    """«ostav 70% neironov» is «оставь 70% нейронов»: keep 70%, so p = 0.3, not 0.7."""
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    assert pipeline.answer("dropaut eto chto", state=state).note.slug == "dropout"
    answer = pipeline.answer("ostav 70% neironov", state=state)
    assert answer.status == "demo" and answer.demo.id == "dropout"
    assert answer.demo.params["p"] == pytest.approx(0.3)


def test_units_kept_after_another_demo_are_no_value_for_it(pipeline) -> None:
    """After the temperature demo, «оставь 70% нейронов» does not rerun it at T = 0.7: it is a fresh
    request, dropout keeping 70% (whether it runs is the decision's call; the rules here refuse it)."""
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    assert pipeline.answer("what does temperature do when you sample from an LLM", state=state).note
    assert pipeline.answer("try temp 1.5", state=state).demo.id == "softmax-temperature"
    kept = pipeline.answer("оставь 70% нейронов", state=state)
    assert kept.demo is None or kept.demo.id != "softmax-temperature"
    request = pipeline.evidence("оставь 70% нейронов").demo_request
    assert request.demo_id == "dropout" and request.params["p"] == pytest.approx(0.3)


def test_a_number_beside_a_common_word_runs_no_demo(pipeline) -> None:
    """«хороший» is in the learning-rate demo's title, but «перплексити 10 это хорошо» asks about
    perplexity: it reads no demo and no learning rate of 10 (the fitted decision then answers it)."""
    request = pipeline.evidence("перплексити 10 это хорошо").demo_request
    assert request.demo_id is None and request.params == {}
    answer = pipeline.answer("перплексити 10 это хорошо")
    assert answer.demo is None or not answer.demo.run


def test_a_number_said_of_another_topic_does_not_rerun_the_current_demo(pipeline) -> None:
    """After the batch-norm demo, «перплексити 10 это хорошо?» is about perplexity, not depth 10; after
    the dropout demo, "а с lr 0.1?" sets the learning-rate demo's parameter, not p = 0.1."""
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    assert pipeline.answer("покажи демо батчнорма", state=state).demo.id == "batch-normalization"
    assert pipeline.answer("а если слоёв 40?", state=state).demo.params["depth"] == 40
    perplexity = pipeline.answer("перплексити 10 это хорошо?", state=state)
    assert not (
        perplexity.demo is not None and perplexity.demo.run and perplexity.demo.id == "batch-normalization"
    )
    state = DialogueState()
    assert pipeline.answer("run the dropout demo", state=state).demo.id == "dropout"
    lr = pipeline.answer("а с lr 0.1?", state=state)
    assert not (lr.demo is not None and lr.demo.run and lr.demo.id == "dropout")
    assert lr.note is None or lr.note.slug != "dropout"
    state = DialogueState()
    assert pipeline.answer("покажи демо переобучения", state=state).demo.id == "overfitting"
    accuracy = pipeline.answer("accuracy 90% это хорошо?", state=state)
    assert accuracy.status != "demo" and not (accuracy.demo is not None and accuracy.demo.run)
    # "double descent" names another note: nothing is doubled
    descent = pipeline.answer("and double descent? heard it breaks this whole picture", state=state)
    assert not (descent.demo is not None and descent.demo.run and descent.demo.id == "overfitting")


def test_a_number_word_right_after_a_demo_sets_its_value(pipeline) -> None:
    """After the k-means demo at k = 4, "and with seven?" runs it at k = 7 and «а с тремя?» at k = 3."""
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    assert pipeline.answer("run the k-means demo with 4 clusters", state=state).demo.params["k"] == 4
    seven = pipeline.answer("and with seven?", state=state)
    assert seven.status == "demo" and seven.demo.id == "k-means" and seven.demo.params["k"] == 7
    three = pipeline.answer("а с тремя?", state=state)
    assert three.status == "demo" and three.demo.params["k"] == 3
    # another demo's parameter with an equals sign: that demo runs, k is not set to 0.1
    temperature = pipeline.answer("покажи температуру t=0.1", state=state)
    assert temperature.demo is not None and temperature.demo.id == "softmax-temperature"
    assert temperature.demo.run and temperature.demo.params["t"] == 0.1


def test_a_parameter_of_another_demo_after_a_note_runs_that_demo(retriever, intent_router) -> None:
    """After ImageNet (a note without a demo), "what if it does 5 newton steps" sets the transfer
    demo's parameter: when the decision is a demo, it runs rather than staying on ImageNet."""
    from bot.answer.decision import Decision, Evidence, RuleDecider
    from bot.answer.dialogue import DialogueState
    from demos.registry import list_demos

    class DemoWhenAParameterIsSet:
        """The fitted decision's call on this question (the hand rules here refuse it)."""

        def decide(self, evidence: Evidence) -> Decision:
            request = evidence.demo_request
            if request is not None and request.found_by == "params":
                return Decision("demo", 0.9)
            return RuleDecider().decide(evidence)

    pipeline = AnswerPipeline(retriever, intent_router, list_demos(), decider=DemoWhenAParameterIsSet())
    state = DialogueState()
    assert pipeline.answer("what is imagenet", state=state).note.slug == "imagenet"
    answer = pipeline.answer("what if it does 5 newton steps", state=state)
    assert answer.status == "demo" and answer.demo.id == "transfer-logreg"
    assert answer.demo.params["steps"] == 5


def test_in_a_conversation_a_question_naming_a_note_is_not_off_topic(retriever, intent_router) -> None:
    """«а галлюцинации он убирает?» after RAG points back and names a note it covers: even when the
    decision calls it off-topic (as the fitted one did), it is answered. Alone the decision stands,
    and "college dropout rate by state" after dropout, which does not point back, stays off-topic."""
    from bot.answer.decision import Decision, Evidence
    from bot.answer.dialogue import DialogueState
    from demos.registry import list_demos

    class OffTopicButDefinitions:
        """A decision that calls everything off-topic but «что такое …» / "what is …"."""

        def decide(self, evidence: Evidence) -> Decision:
            if evidence.query.lower().startswith(("что такое", "what is")):
                return Decision("answered", 0.9)
            return Decision("off_topic", 0.9)

    pipeline = AnswerPipeline(retriever, intent_router, list_demos(), decider=OffTopicButDefinitions())
    state = DialogueState()
    assert pipeline.answer("что такое RAG?", state=state).note.slug == "rag"
    follow = pipeline.answer("а галлюцинации он убирает?", state=state)
    assert follow.status == "answered" and follow.note.slug in ("rag", "hallucinations")
    assert pipeline.answer("а галлюцинации он убирает?").status == "off_topic"
    state = DialogueState()
    assert pipeline.answer("what is dropout", state=state).note.slug == "dropout"
    assert pipeline.answer("what's the college dropout rate by state", state=state).status == "off_topic"


def test_questions_after_a_demo_stay_on_its_note(pipeline) -> None:
    """After the dropout demo, "what does p mean here?" is not the p-value of A/B tests, and "is 0.5 a
    good value?" neither reruns the demo nor gets «I don't know»: both are answered from dropout."""
    from bot.answer.dialogue import DialogueState

    for question in ("what does p mean here?", "is 0.5 a good value?"):
        state = DialogueState()
        assert pipeline.answer("run the dropout demo", state=state).demo.id == "dropout"
        answer = pipeline.answer(question, state=state)
        assert answer.status == "answered" and answer.note.slug == "dropout", question


def test_a_demo_only_guessed_beside_a_named_note_without_one_is_not_run(pipeline) -> None:
    """«перплексити 10 это хорошо?» names perplexity, which has no demo; a lower hit's demo that the bare
    10 happens to fit is no demo request. Naming the demo's parameter keeps it one ("temp 0")."""
    evidence = pipeline.evidence("перплексити 10 это хорошо?")
    assert evidence.hits[0].slug == "perplexity"
    assert evidence.demo_request.found_by == "fallback"  # a lower hit's demo
    assert pipeline._demo_beside_named_note(evidence)
    answer = pipeline.answer("перплексити 10 это хорошо?")
    assert answer.demo is None or not answer.demo.run
    named = pipeline.evidence("perplexity at temperature 0.3?")
    assert not pipeline._demo_beside_named_note(named)


def test_a_demo_asked_for_in_words_about_the_current_note_runs_its_demo(pipeline) -> None:
    """«покажи, как сеть приближает функцию» after universal approximation: what the demo shows,
    asked in words, runs it; a demo with a topic of its own does not."""
    from bot.answer.dialogue import DialogueState

    state = DialogueState()
    note = pipeline.answer("что такое универсальная аппроксимация", state=state).note
    assert note is not None and note.slug == "universal-approximation"
    shown = pipeline.answer("покажи как сеть приближает функцию", state=state)
    assert shown.status == "demo" and shown.demo.id == "universal-approximation"
    other = pipeline.answer("а покажи демку с атакой на классификатор", state=state)
    assert not (other.status == "demo" and other.demo.id == "universal-approximation")
