"""Matplotlib helpers: phone-readable figures rendered to PNG bytes (Agg, no pyplot state)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

FIGSIZE = (6.0, 4.5)
DPI = 110

STYLE: dict[str, Any] = {
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "figure.titlesize": 15,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.2,
    "font.family": "DejaVu Sans",  # ships with matplotlib and has Cyrillic glyphs
}

# colour-blind friendly pair used across demos
BLUE = "#1f77b4"
ORANGE = "#ff7f0e"
RED = "#d62728"
GREEN = "#2ca02c"
GREY = "#7f7f7f"
PURPLE = "#9467bd"


def render(draw: Callable[[Any], None], figsize: tuple[float, float] = FIGSIZE, dpi: int = DPI) -> bytes:
    """Create a figure, let ``draw(fig)`` fill it, return PNG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        draw(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def warm_up() -> None:
    """Render one tiny figure with Cyrillic text so fonts and caches are loaded."""

    def draw(fig: Any) -> None:
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1])
        ax.set_title("Прогрев / warm-up")

    render(draw, figsize=(2, 2), dpi=50)
