"""Meme pictures: safe decoding, perceptual-hash matching to the known memes, and OCR of captions."""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from bot.vision import (
    MATCH_MAX_DISTANCE,
    ImageError,
    ImageTooLargeError,
    MemeImageIndex,
    NotAnImageError,
    Recognition,
    hash_distance,
    load_image,
    perceptual_hash,
    recognise_meme,
)
from bot.vision.decode import MAX_PIXELS
from bot.vision.ocr import ocr_text
from indexer.notes import load_notes

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
LIMIT = 10 * 1024 * 1024
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"
SLUGS = [
    "meme-car-salesman",
    "meme-emoji-fully-connected",
    "meme-finetune-cat",
    "meme-floor-is-lava",
    "meme-torch-log-negative",
    "meme-xgboost-kaggle",
]


# --- helpers -----------------------------------------------------------------------------------------


def encode(img: Image.Image, fmt: str = "PNG", **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, size)


def jpeg60(img: Image.Image) -> Image.Image:
    return Image.open(io.BytesIO(encode(img, "JPEG", quality=60))).convert("RGB")


def half(img: Image.Image) -> Image.Image:
    return img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)


def crop5(img: Image.Image) -> Image.Image:
    dx, dy = img.width // 20, img.height // 20
    return img.crop((dx, dy, img.width - dx, img.height - dy))


def caption_bar(img: Image.Image, top: bool = True, text: str = "когда модель переобучилась") -> Image.Image:
    """A meme-generator caption: a white bar of 20 % height with black text, above or below the picture."""
    bar = img.height // 5
    out = Image.new("RGB", (img.width, img.height + bar), "white")
    out.paste(img, (0, bar if top else 0))
    draw = ImageDraw.Draw(out)
    size = bar // 2
    while draw.textlength(text, font=font(size)) > img.width * 0.95:
        size -= 2
    y = bar // 2 if top else img.height + bar // 2
    draw.text((img.width / 2, y), text, font=font(size), fill="black", anchor="mm")
    return out


DEGRADATIONS = {
    "jpeg60": jpeg60,
    "half": half,
    "crop5": crop5,
    "bar_top": caption_bar,
    "bar_bottom": lambda img: caption_bar(img, top=False),
    "crop_half_jpeg_bar": lambda img: jpeg60(caption_bar(half(crop5(img)))),
}


def noise(seed: int = 0) -> Image.Image:
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (600, 800, 3), dtype=np.uint8))


def gradient() -> Image.Image:
    x = np.linspace(0, 255, 800)[None, :].repeat(600, axis=0).astype(np.uint8)
    return Image.fromarray(np.stack([x, x[::-1], np.full_like(x, 90)], axis=2))


def photo_like(seed: int = 3, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """Smooth colour blobs: a stand-in for a photo (no sharp structure, no text)."""
    small = np.random.default_rng(seed).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    return Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)


def meme_style(top: str, bottom: str, size: tuple[int, int] = (800, 600), seed: int = 0) -> Image.Image:
    """A classic meme: white text with a black outline over a photo-like background."""
    img = photo_like(seed, size)
    draw = ImageDraw.Draw(img)
    text_size = int(size[1] * 0.12)
    for text, y in ((top, size[1] * 0.12), (bottom, size[1] * 0.88)):
        draw.text(
            (size[0] / 2, y),
            text,
            font=font(text_size),
            fill="white",
            stroke_width=max(2, text_size // 14),
            stroke_fill="black",
            anchor="mm",
        )
    return img


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` (8-bit grey) with almost no pixel data."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notes() -> list:
    return load_notes(KNOWLEDGE)


@pytest.fixture(scope="module")
def index(notes: list) -> MemeImageIndex:
    return MemeImageIndex.from_notes(notes)


@pytest.fixture(scope="module")
def pictures(notes: list) -> dict[str, Image.Image]:
    return {n.slug: load_image(n.image_path.read_bytes(), LIMIT) for n in notes if n.image_path is not None}


# --- the pictures and the index ----------------------------------------------------------------------


def test_every_meme_note_has_its_picture(notes: list, index: MemeImageIndex) -> None:
    memes = {n.slug: n for n in notes if n.kind == "meme"}
    assert set(SLUGS) <= set(memes)
    for slug in SLUGS:
        path = memes[slug].image_path
        assert path is not None and path.name == f"{slug}.png" and path.is_file()
        assert path.stat().st_size < 150 * 1024
        with Image.open(path) as img:
            assert img.format == "PNG" and img.size in {(800, 600), (600, 600)}
    assert sorted(index.slugs) == sorted(s for s, n in memes.items() if n.image_path is not None)


@pytest.mark.parametrize("slug", SLUGS)
def test_known_picture_matches_itself_without_ocr(slug: str, index: MemeImageIndex, notes: list) -> None:
    data = next(n for n in notes if n.slug == slug).image_path.read_bytes()
    result = recognise_meme(data, index, LIMIT)
    assert result == Recognition(slug=slug, distance=0, ocr="", phash=result.phash)
    assert re.fullmatch(r"[0-9a-f]{16}", result.phash)


@pytest.mark.parametrize("variant", DEGRADATIONS)
@pytest.mark.parametrize("slug", SLUGS)
def test_degraded_picture_matches_its_meme(
    slug: str, variant: str, index: MemeImageIndex, pictures: dict[str, Image.Image]
) -> None:
    degraded = DEGRADATIONS[variant](pictures[slug])
    hit = index.match(degraded)
    assert hit is not None and hit[0] == slug, f"{variant}: {index.distances(degraded)}"
    assert hit[1] <= MATCH_MAX_DISTANCE


def test_degraded_picture_sent_as_jpeg_bytes(index: MemeImageIndex, pictures: dict[str, Image.Image]) -> None:
    data = encode(caption_bar(half(pictures["meme-floor-is-lava"])), "JPEG", quality=60)
    result = recognise_meme(data, index, LIMIT)
    assert result.slug == "meme-floor-is-lava" and result.ocr == ""


@pytest.mark.parametrize("slug", SLUGS)
def test_different_memes_do_not_match(slug: str, pictures: dict[str, Image.Image]) -> None:
    """Without its own picture in the index, a meme (even degraded) matches none of the others."""
    others = MemeImageIndex.from_images({s: img for s, img in pictures.items() if s != slug})
    for variant in ("jpeg60", "crop5", "bar_top"):
        degraded = DEGRADATIONS[variant](pictures[slug])
        assert others.match(degraded) is None, f"{variant}: {others.distances(degraded)}"
    assert min(others.distances(pictures[slug]).values()) > MATCH_MAX_DISTANCE + 4  # a real margin


@pytest.mark.parametrize(
    "make",
    [
        lambda: noise(0),
        lambda: noise(1),
        gradient,
        lambda: photo_like(3),
        lambda: Image.new("RGB", (400, 300), (200, 30, 30)),
    ],
    ids=["noise0", "noise1", "gradient", "photo_like", "solid"],
)
def test_unrelated_pictures_do_not_match(make, index: MemeImageIndex) -> None:
    img = make()
    assert index.match(img) is None, index.distances(img)


def test_unknown_picture_falls_back_to_ocr(index: MemeImageIndex) -> None:
    result = recognise_meme(encode(gradient()), index, LIMIT)
    assert result.slug is None and result.distance is None
    assert result.ocr == ""  # nothing to read, and no garbage either
    assert result.phash == perceptual_hash(load_image(encode(gradient()), LIMIT))


def test_empty_index_still_reads_text() -> None:
    result = recognise_meme(encode(meme_style("OVERFITTING", "ДРОПАУТ")), MemeImageIndex({}), LIMIT)
    assert result.slug is None and "overfit" in result.ocr.lower()


def test_recognition_is_thread_safe(index: MemeImageIndex, notes: list) -> None:
    datas = {n.slug: n.image_path.read_bytes() for n in notes if n.image_path is not None}
    jobs = [slug for slug in SLUGS for _ in range(3)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda s: recognise_meme(datas[s], index, LIMIT), jobs))
    assert [r.slug for r in results] == jobs


# --- OCR ---------------------------------------------------------------------------------------------


def test_ocr_reads_outlined_caption_in_russian_and_english() -> None:
    text = ocr_text(meme_style("OVERFITTING", "ДРОПАУТ")).lower()
    assert "overfit" in text, text
    assert re.search(r"[дп]ропаут", text), text  # Tesseract sometimes reads this bold Д as П


def test_ocr_reads_small_recompressed_meme() -> None:
    img = jpeg60(meme_style("ГРАДИЕНТНЫЙ", "BATCH NORM", size=(400, 300), seed=5))
    text = ocr_text(img).lower()
    # A capital Г or Д at the start of a line is sometimes read as П: allow that one confusion.
    assert re.search(r"[гп]радиент", text) and "batch" in text and "norm" in text, text


def test_ocr_reads_dark_text_on_light_screenshot(pictures: dict[str, Image.Image]) -> None:
    text = ocr_text(pictures["meme-torch-log-negative"]).lower()
    assert "torch.log" in text and "nan" in text and "tensor" in text, text


def test_ocr_of_noise_is_empty() -> None:
    assert ocr_text(noise(7)) == ""


# --- decoding untrusted bytes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)),
        b"",
        b"\x89PNG\r\n\x1a\n",
    ],
    ids=["pdf", "eps", "svg", "random-bytes.png", "empty", "png-signature-only"],
)
def test_non_images_are_refused(data: bytes) -> None:
    with pytest.raises(NotAnImageError) as exc:
        load_image(data, LIMIT)
    assert "картинк" in exc.value.message("ru") and "picture" in exc.value.message("en")


def test_truncated_image_is_refused(pictures: dict[str, Image.Image]) -> None:
    data = encode(pictures["meme-finetune-cat"], "JPEG", quality=90)
    with pytest.raises(NotAnImageError):
        load_image(data[: len(data) // 2], LIMIT)
    png = encode(pictures["meme-finetune-cat"])
    with pytest.raises(NotAnImageError):
        load_image(png[: len(png) // 2], LIMIT)


def test_too_many_bytes_is_refused_before_decoding() -> None:
    data = encode(photo_like())
    with pytest.raises(ImageTooLargeError) as exc:
        load_image(data, max_bytes=len(data) - 1)
    assert isinstance(exc.value, ImageError)
    assert "МБ" in exc.value.message("ru") and "MB" in exc.value.message("en")
    assert load_image(data, max_bytes=len(data)).size == (800, 600)


@pytest.mark.parametrize("side", [7000, 30000], ids=["49MP-header", "900MP-header"])
def test_decompression_bomb_is_refused_cleanly(side: int) -> None:
    data = png_declaring(side, side)
    assert len(data) < 200
    with pytest.raises(ImageTooLargeError) as exc:
        load_image(data, LIMIT)
    assert exc.value.unit == "pixels"
    assert "Мп" in exc.value.message("ru") and "MP" in exc.value.message("en")
    assert side * side > MAX_PIXELS


def test_recognise_meme_propagates_image_errors(index: MemeImageIndex) -> None:
    with pytest.raises(NotAnImageError):
        recognise_meme(b"%PDF-1.4 not a meme", index, LIMIT)
    with pytest.raises(ImageTooLargeError):
        recognise_meme(png_declaring(30000, 30000), index, LIMIT)


def test_load_image_normalises_to_rgb() -> None:
    transparent = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
    img = load_image(encode(transparent), LIMIT)
    assert img.mode == "RGB" and img.format == "PNG" and img.getpixel((5, 5)) == (255, 255, 255)
    grey = load_image(encode(Image.new("L", (40, 30), 77), "JPEG"), LIMIT)
    assert grey.mode == "RGB" and grey.format == "JPEG"
    webp = load_image(encode(photo_like(size=(64, 48)), "WEBP"), LIMIT)
    assert webp.format == "WEBP" and webp.size == (64, 48)


# --- hashes ------------------------------------------------------------------------------------------


def test_hashes_and_distance(pictures: dict[str, Image.Image]) -> None:
    cat, lava = pictures["meme-finetune-cat"], pictures["meme-floor-is-lava"]
    a, b = perceptual_hash(cat), perceptual_hash(lava)
    assert re.fullmatch(r"[0-9a-f]{16}", a) and a != b
    assert hash_distance(a, a) == 0 and hash_distance(a, b) == hash_distance(b, a) > MATCH_MAX_DISTANCE
    assert hash_distance(a, perceptual_hash(jpeg60(cat))) <= MATCH_MAX_DISTANCE
    assert hash_distance("ffff000000000000", "ffff000000000001") == 1
    for bad in ("", "xyz", "ffff", "f" * 17):
        with pytest.raises(ValueError):
            hash_distance(a, bad)


def test_error_messages_are_bilingual() -> None:
    for error in (ImageError(), NotAnImageError("x"), ImageTooLargeError(12 * 2**20, 10 * 2**20)):
        ru, en = error.message("ru"), error.message("en")
        assert re.search("[а-яё]", ru, re.IGNORECASE) and not re.search("[а-яё]", en, re.IGNORECASE)
        assert error.message("en-US") == en and error.message("ru-RU") == ru


def test_picture_hashes_are_kept_by_content_hash(
    notes: list, index: MemeImageIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    """A bot start hashes each picture once: the cached index is the same, a second build decodes
    nothing, and an unreadable cache only means hashing again."""
    import bot.vision.phash as phash

    cache = tmp_path / "home" / "meme-picture-hashes.json"
    first = MemeImageIndex.from_notes(notes, cache=cache)
    assert first._hashes == index._hashes and cache.is_file()
    assert all(first.hash_distances(list(h))[s] == 0 for s, h in first._hashes)

    def no_decoding(*args, **kwargs):
        raise AssertionError("a cached picture was decoded again")

    monkeypatch.setattr(phash, "load_image", no_decoding)
    again = MemeImageIndex.from_notes(notes, cache=cache)
    assert again._hashes == first._hashes
    monkeypatch.undo()

    cache.write_text("{not json", encoding="utf-8")
    rebuilt = MemeImageIndex.from_notes(notes, cache=cache)
    assert rebuilt._hashes == first._hashes and "unreadable" in caplog.text

    # a picture no longer served is forgotten: the cache holds the pictures in use
    kept = [n for n in notes if getattr(n, "image_path", None) is not None][:2]
    assert len(MemeImageIndex.from_notes(kept, cache=cache)) == 2
    assert len(json.loads(cache.read_text(encoding="utf-8"))) == 2
