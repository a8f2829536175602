"""The learning loop in one object: record answers, count votes, forget people, list wanted notes,
draft a note from them, and close the loop when it is published.

Used by the Telegram bot (one per process, built in ``post_init``) and the CLI.

Example::

    loop = LearningLoop.from_settings(settings, db, encoder=lambda: services.retriever.encoder)
    loop.record_answer(new_token(), user_id, chat_id, answer, latency_ms=12.5)   # returns at once
    loop.wanted.clusters()[:10]
    view = loop.draft(cluster_id, admin_id, chat_id, "ru", submissions)          # a pending note draft
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.analytics.drafting import propose
from bot.analytics.identity import UserHasher, load_or_create_key
from bot.analytics.outcomes import QUESTION, SHOWN, OutcomeRecord, status_of
from bot.analytics.recorder import OutcomeRecorder
from bot.analytics.regressions import append_cases
from bot.analytics.stats import Stats, compute
from bot.analytics.store import LearningStore
from bot.analytics.wanted import TopicNamer, WantedNotes
from bot.community.errors import NotAllowed
from bot.community.model import NOTE, SubmissionView
from bot.community.service import SubmissionService
from bot.config import Settings
from bot.storage import Database, utcnow
from indexer.encoders import Encoder

logger = logging.getLogger(__name__)

VOTE_WAIT_S = 3.0  # a vote may come before its answer's record is written: wait this long for it


class LearningLoop:
    """Answers in, wanted notes and statistics out. ``encoder()`` gives the encoder for clustering."""

    def __init__(
        self,
        db: Database,
        hasher: UserHasher,
        regressions_file: Path,
        retention_days: int,
        encoder: Callable[[], Encoder],
        topics: TopicNamer | None = None,
    ):
        self.store = LearningStore(db)
        self.hasher = hasher
        self.recorder = OutcomeRecorder(self.store.write)
        self.wanted = WantedNotes(self.store, encoder, days=retention_days, topics=topics)
        self.regressions_file = regressions_file
        self.retention_days = retention_days

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        db: Database,
        encoder: Callable[[], Encoder],
        topics: TopicNamer | None = None,
    ) -> LearningLoop:
        """``topics`` labels wanted clusters with the topic without a note they ask about."""
        key = load_or_create_key(settings.user_hash_key, settings.user_hash_key_file)
        return cls(db, UserHasher(key), settings.regressions_file, settings.retention_days, encoder, topics)

    # ------------------------------------------------------------------ recording (never blocks)

    def record(
        self, token: str, user_id: int, chat_id: int, lang: str, status: str, query: str, **fields: Any
    ) -> None:
        """Queue one outcome (``source``, ``intent``, ``slug``, ``confidence``, ``latency_ms`` optional)."""
        try:
            record = OutcomeRecord(
                token, self.hasher.user(user_id), self.hasher.chat(chat_id), lang, status, query, **fields
            )
        except Exception:
            logger.exception("could not build an answer record")
            return
        self.recorder.submit(record)

    def record_answer(
        self, token: str, user_id: int, chat_id: int, answer: Any, latency_ms: float | None
    ) -> None:
        """Queue the outcome of a pipeline answer to a question the user typed."""
        note = getattr(answer, "note", None)
        self.record(
            token, user_id, chat_id, answer.lang, status_of(answer), answer.query,
            source=QUESTION, intent=answer.intent, slug=note.slug if note is not None else None,
            confidence=answer.confidence, latency_ms=latency_ms,
        )  # fmt: skip

    def record_shown(self, token: str, user_id: int, chat_id: int, lang: str, slug: str, query: str) -> None:
        """Queue a note shown without a typed question (a button, a picture, /random): votable, not counted as a question."""
        self.record(token, user_id, chat_id, lang, "answered", query, source=SHOWN, slug=slug)

    # ------------------------------------------------------------------ votes and privacy

    def vote(self, token: str, voter_id: int, chat_id: int, vote: int) -> str:
        """One vote per voter and answer: ``saved``, ``changed``, ``same``, or ``stale`` (unknown answer, another chat)."""
        outcome = self.store.by_token(token)
        if outcome is None and self.recorder.flush(VOTE_WAIT_S):  # perhaps still queued: write it, look again
            outcome = self.store.by_token(token)
        if outcome is None or outcome.slug is None or outcome.chat_hash != self.hasher.chat(chat_id):
            return "stale"
        before = self.store.vote(outcome.id, self.hasher.user(voter_id), 1 if vote > 0 else -1)
        return "saved" if before is None else "same" if before == vote else "changed"

    def forget(self, user_id: int) -> dict[str, int]:
        """Delete everything recorded about ``user_id`` (after writing what is still queued)."""
        self.recorder.flush(VOTE_WAIT_S)
        counts = self.store.forget(self.hasher.user(user_id), user_id)
        logger.info("forgot a user on request: %s", counts)
        return counts

    def purge(self, now: datetime | None = None) -> int:
        """Delete records older than the retention period; returns how many answers went."""
        deleted = self.store.purge((now or utcnow()) - timedelta(days=self.retention_days))
        if deleted:
            logger.info(
                "retention: deleted %d answer records older than %d days", deleted, self.retention_days
            )
        return deleted

    # ------------------------------------------------------------------ wanted notes

    def draft(
        self, cluster_id: int, admin_id: int, chat_id: int, lang: str, submissions: SubmissionService
    ) -> SubmissionView:
        """Start a note from a wanted cluster: a pending submission with its names and an empty body."""
        if not submissions.is_admin(admin_id):
            submissions.record_denied(admin_id, "draft_note", None)
            raise NotAllowed("draft_note", admin_id)
        cluster = self.wanted.cluster(cluster_id)
        publisher = submissions.publisher
        proposal = propose(cluster, publisher.catalog(), publisher.taken_names())
        return submissions.create_note_draft(
            admin_id, chat_id, lang, proposal.title, proposal.title_en, proposal.aliases, proposal.questions
        )

    def note_published(self, view: SubmissionView) -> None:
        """A note drafted from wanted questions is live: they become regression cases and leave the wanted list."""
        if view.kind != NOTE or not view.questions or not view.slug:
            return
        questions = [(str(q.get("q", "")), str(q.get("lang", "ru"))) for q in view.questions]
        added = append_cases(self.regressions_file, questions, view.slug)
        ids = [int(q["id"]) for q in view.questions if isinstance(q.get("id"), int)]
        resolved = self.store.resolve(ids, [q for q, _ in questions], view.slug)
        logger.info(
            "note %s answers %d wanted questions (%d new regression cases)", view.slug, resolved, added
        )

    # ------------------------------------------------------------------ statistics

    def stats(self, days: int = 30, now: datetime | None = None) -> Stats:
        """Statistics of the last ``days`` days (today included)."""
        until = now or utcnow()
        since = datetime.combine(until.date() - timedelta(days=max(days, 1) - 1), time.min)
        self.recorder.flush(VOTE_WAIT_S)
        return compute(self.store.stat_rows(since), self.store.votes_by_note(since), since, until)

    def close(self) -> None:
        self.recorder.close()
