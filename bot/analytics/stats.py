"""What the answers add up to: questions per day, outcome shares, 👍/👎 by note, latency — per language.

:func:`compute` turns rows into :class:`Stats`; :func:`render` writes them as text in Russian or
English (the chart is :mod:`bot.analytics.chart`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from bot.analytics.outcomes import DEMO, OFF_TOPIC, UNKNOWN
from bot.analytics.store import StatRow
from common.i18n import t

LANGS = ("ru", "en")
# Outcome groups shown as shares and chart colours: answered (a note, resources), unknown, off-topic, the rest.
GROUPS = {"answered": ("answered", "resources"), UNKNOWN: (UNKNOWN, "clarify"), OFF_TOPIC: (OFF_TOPIC,)}
WORST_NOTES = 10


def group_of(status: str) -> str:
    return next((name for name, members in GROUPS.items() if status in members), "other")


@dataclass(frozen=True)
class Latency:
    p50: float
    p95: float
    n: int


@dataclass
class Stats:
    """Statistics of the questions from ``since`` to ``until`` (inclusive days, UTC)."""

    since: date
    until: date
    per_day: dict[date, Counter[str]] = field(default_factory=dict)  # day → status group counts
    statuses: dict[str, Counter[str]] = field(default_factory=dict)  # "all" | lang → status counts
    latency: dict[str, Latency] = field(default_factory=dict)  # "all" | lang; demo runs left out
    votes: list[tuple[str, int, int]] = field(default_factory=list)  # (slug, 👍, 👎), worst first

    @property
    def total(self) -> int:
        return sum(self.statuses.get("all", Counter()).values())

    def share(self, group: str, lang: str = "all") -> float:
        counts = self.statuses.get(lang, Counter())
        total = sum(counts.values())
        return sum(n for status, n in counts.items() if group_of(status) == group) / total if total else 0.0


def _latency(values: Sequence[float]) -> Latency | None:
    if not values:
        return None
    p50, p95 = np.percentile(np.asarray(values, dtype=float), [50, 95])
    return Latency(float(p50), float(p95), len(values))


def worst_first(votes: Sequence[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Notes by net score (👍 − 👎) ascending, then most 👎: the notes that most need fixing first."""
    return sorted(votes, key=lambda v: (v[1] - v[2], -v[2], v[0]))


def compute(
    rows: Sequence[StatRow], votes: Sequence[tuple[str, int, int]], since: datetime, until: datetime
) -> Stats:
    stats = Stats(since.date(), until.date())
    day = stats.since
    while day <= stats.until:
        stats.per_day[day] = Counter()
        day += timedelta(days=1)
    latencies: dict[str, list[float]] = {"all": []}
    for row in rows:
        stats.per_day.setdefault(row.created_at.date(), Counter())[group_of(row.status)] += 1
        for key in ("all", row.lang):
            stats.statuses.setdefault(key, Counter())[row.status] += 1
            if row.latency_ms is not None and row.status != DEMO:
                latencies.setdefault(key, []).append(row.latency_ms)
    for key, values in latencies.items():
        measured = _latency(values)
        if measured is not None:
            stats.latency[key] = measured
    stats.votes = worst_first(votes)
    return stats


def _line(stats: Stats, key: str, lang: str) -> str:
    counts = stats.statuses.get(key, Counter())
    total = sum(counts.values())
    shares = ", ".join(
        t("stats_share", lang, name=t(f"stats_group_{g}", lang), pct=round(100 * stats.share(g, key)))
        for g in (*GROUPS, "other")
        if stats.share(g, key) > 0
    )
    latency = stats.latency.get(key)
    timing = t("stats_latency", lang, p50=round(latency.p50), p95=round(latency.p95)) if latency else ""
    name = t("stats_all", lang) if key == "all" else key
    return " ".join(
        part
        for part in (
            f"{name}: {t('stats_questions', lang, n=total)}",
            f"({shares})" if shares else "",
            timing,
        )
        if part
    )


def render(stats: Stats, lang: str, days_shown: int = 14) -> str:
    """The statistics as a few lines of text in ``lang``."""
    lines = [t("stats_title", lang, since=stats.since.isoformat(), until=stats.until.isoformat())]
    lines += [_line(stats, key, lang) for key in ("all", *LANGS) if key == "all" or key in stats.statuses]
    busy = [(day, counts) for day, counts in sorted(stats.per_day.items()) if sum(counts.values())][
        -days_shown:
    ]
    if busy:
        lines.append(t("stats_per_day", lang))
        lines += [f"  {day.isoformat()}: {sum(counts.values())}" for day, counts in busy]
    if stats.votes:
        lines.append(t("stats_votes", lang))
        lines += [f"  {slug}: 👍 {up} · 👎 {down}" for slug, up, down in stats.votes[:WORST_NOTES]]
    else:
        lines.append(t("stats_no_votes", lang))
    return "\n".join(lines)
