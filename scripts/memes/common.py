"""Shared drawing helpers for the stand-in meme pictures: fonts, captions, backgrounds, figures.

Everything is plain Pillow drawing with fixed coordinates: no randomness, no timestamps, so the same
Pillow version draws byte-identical pictures.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts"),
)

Color = tuple[int, int, int]
WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)


def _font_path(name: str) -> Path:
    """Find a TrueType font file by name under the usual system font folders."""
    for folder in FONT_DIRS:
        hits = sorted(folder.rglob(name)) if folder.is_dir() else []
        if hits:
            return hits[0]
    raise SystemExit(f"font {name} not found; install it (apt-get install fonts-dejavu-core)")


def font(size: int, kind: str = "bold") -> ImageFont.FreeTypeFont:
    """A DejaVu font: ``bold`` (captions, Impact stand-in), ``condensed``, ``sans``, ``oblique``, ``serif``,
    ``serif-bold``, ``mono`` or ``mono-bold``."""
    names = {
        "bold": "DejaVuSans-Bold.ttf",
        "serif": "DejaVuSerif.ttf",
        "serif-bold": "DejaVuSerif-Bold.ttf",
        "oblique": "DejaVuSans-Oblique.ttf",
        "condensed": "DejaVuSansCondensed-Bold.ttf",
        "sans": "DejaVuSans.ttf",
        "mono": "DejaVuSansMono.ttf",
        "mono-bold": "DejaVuSansMono-Bold.ttf",
    }
    return ImageFont.truetype(str(_font_path(names[kind])), size)


def meme_caption(
    draw: ImageDraw.ImageDraw,
    text: str,
    box: tuple[int, int, int, int],
    max_size: int = 64,
    kind: str = "condensed",
    fill: Color = WHITE,
    outline: Color = BLACK,
) -> None:
    """Classic meme text: white, black outline, centred in ``box``, shrunk and wrapped to fit.

    ``box`` is (left, top, right, bottom). Words are wrapped greedily; the font shrinks until the
    whole block fits the box.
    """
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    words = text.split()
    for size in range(max_size, 9, -2):
        f = font(size, kind)
        stroke = max(2, size // 14)
        lines: list[str] = []
        for word in words:
            trial = f"{lines[-1]} {word}" if lines else word
            if lines and draw.textlength(trial, font=f) + 2 * stroke <= width:
                lines[-1] = trial
            else:
                lines.append(word)
        line_h = size + stroke * 2 + 2
        if (
            all(draw.textlength(line, font=f) + 2 * stroke <= width for line in lines)
            and line_h * len(lines) <= height
        ):
            break
    y = top + (height - line_h * len(lines)) // 2
    for line in lines:
        w = draw.textlength(line, font=f)
        draw.text(
            (left + (width - w) / 2, y), line, font=f, fill=fill, stroke_width=stroke, stroke_fill=outline
        )
        y += line_h


def vertical_gradient(size: tuple[int, int], top: Color, bottom: Color) -> Image.Image:
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / max(1, h - 1)
        draw.line(
            [(0, y), (w, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return img


def wrap(draw: ImageDraw.ImageDraw, text: str, f: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap of ``text`` to lines no wider than ``width`` (a long single word may overflow)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current: list[str] = []
        for word in paragraph.split():
            if current and draw.textlength(" ".join([*current, word]), font=f) > width:
                lines.append(" ".join(current))
                current = []
            current.append(word)
        lines.append(" ".join(current))
    return lines


def fit_text(
    draw: ImageDraw.ImageDraw,
    text: str,
    box: tuple[int, int, int, int],
    max_size: int = 28,
    kind: str = "sans",
    fill: Color = BLACK,
    align: str = "center",
) -> None:
    """Plain text wrapped and shrunk to fit ``box``; centred vertically, ``align`` ``center`` or ``left``."""
    left, top, right, bottom = box
    for size in range(max_size, 7, -1):
        f = font(size, kind)
        lines = wrap(draw, text, f, right - left)
        line_h = round(size * 1.25)
        if line_h * len(lines) <= bottom - top and all(
            draw.textlength(t, font=f) <= right - left for t in lines
        ):
            break
    y = top + (bottom - top - line_h * len(lines)) / 2
    for line in lines:
        x = left if align == "left" else left + (right - left - draw.textlength(line, font=f)) / 2
        draw.text((x, y), line, font=f, fill=fill)
        y += line_h


def bubble(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    text: str,
    tail: tuple[int, int] | None = None,
    max_size: int = 24,
    kind: str = "sans",
    fill: Color = WHITE,
    ink: Color = BLACK,
) -> None:
    """A rounded speech bubble with ``text`` fitted inside and a tail pointing at ``tail``."""
    left, top, right, bottom = box
    if tail is not None:
        cx = min(max(tail[0], left + 30), right - 30)
        base_y = bottom if tail[1] > bottom else top
        draw.polygon([(cx - 14, base_y), (cx + 14, base_y), tail], fill=fill, outline=ink)
    draw.rounded_rectangle(box, radius=14, fill=fill, outline=ink, width=3)
    if tail is not None:  # hide the tail's base line inside the bubble
        cx = min(max(tail[0], left + 30), right - 30)
        y = bottom - 1 if tail[1] > bottom else top + 1
        draw.line([(cx - 12, y), (cx + 12, y)], fill=fill, width=3)
    fit_text(draw, text, (left + 12, top + 8, right - 12, bottom - 8), max_size=max_size, kind=kind, fill=ink)


def tag(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int = 20, fill: Color = WHITE
) -> None:
    """A small label: ``text`` centred at ``xy`` on a box of colour ``fill`` with a black border."""
    f = font(size, "bold")
    w = draw.textlength(text, font=f)
    x, y = xy
    draw.rectangle(
        [x - w / 2 - 8, y - size * 0.75, x + w / 2 + 8, y + size * 0.75], fill=fill, outline=BLACK, width=2
    )
    draw.text((x, y), text, font=f, fill=BLACK, anchor="mm")


def xkcd_person(
    draw: ImageDraw.ImageDraw,
    x: int,
    feet_y: int,
    scale: float = 1.0,
    pose: str = "stand",
    hair: bool = False,
    ink: Color = BLACK,
) -> None:
    """An xkcd-style stick figure (hollow round head) with its feet at (``x``, ``feet_y``).

    ``pose``: ``stand`` (arms down), ``point`` (right arm forward), ``shrug`` (both arms up and out),
    ``sit`` (knees bent forward, as on a chair). ``hair`` draws long hair (the woman in xkcd).
    """
    s = scale
    w = max(2, round(3 * s))
    head_r = 17 * s
    hip = (x, feet_y - 60 * s)
    neck = (x, feet_y - 125 * s)
    head_c = (x, neck[1] - head_r)
    draw.ellipse(
        [head_c[0] - head_r, head_c[1] - head_r, head_c[0] + head_r, head_c[1] + head_r], outline=ink, width=w
    )
    if hair:
        draw.chord(
            [head_c[0] - head_r - 3, head_c[1] - head_r - 3, head_c[0] + head_r + 3, head_c[1] + head_r + 3],
            start=150,
            end=390,
            fill=ink,
        )
        draw.line([(x - head_r, head_c[1]), (x - head_r - 6 * s, head_c[1] + 30 * s)], fill=ink, width=w * 3)
    draw.line([neck, hip], fill=ink, width=w)
    shoulder = (x, feet_y - 110 * s)
    if pose == "sit":
        draw.line([hip, (x + 35 * s, hip[1])], fill=ink, width=w)
        draw.line([(x + 35 * s, hip[1]), (x + 35 * s, feet_y)], fill=ink, width=w)
    else:
        draw.line([hip, (x - 18 * s, feet_y)], fill=ink, width=w)
        draw.line([hip, (x + 18 * s, feet_y)], fill=ink, width=w)
    arms = {
        "stand": [(x - 22 * s, feet_y - 70 * s), (x + 22 * s, feet_y - 70 * s)],
        "point": [(x - 22 * s, feet_y - 70 * s), (x + 48 * s, feet_y - 112 * s)],
        "shrug": [(x - 40 * s, feet_y - 125 * s), (x + 40 * s, feet_y - 125 * s)],
        "sit": [(x + 35 * s, feet_y - 85 * s), (x + 40 * s, feet_y - 90 * s)],
    }[pose]
    for hand in arms:
        draw.line([shoulder, hand], fill=ink, width=w)
