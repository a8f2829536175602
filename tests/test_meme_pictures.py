"""The stand-in meme pictures: every one is recognised as itself by its perceptual hash (also
degraded), none is close to another, and a screenshot carrying only a meme's caption is recognised
through OCR and the answer pipeline.

The picture tests parse the meme notes one by one (``parse_note``): they need the notes' ``image:``
fields, not the cross-references between notes, which ``tests/test_notes.py`` checks.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from bot.vision import MATCH_MAX_DISTANCE, MemeImageIndex, load_image, recognise_meme
from indexer.notes import Note, note_paths, parse_note

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
IMAGES = KNOWLEDGE / "memes" / "images"
LIMIT = 10 * 1024 * 1024
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

FIRST_SIX = [
    "meme-car-salesman",
    "meme-emoji-fully-connected",
    "meme-finetune-cat",
    "meme-floor-is-lava",
    "meme-torch-log-negative",
    "meme-xgboost-kaggle",
]

# The text people quote from each new meme (the canonical captions of /work/meme-layouts.md, which
# the stand-in pictures carry too). One string per line of the screenshot.
CAPTIONS: dict[str, list[str]] = {
    "meme-stack-more-layers": [
        "STATISTICAL LEARNING",
        "…VC-dimension of our kernel is too high… minimize structural risk… soft margin",
        "NEURAL NETWORKS",
        "STACK MORE LAYERS",
    ],
    "meme-xkcd-machine-learning": [
        "This is your machine learning system?",
        "Yup! You pour the data into this big pile of linear algebra, then collect the answers on the other side.",
        "What if the answers are wrong?",
        "Just stir the pile until they start looking right.",
    ],
    "meme-gpu-go-brrr": ["STOP! You can't just solve everything with more compute!", "haha GPU go brrrrr"],
    "meme-is-this-ai": ["marketing", "linear regression", "Is this AI?"],
    "meme-always-has-been-matrix-multiplication": [
        "Wait, it's all matrix multiplication?",
        "Always has been.",
    ],
    "meme-ai-just-if-statements": [
        "ARTIFICIAL INTELLIGENCE",
        "Let's see who this really is",
        "if … else if … else",
    ],
    "meme-more-data": ["Tuning the architecture for weeks", "Just getting more data"],
    "meme-train-vs-test-accuracy": [
        "My model on training data: 100% accuracy",
        "My model on test data: 50% accuracy",
    ],
    "meme-data-cleaning-80-percent": ["Data science", "Cleaning data", "Complaining about cleaning data"],
    "meme-expanding-brain-linear-regression": [
        "Linear regression",
        "Gradient boosting",
        "100-layer neural network",
        "Linear regression",
    ],
    "meme-logistic-regression-is-a-neuron": [
        "Corporate needs you to find the differences between this picture and this picture.",
        "Logistic regression",
        "Neuron with sigmoid",
        "They're the same picture.",
    ],
    "meme-all-you-need": [
        "Attention Is All You Need (2017)",
        "Hopfield Networks is All You Need",
        "Patches Are All You Need?",
        "Textbooks Are All You Need",
        "X Is All You Need",
    ],
    "meme-shoggoth": ["Unsupervised learning (pretraining)", "Supervised fine-tuning", "RLHF"],
    "meme-stochastic-parrot": ["The next token is most likely…", "stochastic parrot"],
    "meme-graduate-student-descent": ["Graduate Student Descent", "loss", "sleepless nights"],
    "meme-chihuahua-or-muffin": ["chihuahua or muffin?"],
    "meme-hot-dog-not-hot-dog": ["SeeFood", "Hotdog!", "Not hotdog!"],
    "meme-deepdream-puppyslugs": ["DeepDream"],
    "meme-lecun-cake": [
        "Reinforcement Learning",
        "Supervised Learning",
        "Unsupervised",
        "Self-Supervised Learning",
    ],
    "meme-schmidhuber-did-it-first": ["Generative Adversarial Networks", "Schmidhuber did it in 1991."],
    "meme-kaggle-shakeup": ["Public LB", "#1 You", "Private LB", "#347 You"],
    "meme-restart-kernel-run-all": ["98% accuracy", "Restart Kernel and Run All Cells", "NameError"],
    "meme-cuda-out-of-memory": [
        "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 15.90 GiB total capacity; "
        "14.96 GiB already allocated; 3.75 MiB free)"
    ],
    "meme-tensorflow-vs-pytorch": [
        "TensorFlow 1.x",
        "with tf.Session() as sess:",
        "    sess.run(y, feed_dict={...})",
        "PyTorch",
        "y = (x * 2).sum(); print(y)",
    ],
    "meme-tank-detector-legend": ["tank", "no tank", "cloudy = tank"],
    "meme-my-model-is-training": [
        'The #1 ML engineer excuse for legitimately slacking off: "My model\'s training."',
        "Hey! Get back to work!",
        "My model's training!",
        "Oh. Carry on.",
    ],
    "meme-strawberry-letter-count": [
        "How many r's are in 'strawberry'?",
        "There are two r's in the word 'strawberry'.",
    ],
    "meme-xkcd-correlation": [
        "I used to think correlation implied causation.",
        "Then I took a statistics class. Now I don't.",
        "Sounds like the class helped.",
        "Well, maybe.",
    ],
}
NEW_MEMES = sorted(CAPTIONS)
ALL_MEMES = sorted([*FIRST_SIX, *NEW_MEMES])
OCR_MIN_HITS = 24  # of the 28 new memes' screenshots (the issue's bar)


# --- helpers -----------------------------------------------------------------------------------------


def encode(img: Image.Image, fmt: str = "PNG", **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def degraded(img: Image.Image) -> Image.Image:
    """5 % crop on every side, then 50 % size, then JPEG q60."""
    dx, dy = img.width // 20, img.height // 20
    img = img.crop((dx, dy, img.width - dx, img.height - dy))
    img = img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)
    return Image.open(io.BytesIO(encode(img, "JPEG", quality=60))).convert("RGB")


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


FONTS = [
    "DejaVuSans.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansMono.ttf",
]
STYLES = ["tweet", "dark", "forum", "photo"]


def photo_like(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Smooth colour blobs plus pixel noise: a stand-in for a photo."""
    w, h = size
    blobs = Image.fromarray(rng.integers(0, 256, (4, 6, 3), dtype=np.uint8)).resize(
        (w, h), Image.Resampling.BICUBIC
    )
    noisy = np.asarray(blobs, dtype=np.int16) + rng.integers(-24, 25, (h, w, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def screenshot(number: int, lines: list[str]) -> Image.Image:
    """A screenshot-style picture carrying only ``lines``: a tweet, a dark-mode post, a forum post or
    captions over a photo; font (five DejaVu faces; photo captions in condensed bold, like Impact),
    size and width vary with ``number``."""
    style = STYLES[number % len(STYLES)]
    font = ImageFont.truetype(str(FONT_DIR / FONTS[number % len(FONTS)]), 24 + (number * 5) % 12)
    rng = np.random.default_rng(number)
    width = [720, 800, 640][number % 3]
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    body = [part for line in lines for part in wrap(probe, line, font, width - 120)]
    line_h = round(font.size * 1.4)
    text_h = line_h * len(body)
    if style == "photo":  # classic meme: big outlined white caption over a noisy photo
        font = ImageFont.truetype(str(FONT_DIR / "DejaVuSansCondensed-Bold.ttf"), font.size * 3 // 2)
        body = [part for line in lines for part in wrap(probe, line, font, width - 60)]
        line_h = round(font.size * 1.3)
        text_h = line_h * len(body)
        img = photo_like(rng, (width, max(420, text_h + 120)))
        draw = ImageDraw.Draw(img)
        y = (img.height - text_h) // 2
        for line in body:
            draw.text(
                (width / 2, y),
                line,
                font=font,
                fill="white",
                stroke_width=3,
                stroke_fill="black",
                anchor="mt",
            )
            y += line_h
        return img
    bg, card, ink = {
        "tweet": ((230, 236, 240), (255, 255, 255), (15, 20, 25)),
        "dark": ((0, 0, 0), (22, 24, 28), (231, 233, 234)),
        "forum": ((218, 224, 230), (248, 249, 250), (34, 34, 34)),
    }[style]
    photo_h = 220 if number % 2 else 0  # some posts have a picture under the text
    height = 40 + 70 + text_h + photo_h + 60
    img = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([20, 20, width - 20, height - 20], radius=16, fill=card)
    draw.ellipse([44, 40, 92, 88], fill=tuple(int(v) for v in rng.integers(60, 200, 3)))  # avatar
    draw.rounded_rectangle([106, 50, 260, 64], radius=6, fill=(150, 155, 160))  # name, as a grey bar
    draw.rounded_rectangle([106, 72, 200, 82], radius=5, fill=(190, 195, 200))
    y = 110
    for line in body:
        draw.text((60, y), line, font=font, fill=ink)
        y += line_h
    if photo_h:
        img.paste(photo_like(rng, (width - 120, photo_h - 20)), (60, y + 10))
    return img


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def memes() -> dict[str, Note]:
    notes: dict[str, Note] = {}
    for path in note_paths(KNOWLEDGE):
        note, problems = parse_note(path)
        if note is not None and note.kind == "meme":
            assert not problems, problems
            notes[note.slug] = note
    return notes


@pytest.fixture(scope="module")
def index(memes: dict[str, Note]) -> MemeImageIndex:
    return MemeImageIndex.from_notes(memes.values())


@pytest.fixture(scope="module")
def pictures(memes: dict[str, Note]) -> dict[str, Image.Image]:
    return {slug: load_image(n.image_path.read_bytes(), LIMIT) for slug, n in memes.items() if n.image_path}


# --- the pictures ------------------------------------------------------------------------------------


@pytest.mark.slow  # hashes all 34 pictures and their degraded copies (~30 s on 2 cores)
def test_every_meme_has_its_own_picture(memes: dict[str, Note], index: MemeImageIndex) -> None:
    assert sorted(memes) == ALL_MEMES
    for slug, note in memes.items():
        path = note.image_path
        assert path is not None and path == IMAGES / f"{slug}.png" and path.is_file(), slug
        assert path.stat().st_size <= 150 * 1024, slug
        with Image.open(path) as img:
            assert img.format == "PNG" and img.size in {(800, 600), (600, 600)}, slug
    assert sorted(index.slugs) == ALL_MEMES


@pytest.mark.slow  # hashes all 34 pictures and their degraded copies (~30 s on 2 cores)
@pytest.mark.parametrize("slug", ALL_MEMES)
def test_picture_and_its_degraded_copy_match_their_meme(
    slug: str, memes: dict[str, Note], index: MemeImageIndex, pictures: dict[str, Image.Image]
) -> None:
    result = recognise_meme(memes[slug].image_path.read_bytes(), index, LIMIT)
    assert (result.slug, result.distance, result.ocr) == (slug, 0, "")
    copy = degraded(pictures[slug])
    hit = index.match(copy)
    assert hit is not None and hit[0] == slug, index.distances(copy)
    result = recognise_meme(encode(copy, "JPEG", quality=90), index, LIMIT)
    assert result.slug == slug and result.ocr == ""


@pytest.mark.slow  # hashes all 34 pictures and their degraded copies (~30 s on 2 cores)
@pytest.mark.parametrize("slug", ALL_MEMES)
def test_picture_is_far_from_every_other_meme(
    slug: str, index: MemeImageIndex, pictures: dict[str, Image.Image]
) -> None:
    """Distances are per picture, so the index of all pictures minus this one's entry is "the others"."""
    for img in (pictures[slug], degraded(pictures[slug])):
        others = index.distances(img)
        del others[slug]
        nearest = min(others, key=others.__getitem__)
        # bench/bench_meme_pictures.py measures >= 18; 6 above the threshold is the margin kept here.
        assert others[nearest] >= MATCH_MAX_DISTANCE + 6, (nearest, others[nearest])


@pytest.mark.slow
def test_script_redraws_the_committed_pictures(tmp_path: Path) -> None:
    """The PNGs are the script's output, byte for byte (same Pillow and fonts); rerun it after a change."""
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "draw_memes.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    drawn = sorted(p.name for p in tmp_path.glob("*.png"))
    assert drawn == [f"{slug}.png" for slug in ALL_MEMES]
    changed = [name for name in drawn if (tmp_path / name).read_bytes() != (IMAGES / name).read_bytes()]
    assert not changed, f"run scripts/draw_memes.py: {changed}"


# --- screenshots: hash fails, OCR reads the caption, the answer pipeline finds the meme --------------


def test_screenshots_are_deterministic_and_varied() -> None:
    a, b = screenshot(3, CAPTIONS[NEW_MEMES[3]]), screenshot(3, CAPTIONS[NEW_MEMES[3]])
    assert encode(a) == encode(b)
    sizes = {screenshot(i, CAPTIONS[slug]).size for i, slug in enumerate(NEW_MEMES)}
    assert len(sizes) > 5


@pytest.fixture(scope="module")
def ocr_answers(
    retriever, intent_router, index: MemeImageIndex
) -> dict[str, tuple[str, str | None, str | None]]:
    """slug → (OCR text, note the bot shows, note a typed question with that text gets), for the
    screenshot of each new meme. The bot's picture path (``bot.telegram.pictures.on_photo``) answers
    OCR text with ``picture=True``: a caption is matched against the memes first."""
    from bot.answer import AnswerPipeline
    from demos.registry import list_demos

    pipeline = AnswerPipeline(retriever, router=intent_router, demos=list_demos())
    out = {}
    for number, slug in enumerate(NEW_MEMES):
        recognition = recognise_meme(encode(screenshot(number, CAPTIONS[slug])), index, LIMIT)
        assert recognition.slug is None, f"{slug}: the screenshot matched {recognition.slug} by its hash"
        notes = []
        for picture in (True, False):
            answer = pipeline.answer(recognition.ocr, "en", None, picture) if recognition.ocr else None
            notes.append(answer.note.slug if answer is not None and answer.note is not None else None)
        out[slug] = (recognition.ocr, *notes)
    return out


@pytest.mark.slow
def test_screenshot_with_the_caption_is_recognised_through_ocr(ocr_answers) -> None:
    """Hash fails → Tesseract reads the caption → the bot's picture path answers with the right meme note.

    Tesseract 5.3.0 misreads some captions ("Is this AI?" → "Is this Al"; "Schmidhuber did it in 1991."
    loses its year); the bench and RESULTS.md list the misses.
    """
    misses = [(slug, found, ocr) for slug, (ocr, found, _) in ocr_answers.items() if found != slug]
    for slug, found, ocr in misses:
        print(f"MISS {slug}: answered {found}; OCR read {ocr!r}")
    hits = len(ocr_answers) - len(misses)
    print(f"screenshots recognised through OCR (the bot's picture path): {hits} of {len(ocr_answers)}")
    assert hits >= OCR_MIN_HITS, misses


@pytest.mark.slow
def test_caption_text_typed_as_a_question_mostly_finds_the_meme(ocr_answers) -> None:
    """The same caption text typed as a question (no picture): a caption is not a question, so the
    router sends some of it elsewhere. Reported, asserted only for most of them."""
    misses = [(slug, found) for slug, (_, _, found) in ocr_answers.items() if found != slug]
    for slug, found in misses:
        print(f"MISS as a question {slug}: answered {found}")
    print(f"captions typed as questions: {len(ocr_answers) - len(misses)} of {len(ocr_answers)}")
    assert len(misses) < len(ocr_answers) // 2
