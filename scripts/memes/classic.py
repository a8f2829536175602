"""The first six memes: torch.log of negatives, the fine-tuning cat, the floor is lava, the emoji
fully connected network, xgboost on Kaggle and the car salesman."""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from .common import BLACK, WHITE, Color, font, meme_caption, vertical_gradient


def draw_torch_log() -> Image.Image:
    """A docs-page screenshot: torch.log applied to torch.randn(5) prints five NaNs."""
    img = Image.new("RGB", (800, 600), (252, 252, 252))
    d = ImageDraw.Draw(img)
    # Docs header bar (PyTorch orange accent) and breadcrumb.
    d.rectangle([0, 0, 800, 56], fill=(38, 38, 38))
    d.rectangle([0, 56, 800, 62], fill=(238, 76, 44))
    d.text((24, 14), "PyTorch", font=font(26, "bold"), fill=WHITE)
    d.text((200, 20), "Docs  >  torch  >  torch.log", font=font(18, "sans"), fill=(200, 200, 200))
    # Function title and signature.
    d.text((40, 84), "TORCH.LOG", font=font(34, "bold"), fill=(38, 38, 38))
    d.rectangle([40, 138, 760, 176], fill=(240, 240, 240), outline=(220, 220, 220))
    d.text((52, 146), "torch.log(input, *, out=None) → Tensor", font=font(20, "mono"), fill=(190, 40, 40))
    d.text(
        (40, 196),
        "Returns a new tensor with the natural logarithm\nof the elements of input.",
        font=font(19, "sans"),
        fill=(60, 60, 60),
        spacing=8,
    )
    d.text((40, 262), "y_i = log_e(x_i)", font=font(20, "mono"), fill=(60, 60, 60))
    d.text((40, 306), "Example:", font=font(20, "bold"), fill=(38, 38, 38))
    # The code block.
    d.rectangle([40, 342, 760, 560], fill=(244, 246, 250), outline=(205, 210, 220), width=2)
    d.rectangle([40, 342, 46, 560], fill=(238, 76, 44))
    mono = font(21, "mono")
    lines: list[tuple[str, Color]] = [
        (">>> a = torch.randn(5)", (30, 30, 120)),
        (">>> a", (30, 30, 120)),
        ("tensor([-0.7168, -0.5471, -0.8933, -1.4428, -0.1190])", (40, 40, 40)),
        (">>> torch.log(a)", (30, 30, 120)),
        ("tensor([nan, nan, nan, nan, nan])", (200, 20, 20)),
    ]
    y = 358
    for text, colour in lines:
        d.text((62, y), text, font=mono, fill=colour)
        y += 40
    return img


def draw_finetune_cat() -> Image.Image:
    """A cat at a running faucet, pretending to drink, captioned FINE-TUNING / ДООБУЧЕНИЕ."""
    img = Image.new("RGB", (600, 600), (150, 200, 215))
    d = ImageDraw.Draw(img)
    # Bathroom tiles.
    for x in range(0, 600, 60):
        d.line([(x, 0), (x, 600)], fill=(120, 170, 190), width=3)
    for y in range(0, 600, 60):
        d.line([(0, y), (600, y)], fill=(120, 170, 190), width=3)
    # Sink counter and basin.
    d.rectangle([0, 430, 600, 600], fill=(235, 235, 230))
    d.ellipse([150, 440, 470, 540], fill=(205, 210, 215), outline=(150, 150, 160), width=4)
    # Faucet: pipe from the right wall, spout bending down.
    d.rectangle([430, 250, 600, 285], fill=(175, 180, 190), outline=(90, 95, 105), width=3)
    d.rectangle([400, 250, 450, 300], fill=(175, 180, 190), outline=(90, 95, 105), width=3)
    d.rectangle([520, 215, 560, 250], fill=(200, 40, 40), outline=(90, 30, 30), width=3)  # tap handle
    # Water stream.
    d.rectangle([410, 300, 440, 480], fill=(225, 245, 255))
    for y in range(310, 480, 22):
        d.line([(414, y), (436, y + 10)], fill=(150, 200, 235), width=3)
    # The cat (orange, sitting on the counter, head up towards the stream but missing it).
    orange, dark = (240, 150, 60), (150, 80, 25)
    d.ellipse([120, 300, 330, 500], fill=orange, outline=dark, width=4)  # body
    d.ellipse([90, 450, 340, 480], fill=orange)  # haunches on the counter
    d.arc([40, 330, 170, 500], start=90, end=250, fill=dark, width=14)  # tail
    d.polygon([(230, 330), (270, 270), (330, 290), (310, 360)], fill=orange)  # neck
    d.ellipse([240, 190, 390, 320], fill=orange, outline=dark, width=4)  # head
    d.polygon([(250, 225), (262, 150), (302, 200)], fill=orange, outline=dark)  # ears
    d.polygon([(330, 198), (372, 152), (382, 232)], fill=orange, outline=dark)
    d.polygon([(262, 210), (268, 170), (290, 200)], fill=(250, 190, 190))
    d.polygon([(340, 200), (368, 172), (374, 222)], fill=(250, 190, 190))
    for cx in (292, 345):  # eyes, squinting with effort
        d.line([(cx - 14, 250), (cx + 14, 244)], fill=BLACK, width=5)
    d.polygon([(312, 270), (326, 270), (319, 279)], fill=(220, 100, 120))  # nose
    d.ellipse([340, 282, 372, 306], fill=(200, 60, 80), outline=dark, width=2)  # open mouth
    d.polygon([(352, 292), (372, 288), (366, 302)], fill=(250, 120, 140))  # tongue, reaching
    for dy in (-8, 4, 16):  # whiskers
        d.line([(300, 278 + dy), (230, 270 + dy * 2)], fill=(60, 40, 20), width=2)
        d.line([(340, 278 + dy), (400, 268 + dy * 2)], fill=(60, 40, 20), width=2)
    for x in range(160, 300, 34):  # stripes across the back
        d.line([(x, 312 + abs(x - 225) // 3), (x + 14, 360)], fill=dark, width=7)
    meme_caption(d, "FINE-TUNING", (10, 8, 590, 110), max_size=76)
    meme_caption(d, "ДООБУЧЕНИЕ", (10, 505, 590, 595), max_size=70)
    return img


def _stick_figure(d: ImageDraw.ImageDraw, x: int, feet_y: int, arms_up: bool, colour: Color) -> None:
    """A stick figure standing with its feet at (x, feet_y)."""
    d.ellipse([x - 16, feet_y - 150, x + 16, feet_y - 118], fill=(245, 210, 175), outline=BLACK, width=3)
    d.line([(x, feet_y - 118), (x, feet_y - 55)], fill=colour, width=9)
    d.line([(x, feet_y - 55), (x - 20, feet_y)], fill=BLACK, width=6)
    d.line([(x, feet_y - 55), (x + 20, feet_y)], fill=BLACK, width=6)
    if arms_up:
        d.line([(x, feet_y - 105), (x - 30, feet_y - 150)], fill=BLACK, width=6)
        d.line([(x, feet_y - 105), (x + 30, feet_y - 150)], fill=BLACK, width=6)
    else:
        d.line([(x, feet_y - 105), (x - 34, feet_y - 80)], fill=BLACK, width=6)
        d.line([(x, feet_y - 105), (x + 34, feet_y - 80)], fill=BLACK, width=6)


def draw_floor_is_lava() -> Image.Image:
    """A living room whose floor is lava; researchers balance on furniture to avoid clean code."""
    img = Image.new("RGB", (800, 600), (236, 222, 190))
    d = ImageDraw.Draw(img)
    # Wallpaper stripes and a window.
    for x in range(0, 800, 50):
        d.rectangle([x, 0, x + 18, 380], fill=(226, 208, 170))
    d.rectangle([320, 110, 480, 230], fill=(170, 215, 245), outline=(120, 80, 50), width=8)
    d.line([(400, 110), (400, 230)], fill=(120, 80, 50), width=6)
    # Lava floor with bright blobs and a wavy surface.
    d.rectangle([0, 380, 800, 600], fill=(220, 60, 20))
    wave = [(x, 380 + round(8 * math.sin(x / 30))) for x in range(0, 801, 10)]
    d.polygon([(0, 360), *wave, (800, 360)], fill=(236, 222, 190))
    for i in range(14):
        cx, cy = 40 + (i * 137) % 760, 420 + (i * 53) % 160
        r = 14 + (i * 7) % 22
        d.ellipse([cx - r * 2, cy - r, cx + r * 2, cy + r], fill=(255, 170, 30))
        d.ellipse([cx - r, cy - r // 2, cx + r, cy + r // 2], fill=(255, 235, 110))
    # Couch on the left, table on the right, a chair in the middle (all sticking out of the lava).
    d.rectangle([30, 300, 270, 420], fill=(70, 110, 170), outline=(30, 50, 90), width=4)
    d.rectangle([30, 250, 270, 310], fill=(80, 125, 185), outline=(30, 50, 90), width=4)
    d.rectangle([10, 280, 50, 430], fill=(60, 95, 150), outline=(30, 50, 90), width=4)
    d.rectangle([250, 280, 290, 430], fill=(60, 95, 150), outline=(30, 50, 90), width=4)
    d.rectangle([560, 330, 780, 350], fill=(130, 80, 40), outline=(70, 40, 15), width=3)
    for x in (575, 755):
        d.rectangle([x, 350, x + 14, 440], fill=(130, 80, 40), outline=(70, 40, 15), width=3)
    d.rectangle([380, 360, 460, 375], fill=(150, 95, 50), outline=(70, 40, 15), width=3)
    d.rectangle([440, 280, 456, 362], fill=(150, 95, 50), outline=(70, 40, 15), width=3)
    d.rectangle([384, 375, 396, 450], fill=(150, 95, 50))
    d.rectangle([444, 375, 456, 450], fill=(150, 95, 50))
    # Researchers on the furniture.
    _stick_figure(d, 110, 300, arms_up=True, colour=(40, 140, 60))
    _stick_figure(d, 200, 300, arms_up=False, colour=(150, 40, 150))
    _stick_figure(d, 420, 360, arms_up=True, colour=(30, 90, 200))
    _stick_figure(d, 670, 330, arms_up=False, colour=(200, 120, 0))
    # Labels: who is on the furniture, what the lava is.
    label = font(22, "bold")
    d.rounded_rectangle([500, 96, 700, 134], radius=8, fill=WHITE, outline=BLACK, width=2)
    d.text((600, 115), "researchers", font=label, fill=BLACK, anchor="mm")
    d.polygon([(590, 134), (610, 134), (660, 160)], fill=WHITE, outline=BLACK)
    # A warning sign stuck in the lava: what the lava actually is.
    d.rectangle([336, 470, 346, 540], fill=(90, 60, 30))
    d.rounded_rectangle([240, 430, 560, 480], radius=6, fill=(255, 215, 0), outline=BLACK, width=3)
    d.text((400, 455), "LAVA = clean code", font=font(26, "bold"), fill=BLACK, anchor="mm")
    meme_caption(d, "THE FLOOR IS LAVA", (10, 6, 790, 86), max_size=70)
    meme_caption(d, "research code", (10, 530, 790, 596), max_size=56)
    return img


def _smiley(d: ImageDraw.ImageDraw, cx: int, cy: int, r: int, mood: str) -> None:
    """An emoji-like face: ``happy``, ``thinking`` or ``wow``."""
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(255, 205, 50), outline=(180, 120, 0), width=3)
    ey, ex = cy - r // 4, r // 3
    for sx in (-1, 1):
        d.ellipse([cx + sx * ex - r // 8, ey - r // 6, cx + sx * ex + r // 8, ey + r // 6], fill=(70, 40, 10))
    if mood == "happy":
        d.arc(
            [cx - r // 2, cy - r // 4, cx + r // 2, cy + r // 2],
            start=20,
            end=160,
            fill=(70, 40, 10),
            width=4,
        )
    elif mood == "wow":
        d.ellipse([cx - r // 6, cy + r // 6, cx + r // 6, cy + r // 2], fill=(70, 40, 10))
    else:  # thinking: raised brow, flat mouth, hand on the chin
        d.line([(cx + ex - r // 5, ey - r // 3), (cx + ex + r // 5, ey - r // 2)], fill=(70, 40, 10), width=4)
        d.line([(cx - r // 4, cy + r // 3), (cx + r // 4, cy + r // 4)], fill=(70, 40, 10), width=4)
        d.ellipse([cx - r // 2, cy + r // 2, cx, cy + r], fill=(255, 185, 40), outline=(180, 120, 0), width=2)


def draw_emoji_fully_connected() -> Image.Image:
    """A fully connected network whose neurons are emoji faces, on a dark slide."""
    img = vertical_gradient((800, 600), (25, 30, 70), (10, 12, 30))
    d = ImageDraw.Draw(img)
    xs = (110, 310, 490, 690)
    layers = [
        [(xs[0], y) for y in (170, 260, 350, 440)],
        [(xs[1], y) for y in (140, 225, 310, 395, 480)],
        [(xs[2], y) for y in (180, 310, 440)],
        [(xs[3], y) for y in (230, 390)],
    ]
    for a, b in zip(layers, layers[1:], strict=False):
        for p in a:
            for q in b:
                d.line([p, q], fill=(120, 200, 255), width=2)
    icons = ["img", "note", "film", "img"]
    for (x, y), icon in zip(layers[0], icons, strict=True):  # input "emoji": picture, sound, video
        d.rounded_rectangle(
            [x - 30, y - 30, x + 30, y + 30], radius=10, fill=(240, 240, 250), outline=WHITE, width=3
        )
        if icon == "img":
            d.polygon(
                [(x - 22, y + 20), (x - 5, y - 6), (x + 8, y + 10), (x + 14, y + 2), (x + 22, y + 20)],
                fill=(60, 160, 80),
            )
            d.ellipse([x + 6, y - 22, x + 18, y - 10], fill=(250, 180, 0))
        elif icon == "note":
            d.ellipse([x - 16, y + 6, x - 2, y + 18], fill=(80, 60, 200))
            d.line([(x - 3, y + 12), (x - 3, y - 20), (x + 16, y - 14)], fill=(80, 60, 200), width=4)
        else:
            d.rectangle([x - 22, y - 16, x + 22, y + 16], fill=(40, 40, 40))
            for k in range(-18, 20, 10):
                d.rectangle([x + k, y - 14, x + k + 4, y - 10], fill=WHITE)
                d.rectangle([x + k, y + 10, x + k + 4, y + 14], fill=WHITE)
    for i, (x, y) in enumerate(layers[1]):
        _smiley(d, x, y, 30, "happy" if i % 2 == 0 else "wow")
    for i, (x, y) in enumerate(layers[2]):
        _smiley(d, x, y, 38, "thinking" if i == 1 else "happy")
    for (x, y), mark in zip(layers[3], ("cat", "dog"), strict=True):
        d.ellipse([x - 36, y - 36, x + 36, y + 36], fill=(250, 90, 90), outline=WHITE, width=3)
        d.text((x, y), mark, font=font(22, "bold"), fill=WHITE, anchor="mm")
    meme_caption(d, "FULLY CONNECTED", (10, 8, 790, 92), max_size=72)
    meme_caption(d, "полносвязная сеть", (10, 520, 790, 596), max_size=52)
    return img


def draw_xgboost_kaggle() -> Image.Image:
    """Kaggle-blue poster: a gold trophy, a leaderboard and the one-line recipe ``import xgboost``."""
    img = Image.new("RGB", (600, 600), (32, 190, 255))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 430, 600, 600], fill=(10, 90, 140))
    # Trophy on the left.
    gold, dark_gold = (255, 200, 40), (170, 120, 0)
    d.pieslice([40, 120, 240, 320], start=0, end=180, fill=gold, outline=dark_gold, width=4)
    d.rectangle([40, 150, 240, 222], fill=gold)
    d.line([(40, 150), (40, 222)], fill=dark_gold, width=4)
    d.line([(240, 150), (240, 222)], fill=dark_gold, width=4)
    d.line([(40, 150), (240, 150)], fill=dark_gold, width=4)
    d.arc([5, 160, 65, 250], start=90, end=270, fill=gold, width=10)
    d.arc([215, 160, 275, 250], start=270, end=90, fill=gold, width=10)
    d.rectangle([125, 318, 155, 360], fill=gold, outline=dark_gold, width=3)
    d.rectangle([90, 360, 190, 392], fill=(120, 70, 20), outline=(70, 40, 10), width=3)
    d.text(
        (140, 210),
        "1",
        font=font(70, "bold"),
        fill=(255, 255, 220),
        anchor="mm",
        stroke_width=3,
        stroke_fill=dark_gold,
    )
    # Leaderboard on the right.
    d.rounded_rectangle([290, 130, 585, 400], radius=12, fill=WHITE, outline=(10, 90, 140), width=3)
    d.text((305, 140), "Leaderboard", font=font(24, "bold"), fill=(10, 90, 140))
    rows = [
        ("1", "xgboost", "0.9871"),
        ("2", "xgboost", "0.9869"),
        ("3", "xgboost", "0.9866"),
        ("4", "my CNN", "0.7012"),
    ]
    small = font(19, "mono-bold")
    for i, (rank, team, score) in enumerate(rows):
        y = 190 + i * 50
        if i == 0:
            d.rectangle([296, y - 8, 579, y + 30], fill=(255, 240, 180))
        d.text((305, y), rank, font=small, fill=BLACK)
        d.text((335, y), team, font=small, fill=(20, 20, 20))
        d.text((490, y), score, font=small, fill=(20, 110, 40) if i < 3 else (200, 30, 30))
    # Code line.
    d.rounded_rectangle([110, 445, 490, 505], radius=10, fill=(30, 30, 30), outline=WHITE, width=2)
    d.text((300, 475), ">>> import xgboost", font=font(28, "mono-bold"), fill=(120, 255, 120), anchor="mm")
    meme_caption(d, "HOW TO WIN KAGGLE:", (10, 10, 590, 110), max_size=62)
    meme_caption(d, "import xgboost", (10, 515, 590, 595), max_size=58)
    return img


def draw_car_salesman() -> Image.Image:
    """A salesman slapping the roof of a car that is labelled as a model."""
    img = vertical_gradient((800, 600), (255, 225, 160), (250, 150, 90))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 420, 800, 600], fill=(90, 90, 95))  # car lot asphalt
    for x in range(0, 800, 120):
        d.rectangle([x + 20, 500, x + 80, 510], fill=(235, 235, 200))
    # The car (red sedan) on the right.
    body, dark = (200, 30, 40), (90, 10, 15)
    d.rounded_rectangle([250, 300, 760, 420], radius=30, fill=body, outline=dark, width=4)
    d.polygon([(340, 300), (410, 215), (620, 215), (690, 300)], fill=body, outline=dark)
    d.polygon([(360, 296), (420, 228), (505, 228), (505, 296)], fill=(170, 220, 245), outline=dark)
    d.polygon([(520, 296), (520, 228), (610, 228), (668, 296)], fill=(170, 220, 245), outline=dark)
    d.line([(505, 300), (505, 410)], fill=dark, width=3)
    d.rectangle([730, 330, 758, 350], fill=(255, 240, 150), outline=dark, width=2)  # headlight
    d.rectangle([252, 330, 270, 350], fill=(255, 120, 80), outline=dark, width=2)  # tail light
    for cx in (350, 650):
        d.ellipse([cx - 50, 370, cx + 50, 470], fill=(25, 25, 25))
        d.ellipse([cx - 24, 396, cx + 24, 444], fill=(180, 180, 185))
    d.text((505, 360), "model.fit()", font=font(26, "mono-bold"), fill=WHITE, anchor="mm")
    # The salesman on the left: suit, tie, big grin, one hand on the roof.
    skin, suit = (240, 200, 165), (40, 50, 80)
    d.rectangle([110, 250, 230, 430], fill=suit, outline=BLACK, width=3)  # jacket
    d.polygon([(150, 250), (170, 250), (166, 330), (154, 330)], fill=WHITE)  # shirt
    d.polygon([(156, 255), (164, 255), (168, 310), (160, 322), (152, 310)], fill=(220, 30, 30))  # tie
    d.rectangle([120, 430, 160, 520], fill=(30, 35, 55))  # legs
    d.rectangle([180, 430, 220, 520], fill=(30, 35, 55))
    d.ellipse([110, 510, 165, 530], fill=BLACK)
    d.ellipse([175, 510, 230, 530], fill=BLACK)
    d.ellipse([115, 140, 205, 250], fill=skin, outline=BLACK, width=3)  # head
    d.chord([115, 130, 205, 190], start=180, end=360, fill=(90, 60, 30))  # hair
    d.ellipse([138, 182, 150, 194], fill=BLACK)
    d.ellipse([170, 182, 182, 194], fill=BLACK)
    d.chord([135, 200, 188, 236], start=0, end=180, fill=WHITE, outline=BLACK, width=2)  # grin
    d.line([(220, 265), (330, 215), (420, 212)], fill=suit, width=22)  # arm up to the roof
    d.ellipse([405, 196, 445, 226], fill=skin, outline=BLACK, width=2)  # hand on the roof
    for dx in (-24, 0, 24):  # slap marks
        d.line([(425 + dx, 190), (425 + dx * 2, 165)], fill=(60, 60, 60), width=4)
    d.line([(120, 275), (80, 360)], fill=suit, width=22)  # other arm
    meme_caption(d, "*slaps roof of model*", (10, 8, 790, 80), max_size=52)
    meme_caption(d, "THIS BAD BOY CAN FIT SO MANY PARAMETERS", (10, 470, 790, 596), max_size=56)
    return img
