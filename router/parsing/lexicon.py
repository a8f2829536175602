r"""Generic vocabulary for reading demo requests: what people call common parameters, number words,
"keep"/"drop" verbs, separators. Demo-specific names come from the specs (``Param.name`` and
``Param.aliases``); these tables only add the everyday words for parameters *named* like this.

Entries of :data:`PARAM_WORDS`, :data:`CHOICE_WORDS` and the verb lists are phrases of word
regexes (matched against whole lower-cased words, ``ё`` read as ``е``); spec aliases are
matched with automatic word-ending tolerance instead (see :func:`router.parsing.tokens.word_pattern`).
"""

from __future__ import annotations

import re

# Everyday names for parameters, by the parameter's declared ``name``.
PARAM_WORDS: dict[str, tuple[str, ...]] = {
    "p": (r"вероятност\w*", r"probabilit\w*", r"prob", r"rate", r"dropout rate", r"р", r"п"),  # Cyrillic р, п
    "eps": (r"eps", r"epsilon", r"эпсилон\w*", r"епсилон\w*", r"ε"),
    "lr": (
        r"lr",
        r"лр",
        r"learning rates?",
        r"скорост\w* обучени\w*",
        r"шаг(?:ом|е|у)? обучени\w*",  # «шаг обучения» is the learning rate, «300 шагов обучения» are steps
        r"step sizes?",
        r"лерн\w* рейт\w*",
        r"л[её]рн\w* рейт\w*",
    ),
    "steps": (r"steps?", r"iterations?", r"iters?", r"epochs?", r"шаг\w*", r"итераци\w*", r"эпох\w*"),
    "shots": (r"shots?", r"examples?", r"samples?", r"пример\w*", r"шот\w*", r"образц\w*"),
    "depth": (r"depth", r"layers?", r"глубин\w*", r"сло(?:й|я|ев|ю|ем|и|ям|ями|ях|е)"),
    "t": (r"t", r"т", r"temp", r"temperatures?", r"температур\w*", r"τ"),
    "degree": (r"degrees?", r"deg", r"степен\w*"),
    "noise": (r"noise", r"noise levels?", r"шум\w{0,3}"),
    "k": (r"k", r"clusters?", r"кластер(?:|а|у|ом|е|ы|ов|ам|ами|ах)", r"centroids?", r"центроид\w*"),
    "n": (r"n", r"size", r"numbers?", r"values", r"чис(?:ел|ла|ло|лам|лами|лах)", r"элемент\w*"),
    "sentence": (r"sentences?", r"phrase", r"text", r"предложени\w*", r"фраз\w*", r"текст\w*"),
    "func": (r"func", r"functions?", r"функци\w*"),
    "task": (r"task", r"dataset", r"задач\w*", r"датасет\w*"),
}

# Everyday names for choice values, by the value.
CHOICE_WORDS: dict[str, tuple[str, ...]] = {
    "sin": (r"sine?", r"синус\w*", r"sin \( 3x \)"),
    "wave": (r"waves?", r"волн\w*", r"sin \( 6x \)", r"sin 6x"),  # as the demo's help writes them
    "bump": (r"bumps?", r"горб\w*", r"бугор\w*", r"бугр\w*"),
    "digits": (r"digits?", r"цифр\w*", r"mnist"),
    "factors": (r"factors?", r"фактор\w*"),
}

# "Keep X" means 1 - X for a parameter declared as a drop probability (``complement``).
KEEP_WORDS: tuple[str, ...] = (
    r"остав\w*",
    r"сохран\w*",
    r"keep\w*",
    r"kept",
    r"retain\w*",
    r"surviv\w*",
    r"preserv\w*",
)
DROP_WORDS: tuple[str, ...] = (
    r"выкин\w*",
    r"выкид\w*",
    r"выбр[ао]с\w*",
    r"дропн\w*",
    r"дропа[йе]\w*",
    r"обнул\w*",
    r"выключ\w*",
    r"отключ\w*",
    r"убер\w*",
    r"убира\w*",
    r"drop",
    r"drops",
    r"dropp\w*",
    r"zero\w*",
    r"disabl\w*",
    r"remov\w*",
)

# Words between a parameter's name and its value: «p равно 0.3», "temperature of 2".
EQUALS_WORDS: tuple[str, ...] = (
    r"равн\w*",
    r"is",
    r"of",
    r"at",
    r"to",
    r"=",
    r"около",
    r"about",
    r"примерно",
)
# Quantities people quote with a number that no demo takes as a parameter: metrics and sampling
# settings. A bare number right after one is said of it («accuracy 90% это хорошо?», "top-p 0.9"), not
# a value for a demo's one numeric parameter. A parameter named in the text still takes its value first.
QUANTITY_WORDS: tuple[str, ...] = (
    r"accuracy",
    r"acc",
    r"аккураси",
    r"точност\w*",
    r"f1",
    r"f score",
    r"auc",
    r"precision",
    r"recall",
    r"полнот\w*",
    r"loss",
    r"лосс?\w*",
    r"score",
    r"скор",
    r"mse",
    r"rmse",
    r"mae",
    r"bleu",
    r"rouge",
    r"метрик\w*",
    r"metric",
    r"top [pk]",
    r"топ [пpкk]",
    r"min p",
    r"nucleus",
)
# After these the next token *must* be the value: «p=…», «p: …», «p равно …».
STRICT_SEPARATORS: tuple[str, ...] = ("=", ":")

PERCENT_WORDS: tuple[str, ...] = (r"процент\w*", r"percent", r"pct")

# Words that say "the next words are the sentence" for a text parameter, after its name.
TEXT_LEADS: tuple[str, ...] = (":", "—", "-", "–")

# Number words: value, and whether it is a multiplier (hundred, thousand) rather than an addend.
_RU_UNITS = {
    0: "ноль нуль нуля нулю нулем",
    1: "один одна одно одну одного одной одному одним одном",
    2: "два две двух двум двумя",
    3: "три трех трем тремя",
    4: "четыре четырех четырем четырьмя",
    5: "пять пяти пятью",
    6: "шесть шести шестью",
    7: "семь семи семью",
    8: "восемь восьми восемью",
    9: "девять девяти девятью",
    10: "десять десяти десятью",
    20: "двадцать двадцати двадцатью",
    30: "тридцать тридцати тридцатью",
    40: "сорок сорока",
    50: "пятьдесят пятидесяти пятьюдесятью",
    60: "шестьдесят шестидесяти",
    70: "семьдесят семидесяти",
    80: "восемьдесят восьмидесяти",
    90: "девяносто девяноста",
    100: "сто ста",
    200: "двести двухсот",
    300: "триста трехсот",
    400: "четыреста четырехсот",
    500: "пятьсот пятисот",
}
_RU_TEENS = ("один", "две", "три", "четыр", "пят", "шест", "сем", "восем", "девят")
_EN_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
).split()
_EN_TENS = {30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety"}


def _number_words() -> dict[str, float]:
    words: dict[str, float] = {}
    for value, forms in _RU_UNITS.items():
        words.update(dict.fromkeys(forms.split(), value))
    for i, stem in enumerate(_RU_TEENS, start=11):
        for ending in ("надцать", "надцати", "надцатью"):
            words[stem + ending] = i
    # Russian typed in Latin letters loses the soft sign («a pyat?» reads «а пят?»): those forms too
    words.update(
        {
            w.replace("ь", ""): v
            for w, v in list(words.items())
            if "ь" in w and w.replace("ь", "") not in words
        }
    )
    words.update({w: i for i, w in enumerate(_EN_UNITS)})
    words.update({w: v for v, w in _EN_TENS.items()})
    return words


NUMBER_WORDS: dict[str, float] = _number_words()
ZERO_WORDS = frozenset([*_RU_UNITS[0].split(), "нол", "нул", "zero"])
MULTIPLIERS: dict[str, float] = {
    "hundred": 100,
    "hundreds": 100,
    "thousand": 1000,
    "thousands": 1000,
    "тысяча": 1000,
    "тысячи": 1000,
    "тысячу": 1000,
    "тысяч": 1000,
    "тысячей": 1000,
    "тыс": 1000,
}
# Fractions written as words: «выкинь половину нейронов», "drop half".
FRACTION_WORDS: dict[str, float] = {
    "половина": 0.5,
    "половину": 0.5,
    "половины": 0.5,
    "половиной": 0.5,
    "half": 0.5,
    "треть": 1 / 3,
    "четверть": 0.25,
    "quarter": 0.25,
}
# Ordinals: «полином третьей степени», "a third-degree polynomial", «12-й», "3rd".
_RU_ORDINAL_STEMS = (
    "перв втор трет четверт пят шест седьм восьм девят десят одиннадцат двенадцат тринадцат "
    "четырнадцат пятнадцат шестнадцат семнадцат восемнадцат девятнадцат двадцат"
).split()
RU_ORDINAL = re.compile(
    rf"({'|'.join(_RU_ORDINAL_STEMS)})"
    r"(?:ый|ой|ий|ая|ое|ую|ого|ому|ым|ом|ые|ых|ыми|ей|ья|ье|ьей|ьего|ьему|ьим|ью|ьем|ьи|ьих)"
)
RU_ORDINAL_VALUES: dict[str, int] = {stem: i for i, stem in enumerate(_RU_ORDINAL_STEMS, start=1)}
EN_ORDINALS: dict[str, int] = {
    w: i
    for i, w in enumerate(
        (
            "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
            "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
        ).split(),
        start=1,
    )
}
DIGIT_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
ORDINAL_TAILS = frozenset("й я е го ой ей ого ему ому м х ми ий ая ое".split())

# Words too common to identify a demo on their own.
STOP_STEMS: frozenset[str] = frozenset(
    "покаж пример демо demo show example запуст модел model нейрон neural network сеть сети learning "
    "обучени работ how what что зачем почему".split()
)
