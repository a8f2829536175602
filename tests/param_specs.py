"""Light-weight stand-ins for the demo specs the request parser reads (tests/test_params.py and
bench/bench_params.py): the 7 demos of today and the 8 being added, with the parameters they declare.

Dropout's ``p`` is the probability to drop (PyTorch's convention) and says so with
``complement=True``, so "keep 70%" reads as p = 0.3. The new demos declare no aliases here: the
parser must read them with its everyday vocabulary alone.
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
    complement: bool = False


@dataclass(frozen=True)
class StubDemo:
    id: str
    title_ru: str
    title_en: str
    note_slug: str
    params: tuple[StubParam, ...] = ()


DROP_ALIASES = ("drop", "drop_p", "p_drop", "rate", "prob", "probability", "вероятность", "обнуление")

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
        (StubParam("p", "float", 0.5, 0.0, 0.95, aliases=DROP_ALIASES, complement=True),),
    ),
    StubDemo(
        "spatial-dropout",
        "Spatial dropout: выключаем каналы, а не пиксели",
        "Spatial dropout: switch off channels, not pixels",
        "spatial-dropout",
        (StubParam("p", "float", 0.3, 0.05, 0.95, aliases=DROP_ALIASES, complement=True),),
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
        "Learning rate: слишком маленький, в самый раз, слишком большой",
        "Learning rate: too small, just right, too large",
        "learning-rate",
        (StubParam("lr", "float", 0.1, 1e-4, 10.0),),
    ),
    StubDemo(
        "optimizers",
        "Оптимизаторы: SGD, momentum и Adam на одной поверхности",
        "Optimizers: SGD, momentum and Adam on one surface",
        "adam",
        (StubParam("lr", "float", 0.01, 1e-4, 1.0), StubParam("steps", "int", 100, 10, 500)),
    ),
    StubDemo(
        "batch-normalization",
        "Батч-нормализация: активации глубокой сети с BatchNorm и без",
        "Batch normalization: activations of a deep net with and without BatchNorm",
        "batch-normalization",
        (StubParam("depth", "int", 20, 2, 50),),
    ),
    StubDemo(
        "softmax-temperature",
        "Температура softmax: от острого распределения к плоскому",
        "Softmax temperature: from a sharp distribution to a flat one",
        "sampling-temperature",
        (StubParam("t", "float", 1.0, 0.05, 10.0),),
    ),
    StubDemo(
        "overfitting",
        "Переобучение: полином высокой степени на зашумлённых точках",
        "Overfitting: a high-degree polynomial on noisy points",
        "overfitting",
        (StubParam("degree", "int", 9, 1, 20), StubParam("noise", "float", 0.3, 0.0, 2.0)),
    ),
    StubDemo(
        "attention",
        "Внимание: какие слова смотрят на какие",
        "Attention: which words look at which",
        "attention",
        (StubParam("sentence", "text", "", 2, 12),),
    ),
    StubDemo(
        "nan-loss",
        "NaN в лоссе: как один слишком большой шаг всё ломает",
        "NaN loss: how one step too large breaks everything",
        "nan-loss",
    ),
    StubDemo(
        "k-means",
        "k-means: центроиды, шаг за шагом",
        "k-means: centroids, step by step",
        "k-means",
        (StubParam("k", "int", 3, 1, 10),),
    ),
)

BY_ID = {d.id: d for d in DEMOS}
