"""The bot's entry point for a user's picture: which known meme is it, or what does it say?

1. :func:`bot.vision.decode.load_image` decodes the bytes safely.
2. :class:`bot.vision.phash.MemeImageIndex` matches it to a known meme picture by perceptual hash.
3. Only when no known picture matches, :func:`bot.vision.ocr.ocr_text` reads its caption.

Everything here is CPU-bound and free of shared mutable state, so the bot runs it with
``asyncio.to_thread``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.vision.decode import load_image
from bot.vision.ocr import ocr_text
from bot.vision.phash import MATCH_MAX_DISTANCE, MemeImageIndex, phash_int, query_views

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recognition:
    """What :func:`recognise_meme` found.

    ``slug``/``distance``: the matched known meme and its pHash distance, or None.
    ``ocr``: text read from the picture; "" when it matched by hash (OCR is skipped then).
    ``phash``: the picture's own 64-bit pHash (16 hex digits), e.g. for duplicate checks.
    """

    slug: str | None
    distance: int | None
    ocr: str
    phash: str


def recognise_meme(data: bytes, index: MemeImageIndex | None, max_bytes: int) -> Recognition:
    """Decode a user's picture, match it to a known meme by pHash, else read its text.

    Input: the raw file bytes, the index of known pictures (None = no known pictures) and the
    byte limit. Output: a :class:`Recognition`. Raises :class:`ImageError` (show
    ``exc.message(lang)`` to the user). Thread-safe; call it via ``asyncio.to_thread``.

    Example::

        >>> r = recognise_meme(Path("knowledge/memes/images/meme-finetune-cat.png").read_bytes(), index, 2**24)
        >>> r.slug, r.distance, r.ocr
        ('meme-finetune-cat', 0, '')
    """
    img = load_image(data, max_bytes)
    views = query_views(img)
    hashes = [phash_int(v) for v in views]
    phash = f"{hashes[0]:016x}"
    if index is not None and len(index):
        dist = index.hash_distances(hashes)
        slug = min(dist, key=lambda s: (dist[s], s))
        if dist[slug] <= MATCH_MAX_DISTANCE:
            logger.info("picture matched %s at distance %d", slug, dist[slug])
            return Recognition(slug=slug, distance=dist[slug], ocr="", phash=phash)
        logger.debug("no picture match (nearest %s at %d)", slug, dist[slug])
    text = ocr_text(img)
    logger.info("picture not known; OCR read %d characters", len(text))
    return Recognition(slug=None, distance=None, ocr=text, phash=phash)
