"""Screenshots, charts and slides: the data-cleaning pie, "... is all you need", the Kaggle
shake-up, CUDA out of memory, strawberry, SeeFood (hot dog / not hot dog) and LeCun's cake."""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from .common import BLACK, WHITE, Color, fit_text, font


def draw_data_cleaning_80_percent() -> Image.Image:
    """Pie chart "Data science": 80% cleaning data, 20% complaining about cleaning data."""
    img = Image.new("RGB", (600, 600), WHITE)
    d = ImageDraw.Draw(img)
    d.text((300, 42), "Data science", font=font(40, "bold"), fill=BLACK, anchor="mm")
    big, small = (60, 120, 200), (250, 190, 40)
    d.pieslice([200, 100, 580, 480], start=342, end=270 + 360, fill=big, outline=WHITE, width=4)
    d.pieslice([200, 100, 580, 480], start=270, end=342, fill=small, outline=WHITE, width=4)
    fit_text(d, "Cleaning data 80%", (240, 300, 450, 400), max_size=34, kind="bold", fill=WHITE)
    angle = math.radians(306)
    d.text(
        (390 + 125 * math.cos(angle), 290 + 125 * math.sin(angle)),
        "20%",
        font=font(26, "bold"),
        fill=BLACK,
        anchor="mm",
    )
    for y, colour, label in ((230, big, "Cleaning data"), (330, small, "Complaining about cleaning data")):
        d.rectangle([20, y, 50, y + 30], fill=colour)
        fit_text(d, label, (60, y - 20, 190, y + 50), max_size=22, kind="sans", align="left")
    return img


def draw_all_you_need() -> Image.Image:
    """A stack of arXiv title cards: Attention / Hopfield / Patches / Textbooks / X Is All You Need."""
    img = Image.new("RGB", (800, 600), (70, 50, 38))
    d = ImageDraw.Draw(img)
    for x in range(0, 800, 90):  # wood grain
        d.line([(x, 0), (x + 40, 600)], fill=(84, 62, 46), width=10)
    titles = [
        ("Attention Is All You Need (2017)", 34),
        ("Hopfield Networks is All You Need", 24),
        ("Patches Are All You Need?", 24),
        ("Textbooks Are All You Need", 24),
        ("X Is All You Need", 24),
    ]
    y = 24
    for i, (title, size) in enumerate(titles):
        h = 130 if i == 0 else 86
        x = 30 + i * 14
        d.rectangle([x + 6, y + 6, x + 586, y + h + 6], fill=(30, 22, 16))  # shadow
        d.rectangle([x, y, x + 580, y + h], fill=(252, 252, 248), outline=(150, 150, 150))
        d.rectangle([x, y, x + 72, y + 22], fill=(179, 27, 27))
        d.text((x + 36, y + 11), "arXiv", font=font(14, "bold"), fill=WHITE, anchor="mm")
        fit_text(d, title, (x + 16, y + 26, x + 564, y + h - 6), max_size=size, kind="serif-bold")
        y += h + 22
    d.ellipse([610, 400, 790, 580], fill=(15, 15, 15))  # the record
    for r in (80, 66, 52):
        d.ellipse([700 - r, 490 - r, 700 + r, 490 + r], outline=(50, 50, 50), width=2)
    d.ellipse([655, 445, 745, 535], fill=(200, 40, 50))
    fit_text(d, "All You Need Is Love", (662, 465, 738, 515), max_size=14, kind="bold", fill=WHITE)
    return img


def _leaderboard(
    d: ImageDraw.ImageDraw, left: int, title: str, rows: list[tuple[str, str]], you: int, hl: Color
) -> None:
    d.rectangle([left, 80, left + 340, 130], fill=(32, 34, 44))
    d.text((left + 170, 105), title, font=font(28, "bold"), fill=WHITE, anchor="mm")
    mono = font(22, "mono-bold")
    for i, (rank, name) in enumerate(rows):
        y = 130 + i * 60
        fill = hl if i == you else ((255, 255, 255) if i % 2 else (236, 238, 242))
        d.rectangle([left, y, left + 340, y + 60], fill=fill, outline=(200, 200, 205))
        d.text((left + 20, y + 30), rank, font=mono, fill=BLACK, anchor="lm")
        d.text((left + 120, y + 30), name, font=mono, fill=BLACK, anchor="lm")


def draw_kaggle_shakeup() -> Image.Image:
    """Public leaderboard: You at #1; private leaderboard: You at #347."""
    img = Image.new("RGB", (800, 600), (246, 246, 248))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 800, 50], fill=(32, 190, 255))
    d.text((20, 25), "kaggle  ·  Leaderboard", font=font(24, "bold"), fill=WHITE, anchor="lm")
    public = [
        ("#1", "You"),
        ("#2", "team_b"),
        ("#3", "grandma"),
        ("#4", "xgb_fan"),
        ("#5", "lgbm42"),
        ("#6", "anon"),
    ]
    private = [
        ("#1", "anon"),
        ("#2", "lgbm42"),
        ("...", "..."),
        ("#346", "team_b"),
        ("#347", "You"),
        ("#348", "rnd"),
    ]
    _leaderboard(d, 30, "Public LB", public, 0, (255, 205, 50))
    _leaderboard(d, 430, "Private LB", private, 4, (235, 70, 70))
    d.line([(345, 160), (385, 160), (385, 400), (405, 400)], fill=(200, 20, 20), width=12)
    d.polygon([(400, 382), (427, 400), (400, 418)], fill=(200, 20, 20))
    d.text((400, 560), "shake-up", font=font(30, "bold"), fill=(200, 20, 20), anchor="mm")
    return img


def draw_cuda_out_of_memory() -> Image.Image:
    """A dark terminal: RuntimeError: CUDA out of memory, and a sad GPU."""
    img = Image.new("RGB", (800, 600), (18, 18, 22))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 800, 40], fill=(200, 200, 206))
    for i, colour in enumerate(((240, 90, 80), (245, 190, 60), (90, 200, 90))):
        d.ellipse([16 + i * 28, 12, 32 + i * 28, 28], fill=colour)
    d.text((400, 20), "python train.py", font=font(18, "sans"), fill=(60, 60, 60), anchor="mm")
    mono = font(20, "mono")
    lines = [
        ("$ python train.py --batch-size 64", (200, 200, 200)),
        ("Epoch 1/100", (200, 200, 200)),
        ("Traceback (most recent call last):", (200, 200, 200)),
        ('  File "train.py", line 42, in <module>', (200, 200, 200)),
        ("    loss = model(x).loss", (200, 200, 200)),
    ]
    y = 60
    for text, colour in lines:
        d.text((20, y), text, font=mono, fill=colour)
        y += 30
    fit_text(
        d,
        "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 15.90 GiB total capacity; "
        "14.96 GiB already allocated; 3.75 MiB free)",
        (20, y + 10, 780, y + 190),
        max_size=27,
        kind="mono-bold",
        fill=(255, 70, 70),
        align="left",
    )
    d.rounded_rectangle([560, 440, 770, 570], radius=8, fill=(40, 120, 60), outline=(150, 220, 160), width=3)
    d.ellipse([585, 460, 675, 550], fill=(25, 25, 28), outline=(150, 150, 150), width=3)  # fan
    for ex in (700, 740):  # sad face
        d.ellipse([ex - 6, 480, ex + 6, 492], fill=WHITE)
    d.arc([695, 510, 745, 540], start=200, end=340, fill=WHITE, width=4)
    d.rectangle([580, 570, 750, 582], fill=(200, 170, 60))
    return img


def draw_strawberry_letter_count() -> Image.Image:
    """A chat: How many r's are in 'strawberry'? — There are two r's."""
    img = Image.new("RGB", (600, 600), (247, 247, 248))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 600, 64], fill=(52, 53, 65))
    d.text((300, 32), "AI Chat", font=font(26, "bold"), fill=WHITE, anchor="mm")
    d.rounded_rectangle([190, 90, 580, 190], radius=22, fill=(40, 110, 235))
    fit_text(
        d, "How many r's are in 'strawberry'?", (210, 100, 560, 180), max_size=28, kind="sans", fill=WHITE
    )
    d.ellipse([20, 220, 64, 264], fill=(16, 163, 127))
    d.rounded_rectangle([78, 215, 500, 330], radius=22, fill=(225, 226, 232))
    fit_text(d, "There are two r's in the word 'strawberry'.", (98, 225, 480, 320), max_size=28, kind="sans")
    # The strawberry.
    red, seed = (220, 30, 50), (255, 230, 120)
    d.polygon([(220, 390), (380, 390), (300, 560)], fill=red)
    d.ellipse([212, 360, 302, 450], fill=red)
    d.ellipse([298, 360, 388, 450], fill=red)
    for k in range(14):
        sx, sy = 240 + (k * 37) % 120, 390 + (k * 53) % 120
        if abs(sx - 300) < (560 - sy) * 0.45:
            d.ellipse([sx - 4, sy - 6, sx + 4, sy + 6], fill=seed)
    for dx in (-50, -20, 20, 50):
        d.polygon([(300, 370), (300 + dx, 340), (300 + dx // 2, 385)], fill=(40, 150, 50))
    d.rectangle([0, 566, 600, 600], fill=(225, 226, 232))
    return img


def _phone(d: ImageDraw.ImageDraw, left: int, banner: str, colour: Color) -> tuple[int, int, int, int]:
    """A phone body with a coloured banner; returns the photo area of its screen."""
    d.rounded_rectangle(
        [left, 90, left + 300, 590], radius=30, fill=(12, 12, 14), outline=(120, 120, 130), width=4
    )
    d.rectangle([left + 18, 130, left + 282, 560], fill=(245, 236, 214))
    d.rectangle([left + 18, 440, left + 282, 520], fill=colour)
    d.text((left + 150, 480), banner, font=font(38, "bold"), fill=WHITE, anchor="mm")
    return left + 18, 130, left + 282, 440


def draw_hot_dog_not_hot_dog() -> Image.Image:
    """SeeFood: a hot dog gets a green "Hotdog!", a pizza slice a red "Not hotdog!"."""
    img = Image.new("RGB", (800, 600), (28, 28, 34))
    d = ImageDraw.Draw(img)
    d.text((400, 45), "SeeFood", font=font(44, "bold"), fill=WHITE, anchor="mm")
    _phone(d, 60, "Hotdog!", (40, 170, 70))
    d.rounded_rectangle([95, 260, 325, 340], radius=40, fill=(230, 175, 95), outline=(150, 100, 40), width=3)
    d.rounded_rectangle([85, 280, 335, 318], radius=19, fill=(175, 55, 40), outline=(110, 30, 20), width=2)
    d.line([(100 + k * 20, 292 + (k % 2) * 12) for k in range(12)], fill=(250, 215, 30), width=5)
    _phone(d, 440, "Not hotdog!", (220, 40, 40))
    d.polygon([(490, 190), (690, 190), (590, 410)], fill=(250, 200, 80), outline=(180, 120, 40))
    d.rectangle([484, 180, 696, 200], fill=(200, 130, 60))
    for px, py in ((560, 230), (620, 235), (590, 290), (575, 345), (615, 300)):
        d.ellipse([px - 16, py - 16, px + 16, py + 16], fill=(190, 40, 40))
    return img


def draw_lecun_cake() -> Image.Image:
    """LeCun's cake: a self-supervised sponge, supervised icing and an RL cherry."""
    img = Image.new("RGB", (600, 600), (214, 232, 246))
    d = ImageDraw.Draw(img)
    d.ellipse([30, 480, 570, 590], fill=(250, 250, 250), outline=(160, 160, 170), width=3)  # plate
    sponge, icing = (225, 180, 110), (255, 238, 242)
    d.polygon([(60, 300), (200, 240), (540, 240), (400, 300)], fill=icing, outline=BLACK)  # top
    d.rectangle([60, 300, 400, 330], fill=icing, outline=BLACK)  # icing layer
    d.rectangle([60, 330, 400, 530], fill=sponge, outline=BLACK, width=2)  # sponge
    d.polygon([(400, 300), (540, 240), (540, 470), (400, 530)], fill=(200, 150, 85), outline=BLACK)
    d.ellipse([275, 175, 335, 235], fill=(200, 20, 40), outline=(120, 0, 20), width=3)  # cherry
    d.line([(305, 180), (330, 120)], fill=(60, 120, 40), width=5)
    d.text((230, 380), "Unsupervised", font=font(24, "bold"), fill=(90, 60, 30), anchor="mm")
    d.line([(145, 380), (315, 380)], fill=(200, 20, 20), width=4)
    fit_text(d, "Self-Supervised Learning", (75, 405, 385, 515), max_size=34, kind="bold")
    d.line([(400, 315), (440, 380)], fill=BLACK, width=2)
    d.rectangle([380, 380, 590, 424], fill=WHITE, outline=BLACK, width=2)
    fit_text(d, "Supervised Learning", (386, 384, 584, 420), max_size=22, kind="bold")
    d.line([(335, 200), (380, 120)], fill=BLACK, width=2)
    d.rectangle([300, 40, 590, 120], fill=WHITE, outline=BLACK, width=2)
    fit_text(d, "Reinforcement Learning", (310, 48, 580, 112), max_size=26, kind="bold")
    return img
