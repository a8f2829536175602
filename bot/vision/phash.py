"""Perceptual hashes of meme pictures and the index that matches a user's picture to a known meme.

:class:`MemeImageIndex` compares 64-bit pHashes of the picture with the pictures of the meme
notes (``image:`` in the note's front matter). Re-encoding, resizing and brightness changes barely
move a pHash; crops and caption bars added by meme generators move it a lot, so the index also
hashes a few crops of every known picture, and the query is also hashed with uniform borders
trimmed and with plain white/black caption bars cut off.

Measurements behind the constants (``bench/bench_images.py`` and the tests re-check them): the
meme pictures, degraded (JPEG q60, 50 % resize, 5 % crop, a 20–30 % caption bar, and
combinations), stay within pHash distance 0–6 of their own picture, while the other memes'
pictures are ≥ 18 away, ~400 synthetic negatives are ≥ 16 away and 136 unrelated PNG/JPEG files
are ≥ 14 away. pHash sets exactly half of its bits, so distances are even;
``MATCH_MAX_DISTANCE = 10`` leaves a margin of 4 on both sides.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
from PIL import Image

from bot.vision.decode import ImageError, load_image
from common.files import atomic_write

logger = logging.getLogger(__name__)

MATCH_MAX_DISTANCE = 10
"""Largest pHash Hamming distance (of 64 bits) still counted as the same picture."""

HASH_HEX_LEN = 16
# The hashes' recipe (views, work size, hash): a cached hash of another recipe is not used.
HASH_VERSION = 1
HASH_WORK_SIDE = 512  # px: pictures are hashed from a copy no larger than this


def perceptual_hash(img: Image.Image) -> str:
    """64-bit pHash of the whole picture as 16 hex digits.

    Large pictures are hashed from a copy at most :data:`HASH_WORK_SIDE` px wide (pHash looks
    at a 32×32 thumbnail anyway; this only bounds time and memory).

    Example::

        >>> perceptual_hash(Image.new("RGB", (64, 64), "white"))
        '8000000000000000'
    """
    return f"{phash_int(_work_copy(img)):016x}"


def hash_distance(a: str, b: str) -> int:
    """Hamming distance (0–64) between two hashes from :func:`perceptual_hash`.

    Raises ``ValueError`` for anything that is not 16 hex digits.

    Example::

        >>> hash_distance("ffff000000000000", "ffff000000000001")
        1
    """
    return (_hash_int(a) ^ _hash_int(b)).bit_count()


def _hash_int(value: str) -> int:
    if not isinstance(value, str) or len(value) != HASH_HEX_LEN:
        raise ValueError(f"not a 64-bit hex hash: {value!r}")
    return int(value, 16)


def phash_int(img: Image.Image) -> int:
    return int(str(imagehash.phash(img)), 16)


def _work_copy(img: Image.Image) -> Image.Image:
    """An RGB version of ``img`` no larger than :data:`HASH_WORK_SIDE` px (``img`` itself if it fits)."""
    rgb = img if img.mode == "RGB" else img.convert("RGB")
    if max(rgb.size) <= HASH_WORK_SIDE:
        return rgb
    small = rgb.copy()
    small.thumbnail((HASH_WORK_SIDE, HASH_WORK_SIDE), Image.Resampling.LANCZOS)
    return small


def _crop_frac(img: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = img.size
    return img.crop((round(w * left), round(h * top), w - round(w * right), h - round(h * bottom)))


def _reference_views(img: Image.Image) -> Iterator[Image.Image]:
    """The known picture and the crops of it a user is likely to send."""
    yield img
    for f in (0.04, 0.08, 0.12):  # cropped on all sides
        yield _crop_frac(img, f, f, f, f)
    for f in (0.06, 0.12):  # cropped on one side
        yield _crop_frac(img, f, 0, 0, 0)
        yield _crop_frac(img, 0, f, 0, 0)
        yield _crop_frac(img, 0, 0, f, 0)
        yield _crop_frac(img, 0, 0, 0, f)


def _trim_border(img: Image.Image, tolerance: int = 16) -> Image.Image | None:
    """Cut a uniform frame (screenshot letterboxing, padding); None when there is none."""
    grey = np.asarray(img.convert("L"), dtype=np.int16)
    edge = np.concatenate([grey[0, :], grey[-1, :], grey[:, 0], grey[:, -1]])
    content = np.abs(grey - np.median(edge)) > tolerance
    rows = np.flatnonzero(content.mean(axis=1) > 0.02)
    cols = np.flatnonzero(content.mean(axis=0) > 0.02)
    if rows.size == 0 or cols.size == 0:
        return None
    box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
    area = (box[2] - box[0]) * (box[3] - box[1])
    if box == (0, 0, img.width, img.height) or area < 0.25 * img.width * img.height:
        return None
    return img.crop(box)


def _bar_height(rgb: np.ndarray, tolerance: int = 24, max_fraction: float = 0.45) -> int:
    """Height of a caption bar at the top edge of ``rgb`` (rows × cols × 3), 0 if there is none.

    A meme-generator bar is a white or black strip with text on it: its first row is uniform,
    every row keeps ≥ 25 % of the bar colour, and it ends with a uniform row.
    """
    height = rgb.shape[0]
    colour = np.median(rgb[:2].reshape(-1, 3), axis=0)
    if not (colour.min() >= 220 or colour.max() <= 35):
        return 0
    share = (np.abs(rgb - colour).max(axis=2) <= tolerance).mean(axis=1)
    if share[0] < 0.98:
        return 0
    cut = 0
    for row in range(int(height * max_fraction)):
        if share[row] < 0.25:
            break
        if share[row] >= 0.98:
            cut = row + 1
    return cut if cut >= height * 0.04 else 0


def _without_caption_bars(img: Image.Image) -> list[Image.Image]:
    """The picture with a detected top bar, bottom bar, or both cut off (empty if no bar)."""
    rgb = np.asarray(img, dtype=np.int16)
    h = rgb.shape[0]
    top, bottom = _bar_height(rgb), _bar_height(rgb[::-1])
    views = []
    for t, b in sorted({(top, 0), (0, bottom), (top, bottom)}):
        if (t or b) and h - t - b >= 0.4 * h:
            views.append(img.crop((0, t, img.width, h - b)))
    return views


def query_views(img: Image.Image) -> list[Image.Image]:
    """The user's picture plus versions without a uniform frame or caption bars (working size)."""
    img = _work_copy(img)
    views = [img]
    trimmed = _trim_border(img)
    if trimmed is not None:
        views.append(trimmed)
    views.extend(_without_caption_bars(img))
    return views


def reference_hashes(img: Image.Image) -> list[int]:
    """The pHashes of a known picture's reference views (what :class:`MemeImageIndex` matches against)."""
    return [phash_int(v) for v in _reference_views(_work_copy(img))]


def _read_cache(path: Path | None) -> dict[str, list[int]]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): [int(h) for h in v] for k, v in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        logger.warning("meme picture hash cache unreadable (%s); hashing again", path)
        return {}


def _write_cache(path: Path, hashes: dict[str, list[int]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(hashes).encode("utf-8"))
    except OSError as exc:  # a read-only home still serves; the next start hashes again
        logger.warning("could not save the meme picture hashes (%s): %s", path, exc)


class MemeImageIndex:
    """Known meme pictures, matched by perceptual hash. Immutable, so safe to share between threads.

    Example::

        >>> index = MemeImageIndex.from_notes(load_notes(Path("knowledge")))
        >>> index.match(load_image(data, 10 * 2**20))
        ('meme-floor-is-lava', 2)
    """

    def __init__(self, hashes: Mapping[str, Iterable[int]]):
        """``hashes`` maps a slug to the integer pHashes of its picture's reference views."""
        self._hashes: tuple[tuple[str, tuple[int, ...]], ...] = tuple(
            (slug, tuple(int(h) for h in values)) for slug, values in sorted(hashes.items())
        )

    @classmethod
    def from_images(cls, images: Mapping[str, Image.Image]) -> MemeImageIndex:
        """Index pictures given as slug → image."""
        return cls({slug: reference_hashes(img) for slug, img in images.items()})

    @classmethod
    def from_notes(cls, notes: Iterable[Any], cache: Path | None = None) -> MemeImageIndex:
        """Index the pictures of ``indexer.notes.Note`` objects that have ``image_path``.

        Notes without a picture are skipped; a missing or broken picture is logged and skipped.
        ``cache``: a JSON file of the hashes by the picture's content hash. A picture already hashed
        is not decoded again: decoding and hashing every picture took ~0.9 s of CPU at each bot start.
        """
        cached = _read_cache(cache)
        stored = set(cached)
        used: dict[str, list[int]] = {}  # content key → hashes, of the pictures in use
        hashes: dict[str, list[int]] = {}
        for note in notes:
            path: Path | None = getattr(note, "image_path", None)
            if path is None:
                continue
            try:
                data = path.read_bytes()
                key = f"{HASH_VERSION}:{hashlib.sha256(data).hexdigest()}"
                if key not in cached:
                    cached[key] = reference_hashes(load_image(data, max_bytes=64 * 2**20))
                hashes[note.slug] = used[key] = cached[key]
            except (OSError, ImageError) as exc:
                logger.warning("meme picture for %s unusable (%s): %s", note.slug, path, exc)
        if cache is not None and set(used) != stored:  # a new picture hashed, or a removed one to forget
            _write_cache(cache, {k: used[k] for k in sorted(used)})
        index = cls(hashes)
        logger.info("meme picture index: %d pictures", len(index))
        return index

    def __len__(self) -> int:
        return len(self._hashes)

    @property
    def slugs(self) -> list[str]:
        return [slug for slug, _ in self._hashes]

    def distances(self, img: Image.Image) -> dict[str, int]:
        """Smallest pHash distance from ``img`` (any of its views) to each known picture."""
        return self.hash_distances([phash_int(v) for v in query_views(img)])

    def hash_distances(self, query: Sequence[int]) -> dict[str, int]:
        """Smallest distance from any of the ``query`` hashes to each known picture."""
        return {slug: min((q ^ r).bit_count() for q in query for r in refs) for slug, refs in self._hashes}

    def nearest(self, img: Image.Image) -> tuple[str, int] | None:
        """The closest known meme and its distance, however far (None for an empty index)."""
        dist = self.distances(img)
        if not dist:
            return None
        slug = min(dist, key=lambda s: (dist[s], s))
        return slug, dist[slug]

    def match(self, img: Image.Image, max_distance: int = MATCH_MAX_DISTANCE) -> tuple[str, int] | None:
        """The known meme ``img`` shows, as ``(slug, distance)``, or None if none is within ``max_distance``."""
        hit = self.nearest(img)
        return hit if hit is not None and hit[1] <= max_distance else None
