"""How distinct the meme pictures are for the perceptual-hash index (``bot.vision.MemeImageIndex``).

For every meme picture of the notes (``image:`` in the front matter):

- **nearest other**: the pHash distance from the picture to the closest OTHER meme picture, measured
  the way the bot measures it (an index of all the other pictures, with their reference crops, and
  the query's own views);
- **self, degraded**: the distance of its degraded copies to its own picture — JPEG q60, 50 % size,
  5 % crop and every combination of the three (crop → resize → JPEG);
- **other, degraded**: the distance of those degraded copies to the closest OTHER picture;
- the same two for copies with a meme-generator caption bar (white, black text, 20 % of the height,
  above or below; and crop + resize + bar + JPEG), reported separately.

A picture is recognised when its own distance is ≤ ``MATCH_MAX_DISTANCE`` and it is the nearest;
the margin is how far the nearest other picture stays above the threshold. Prints one table row per
picture and the summary for ``bench/RESULTS.md``; exits 1 if any picture is misrecognised.

Usage::

    .venv/bin/python bench/bench_meme_pictures.py
    .venv/bin/python bench/bench_meme_pictures.py --summary    # only the summary
"""

from __future__ import annotations

import argparse
import io
import itertools
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from bot.vision import MATCH_MAX_DISTANCE, MemeImageIndex, load_image  # noqa: E402
from indexer.notes import note_paths, parse_note  # noqa: E402

LIMIT = 64 * 2**20


def jpeg60(img: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=60)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def half(img: Image.Image) -> Image.Image:
    return img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)


def crop5(img: Image.Image) -> Image.Image:
    dx, dy = img.width // 20, img.height // 20
    return img.crop((dx, dy, img.width - dx, img.height - dy))


def caption_bar(img: Image.Image, top: bool = True, text: str = "когда модель переобучилась") -> Image.Image:
    """A white bar of 20 % height with black text above or below the picture (as meme generators add)."""
    bar = img.height // 5
    out = Image.new("RGB", (img.width, img.height + bar), "white")
    out.paste(img, (0, bar if top else 0))
    draw = ImageDraw.Draw(out)
    size = bar // 2
    font = ImageFont.truetype("DejaVuSansCondensed-Bold.ttf", size)
    while draw.textlength(text, font=font) > img.width * 0.95:
        size -= 2
        font = ImageFont.truetype("DejaVuSansCondensed-Bold.ttf", size)
    draw.text(
        (img.width / 2, bar // 2 if top else img.height + bar // 2),
        text,
        font=font,
        fill="black",
        anchor="mm",
    )
    return out


BARS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "bar_top": caption_bar,
    "bar_bottom": lambda img: caption_bar(img, top=False),
    "crop5+half+bar+jpeg60": lambda img: jpeg60(caption_bar(half(crop5(img)))),
}


STEPS: list[tuple[str, Callable[[Image.Image], Image.Image]]] = [
    ("crop5", crop5),
    ("half", half),
    ("jpeg60", jpeg60),
]


def degradations() -> dict[str, Callable[[Image.Image], Image.Image]]:
    """Every non-empty combination of the steps, applied in the order crop → resize → JPEG."""
    out: dict[str, Callable[[Image.Image], Image.Image]] = {}
    for n in range(1, len(STEPS) + 1):
        for combo in itertools.combinations(STEPS, n):
            name = "+".join(step for step, _ in combo)

            def apply(img: Image.Image, combo: tuple = combo) -> Image.Image:
                for _, fn in combo:
                    img = fn(img)
                return img

            out[name] = apply
    return out


def meme_pictures(knowledge: Path = REPO / "knowledge") -> dict[str, Image.Image]:
    """slug → picture of every meme note with an ``image:`` (notes parsed one by one: a dangling
    ``related`` link elsewhere in the knowledge base does not matter for pictures)."""
    pictures: dict[str, Image.Image] = {}
    for path in note_paths(knowledge):
        note, _ = parse_note(path)
        if note is not None and note.kind == "meme" and note.image_path is not None:
            pictures[note.slug] = load_image(note.image_path.read_bytes(), LIMIT)
    return pictures


def measure(pictures: dict[str, Image.Image]) -> list[dict]:
    """One row per picture: nearest other (slug, distance), worst degraded self/other distances."""
    index = MemeImageIndex.from_images(
        pictures
    )  # distances are per picture: no need for one index per "others"
    variants = degradations()
    rows = []
    for slug, img in sorted(pictures.items()):
        dist = index.distances(img)
        del dist[slug]
        nearest_slug = min(dist, key=lambda s: (dist[s], s))
        nearest = dist[nearest_slug]
        self_worst, other_worst, worst_variant, wrong = 0, 64, "—", []
        bar_self, bar_other = 0, 64
        for name, degrade in {**variants, **BARS}.items():
            dist = index.distances(degrade(img))
            own = dist.pop(slug)
            closest_other = min(dist.values())
            if own > MATCH_MAX_DISTANCE or closest_other <= own:
                wrong.append(name)
            if name in BARS:
                bar_self, bar_other = max(bar_self, own), min(bar_other, closest_other)
                continue
            if own > self_worst:
                self_worst, worst_variant = own, name
            other_worst = min(other_worst, closest_other)
        rows.append(
            {
                "slug": slug,
                "nearest_slug": nearest_slug,
                "nearest": nearest,
                "self_worst": self_worst,
                "worst_variant": worst_variant,
                "other_degraded": other_worst,
                "bar_self": bar_self,
                "bar_other": bar_other,
                "wrong": wrong,
            }
        )
    return rows


def summary(rows: list[dict]) -> list[str]:
    nearest = [r["nearest"] for r in rows]
    closest = min(rows, key=lambda r: r["nearest"])
    worst_self = max(rows, key=lambda r: r["self_worst"])
    other_degraded = min(r["other_degraded"] for r in rows)
    return [
        f"- pictures: {len(rows)}; threshold `MATCH_MAX_DISTANCE` = {MATCH_MAX_DISTANCE} (of 64 bits)",
        f"- nearest OTHER picture: min {min(nearest)} ({closest['slug']} ↔ {closest['nearest_slug']}), "
        f"median {statistics.median(nearest):g}, max {max(nearest)}",
        f"- degraded copies ({len(degradations())} variants each) to their OWN picture: max {worst_self['self_worst']} "
        f"({worst_self['slug']}, {worst_self['worst_variant']})",
        f"- degraded copies to the nearest OTHER picture: min {other_degraded}",
        f"- margin above the threshold: nearest other {min(nearest) - MATCH_MAX_DISTANCE}, "
        f"degraded to other {other_degraded - MATCH_MAX_DISTANCE}; below it: degraded self "
        f"{MATCH_MAX_DISTANCE - worst_self['self_worst']}",
        f"- with a caption bar ({len(BARS)} variants each): to their OWN picture max "
        f"{max(r['bar_self'] for r in rows)}, to the nearest OTHER min {min(r['bar_other'] for r in rows)}",
        f"- misrecognised degraded copies (all {len(degradations()) + len(BARS)} variants): "
        f"{sum(len(r['wrong']) for r in rows)}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    rows = measure(meme_pictures())
    if not args.summary:
        print(
            "| picture | nearest other | distance | degraded → self (worst) | degraded → other (min) "
            "| caption bar → self | caption bar → other |"
        )
        print("|---|---|---:|---:|---:|---:|---:|")
        for r in rows:
            print(
                f"| {r['slug']} | {r['nearest_slug']} | {r['nearest']} | {r['self_worst']} ({r['worst_variant']}) "
                f"| {r['other_degraded']} | {r['bar_self']} | {r['bar_other']} |"
            )
        print()
    print("\n".join(summary(rows)))
    wrong = [(r["slug"], r["wrong"]) for r in rows if r["wrong"]]
    for slug, names in wrong:
        print(f"MISRECOGNISED {slug}: {', '.join(names)}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
