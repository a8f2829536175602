"""Text for admins: the wanted list and the weekly digest (statistics plus the most wanted notes)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.analytics.stats import Stats, render
from bot.analytics.wanted import WantedCluster
from common.i18n import t

TOP = 10
DIGEST_TOP = 5
EXAMPLE_CHARS = 120


def _why(cluster: WantedCluster, lang: str) -> str:
    parts = [
        t(key, lang, n=n)
        for key, n in (
            ("wanted_unknown", cluster.unknown),
            ("wanted_guessed", cluster.guessed),
            ("wanted_downvoted", cluster.downvoted),
        )
        if n
    ]
    return ", ".join(parts)


def render_wanted(clusters: Sequence[WantedCluster], lang: str, top: int = TOP) -> str:
    """The most wanted clusters: id, how many people and asks, why, and example questions."""
    if not clusters:
        return t("wanted_empty", lang)
    lines = [t("wanted_title", lang, n=len(clusters))]
    for cluster in clusters[:top]:
        lines.append("")
        lines.append(
            t(
                "wanted_cluster",
                lang,
                id=cluster.id,
                users=cluster.users,
                asks=cluster.asks,
                why=_why(cluster, lang),
            )
        )
        if cluster.topic is not None:
            topic = cluster.topic
            key = "wanted_topic_near" if topic.near else "wanted_topic"
            lines.append(t(key, lang, topic=topic.name(lang), near=topic.near or ""))
        for example in cluster.examples[:3]:
            shown = example if len(example) <= EXAMPLE_CHARS else example[: EXAMPLE_CHARS - 1] + "…"
            lines.append(f"  «{shown}»")
    lines += ["", t("wanted_hint", lang)]
    return "\n".join(lines)


def digest_text(stats: Stats, clusters: Sequence[WantedCluster], lang: str) -> str:
    """The weekly digest: the week's statistics, then the most wanted notes."""
    return "\n\n".join(
        [
            t("digest_title", lang),
            render(stats, lang, days_shown=7),
            render_wanted(clusters, lang, DIGEST_TOP),
        ]
    )
