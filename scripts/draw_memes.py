"""Draw stand-in pictures of the known memes, deterministically, with Pillow.

We have no original images, so each meme gets a simple hand-drawn picture that is recognisable as
the meme and carries its caption. The pictures are what ``bot.vision.MemeImageIndex`` hashes to
recognise a picture a user sends, so they must stay visually distinct from one another
(``bench/bench_meme_pictures.py`` measures how distinct they are).

The drawings live in the package ``scripts/memes/``: ``common`` holds the shared helpers (fonts,
captions, speech bubbles, stick figures), the other modules one group of memes each.

Output: ``knowledge/memes/images/<slug>.png`` (800×600 or 600×600, PNG, well under 150 KB).
Same Pillow version in, byte-identical files out: no randomness, no timestamps.

Usage::

    .venv/bin/python scripts/draw_memes.py            # writes every picture
    .venv/bin/python scripts/draw_memes.py --out /tmp/memes meme-finetune-cat
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memes import DRAWERS

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "knowledge" / "memes" / "images"
MAX_BYTES = 150 * 1024


def write_png(img: Image.Image, path: Path) -> int:
    """Save ``img`` as an optimised PNG (no metadata); returns the file size in bytes.

    Falls back to a 256-colour palette if the full-colour file would exceed ``MAX_BYTES``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="PNG", optimize=True)
    if path.stat().st_size > MAX_BYTES:
        img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, format="PNG", optimize=True
        )
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*", help="which memes to draw (default: all)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"output folder (default: {OUT_DIR})")
    args = parser.parse_args(argv)
    unknown = [s for s in args.slugs if s not in DRAWERS]
    if unknown:
        parser.error(f"unknown slug(s): {', '.join(unknown)} (known: {', '.join(DRAWERS)})")
    for slug in args.slugs or list(DRAWERS):
        path = args.out / f"{slug}.png"
        size = write_png(DRAWERS[slug](), path)
        print(f"{path}  {size / 1024:.1f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
