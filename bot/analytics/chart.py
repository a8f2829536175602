"""The statistics as one PNG: questions per day by outcome, and 👍/👎 of the notes that need fixing most."""

from __future__ import annotations

from typing import Any

from bot.analytics.stats import GROUPS, Stats
from common.i18n import t
from demos.plotting import BLUE, GREEN, GREY, ORANGE, RED, render

COLOURS = {"answered": GREEN, "unknown": ORANGE, "off_topic": GREY, "other": BLUE}
NOTES_SHOWN = 8


def stats_png(stats: Stats, lang: str) -> bytes:
    """Two panels: stacked bars of questions per day; 👍 and 👎 of the worst-rated notes."""
    days = sorted(stats.per_day)
    groups = (*GROUPS, "other")
    votes = stats.votes[:NOTES_SHOWN]

    def draw(fig: Any) -> None:
        top, bottom = fig.subplots(2, 1, height_ratios=(3, 2) if votes else (3, 0.01))
        base = [0] * len(days)
        for group in groups:
            counts = [stats.per_day[d].get(group, 0) for d in days]
            if any(counts):
                top.bar(
                    range(len(days)),
                    counts,
                    bottom=base,
                    color=COLOURS[group],
                    label=t(f"stats_group_{group}", lang),
                )
                base = [b + c for b, c in zip(base, counts, strict=True)]
        step = max(1, len(days) // 7)
        top.set_xticks(range(0, len(days), step), [d.strftime("%d.%m") for d in days[::step]])
        top.set_title(
            t("stats_chart_title", lang, since=stats.since.isoformat(), until=stats.until.isoformat())
        )
        top.set_ylabel(t("stats_chart_questions", lang))
        if any(base):
            top.legend(loc="upper left")
        if votes:
            names = [slug[:28] for slug, _, _ in votes][::-1]
            bottom.barh(names, [up for _, up, _ in votes][::-1], color=GREEN, label=t("stats_chart_up", lang))
            bottom.barh(
                names, [-down for _, _, down in votes][::-1], color=RED, label=t("stats_chart_down", lang)
            )
            bottom.axvline(0, color="black", linewidth=0.8)
            bottom.set_title(t("stats_chart_votes", lang))
            bottom.legend(loc="lower right")
        else:
            bottom.set_axis_off()

    return render(draw, figsize=(8.0, 7.5 if votes else 4.5), dpi=100)
