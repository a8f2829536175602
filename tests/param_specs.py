"""Light-weight stand-ins for the demo specs the request parser reads (tests/test_params.py and
bench/bench_params.py): the 15 demos as the demos branch declares them (commit a8a5020: the 7 of
today, with dropout's ``p`` now the probability to DROP, and the 8 new ones), ids, titles, ranges and
aliases copied. No parameter sets ``complement``: dropout's ``p`` is read as a drop probability
because its aliases say "drop" («обнуление», ``drop_p``), so "keep 70%" is p = 0.3.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StubParam:
    name: str
    kind: str  # "float" | "int" | "choice" | "text"
    default: float | int | str
    min: float | int = 0
    max: float | int = 0
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    complement: bool | None = None  # None: not declared (the parser infers it from the aliases)


@dataclass(frozen=True)
class StubDemo:
    id: str
    title_ru: str
    title_en: str
    note_slug: str
    params: tuple[StubParam, ...] = ()


DEMOS: tuple[StubDemo, ...] = (
    StubDemo(
        "log-negative",
        "torch.log от отрицательных чисел: откуда пять NaN в документации",
        "torch.log of negative numbers: where the docs' five NaNs came from",
        "meme-torch-log-negative",
        (StubParam("n", "int", 5, 1, 12, aliases=("size", "len", "размер")),),
    ),
    StubDemo(
        "dropout",
        "Dropout: маска из 0 и 1, деление на 1 − p и ансамбль подсетей",
        "Dropout: the 0/1 mask, dividing by 1 − p, an ensemble of sub-networks",
        "dropout",
        (
            StubParam(
                "p",
                "float",
                0.5,
                0.0,
                0.95,
                aliases=(
                    "drop",
                    "drop_p",
                    "p_drop",
                    "rate",
                    "prob",
                    "probability",
                    "вероятность",
                    "обнуление",
                ),
            ),
        ),
    ),
    StubDemo(
        "spatial-dropout",
        "Spatial dropout: выключаем каналы, а не пиксели",
        "Spatial dropout: switch off channels, not pixels",
        "spatial-dropout",
        (
            StubParam(
                "p",
                "float",
                0.3,
                0.05,
                0.95,
                aliases=(
                    "drop",
                    "drop_p",
                    "p_drop",
                    "rate",
                    "prob",
                    "probability",
                    "вероятность",
                    "обнуление",
                ),
            ),
        ),
    ),
    StubDemo(
        "fine-tuning",
        "Fine-tuning: заморозить backbone, заменить голову, дообучить на нескольких примерах",
        "Fine-tuning: freeze the backbone, replace the head, train on a few examples",
        "fine-tuning",
        (
            StubParam("shots", "int", 5, 1, 50, aliases=("k", "shots_per_class", "шоты")),
            StubParam(
                "task",
                "choice",
                "factors",
                choices=("factors", "digits"),
                aliases=("data", "dataset", "датасет"),
            ),
        ),
    ),
    StubDemo(
        "transfer-logreg",
        "Перенос обучения на логистической регрессии: два набора данных",
        "Transfer learning with logistic regression: two datasets",
        "transfer-learning",
        (StubParam("steps", "int", 1, 1, 20, aliases=("k", "newton_steps", "шаги", "шаг")),),
    ),
    StubDemo(
        "universal-approximation",
        "Универсальная аппроксимация: один слой ReLU приближает любую кривую",
        "Universal approximation: one ReLU layer fits any curve",
        "universal-approximation",
        (
            StubParam(
                "func", "choice", "sin", choices=("sin", "wave", "bump"), aliases=("function", "функция")
            ),
            StubParam(
                "steps", "int", 1000, 100, 5000, aliases=("epochs", "iterations", "iters", "шаги", "итерации")
            ),
        ),
    ),
    StubDemo(
        "adversarial",
        "Adversarial-примеры: FGSM ломает классификатор цифр",
        "Adversarial examples: FGSM breaks a digit classifier",
        "adversarial-examples",
        (StubParam("eps", "float", 0.1, 0.0, 1.0, aliases=("epsilon", "эпсилон")),),
    ),
    StubDemo(
        "learning-rate",
        "Learning rate: слишком маленький, хороший, слишком большой",
        "Learning rate: too small, good, too large",
        "learning-rate",
        (StubParam("lr", "float", 0.3, 0.0001, 10.0, aliases=("learning_rate", "rate", "шаг", "скорость")),),
    ),
    StubDemo(
        "optimizers",
        "Оптимизаторы: SGD, моментум и Adam на одной поверхности лосса",
        "Optimizers: SGD, momentum and Adam on one loss surface",
        "adam",
        (
            StubParam("lr", "float", 0.05, 0.0001, 1.0, aliases=("learning_rate", "rate", "шаг", "скорость")),
            StubParam("steps", "int", 100, 10, 500, aliases=("iterations", "iters", "шаги", "итерации")),
        ),
    ),
    StubDemo(
        "batch-normalization",
        "Батч-нормализация: активации глубокой сети и режимы train/eval",
        "Batch normalization: activations of a deep net and train vs eval mode",
        "batch-normalization",
        (StubParam("depth", "int", 20, 2, 50, aliases=("layers", "n_layers", "глубина", "слои")),),
    ),
    StubDemo(
        "softmax-temperature",
        "Температура softmax: одни логиты, разные T — вероятности, энтропия, сэмплы",
        "Softmax temperature: the same logits at different T — probabilities, entropy, samples",
        "sampling-temperature",
        (StubParam("t", "float", 0.7, 0.05, 10.0, aliases=("temperature", "temp", "температура")),),
    ),
    StubDemo(
        "overfitting",
        "Переобучение: многочлены растущей степени и ранняя остановка",
        "Overfitting: polynomials of growing degree and early stopping",
        "overfitting",
        (
            StubParam("degree", "int", 12, 1, 20, aliases=("deg", "степень")),
            StubParam("noise", "float", 0.3, 0.0, 2.0, aliases=("sigma", "шум")),
        ),
    ),
    StubDemo(
        "attention",
        "Внимание (self-attention): карта весов и что меняется, когда слово переезжает",
        "Self-attention: the weight map and what changes when a word moves",
        "attention",
        (
            StubParam(
                "sentence", "text", "", 2, 12, aliases=("text", "phrase", "фраза", "предложение", "текст")
            ),
        ),
    ),
    StubDemo(
        "nan-loss",
        "NaN в лоссе: переполнение exp, log(0), большой lr, корень в нуле — и как чинить",
        "NaN loss: exp overflow, log(0), a large lr, sqrt at zero — and the fixes",
        "nan-loss",
        (),
    ),
    StubDemo(
        "k-means",
        "k-means: шаги алгоритма и выбор k",
        "k-means: the algorithm step by step and choosing k",
        "k-means",
        (StubParam("k", "int", 2, 1, 10, aliases=("clusters", "n_clusters", "кластеры", "кластеров")),),
    ),
)

BY_ID = {d.id: d for d in DEMOS}
