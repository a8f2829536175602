"""What one answer is: its status, the note shown (at which depth), suggestions, the demo to run.

``status`` is the one decision the pipeline makes for a question:

=============  ================================================================
``answered``   a note's explanation is shown (``note``, ``depth``)
``resources``  a resource note is shown (what to read or watch)
``demo``       a demo runs (``demo``), or its parameters are refused (``demo.error``)
``unknown``    no note covers it; ``suggestions`` are the closest ones, if any
``clarify``    a follow-up with nothing to follow («подробнее» as the first message)
``smalltalk``  a greeting, thanks, goodbye or an emoji: a short human reply
``help``       what the bot can do
``submit``     how to propose a meme
``off_topic``  not about machine learning
=============  ================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from common.i18n import Lang
from indexer.notes import Note
from indexer.search import Hit

Status = Literal[
    "answered", "resources", "demo", "unknown", "clarify", "smalltalk", "help", "submit", "off_topic"
]
STATUSES: tuple[Status, ...] = (
    "answered",
    "resources",
    "demo",
    "unknown",
    "clarify",
    "smalltalk",
    "help",
    "submit",
    "off_topic",
)
Depth = Literal["short", "deep"]


@dataclass
class DemoChoice:
    """A demo the answer offers or runs. ``error`` holds a message when parameters are invalid."""

    id: str
    params: dict[str, Any] = field(default_factory=dict)
    run: bool = False
    error: str | None = None
    error_param: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "params": self.params, "run": self.run}
        if self.error:
            data["error"] = self.error
            data["error_param"] = self.error_param
        return data


@dataclass
class Answer:
    """Everything the surfaces need to show one answer; ``text`` is a plain-text rendering in ``lang``."""

    query: str
    lang: Lang
    status: Status
    intent: str | None = None
    confidence: float | None = None
    results: list[Hit] = field(default_factory=list)
    note: Note | None = None
    depth: Depth = "short"
    related: list[Note] = field(default_factory=list)
    suggestions: list[Hit] = field(default_factory=list)
    demo: DemoChoice | None = None
    smalltalk: str | None = None
    text: str = ""
    end_of_note: bool = False
    # a refused question's topic, in ``lang``, when the glossary knows it has no note ("DBSCAN")
    topic: str | None = None

    @property
    def known(self) -> bool:
        """Whether the question was within what the bot knows (not unknown / off-topic)."""
        return self.status not in ("unknown", "off_topic")

    def to_json(self) -> dict[str, Any]:
        """The ``memebot ask --json`` contract (one object per question)."""
        return {
            "query": self.query,
            "lang": self.lang,
            "status": self.status,
            "intent": self.intent,
            "confidence": None if self.confidence is None else round(float(self.confidence), 4),
            "note": self.note.slug if self.note is not None else None,
            "depth": self.depth,
            "suggestions": [h.slug for h in self.suggestions],
            "results": [
                {
                    "slug": h.slug,
                    "kind": h.kind,
                    "title": h.title if self.lang == "ru" else h.title_en,
                    "score": h.score,
                }
                for h in self.results
            ],
            "demo": self.demo.to_json() if self.demo else None,
            "topic": self.topic,
            "answer": self.text,
        }
