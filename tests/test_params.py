"""Reading demo requests written as people write them (router/params.py, router/parsing/).

Most tests run against stand-ins of the 15 demos (tests/param_specs.py); a few against the real
registry; one scores the dev set (router/data/demo_requests.jsonl).
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from common.errors import UserError
from router.params import (
    DemoRequest,
    common_words,
    extract_demo_request,
    extract_params,
    find_demo_id,
    names_a_demo,
    names_a_param,
    note_names,
    read_relative,
    value_said_of_another,
)
from router.parsing.naming import names_of
from router.parsing.tokens import parse_number, tokenize
from tests.param_specs import BY_ID, DEMOS, StubDemo, StubParam

REPO = Path(__file__).resolve().parent.parent
# What the knowledge notes add as names (the pipeline passes them from the index).
NOTE_NAMES = {
    "dropout": ["Дропаут", "Dropout", "дропаут", "дроп-аут"],
    "spatial-dropout": ["Пространственный (канальный) дропаут", "channel dropout", "канальный дропаут"],
    "fine-tuning": ["Дообучение (файнтюнинг)", "файнтюнинг", "fine tuning", "кот у крана"],
    "transfer-logreg": ["Перенос обучения", "transfer learning"],
    "softmax-temperature": ["Температура и сэмплирование (top-k, top-p)", "температура", "temperature"],
    "learning-rate": ["Learning rate (скорость обучения)", "скорость обучения", "lr"],
    "optimizers": ["Оптимизаторы Adam и AdamW", "adam", "адам"],
    "k-means": ["Кластеризация k-means (метод k-средних)", "кластеризация", "kmeans"],
    "overfitting": ["Переобучение", "overfitting", "оверфит"],
    "attention": ["Механизм внимания (attention)", "self-attention"],
    "batch-normalization": ["Батч-нормализация", "батчнорм", "batchnorm", "batch norm"],
    "nan-loss": ["Лосс стал NaN (или inf)", "nan loss", "nan в лоссе"],
    "adversarial-examples": ["Состязательные примеры (adversarial-атаки)", "FGSM"],
}


def ask(text: str, fallback: str | None = None) -> DemoRequest:
    return extract_demo_request(text, DEMOS, fallback_demo_id=fallback, names=NOTE_NAMES)


@pytest.mark.parametrize(
    ("text", "demo", "params"),
    [
        # the forms of the brief
        ("dropout p=0.3", "dropout", {"p": 0.3}),
        ("dropout: p=0.3", "dropout", {"p": 0.3}),  # "dropout" is not the alias "drop" (nor "p:" a bad value)
        ("dropout p .3", "dropout", {"p": 0.3}),
        ("дропаут p: 0,3", "dropout", {"p": 0.3}),
        ("дропаут «30%»", "dropout", {"p": 0.3}),
        ("дропаут, вероятность 0.3", "dropout", {"p": 0.3}),
        ("дропаут: оставь 20% нейронов", "dropout", {"p": 0.8}),
        ("дропаут, выкинь 30%", "dropout", {"p": 0.3}),
        ("дропни 30% в дропауте", "dropout", {"p": 0.3}),
        ("dropout keeping 70%", "dropout", {"p": 0.3}),
        ("dropout, вероятность сохранения 0.8", "dropout", {"p": 0.2}),
        ("adversarial eps .1", "adversarial", {"eps": 0.1}),
        ("FGSM, эпсилон 0,05", "adversarial", {"eps": 0.05}),
        ("файнтюнинг на трёх примерах", "fine-tuning", {"shots": 3}),
        ("fine tuning with 5 shots", "fine-tuning", {"shots": 5}),
        ("universal approximation, 2000 steps", "universal-approximation", {"steps": 2000}),
        ("универсальная аппроксимация за 2000 шагов", "universal-approximation", {"steps": 2000}),
        ("универсальная аппроксимация, функция bump", "universal-approximation", {"func": "bump"}),
        ("universal approximation of the wave function", "universal-approximation", {"func": "wave"}),
        ("softmax temperature 2", "softmax-temperature", {"t": 2.0}),
        ("температура 0.5", "softmax-temperature", {"t": 0.5}),
        ("softmax t=0.3", "softmax-temperature", {"t": 0.3}),
        ("k-means, k=5 кластеров", "k-means", {"k": 5}),
        ("k-means на 5 кластеров", "k-means", {"k": 5}),
        ("батчнорм, глубина 30 слоёв", "batch-normalization", {"depth": 30}),
        ("batchnorm with 30 layers", "batch-normalization", {"depth": 30}),
        ("learning rate demo, lr 1e-3", "learning-rate", {"lr": 0.001}),
        ("скорость обучения 0.01", "learning-rate", {"lr": 0.01}),
        ("переобучение, степень 12", "overfitting", {"degree": 12}),
        ("overfitting degree 12", "overfitting", {"degree": 12}),
        ("переобучение, шум 0.5", "overfitting", {"noise": 0.5}),
        # number words, decimal commas, other number forms
        ("дообучение на пяти примерах", "fine-tuning", {"shots": 5}),
        ("дообучение на двадцати примерах", "fine-tuning", {"shots": 20}),
        ("дообучение на двадцати пяти примерах", "fine-tuning", {"shots": 25}),
        ("универсальная аппроксимация, сто шагов", "universal-approximation", {"steps": 100}),
        ("универсальная аппроксимация, две тысячи шагов", "universal-approximation", {"steps": 2000}),
        ("fine tuning with three shots", "fine-tuning", {"shots": 3}),
        ("fine tuning with twenty-five shots", "fine-tuning", {"shots": 25}),
        ("universal approximation, 2,000 steps", "universal-approximation", {"steps": 2000}),
        ("universal approximation, 2k steps", "universal-approximation", {"steps": 2000}),
        ("learning rate 10^-3", "learning-rate", {"lr": 0.001}),
        ("переобучение: шум 1,25", "overfitting", {"noise": 1.25}),
        ("dropout p of 0.05", "dropout", {"p": 0.05}),
        ("дропаут р=0.3", "dropout", {"p": 0.3}),  # a Cyrillic р
        ("adversarial with eps=8/255", "adversarial", {"eps": pytest.approx(8 / 255)}),
        ("дропаут с p равным 0,4", "dropout", {"p": 0.4}),
        ("дропаут, выкинь половину нейронов", "dropout", {"p": 0.5}),
        ("дропаут, сорок процентов", "dropout", {"p": 0.4}),
        # several parameters, in any order
        ("optimizers: 200 steps, lr 0.05", "optimizers", {"lr": 0.05, "steps": 200}),
        ("оптимизаторы, шагов 150, скорость обучения 0,003", "optimizers", {"lr": 0.003, "steps": 150}),
        ("overfitting with noise 0.2 and degree 15", "overfitting", {"degree": 15, "noise": 0.2}),
        ("overfitting 12", "overfitting", {"degree": 12}),  # a bare 12 can only be the degree
        ("fine-tuning on digits, 4 shots", "fine-tuning", {"shots": 4, "task": "digits"}),
        ("файнтюнинг, task=factors", "fine-tuning", {"task": "factors"}),
        # ordinals, hyphenated forms, look-alike names
        ("переобучение, полином третьей степени", "overfitting", {"degree": 3}),
        ("overfitting with a 3rd degree polynomial", "overfitting", {"degree": 3}),
        ("переобучение, полином 12-й степени", "overfitting", {"degree": 12}),
        ("fine-tuning, 5-shot", "fine-tuning", {"shots": 5}),
        ("оптимизаторы, 300 шагов обучения", "optimizers", {"steps": 300}),  # steps, not «шаг обучения» = lr
        ("оптимизаторы с шагом обучения 0.01", "optimizers", {"lr": 0.01}),
        ("optimizers, step size 0.05", "optimizers", {"lr": 0.05}),
        ("overfitting, 10 points, degree 3", "overfitting", {"degree": 3}),  # 10 fits no parameter left
        ("dropout 0.3 on 2 layers", "dropout", {"p": 0.3}),  # 2 is no probability
        ("покажи torch.log(-1)", "log-negative", {}),  # an argument, not n
        # text parameters
        ("attention sentence=the cat sat", "attention", {"sentence": "the cat sat"}),
        ("attention для фразы мама мыла раму", "attention", {"sentence": "мама мыла раму"}),
        ('покажи внимание на предложении "кот сел на ковёр"', "attention", {"sentence": "кот сел на ковёр"}),
        (
            "attention on the sentence: the cat sat on the mat.",
            "attention",
            {"sentence": "the cat sat on the mat"},
        ),
        ("attention: 3 cats sat on 2 mats", "attention", {"sentence": "3 cats sat on 2 mats"}),
        (
            "attention map for: the animal didn't cross the street",
            "attention",
            {"sentence": "the animal didn't cross the street"},
        ),
        ("адверсариал, эпсилон ноль целых три десятых", "adversarial", {"eps": 0.3}),
        ("покажи attention", "attention", {}),
        ("nan loss", "nan-loss", {}),
    ],
)
def test_reads_the_demo_and_its_parameters(text: str, demo: str, params: dict[str, Any]) -> None:
    request = ask(text)
    assert (request.demo_id, request.params, request.problems) == (demo, params, [])


def test_values_are_typed() -> None:
    request = ask("optimizers, lr 0,01, 200 steps")
    assert isinstance(request.params["steps"], int) and isinstance(request.params["lr"], float)
    assert ask("overfitting, degree 2.5").params == {"degree": 2.5}  # left for the registry to refuse
    assert ask("dropout keeping 70%").params["p"] == 0.3  # no 0.30000000000000004


def test_keep_means_one_minus_only_for_a_declared_drop_probability() -> None:
    keep = StubParam(
        "p", "float", 0.5, 0.05, 1.0, aliases=("keep", "вероятность")
    )  # today's dropout: p keeps
    assert extract_params("оставь 70% нейронов", [keep]) == {"p": 0.7}
    drop = StubParam("p", "float", 0.5, 0.0, 0.95, complement=True)
    assert extract_params("оставь 70% нейронов", [drop]) == {"p": pytest.approx(0.3)}
    assert extract_params("keep probability 0.9", [drop]) == {"p": pytest.approx(0.1)}
    assert extract_params("drop probability 0.9", [drop]) == {"p": 0.9}
    assert extract_params("дропни 30%, оставь остальное", [drop]) == {"p": 0.3}


def test_a_drop_probability_is_known_by_its_aliases_when_not_declared() -> None:
    drop = StubParam("p", "float", 0.5, 0.0, 0.95, aliases=("drop_p", "обнуление"))
    keep = StubParam(
        "p", "float", 0.5, 0.05, 1.0, aliases=("keep_prob", "drop")
    )  # says keep: not a drop probability
    assert extract_params("keep 70%", [drop]) == {"p": pytest.approx(0.3)}
    assert extract_params("keep 70%", [keep]) == {"p": 0.7}
    assert extract_params("keep 70%", [StubParam("p", "float", 0.5, 0.0, 1.0, complement=False)]) == {
        "p": 0.7
    }


def test_a_name_two_parameters_share_goes_to_the_one_the_value_fits() -> None:
    optimizers = BY_ID["optimizers"]  # «шаг» is an alias of lr there, and a step is also a step
    assert [p.aliases for p in optimizers.params if p.name == "lr"] == [
        ("learning_rate", "rate", "шаг", "скорость")
    ]
    assert extract_params("оптимизаторы, 300 шагов", optimizers.params) == {"steps": 300}
    assert extract_params("оптимизаторы, шаг 0.05", optimizers.params) == {"lr": 0.05}
    assert extract_params("шаг 0.05 и 200 шагов", optimizers.params) == {"lr": 0.05, "steps": 200}


@pytest.mark.parametrize(
    ("text", "param", "ru", "en"),
    [
        (
            "дропаут p=много",
            "p",
            "Не понял значение для p: нужно число от 0 до 0.95, например p=0.5",
            "number from 0 to 0.95",
        ),
        ("dropout p=0.3.5", "p", "число от 0 до 0.95", "e.g. p=0.5"),
        ("dropout, p:", "p", "число от 0 до 0.95", "number"),
        ("optimizers, steps=lots", "steps", "целое число от 10 до 500", "whole number from 10 to 500"),
        ("optimizers, 50% steps", "steps", "целое число от 10 до 500", "whole number"),
        (
            "универсальная аппроксимация, функция косинус",
            "func",
            "одно из: sin, wave, bump",
            "one of: sin, wave, bump",
        ),
        ("attention on ''", "sentence", "фразу в кавычках", "phrase in quotes"),
    ],
)
def test_unreadable_values_are_problems_naming_the_parameter_and_range(
    text: str, param: str, ru: str, en: str
) -> None:
    request = ask(text)
    assert request.demo_id is not None and param not in request.params
    [problem] = request.problems
    assert isinstance(problem, UserError) and problem.param == param
    assert ru in problem.message("ru") and en in problem.message("en")
    assert pickle.loads(pickle.dumps(problem)).message("ru") == problem.message("ru")


def test_out_of_range_values_are_read_and_left_to_the_registry() -> None:
    assert ask("дропаут p=1.5").params == {"p": 1.5}
    assert ask("k-means with 12 clusters").params == {"k": 12}
    assert ask("lr -1 learning rate").params == {"lr": -1.0}


def test_a_text_after_a_lead_in_and_a_colon_is_the_demos_text() -> None:
    """After the attention demo, "now try: …" and «а теперь: …» give its sentence; a colon after words
    of a question gives none."""
    attention = BY_ID["attention"].params
    assert extract_params("now try: the animal didn't cross the street", attention) == {
        "sentence": "the animal didn't cross the street"
    }
    assert extract_params("а теперь: кот сел на ковёр", attention) == {"sentence": "кот сел на ковёр"}
    assert extract_params("what is this: a test", attention) == {}
    assert extract_params("now try it", attention) == {}


def test_numbers_inside_a_quoted_sentence_are_not_parameters() -> None:
    demo = StubDemo(
        "toy", "Toy", "Toy", "toy", (StubParam("sentence", "text", "", 1, 12), StubParam("n", "int", 3, 1, 9))
    )
    request = extract_demo_request('toy "2 cats and 5 dogs" n=4', [demo])
    assert request.params == {"sentence": "2 cats and 5 dogs", "n": 4}


@pytest.mark.parametrize(
    ("text", "names", "fallback", "demo"),
    [
        ("покажи spatial-dropout", None, None, "spatial-dropout"),  # id
        ("Spatial dropout please", None, None, "spatial-dropout"),  # head of the title
        ("покажи канальный дропаут", NOTE_NAMES, None, "spatial-dropout"),  # note alias; longest name wins
        ("покажи дропаут", NOTE_NAMES, None, "dropout"),
        ("покажи дропаута работу", NOTE_NAMES, None, "dropout"),  # another ending
        ("а что там с многочленами", None, None, "overfitting"),  # a word only one demo's names use
        (
            "optimizers with lr 0.01",
            NOTE_NAMES,
            None,
            "optimizers",
        ),  # "lr" names a parameter here, not a demo
        ("eps 0.2", None, None, "adversarial"),  # the only demo with that parameter
        ("покажи на примере", None, "fine-tuning", "fine-tuning"),  # the caller's fallback
        ("again with eps 0.3", None, "dropout", "adversarial"),  # the fallback has no eps, adversarial does
        ("покажи дропаут 0.3 и spatial dropout 0.5", NOTE_NAMES, None, "dropout"),  # the one named first
        ("spatial dropout 0.5, а потом дропаут", NOTE_NAMES, None, "spatial-dropout"),
        ("p=0.3", None, None, None),  # dropout or spatial dropout: can't tell
        ("как дела", None, None, None),
    ],
)
def test_identifies_the_demo(
    text: str, names: dict[str, list[str]] | None, fallback: str | None, demo: str | None
) -> None:
    assert extract_demo_request(text, DEMOS, fallback_demo_id=fallback, names=names).demo_id == demo


def test_the_request_says_how_the_demo_was_found() -> None:
    assert ask("покажи дропаут").found_by == "name"
    assert ask("покажи на примере", fallback="fine-tuning").found_by == "fallback"
    assert extract_demo_request("а что там с многочленами", DEMOS).found_by == "words"
    assert extract_demo_request("eps 0.2", DEMOS).found_by == "params"
    assert extract_demo_request("как дела", DEMOS).found_by == ""


def test_extract_params_can_hand_back_the_problems() -> None:
    problems: list[UserError] = []
    assert extract_params("p=много", BY_ID["dropout"].params, problems) == {}
    assert [p.param for p in problems] == ["p"]  # type: ignore[attr-defined]


def test_a_number_word_alone_is_no_value() -> None:
    assert (
        extract_params("почему три?", BY_ID["log-negative"].params) == {}
    )  # «три» is a value next to a name only
    assert extract_params("возьми три числа", BY_ID["log-negative"].params) == {"n": 3}
    assert extract_params("почему 3?", BY_ID["log-negative"].params) == {"n": 3}  # digits, as before


def test_zero_alone_is_a_value() -> None:
    """«ноль» is hardly ever said of anything but a value, unlike «три» («почему три?»)."""
    assert extract_params("а если вообще ноль?", BY_ID["adversarial"].params) == {"eps": 0.0}
    assert extract_params("zero noise", BY_ID["overfitting"].params) == {"noise": 0.0}
    # the verb is no value: "zero out 10%" drops 10%
    assert extract_params("dropout, zero out 10% of activations", BY_ID["dropout"].params) == {"p": 0.1}


def test_a_share_of_units_kept_or_dropped_is_no_other_parameter() -> None:
    """«оставь 70% нейронов» said after the temperature demo is no temperature of 0.7: only a keep or
    drop probability takes a value said of what is kept or dropped."""
    assert extract_params("оставь 70% нейронов", BY_ID["softmax-temperature"].params) == {}
    assert extract_params("zero out 10% of activations", BY_ID["softmax-temperature"].params) == {}
    assert extract_params("оставь 70% нейронов", BY_ID["dropout"].params) == {"p": pytest.approx(0.3)}
    assert extract_params("температура 70%", BY_ID["softmax-temperature"].params) == {"t": 0.7}


def test_decimals_and_fractions_said_in_words() -> None:
    """Said in words, "zero point zero five", «ноль один» (0.1), «ноль ноль пять», «одна тысячная» are
    values as written digits are; "what's the point" is no number."""
    lr, temperature = BY_ID["learning-rate"].params, BY_ID["softmax-temperature"].params
    assert extract_params("ok set it to zero point zero five", lr) == {"lr": 0.05}
    assert extract_params("а теперь ноль один", temperature) == {"t": 0.1}
    assert extract_params("температура ноль ноль пять", temperature) == {"t": 0.05}
    assert extract_params("а совсем мелкий, одна тысячная", lr) == {"lr": 0.001}
    assert extract_params("lr point five", lr) == {"lr": 0.5}
    assert extract_params("what's the point of a learning rate", lr) == {}


def test_number_words_alone_are_values_only_when_asked() -> None:
    """A number word alone is no value («почему три?»), except in a short follow-up right after the demo
    ran, where the pipeline asks for it (``number_words=True``)."""
    k_means = BY_ID["k-means"].params
    assert extract_params("and with seven?", k_means) == {}
    assert extract_params("and with seven?", k_means, number_words=True) == {"k": 7}
    assert extract_params("а с тремя?", k_means, number_words=True) == {"k": 3}
    # typed in Latin letters, «a pyat?» reads «а пят?»: the soft sign is lost, the number is not
    assert extract_params("а пят?", k_means, number_words=True) == {"k": 5}
    assert extract_params("на сем кластерах", k_means) == {"k": 7}  # «na sem klasterah», read in Cyrillic
    assert extract_params("на трёх кластерах", k_means) == {"k": 3}  # beside the name, as before


def test_a_number_said_of_a_metric_or_sampling_setting_is_no_value() -> None:
    """«accuracy 90% это хорошо?» after the overfitting demo is no noise of 0.9; "top-p 0.9" after the
    temperature demo is no temperature. A parameter named beside them still takes its value."""
    overfitting, temperature = BY_ID["overfitting"].params, BY_ID["softmax-temperature"].params
    assert extract_params("accuracy 90% это хорошо?", overfitting) == {}
    assert extract_params("а точность 0.8 норм?", overfitting) == {}
    assert extract_params("f1 = 0.7, is that bad", overfitting) == {}
    assert extract_params("а top-p 0.9", temperature) == {}
    assert extract_params("а топ-к 40?", temperature) == {}
    assert extract_params("лосс 2.3 это много?", temperature) == {}
    assert extract_params("а 0.9?", temperature) == {"t": 0.9}
    assert extract_params("top-p 0.9 and temperature 1.5", temperature) == {"t": 1.5}
    assert extract_params("noise 0.5, accuracy 90%", overfitting) == {"noise": 0.5}


def test_a_number_beside_another_topic_is_no_value_for_the_current_demo() -> None:
    """After the batch-norm demo, «перплексити 10 это хорошо?» says 10 of perplexity (a name the caller
    knows); after dropout, "lr 0.1" is the learning-rate demo's parameter. A number alone, or one said
    of the current demo's own parameter or name, stays a value for it."""
    batch_norm, dropout = BY_ID["batch-normalization"].params, BY_ID["dropout"].params

    def others(demo_id: str) -> list[Any]:
        return [p for d in DEMOS if d.id != demo_id for p in d.params]

    def names_perplexity(words: str) -> bool:
        return "перплексити" in words

    assert value_said_of_another(
        "перплексити 10 это хорошо?", batch_norm, others("batch-normalization"), names_perplexity
    )
    assert value_said_of_another("а с lr 0.1?", dropout, others("dropout"), names_perplexity)
    assert value_said_of_another("2000 steps then", dropout, others("dropout"), names_perplexity)
    # with an equals sign between: «покажи температуру t=0.1» after the k-means demo is no k = 0.1
    k_means = BY_ID["k-means"].params
    assert value_said_of_another("покажи температуру t=0.1", k_means, others("k-means"), names_perplexity)
    assert value_said_of_another("lr = 0.1", dropout, others("dropout"), names_perplexity)
    for text in ("а 0.5?", "а если слоёв 40?", "оставь 70% нейронов", "ну давай 30"):
        params = batch_norm if "слоёв" in text else dropout
        assert not value_said_of_another(text, params, others("dropout"), names_perplexity), text
    # the current demo's parameter named: its values are read as usual, whatever else is said
    assert not value_said_of_another("p 0.3, lr 0.1", dropout, others("dropout"), names_perplexity)
    assert names_a_param("а на трёх примерах?", BY_ID["fine-tuning"].params)
    assert not names_a_param("перплексити 10", BY_ID["overfitting"].params)


def test_a_common_word_of_a_demo_title_names_no_demo() -> None:
    """The learning-rate demo's title says «хороший»; «перплексити 10 это хорошо» asks for no demo,
    and its 10 is no learning rate. The description's rare words still name their demo."""
    widespread = {"хороший", "хорошо", "good", "small", "большой", "маленький", "слишком", "too", "large"}
    common = common_words(DEMOS, lambda w: 0.3 if w in widespread else 0.01, 0.1)
    assert {"хороший", "good"} <= common and "многочленами" not in common
    for text in ("перплексити 10 это хорошо", "is accuracy 0.9 good?"):
        request = extract_demo_request(text, DEMOS, common=common)
        assert request.demo_id is None and request.params == {}
    assert extract_demo_request("перплексити 10 это хорошо", DEMOS).demo_id == "learning-rate"  # without
    assert extract_demo_request("а что там с многочленами", DEMOS, common=common).demo_id == "overfitting"


def test_a_choice_written_names_the_only_demo_that_has_it() -> None:
    """With the title's common words set aside, «sin(6x)» still tells the demo: steps fit many, the
    wave one."""
    common = common_words(DEMOS, lambda w: 0.3 if w in {"one", "layer", "fits", "any", "curve"} else 0.0, 0.1)
    request = extract_demo_request("show one ReLU layer fitting sin(6x), 2000 steps", DEMOS, common=common)
    assert request.demo_id == "universal-approximation" and request.found_by == "params"
    assert request.params == {"func": "wave", "steps": 2000}


def test_a_formula_of_the_help_text_names_its_choice() -> None:
    params = BY_ID["universal-approximation"].params
    assert extract_params("fit sin(6x), 2000 steps", params) == {"func": "wave", "steps": 2000}
    assert extract_params("sin 6x", params) == {"func": "wave"}
    assert extract_params("sin function", params) == {"func": "sin"}


@pytest.mark.parametrize(
    ("text", "demo", "ran_with", "last_set", "expected"),
    [
        ("double it", "softmax-temperature", {"t": 1.5}, "t", {"t": 3.0}),
        (
            "double the steps",
            "universal-approximation",
            {"func": "wave", "steps": 500},
            None,
            {"steps": 1000},
        ),
        ("вдвое меньше", "learning-rate", {"lr": 0.3}, None, {"lr": 0.15}),
        ("увеличь шум в 3 раза", "overfitting", {"degree": 20, "noise": 0.3}, "degree", {"noise": 0.9}),
        ("lr 10x smaller", "optimizers", {}, None, {"lr": 0.005}),  # the default when it has not run
        ("раздели на 4", "k-means", {"k": 8}, None, {"k": 2}),
        ("halve it", "overfitting", {"degree": 20, "noise": 0.8}, "noise", {"noise": 0.4}),
        ("а в два раза больше кластеров?", "k-means", {"k": 3}, None, {"k": 6}),
        ("three times more steps", "optimizers", {}, None, {"steps": 300}),
        ("удвой", "log-negative", {"n": 5}, None, {"n": 10}),
        ("а в полтора раза больше шагов?", "optimizers", {"lr": 0.05, "steps": 200}, "lr", {"steps": 300}),
        # not relative: a formula, a plain count, a value
        ("sin(6x)", "universal-approximation", {}, None, {}),
        ("покажи 2 примера", "log-negative", {}, None, {}),
        ("p=0.3", "dropout", {"p": 0.5}, "p", {}),
    ],
)
def test_values_said_relative_to_the_last_run(
    text: str, demo: str, ran_with: dict[str, Any], last_set: str | None, expected: dict[str, Any]
) -> None:
    got = read_relative(text, BY_ID[demo].params, ran_with, last_set)
    assert got == pytest.approx(expected) and set(got) == set(expected)


def test_a_demo_named_in_a_quoted_sentence_is_not_the_demo_asked_for() -> None:
    assert ask('внимание на "dropout is cool"').demo_id == "attention"
    assert ask('внимание на "dropout is cool"').params == {"sentence": "dropout is cool"}


def test_find_demo_id_and_names() -> None:
    assert find_demo_id("k means, k=3", DEMOS) == "k-means"
    assert "Spatial dropout" in names_of(BY_ID["spatial-dropout"])
    note = type("N", (), {"demo": "dropout", "names": ["Дропаут", "Dropout", "дропаут"]})()
    assert note_names([note, type("M", (), {"demo": None, "names": ["x"]})()]) == {
        "dropout": ["Дропаут", "Dropout", "дропаут"]
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0,3", 0.3),
        (".3", 0.3),
        ("1e-3", 0.001),
        ("10^-3", 0.001),
        ("8/255", 8 / 255),
        ("2k", 2000),
        ("2к", 2000),
        ("2,000", 2000),
        ("2\u00a0000", 2000),
    ],
)
def test_number_forms(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("на трёх примерах", [3]),
        ("двадцати пяти", [25]),
        ("сто двадцать три", [123]),
        ("три тысячи", [3000]),
        ("twenty-five", [25]),
        ("two hundred and five", [200, 5]),
        ("пять двадцать", [5, 20]),
        ("30 %", [30]),
        ("p=0,3, eps=0,1", [0.3, 0.1]),
        ("ноль целых три десятых", [0.3]),
        ("одна целая двадцать пять сотых", [1.25]),
        ("2к шагов", [2000]),
    ],
)
def test_number_words_and_separators(text: str, values: list[float]) -> None:
    assert [t.value for t in tokenize(text) if t.kind == "num"] == pytest.approx(values)


# ------------------------------------------------------------------ the real registry


def test_real_registry_requests() -> None:
    from demos.registry import get_demo, list_demos, validate_params

    demos = list_demos()
    cases = [
        ("покажи файнтюнинг на трёх примерах", "fine-tuning", {"shots": 3}),
        (
            "universal approximation, bump, 2000 steps",
            "universal-approximation",
            {"func": "bump", "steps": 2000},
        ),
        ("run FGSM, adversarial, epsilon 0,2", "adversarial", {"eps": 0.2}),
        ("перенос обучения, transfer-logreg, 3 шага", "transfer-logreg", {"steps": 3}),
        ("log-negative n=8", "log-negative", {"n": 8}),
        ("dropout keeping 70% of the units", "dropout", {"p": 0.3}),  # p drops; aliases say so
        ("оптимизаторы: шаг 0.05, 300 шагов", "optimizers", {"lr": 0.05, "steps": 300}),
        ("k-means на четырёх кластерах", "k-means", {"k": 4}),
        ('attention "the cat sat on the mat"', "attention", {"sentence": "the cat sat on the mat"}),
    ]
    for text, demo, params in cases:
        request = extract_demo_request(text, demos)
        assert (request.demo_id, request.params) == (demo, params), text
        checked = validate_params(get_demo(demo), request.params)  # the registry accepts what was read
        assert all(
            checked[k] == (pytest.approx(v) if isinstance(v, float) else v) for k, v in params.items()
        ), text


# ------------------------------------------------------------------ the answer pipeline


class _Route:
    intent, confidence, confident = "run_demo", 0.99, True
    scores = {"run_demo": 0.99}


class _Encoder:
    def encode(self, texts: list[str]) -> list[None]:
        return [None for _ in texts]


class _Retriever:
    encoder = _Encoder()

    def __init__(self, notes: dict[str, Any], version_dir: Path) -> None:
        self.notes = notes
        self.version_dir = version_dir  # where the demo naming is saved

    def search(self, query: str, k: int = 5, vector: Any = None) -> list[Any]:
        return []

    def coverage(self, query: str, slug: str | None) -> tuple[float, float, float]:
        return 1.0, 1.0, 0.0

    def normalise(self, query: str) -> str:
        return query

    def unknown_names(self, query: str) -> int:
        return 0

    def uncovered_topics(self, query: str) -> list[Any]:
        return []

    def unknown_terms(self, query: str) -> list[str]:
        return []

    def note_share(self, word: str) -> float:
        return 0.0

    def names_in(self, query: str) -> set[str]:
        return set()


class _Router:
    def route(self, text: str, vector: Any = None) -> _Route:
        return _Route()


def test_the_pipeline_reads_requests_and_reports_unreadable_values(tmp_path: Path) -> None:
    import time

    from bot.answer.dialogue import DialogueState
    from bot.answer.pipeline import AnswerPipeline
    from demos.registry import list_demos

    note = type(
        "N", (), {"demo": "fine-tuning", "names": ["Дообучение", "файнтюнинг"], "slug": "fine-tuning"}
    )()
    pipeline = AnswerPipeline(
        _Retriever({"fine-tuning": note}, tmp_path), router=_Router(), demos=list_demos()
    )  # type: ignore[arg-type]
    answer = pipeline.answer("fine-tuning на трёх примерах")
    assert answer.status == "demo" and answer.demo is not None and answer.demo.run
    assert answer.demo.params["shots"] == 3
    bad = pipeline.answer("fine-tuning, shots=много", lang="ru")
    assert bad.demo is not None and not bad.demo.run and bad.demo.error_param == "shots"
    assert bad.text == bad.demo.error and "shots" in bad.text and "от 1 до 50" in bad.text
    state = DialogueState(demo="fine-tuning", at=time.time())  # a follow-up in a chat about the demo
    again = pipeline.answer("а теперь shots=много", lang="ru", state=state)
    assert again.demo is not None and not again.demo.run and again.demo.error_param == "shots"
    assert not pipeline._demo_named("файнтюнинг на трёх примерах")  # found by its parameter, not named


# ------------------------------------------------------------------ the dev set


def test_dev_set_is_varied_and_read_well() -> None:
    from bench.bench_params import score

    items = [
        json.loads(line)
        for line in (REPO / "router/data/demo_requests.jsonl").read_text().splitlines()
        if line
    ]
    assert len(items) >= 120 and 0.08 <= sum("error" in i for i in items) / len(items) <= 0.2
    assert {i["demo"] for i in items} == set(BY_ID) and len({i["q"] for i in items}) == len(items)
    import router.params

    stats = score(router.params, items, NOTE_NAMES, show=False, retrieval=False)
    for lang, (right, _, total) in stats.items():
        assert total >= 50 and right / total >= 0.9, lang


def test_lazy_word_matchers_match_exactly_what_their_regexes_match() -> None:
    """Patterns are compiled on first need behind a literal-prefix check; the answers must not change."""
    import re

    from router.parsing.lexicon import CHOICE_WORDS, PARAM_WORDS
    from router.parsing.tokens import WordMatcher, literal_prefix, tokenize, word_pattern

    patterns = {
        x for table in (PARAM_WORDS, CHOICE_WORDS) for v in table.values() for p in v for x in p.split()
    }
    words = [
        "вероятность",
        "вероятностью",
        "bump",
        "bumps",
        "кластерами",
        "кластеров",
        "sin",
        "sine",
        "lr",
        "k",
    ]
    words += [
        t.text for t in tokenize("покажи дропаут с вероятностью 0.3 и 2000 шагов, eps .1, temperature 2")
    ]
    for pattern in patterns | {"a|b", "x(a|b)", "ab(c)|d", "bumps?"}:
        matcher = WordMatcher(pattern, pattern)
        for word in [*words, "a", "b", "d", "xa", "abc"]:
            assert bool(matcher.fullmatch(word)) == bool(re.fullmatch(pattern, word)), (pattern, word)
    for word in ["вероятность", "dropout", "нейронов", "eps", "0.3"]:
        matcher, regex = WordMatcher(word), re.compile(word_pattern(word))
        for other in [*words, word, word + "s", word + "ами"]:
            assert bool(matcher.fullmatch(other)) == bool(regex.fullmatch(other)), (word, other)
    assert literal_prefix("вероятност\\w*") == "вероятност" and literal_prefix("a|b") == ""


@pytest.mark.parametrize(
    "text", ["покажи дропаут p=0.3", "что такое дропаут", "attention: кот сел", "nan loss", ""]
)
def test_names_a_demo_is_found_by_name_without_reading_values(text: str) -> None:
    assert names_a_demo(text, DEMOS) is (extract_demo_request(text, DEMOS).found_by == "name")


def test_a_phrase_table_finds_what_the_plain_list_finds() -> None:
    """The grouped table only skips phrases no word of the text could start; it finds the same places."""
    from router.parsing.tokens import PhraseTable, find_each, phrase_of_name, tokenize

    names = ["dropout", "spatial dropout", "learning rate", "k-means", "2000 steps", "шаг обучения", "p"]
    phrases = [p for p in (phrase_of_name(n) for n in names) if p is not None]
    table = PhraseTable.of(phrases)
    for text in [
        "spatial dropout with p 0.3",
        "поставь шаг обучения 0.1 и 2000 steps",
        "k-means на пяти кластерах",
        "ничего из этого",
    ]:
        tokens = tokenize(text)
        assert find_each(tokens, table) == find_each(tokens, phrases)
    assert [len(f) for f in find_each(tokenize("spatial dropout with p 0.3"), table)] == [1, 1, 0, 0, 0, 0, 1]
