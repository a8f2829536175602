"""Wanted notes: the questions the bot could not answer well, grouped by topic and ranked by demand.

A cluster's id is the id of its oldest question, so the id an admin saw in ``/wanted`` still finds
the cluster after more questions arrive. An id that names no wanted question is refused with
:class:`WantedNotFound`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.analytics.clustering import QuestionClusterer
from bot.analytics.store import LearningStore, WantedQuestion
from bot.storage import utcnow
from common.errors import UserError
from common.textnorm import name_key
from indexer.encoders import Encoder
from indexer.uncovered import TopicMatch

# names the topics without a note a question names (Retriever.uncovered_topics, or the glossary alone)
TopicNamer = Callable[[str], list[TopicMatch]]

logger = logging.getLogger(__name__)

MAX_QUESTIONS = 1500  # the newest wanted questions that are clustered (an n² step)
EXAMPLES = 3


class WantedNotFound(UserError):
    """No wanted cluster has this id (a forged or outdated button, a typo in the CLI)."""

    key = "wanted_not_found"

    def __init__(self, cluster_id: object):
        self.cluster_id = cluster_id
        super().__init__(id=str(cluster_id)[:20])


@dataclass(frozen=True)
class WantedCluster:
    """Questions on one topic: how many people asked, how often, why they count, a few examples."""

    id: int
    questions: tuple[WantedQuestion, ...]
    users: int
    asks: int
    unknown: int
    guessed: int
    downvoted: int
    last_asked: datetime
    # the topic without a note that at least half of the questions name (indexer.uncovered), if any
    topic: TopicMatch | None = None

    @property
    def examples(self) -> list[str]:
        """The most asked distinct wordings, most people first."""
        by_text: dict[str, set[str]] = {}
        first: dict[str, str] = {}
        for q in self.questions:
            key = name_key(q.query)
            by_text.setdefault(key, set()).add(q.user_hash)
            first.setdefault(key, q.query)
        ranked = sorted(by_text, key=lambda k: (-len(by_text[k]), k))
        return [first[k] for k in ranked]


def cluster_topic(members: list[WantedQuestion], topics: TopicNamer | None) -> TopicMatch | None:
    """The glossary topic at least half of ``members`` name (the most named one), else None."""
    if topics is None:
        return None
    named: Counter[str] = Counter()
    first: dict[str, TopicMatch] = {}
    for question in members:
        for match in topics(question.query):
            named[match.topic] += 1
            first.setdefault(match.topic, match)
    if not named:
        return None
    topic, count = max(named.items(), key=lambda item: (item[1], item[0]))
    return first[topic] if 2 * count >= len(members) else None


def make_clusters(
    questions: list[WantedQuestion], labels: list[int], topics: TopicNamer | None = None
) -> list[WantedCluster]:
    """Group questions by label; rank by distinct people, then asks, then the newest. ``topics``
    names the glossary topics in a question (``Retriever.uncovered_topics``): a cluster most of whose
    questions name one is labelled with it."""
    groups: dict[int, list[WantedQuestion]] = {}
    for question, label in zip(questions, labels, strict=True):
        groups.setdefault(label, []).append(question)
    clusters = []
    for members in groups.values():
        members.sort(key=lambda q: q.id)
        clusters.append(
            WantedCluster(
                id=members[0].id,
                questions=tuple(members),
                users=len({q.user_hash for q in members}),
                asks=len(members),
                unknown=sum(q.status == "unknown" for q in members),
                guessed=sum(q.status != "unknown" and not q.downvoted for q in members),
                downvoted=sum(q.downvoted for q in members),
                last_asked=max(q.created_at for q in members),
                topic=cluster_topic(members, topics),
            )
        )
    return sorted(clusters, key=lambda c: (-c.users, -c.asks, -c.last_asked.timestamp(), c.id))


class WantedNotes:
    """The wanted list over the database; ``encoder()`` gives the encoder (the serving one, hot-swapped)."""

    def __init__(
        self,
        store: LearningStore,
        encoder: Callable[[], Encoder],
        days: int = 90,
        max_questions: int = MAX_QUESTIONS,
        topics: TopicNamer | None = None,
    ):
        self.store = store
        self._encoder = encoder
        self._topics = topics
        self.days = days
        self.max_questions = max_questions
        self._clusterer: QuestionClusterer | None = None

    def clusterer(self) -> QuestionClusterer:
        encoder = self._encoder()
        if self._clusterer is None or self._clusterer.encoder is not encoder:
            self._clusterer = QuestionClusterer(encoder)
        return self._clusterer

    def clusters(self, days: int | None = None) -> list[WantedCluster]:
        """Every wanted cluster of the last ``days`` (default: the retention period), most wanted first."""
        since = utcnow() - timedelta(days=days or self.days)
        questions = self.store.wanted(since, self.max_questions)
        labels = self.clusterer().labels([q.query for q in questions])
        return make_clusters(questions, labels, self._topics)

    def cluster(self, cluster_id: int) -> WantedCluster:
        """The wanted cluster holding question ``cluster_id`` (its id, or any of its questions')."""
        for cluster in self.clusters():
            if any(q.id == cluster_id for q in cluster.questions):
                return cluster
        raise WantedNotFound(cluster_id)
