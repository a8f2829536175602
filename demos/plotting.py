"""Matplotlib helpers: phone-readable figures rendered to PNG bytes.

Figures are drawn on an explicit Agg canvas (``Figure`` + ``FigureCanvasAgg``): no pyplot, no
backend switch, no global matplotlib state is touched (the style is applied in an
``rc_context``). Sizes are chosen for a phone: a figure 5.6 in wide at 120 dpi is 672 px, and
Telegram shows it about 360 px wide, so the base font (15 pt) is still ~13 px there.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

FIGSIZE = (5.6, 4.4)
DPI = 120

STYLE: Any = {  # a matplotlib rc dict
    "font.size": 15,
    "axes.titlesize": 15,
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 13,
    "legend.framealpha": 0.85,
    "figure.titlesize": 16,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.4,
    "lines.markersize": 8,
    "font.family": "DejaVu Sans",  # ships with matplotlib and has Cyrillic glyphs
    "axes.unicode_minus": True,
}

# colour-blind friendly palette used across demos
BLUE = "#1f77b4"
ORANGE = "#ff7f0e"
RED = "#d62728"
GREEN = "#2ca02c"
GREY = "#7f7f7f"
PURPLE = "#9467bd"
BROWN = "#8c564b"
PINK = "#e377c2"
OLIVE = "#bcbd22"
CYAN = "#17becf"
PALETTE = (BLUE, ORANGE, GREEN, RED, PURPLE, BROWN, PINK, GREY, OLIVE, CYAN)


def render(draw: Callable[[Any], None], figsize: tuple[float, float] = FIGSIZE, dpi: int = DPI) -> bytes:
    """Create a figure, let ``draw(fig)`` fill it, return PNG bytes."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        draw(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def no_ticks(ax: Any) -> None:
    """An image panel: no ticks, no grid."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def warm_up() -> None:
    """Draw one small figure with every kind of artist the demos use, Cyrillic text included,
    so fonts, caches and lazily imported parts of matplotlib are loaded before the first demo."""
    import numpy as np

    def draw(fig: Any) -> None:
        ax1, ax2 = fig.subplots(1, 2)
        xs = np.linspace(0.1, 1, 5)
        ax1.plot(xs, xs, label="Прогрев / warm-up")
        ax1.scatter(xs, xs, marker="x")
        ax1.bar(xs, xs, width=0.05)
        ax1.hist(xs, bins=3)
        ax1.loglog(xs, xs, "o-")
        ax1.axvspan(0.2, 0.3, alpha=0.1)
        ax1.annotate("→ ∞", (0.5, 0.5))
        ax1.legend(loc="best")
        grid = np.outer(xs, xs)
        ax2.contourf(grid, levels=4)
        ax2.contour(grid, levels=[0.5])
        im = ax2.imshow(grid, cmap="coolwarm")
        fig.colorbar(im, ax=ax2)
        fig.suptitle("ёжик · Σ √ ε")

    render(draw, figsize=(6, 3), dpi=30)


def number_formatter(ru: bool, fmt: str = "g") -> Any:
    """Tick labels as plain numbers (``0.2``, ``1e-05``), with a decimal comma in Russian."""
    from matplotlib.ticker import FuncFormatter

    def label(value: float, _pos: Any) -> str:
        text = "0" if value == 0 else format(value, fmt)
        return text.replace(".", ",") if ru else text

    return FuncFormatter(label)


def tidy_log_axis(ax: Any, axis: str = "y", ru: bool = False) -> None:
    """A log axis with plain major labels (``0.1``, ``1``, ``10``) and no minor-tick labels."""
    from matplotlib.ticker import NullFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(number_formatter(ru))
    target.set_minor_formatter(NullFormatter())
