"""Meme pictures: safe decoding, perceptual hashing, matching to known memes and OCR.

A user sends a picture; :func:`recognise_meme` answers "which known meme is this?":

1. :func:`load_image` decodes the bytes with Pillow (never trusting the file name), rejecting
   oversized files, non-images and decompression bombs with an :class:`ImageError` whose
   :meth:`ImageError.message` is ready to show the user in Russian or English.
2. :class:`MemeImageIndex` compares 64-bit perceptual hashes (pHash) of the picture with the
   pictures of the meme notes (``image:`` in the note's front matter). Re-encoding, resizing and
   brightness changes barely move a pHash; crops and caption bars added by meme generators move
   it a lot, so the index also hashes a few crops of every known picture, and the query is also
   hashed with uniform borders trimmed and with plain white/black caption bars cut off.
3. Only when no known picture matches, :func:`ocr_text` reads the caption with Tesseract
   (``rus+eng``), so the bot can search its notes with the words.

Everything here is CPU-bound and free of shared mutable state (the index is immutable once
built), so the bot runs it with ``asyncio.to_thread``.

Measurements behind the constants (``bench/bench_images.py`` and the tests re-check them):
the six meme pictures, degraded (JPEG q60, 50 % resize, 5 % crop, a 20–30 % caption bar, and
combinations), stay within pHash distance 0–6 of their own picture, while the other memes'
pictures are ≥ 18 away, ~400 synthetic negatives (noise, gradients, smooth blobs, block
patterns, solid colours) are ≥ 16 away and 136 unrelated PNG/JPEG files found on the machine
(icons, screenshots, photos) are ≥ 14 away. pHash sets exactly half of its bits, so distances are
even; ``MATCH_MAX_DISTANCE = 10`` leaves a margin of 4 on both sides.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
import pytesseract
from PIL import Image, ImageChops, ImageFilter, ImageOps

logger = logging.getLogger(__name__)

MATCH_MAX_DISTANCE = 10
"""Largest pHash Hamming distance (of 64 bits) still counted as the same picture."""

MAX_PIXELS = 40_000_000
"""Pictures above 40 megapixels are refused before any pixel is decoded (decompression bombs)."""

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
"""Formats Pillow may decode; anything else (PDF, EPS, SVG, TIFF, ...) is "not an image"."""

OCR_LANG = "rus+eng"
OCR_UPSCALE_BELOW = 500  # px, longest side: smaller pictures are upscaled ×2 before OCR
OCR_MARGIN = 20  # px of white added around each OCR view
OCR_MAX_SIDE = 2000  # px, longest side: larger pictures are shrunk before OCR (speed)
OCR_TIMEOUT_S = 15
OCR_WORKERS = 2  # tesseract processes at once, process-wide
OCR_MIN_CONF = 40  # Tesseract word confidence (0–100) below which a word counts as noise

HASH_HEX_LEN = 16
HASH_WORK_SIDE = 512  # px: pictures are hashed from a copy no larger than this

_WHITE_MIN = 200  # grey level of meme caption letters
_OUTLINE_MAX = 70  # grey level of their outline


# --- errors ----------------------------------------------------------------------------------------


class ImageError(Exception):
    """The picture cannot be used; :meth:`message` explains it to the user.

    Example::

        try:
            img = load_image(data, max_bytes=10 * 2**20)
        except ImageError as exc:
            reply(exc.message("ru"))
    """

    texts: dict[str, str] = {
        "ru": "С этой картинкой не получилось работать. Пришлите, пожалуйста, другую.",
        "en": "I couldn't work with this picture. Please send another one.",
    }

    def message(self, lang: str) -> str:
        """The user-facing explanation in ``lang`` (``ru``; anything else gives English)."""
        return self.texts["ru" if str(lang).lower().startswith("ru") else "en"]


class ImageTooLargeError(ImageError):
    """The file is larger than allowed (``size``/``limit`` in bytes), or the picture has too many pixels.

    ``ImageTooLargeError(size, limit)`` is about bytes; :meth:`pixels` builds the megapixel variant.
    """

    def __init__(self, size: int, limit: int, unit: str = "bytes"):
        self.size, self.limit, self.unit = int(size), int(limit), unit
        super().__init__(f"image too large: {self.size} {unit} > {self.limit} {unit}")

    @classmethod
    def pixels(cls, width: int, height: int, limit: int = MAX_PIXELS) -> ImageTooLargeError:
        error = cls(width * height, limit, unit="pixels")
        error.width, error.height = width, height
        return error

    def message(self, lang: str) -> str:
        ru = str(lang).lower().startswith("ru")
        if self.unit == "pixels":
            mp, limit = self.size / 1e6, self.limit / 1e6
            if not self.size:
                return (
                    f"Картинка слишком большая: больше {limit:.0f} Мп. Пришлите поменьше."
                    if ru
                    else f"That picture is too big: more than {limit:.0f} MP. Please send a smaller one."
                )
            if ru:
                return f"Картинка слишком большая: {mp:.0f} Мп, а я принимаю до {limit:.0f} Мп. Пришлите поменьше."
            return f"That picture is too big: {mp:.0f} MP, and I accept up to {limit:.0f} MP. Please send a smaller one."
        mb, limit = self.size / 2**20, self.limit / 2**20
        if ru:
            return f"Файл слишком большой: {mb:.1f} МБ, а я принимаю до {limit:.0f} МБ. Пришлите картинку поменьше."
        return f"That file is too big: {mb:.1f} MB, and I accept up to {limit:.0f} MB. Please send a smaller picture."


class NotAnImageError(ImageError):
    """The bytes do not decode as a JPEG, PNG, WebP, GIF or BMP picture (whatever the file is called)."""

    texts = {
        "ru": "Это не похоже на картинку. Пришлите фото или файл JPG, PNG или WebP.",
        "en": "That doesn't look like a picture. Send a photo or a JPG, PNG or WebP file.",
    }


# --- decoding --------------------------------------------------------------------------------------


def load_image(data: bytes, max_bytes: int) -> Image.Image:
    """Decode untrusted bytes into an RGB picture, or raise :class:`ImageError`.

    Input: the raw file bytes and the largest accepted size in bytes.
    Output: a fully loaded ``RGB`` image (EXIF rotation applied, transparency flattened onto
    white); its ``format`` attribute keeps the decoded format (``"PNG"``, ``"JPEG"``, ...).

    Checks, in order: size in bytes (:class:`ImageTooLargeError`); the format is one of
    :data:`ALLOWED_FORMATS` and the header parses (:class:`NotAnImageError`); at most
    :data:`MAX_PIXELS` pixels, read from the header before decoding (:class:`ImageTooLargeError`);
    ``verify()`` passes and the pixels actually decode (:class:`NotAnImageError`).

    Example::

        >>> img = load_image(Path("knowledge/memes/images/meme-finetune-cat.png").read_bytes(), 10 * 2**20)
        >>> img.mode, img.size
        ('RGB', (600, 600))
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise NotAnImageError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_bytes:
        raise ImageTooLargeError(len(data), max_bytes)
    if not data:
        raise NotAnImageError("empty file")
    try:
        with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
            fmt = probe.format
            _check_pixels(probe.size)
            probe.verify()
        img = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        _check_pixels(img.size)
        img.load()
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(0, MAX_PIXELS, unit="pixels") from exc  # size unknown: far above the limit
    except Exception as exc:  # noqa: BLE001 - any decoder failure on untrusted bytes means "not an image"
        logger.debug("not an image (%d bytes): %s: %s", len(data), type(exc).__name__, exc)
        raise NotAnImageError(f"cannot decode image: {exc}") from None
    try:
        img = ImageOps.exif_transpose(img) or img
    except Exception:  # noqa: BLE001 - a broken EXIF block is not worth refusing the picture
        logger.debug("ignoring unreadable EXIF orientation")
    rgb = _to_rgb(img)
    rgb.format = fmt
    return rgb


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise NotAnImageError(f"bad image size {width}x{height}")
    if width * height > MAX_PIXELS:
        raise ImageTooLargeError.pixels(width, height)


def _to_rgb(img: Image.Image) -> Image.Image:
    """Flatten to RGB; transparent areas become white (stickers, screenshots with alpha)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        scaled = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        return Image.fromarray(scaled.astype(np.uint8), mode="L").convert("RGB")
    return img.convert("RGB")


# --- perceptual hashes -----------------------------------------------------------------------------


def perceptual_hash(img: Image.Image) -> str:
    """64-bit pHash of the whole picture as 16 hex digits.

    Large pictures are hashed from a copy at most :data:`HASH_WORK_SIDE` px wide (pHash looks
    at a 32×32 thumbnail anyway; this only bounds time and memory).

    Example::

        >>> perceptual_hash(Image.new("RGB", (64, 64), "white"))
        '8000000000000000'
    """
    return f"{_phash_int(_work_copy(img)):016x}"


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


def _phash_int(img: Image.Image) -> int:
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


def _query_views(img: Image.Image) -> list[Image.Image]:
    """The user's picture plus versions without a uniform frame or caption bars (working size)."""
    img = _work_copy(img)
    views = [img]
    trimmed = _trim_border(img)
    if trimmed is not None:
        views.append(trimmed)
    views.extend(_without_caption_bars(img))
    return views


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
        return cls({slug: [_phash_int(v) for v in _reference_views(_work_copy(img))] for slug, img in images.items()})

    @classmethod
    def from_notes(cls, notes: Iterable[Any]) -> MemeImageIndex:
        """Index the pictures of ``indexer.notes.Note`` objects that have ``image_path``.

        Notes without a picture are skipped; a missing or broken picture is logged and skipped.
        """
        images: dict[str, Image.Image] = {}
        for note in notes:
            path: Path | None = getattr(note, "image_path", None)
            if path is None:
                continue
            try:
                images[note.slug] = load_image(path.read_bytes(), max_bytes=64 * 2**20)
            except (OSError, ImageError) as exc:
                logger.warning("meme picture for %s unusable (%s): %s", note.slug, path, exc)
        index = cls.from_images(images)
        logger.info("meme picture index: %d pictures", len(index))
        return index

    def __len__(self) -> int:
        return len(self._hashes)

    @property
    def slugs(self) -> list[str]:
        return [slug for slug, _ in self._hashes]

    def distances(self, img: Image.Image) -> dict[str, int]:
        """Smallest pHash distance from ``img`` (any of its views) to each known picture."""
        return self._distances([_phash_int(v) for v in _query_views(img)])

    def _distances(self, query: Sequence[int]) -> dict[str, int]:
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


# --- OCR -------------------------------------------------------------------------------------------


class _TesseractEnv(Mapping[str, str]):
    """The live process environment plus ``OMP_THREAD_LIMIT=1`` for the tesseract subprocess.

    Tesseract's OpenMP threads busy-wait; with two OCR passes running at once on a loaded 2-core
    machine they made OCR 2–3× slower. The limit is applied only to tesseract, not to this process
    (where it would also cap torch), and a value set by the operator wins.
    """

    def __getitem__(self, key: str) -> str:
        if key == "OMP_THREAD_LIMIT" and key not in os.environ:
            return "1"
        return os.environ[key]

    def __iter__(self) -> Iterator[str]:
        yield from os.environ
        if "OMP_THREAD_LIMIT" not in os.environ:
            yield "OMP_THREAD_LIMIT"

    def __len__(self) -> int:
        return len(os.environ) + ("OMP_THREAD_LIMIT" not in os.environ)


pytesseract.pytesseract.environ = _TesseractEnv()  # read by pytesseract when it starts tesseract

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _ocr_pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=OCR_WORKERS, thread_name_prefix="ocr")
        return _executor


def _lut(predicate: Any) -> list[int]:
    return [255 if predicate(v) else 0 for v in range(256)]


_WHITE_LUT = _lut(lambda v: v >= _WHITE_MIN)
_DARK_LUT = _lut(lambda v: v <= _OUTLINE_MAX)


def _outlined_text(grey: Image.Image) -> Image.Image:
    """Meme lettering as black on white: white pixels that lie next to a black outline.

    Plain thresholding at 200 also keeps every bright background area (sky, walls, white shirts);
    requiring a dark pixel within a few pixels keeps the outlined letters and little else. The
    reach grows with the picture (radius 4 px at 600 px, measured: 2 px loses most letters).
    """
    white = grey.point(_WHITE_LUT)
    near_dark = grey.point(_DARK_LUT)
    for _ in range(max(3, round(min(grey.size) / 150))):
        near_dark = near_dark.filter(ImageFilter.MaxFilter(3))
    return ImageOps.invert(ImageChops.multiply(white, near_dark))


def _ocr_views(img: Image.Image) -> list[tuple[str, Image.Image, int]]:
    """(name, image, page segmentation mode) for each OCR pass."""
    grey = img.convert("L")
    longest = max(grey.size)
    if longest < OCR_UPSCALE_BELOW:
        grey = grey.resize((grey.width * 2, grey.height * 2), Image.Resampling.LANCZOS)
    elif longest > OCR_MAX_SIDE:
        grey = grey.copy()
        grey.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE), Image.Resampling.LANCZOS)
    outlined = _outlined_text(grey)
    # A white margin helps Tesseract with captions that touch the edge.
    # psm 3 (automatic layout) reads dark-on-light text best (screenshots, code);
    # psm 6 (one block) reads the isolated caption lines of the outline view best.
    return [
        ("grey", ImageOps.expand(grey, OCR_MARGIN, fill=255), 3),
        ("outlined", ImageOps.expand(outlined, OCR_MARGIN, fill=255), 6),
    ]


@dataclass(frozen=True)
class _Word:
    line: tuple[int, int, int]  # (block, paragraph, line) in Tesseract's layout
    text: str
    conf: float


def _tesseract(name: str, img: Image.Image, psm: int) -> list[_Word]:
    """Words Tesseract reads in ``img``, with their confidence (0–100); [] on failure."""
    try:
        data = pytesseract.image_to_data(
            img, lang=OCR_LANG, config=f"--psm {psm}", timeout=OCR_TIMEOUT_S, output_type=pytesseract.Output.DICT
        )
    except pytesseract.TesseractNotFoundError:
        logger.error("tesseract is not installed; run `make system-deps` (needs root)")
        return []
    except (pytesseract.TesseractError, RuntimeError, OSError) as exc:  # RuntimeError: timeout
        logger.warning("OCR pass %s failed: %s", name, exc)
        return []
    words = []
    for block, par, line, text, conf in zip(
        data["block_num"], data["par_num"], data["line_num"], data["text"], data["conf"], strict=True
    ):
        if str(text).strip():
            words.append(_Word((int(block), int(par), int(line)), str(text).strip(), float(conf)))
    return words


_CYR_TO_LAT = str.maketrans("АВЕКМНОРСТУХаеорсух", "ABEKMHOPCTYXaeopcyx")
_LAT_TO_CYR = str.maketrans("ABEKMHOPCTYXaeopcyx", "АВЕКМНОРСТУХаеорсух")
_AMBIGUOUS = set("АВЕКМНОРСТУХаеорсухABEKMHOPCTYXaeopcyx")
_TOKEN_RE = re.compile(r"\w(?:[\w.'+-]*\w)?")


def _letters(token: str) -> int:
    return sum(ch.isalpha() for ch in token)


def _tokens(text: str) -> list[str]:
    """Word tokens of ``text`` with at least two letters, punctuation around them dropped."""
    return [t for t in _TOKEN_RE.findall(text) if _letters(t) >= 2]


def _script(ch: str) -> str | None:
    if "\u0400" <= ch <= "\u04ff":
        return "cyr"
    if ch.isascii() and ch.isalpha():
        return "lat"
    return None


def _fix_scripts(tokens: list[str]) -> list[str]:
    """Undo Latin/Cyrillic look-alike mix-ups (``KАGGLE`` with a Cyrillic ``А``, ``ВАТСН`` for BATCH).

    A token is written in one script: the one of its letters that have no look-alike, else the
    line's. A line of look-alikes only (``ВАТСН``) keeps the Cyrillic reading and adds the Latin one.
    """

    def votes(text: str) -> tuple[int, int]:
        scripts = [_script(ch) for ch in text if ch not in _AMBIGUOUS]
        return scripts.count("cyr"), scripts.count("lat")

    line_cyr, line_lat = votes("".join(tokens))
    out: list[str] = []
    for token in tokens:
        cyr, lat = votes(token)
        if cyr == lat:
            cyr, lat = line_cyr, line_lat
        if cyr > lat:
            out.append(token.translate(_LAT_TO_CYR))
        elif lat > cyr:
            out.append(token.translate(_CYR_TO_LAT))
        else:
            out.append(token)
            latin = token.translate(_CYR_TO_LAT)
            if latin != token and token.isupper() and len(token) >= 3:
                out.append(latin)
    return out


def clean_ocr_text(raw: str) -> list[str]:
    """Keep the readable part of Tesseract output: lines of word tokens with ≥ 2 letters.

    Punctuation around words is dropped, digits-only and one-letter tokens go, look-alike
    letters are put into one script, and a line needs a token of ≥ 3 letters to stay.

    Example::

        >>> clean_ocr_text("=THIS: BAD-BOY ~ | 7\\n\\\\ — ol ‘\\nВАТСН")
        ['THIS BAD-BOY', 'ВАТСН BATCH']
    """
    lines: list[str] = []
    for line in raw.splitlines():
        tokens = _tokens(line)
        if any(_letters(t) >= 3 for t in tokens):
            lines.append(" ".join(_fix_scripts(tokens)))
    return lines


def _confident_lines(passes: list[list[_Word]]) -> list[str]:
    """Lines of words read with confidence ≥ :data:`OCR_MIN_CONF`, or read alike by another pass."""
    vocab = [{t.lower() for w in words for t in _tokens(w.text)} for words in passes]
    lines: list[str] = []
    for i, words in enumerate(passes):
        others = set().union(*(v for j, v in enumerate(vocab) if j != i))
        current: dict[tuple[int, int, int], list[str]] = {}
        for word in words:
            if word.conf >= OCR_MIN_CONF or any(t.lower() in others for t in _tokens(word.text)):
                current.setdefault(word.line, []).append(word.text)
        for texts in current.values():
            lines.extend(clean_ocr_text(" ".join(texts)))
    return lines


def ocr_text(img: Image.Image) -> str:
    """Read the text of a meme picture with Tesseract (``rus+eng``); "" if nothing readable.

    Two passes run in parallel (at most :data:`OCR_WORKERS` tesseract processes per process):
    the greyscale picture (dark text on light: screenshots, code) and a mask of white letters
    with a black outline (classic meme captions), upscaled ×2 when the picture is small.
    Words below :data:`OCR_MIN_CONF` confidence are dropped unless the other pass read them
    too; the cleaned lines of both passes are combined without repeats. About 0.5–1.5 s for
    800×600 on 2 cores (see ``bench/bench_images.py``).

    Example::

        >>> ocr_text(load_image(Path("knowledge/memes/images/meme-emoji-fully-connected.png").read_bytes(), 2**24))
        'FULLY CONNECTED\\nполносвязная сеть'
    """
    views = _ocr_views(img.convert("RGB"))
    futures = [_ocr_pool().submit(_tesseract, name, view, psm) for name, view, psm in views]
    seen: set[str] = set()
    lines: list[str] = []
    for line in _confident_lines([f.result() for f in futures]):
        key = line.lower()
        if key not in seen:
            seen.add(key)
            lines.append(line)
    logger.debug("OCR read %d lines", len(lines))
    return "\n".join(lines)


# --- the bot's entry point -------------------------------------------------------------------------


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
    views = _query_views(img)
    hashes = [_phash_int(v) for v in views]
    phash = f"{hashes[0]:016x}"
    if index is not None and len(index):
        dist = index._distances(hashes)
        slug = min(dist, key=lambda s: (dist[s], s))
        if dist[slug] <= MATCH_MAX_DISTANCE:
            logger.info("picture matched %s at distance %d", slug, dist[slug])
            return Recognition(slug=slug, distance=dist[slug], ocr="", phash=phash)
        logger.debug("no picture match (nearest %s at %d)", slug, dist[slug])
    text = ocr_text(img)
    logger.info("picture not known; OCR read %d characters", len(text))
    return Recognition(slug=None, distance=None, ocr=text, phash=phash)
