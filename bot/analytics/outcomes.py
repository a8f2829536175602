"""What the bot decided for one question, as a record: :class:`OutcomeRecord` and :func:`status_of`.

``status_of`` is the one place that reads an :class:`bot.answer.Answer` to name its outcome; when the
answer carries a ``status`` of its own, that is used as it is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.storage import utcnow

ANSWERED, UNKNOWN, DEMO, RESOURCES, SUBMIT, HELP, OFF_TOPIC, CLARIFY, SMALLTALK = (
    "answered", "unknown", "demo", "resources", "submit", "help", "off_topic", "clarify", "smalltalk",
)  # fmt: skip
STATUSES = (ANSWERED, UNKNOWN, DEMO, RESOURCES, SUBMIT, HELP, OFF_TOPIC, CLARIFY, SMALLTALK)
# Statuses that show a note: a low confidence among them makes the question "wanted".
NOTE_STATUSES = (ANSWERED, RESOURCES, DEMO)
# Below this router confidence an answer counts as a guess (the router's own "confident" line is
# per model; this is the coarser line the wanted list uses).
LOW_CONFIDENCE = 0.5

QUESTION, SHOWN = "question", "shown"  # a typed question; a note shown by a button, picture or /random
QUERY_MAX = 2000
TOKEN_BYTES = 9  # 12 URL-safe characters in the 👍/👎 callback data


def new_token() -> str:
    """A fresh random id for an answer's 👍/👎 buttons (no database round trip needed)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def status_of(answer: Any) -> str:
    """The outcome of a pipeline answer: answered, unknown, demo, resources, submit, help, off_topic, …"""
    own = getattr(answer, "status", None)
    if isinstance(own, str) and own in STATUSES:
        return own
    demo, note, intent = (
        getattr(answer, "demo", None),
        getattr(answer, "note", None),
        getattr(answer, "intent", None),
    )
    if demo is not None and (demo.run or demo.error):
        return DEMO
    if intent == "submit_meme":
        return SUBMIT
    if note is not None:
        return RESOURCES if intent == "resources" and note.kind == "resource" else ANSWERED
    if intent in (HELP, OFF_TOPIC, SMALLTALK):
        return str(intent)
    if intent == "run_demo":
        return CLARIFY  # a demo was asked for but which one was unclear
    return UNKNOWN


@dataclass
class OutcomeRecord:
    """One row of ``outcomes`` before it is written (built on the answer path without any I/O)."""

    token: str
    user_hash: str
    chat_hash: str
    lang: str
    status: str
    query: str
    source: str = QUESTION
    intent: str | None = None
    slug: str | None = None
    confidence: float | None = None
    latency_ms: float | None = None
    created_at: datetime = field(default_factory=utcnow)

    def row(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "created_at": self.created_at,
            "user_hash": self.user_hash,
            "chat_hash": self.chat_hash,
            "lang": self.lang[:2],
            "source": self.source,
            "status": self.status,
            "intent": self.intent[:32] if self.intent else None,
            "slug": self.slug,
            "confidence": None if self.confidence is None else float(self.confidence),
            "latency_ms": None if self.latency_ms is None else round(float(self.latency_ms), 1),
            "query": self.query[:QUERY_MAX],
        }
