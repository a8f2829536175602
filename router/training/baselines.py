"""Two baselines the fine-tuned router must beat: keyword rules, and logistic regression on frozen
multilingual sentence vectors."""

from __future__ import annotations

import re

import numpy as np
from sklearn.linear_model import LogisticRegression

# Checked in order; the first rule that matches decides. Anything else is off-topic.
KEYWORD_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "submit_meme",
        re.compile(
            r"(предлож|отправ|прислать|скинуть|добав|submit|send|share|upload|suggest).{0,30}(мем|meme|картинк|pic)",
            re.I,
        ),
    ),
    (
        "help",
        re.compile(
            r"^(/?(start|help)|привет|здравств|hi|hello|hey|спасибо|thanks?)\b|что ты умеешь|what can you do|как пользоваться|how (do i )?use",
            re.I,
        ),
    ),
    (
        "run_demo",
        re.compile(
            r"\b(покажи|запусти|прогони|демо|демк|show|run|demo|simulate|visuali[sz]e)\w*|\w+\s*=\s*\d", re.I
        ),
    ),
    (
        "resources",
        re.compile(
            r"почитать|посмотреть|книг|курс|учебник|ресурс|где (учить|изучать|подтянуть)|read|book|course|resource|tutorial|where (can i|to) learn|learn .* from",
            re.I,
        ),
    ),
    ("explain_meme", re.compile(r"мем|прикол|шутк|смешн|ржут|угар|meme|joke|funny|lol", re.I)),
    (
        "explain_concept",
        re.compile(
            r"что так|как работа|объясни|зачем|почему|что значит|what (is|are|does)|how does|explain|why|eli5|difference",
            re.I,
        ),
    ),
]


def keyword_intent(text: str) -> str:
    """The first matching rule's intent, else ``off_topic``."""
    for intent, pattern in KEYWORD_RULES:
        if pattern.search(text):
            return intent
    return "off_topic"


class LogRegBaseline:
    """Multinomial logistic regression on frozen sentence vectors (e.g. USE multilingual)."""

    def __init__(self, labels: tuple[str, ...], c: float = 10.0, seed: int = 0):
        self.labels = labels
        self.model = LogisticRegression(C=c, max_iter=2000, random_state=seed)

    def fit(self, vectors: np.ndarray, intents: list[str]) -> LogRegBaseline:
        self.model.fit(vectors, [self.labels.index(i) for i in intents])
        return self

    def predict(self, vectors: np.ndarray) -> list[str]:
        return [self.labels[i] for i in self.model.predict(vectors)]
