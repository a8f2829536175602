"""Reading the caption of a meme picture with Tesseract (``rus+eng``), for pictures no hash matches."""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytesseract
from PIL import Image, ImageChops, ImageFilter, ImageOps

logger = logging.getLogger(__name__)

OCR_LANG = "rus+eng"
OCR_UPSCALE_BELOW = 500  # px, longest side: smaller pictures are upscaled ×2 before OCR
OCR_MARGIN = 20  # px of white added around each OCR view
OCR_MAX_SIDE = 2000  # px, longest side: larger pictures are shrunk before OCR (speed)
OCR_TIMEOUT_S = 15
OCR_WORKERS = 2  # tesseract processes at once, process-wide
OCR_MIN_CONF = 40  # Tesseract word confidence (0–100) below which a word counts as noise

_WHITE_MIN = 200  # grey level of meme caption letters
_OUTLINE_MAX = 70  # grey level of their outline


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


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _ocr_pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            # Set on first use, not on import: pytesseract reads this when it starts tesseract.
            pytesseract.pytesseract.environ = _TesseractEnv()
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
            img,
            lang=OCR_LANG,
            config=f"--psm {psm}",
            timeout=OCR_TIMEOUT_S,
            output_type=pytesseract.Output.DICT,
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
