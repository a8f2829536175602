"""Reaction-image templates: stack more layers, GPU go brrr, "is this AI?", always has been,
the Scooby-Doo unmasking and Swole Doge vs Cheems."""

from __future__ import annotations

from PIL import Image, ImageDraw

from .common import BLACK, WHITE, Color, bubble, fit_text, font, meme_caption, tag, vertical_gradient

SKIN: Color = (240, 205, 170)


def _face(d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], skin: Color = SKIN) -> None:
    d.ellipse(box, fill=skin, outline=BLACK, width=3)


def draw_stack_more_layers() -> Image.Image:
    """Top: a serious statistician in a suit; bottom: a clown yelling STACK MORE LAYERS."""
    img = Image.new("RGB", (600, 600), (130, 140, 160))
    d = ImageDraw.Draw(img)
    # Top panel: office wall, header, the serious man and his dense text.
    d.rectangle([0, 0, 600, 46], fill=WHITE)
    d.text((300, 24), "STATISTICAL LEARNING", font=font(30, "bold"), fill=BLACK, anchor="mm")
    d.rectangle([0, 46, 600, 300], outline=BLACK, width=3)
    suit, m = (45, 50, 62), 390  # the man stands on the right, m px from the left
    d.polygon([(m + 40, 300), (m + 60, 200), (m + 190, 200), (m + 210, 300)], fill=suit)
    d.polygon([(m + 108, 200), (m + 142, 200), (m + 125, 260)], fill=WHITE)
    d.polygon(
        [(m + 120, 205), (m + 130, 205), (m + 134, 250), (m + 125, 262), (m + 116, 250)], fill=(30, 60, 120)
    )
    _face(d, (m + 80, 96, m + 170, 200))
    d.chord([m + 78, 88, m + 172, 150], start=180, end=360, fill=(70, 60, 55))
    for ex in (m + 108, m + 142):
        d.line([(ex - 9, 140), (ex + 9, 140)], fill=BLACK, width=4)
    d.line([(m + 112, 176), (m + 138, 176)], fill=BLACK, width=3)
    d.rectangle([15, 66, 410, 286], fill=(250, 250, 246), outline=(120, 120, 130), width=2)
    fit_text(
        d,
        "The VC-dimension of our kernel is too high, so we minimize structural risk with a soft margin "
        "and check the Rademacher complexity bound before we trust the empirical risk.",
        (28, 76, 398, 276),
        max_size=17,
        kind="serif",
        fill=(40, 40, 40),
        align="left",
    )
    # Bottom panel: the clown on black.
    d.rectangle([0, 300, 600, 600], fill=(12, 12, 16))
    d.text((300, 326), "NEURAL NETWORKS", font=font(30, "bold"), fill=WHITE, anchor="mm")
    for cx, colour in ((190, (255, 120, 20)), (410, (40, 200, 90))):  # puffy hair
        for dy in (-30, 10, 50):
            d.ellipse([cx - 50, 400 + dy, cx + 50, 480 + dy], fill=colour)
    d.ellipse([205, 360, 395, 560], fill=(250, 250, 250), outline=BLACK, width=3)
    for ex in (258, 342):  # diamond eyes
        d.polygon([(ex, 410), (ex + 22, 440), (ex, 470), (ex - 22, 440)], fill=(40, 90, 220))
        d.ellipse([ex - 7, 433, ex + 7, 447], fill=BLACK)
    d.ellipse([282, 455, 318, 491], fill=(230, 20, 30))  # nose
    d.chord([240, 480, 360, 550], start=0, end=180, fill=(210, 20, 30), outline=BLACK, width=3)  # yelling
    d.chord([262, 488, 338, 530], start=0, end=180, fill=(90, 0, 10))
    meme_caption(d, "STACK MORE LAYERS", (10, 540, 590, 598), max_size=52)
    return img


def draw_gpu_go_brrr() -> Image.Image:
    """Left: a crying Wojak yelling STOP; right: a calm one cranking the GPU money printer."""
    img = Image.new("RGB", (800, 600), (238, 232, 220))
    d = ImageDraw.Draw(img)
    # Left panel: the crying Wojak.
    bubble(
        d,
        (20, 20, 380, 160),
        "STOP! You can't just solve everything with more compute!",
        tail=(200, 210),
        max_size=30,
    )
    _face(d, (90, 210, 310, 470), (245, 235, 225))
    for ex in (150, 250):  # shut eyes and tears
        d.arc([ex - 28, 290, ex + 28, 330], start=200, end=340, fill=BLACK, width=5)
        d.rectangle([ex - 8, 318, ex + 8, 440], fill=(120, 180, 255))
    d.ellipse([165, 380, 235, 450], fill=(110, 20, 30), outline=BLACK, width=3)  # yelling mouth
    d.polygon([(40, 600), (90, 470), (310, 470), (360, 600)], fill=(70, 70, 75))  # shoulders
    for hx in (70, 330):  # hands up in despair
        d.ellipse([hx - 30, 240, hx + 30, 320], fill=(245, 235, 225), outline=BLACK, width=3)
    # Right panel: dark room with the money printer.
    d.rectangle([400, 0, 800, 600], fill=(52, 64, 58))
    d.line([(400, 0), (400, 600)], fill=BLACK, width=8)
    d.rounded_rectangle([560, 170, 780, 420], radius=10, fill=(20, 110, 60), outline=BLACK, width=4)
    d.text((670, 250), "GPU", font=font(56, "bold"), fill=WHITE, anchor="mm")
    d.rectangle([580, 320, 760, 340], fill=(10, 30, 20))  # output slot
    for i in range(4):  # sheets flying out
        x, y = 600 + i * 38, 350 + i * 22
        d.polygon(
            [(x, y), (x + 70, y - 10), (x + 80, y + 30), (x + 10, y + 40)],
            fill=(190, 235, 170),
            outline=BLACK,
        )
    d.line([(560, 260), (515, 260), (515, 220)], fill=(200, 200, 200), width=10)  # crank
    _face(d, (430, 150, 530, 260), (245, 235, 225))  # the calm one
    for ex in (460, 500):
        d.line([(ex - 10, 195), (ex + 10, 195)], fill=BLACK, width=4)
    d.arc([455, 205, 505, 240], start=20, end=160, fill=BLACK, width=3)
    d.polygon([(425, 420), (440, 260), (520, 260), (535, 420)], fill=(200, 200, 205))
    d.line([(520, 290), (515, 225)], fill=(245, 235, 225), width=14)
    meme_caption(d, "haha GPU go brrrrr", (410, 460, 790, 590), max_size=50)
    return img


def draw_is_this_ai() -> Image.Image:
    """The anime butterfly man: "marketing" points at a "linear regression" butterfly: Is this AI?"""
    img = vertical_gradient((800, 600), (70, 70, 130), (150, 120, 170))
    d = ImageDraw.Draw(img)
    d.rectangle([560, 40, 780, 330], fill=(235, 230, 190), outline=(60, 50, 80), width=6)  # bright window
    d.line([(670, 40), (670, 330)], fill=(60, 50, 80), width=5)
    d.line([(560, 185), (780, 185)], fill=(60, 50, 80), width=5)
    # The man: brown coat, glasses, arm stretched towards the butterfly.
    d.polygon([(110, 600), (150, 330), (330, 330), (370, 600)], fill=(120, 85, 55), outline=BLACK)
    d.polygon([(215, 330), (265, 330), (240, 420)], fill=WHITE)
    d.line([(300, 360), (440, 300), (490, 270)], fill=(120, 85, 55), width=40)
    d.ellipse([478, 250, 520, 292], fill=SKIN, outline=BLACK, width=2)
    _face(d, (175, 170, 305, 330))
    d.chord([170, 150, 310, 250], start=180, end=360, fill=(35, 30, 40))
    for ex in (210, 270):  # glasses
        d.rectangle([ex - 22, 232, ex + 22, 262], outline=BLACK, width=4)
    d.line([(232, 245), (248, 245)], fill=BLACK, width=3)
    d.line([(220, 295), (260, 293)], fill=BLACK, width=3)
    tag(d, (240, 470), "marketing", size=26)
    # The butterfly.
    bx, by = 630, 250
    for sx in (-1, 1):
        d.polygon(
            [(bx, by), (bx + sx * 70, by - 70), (bx + sx * 90, by - 10)], fill=(255, 200, 40), outline=BLACK
        )
        d.polygon(
            [(bx, by), (bx + sx * 80, by + 10), (bx + sx * 50, by + 60)], fill=(250, 140, 30), outline=BLACK
        )
    d.line([(bx, by - 40), (bx, by + 40)], fill=BLACK, width=6)
    tag(d, (640, 350), "linear regression", size=24)
    meme_caption(d, "Is this AI?", (10, 540, 790, 598), max_size=54, kind="bold")
    return img


def draw_always_has_been() -> Image.Image:
    """Two astronauts over an Earth made of matrices: "Always has been." (with a pistol)."""
    img = Image.new("RGB", (800, 600), (5, 5, 15))
    d = ImageDraw.Draw(img)
    for i in range(90):  # stars, placed by a fixed arithmetic pattern
        x, y = (i * 193) % 800, (i * 97 + i * i * 7) % 600
        d.ellipse([x, y, x + 2 + i % 3, y + 2 + i % 3], fill=(220, 220, 255))
    d.ellipse([-260, 190, 500, 950], fill=(50, 120, 220), outline=(150, 200, 255), width=6)  # Earth
    mono = font(22, "mono-bold")
    for row in range(9):
        y = 300 + row * 34
        values = " ".join(f"{((row * 7 + k * 3) % 19 - 9) / 10:+.1f}" for k in range(5))
        d.text((-20 + row * 6, y), f"[{values}]", font=mono, fill=(150, 255, 170))
    suit, visor = (235, 235, 240), (40, 40, 60)

    def astronaut(x: int, y: int) -> None:
        d.rounded_rectangle([x - 55, y, x + 55, y + 170], radius=30, fill=suit, outline=BLACK, width=3)
        d.ellipse([x - 50, y - 95, x + 50, y + 5], fill=suit, outline=BLACK, width=3)
        d.ellipse([x - 36, y - 75, x + 30, y - 15], fill=visor)
        d.rectangle([x - 30, y + 40, x + 30, y + 80], fill=(200, 60, 40))  # chest pack

    astronaut(480, 330)
    astronaut(680, 300)
    d.line([(640, 360), (560, 370)], fill=suit, width=26)  # arm with the pistol
    d.rectangle([505, 350, 560, 372], fill=(60, 60, 65))
    d.rectangle([545, 372, 560, 398], fill=(60, 60, 65))
    meme_caption(d, "Wait, it's all matrix multiplication?", (240, 20, 560, 210), max_size=40)
    meme_caption(d, "Always has been.", (560, 30, 795, 190), max_size=42)
    return img


def draw_ai_just_if_statements() -> Image.Image:
    """Scooby-Doo unmasking: ARTIFICIAL INTELLIGENCE turns out to be if / else if / else."""
    img = Image.new("RGB", (600, 600), (70, 40, 100))
    d = ImageDraw.Draw(img)
    blond, ascot = (250, 205, 60), (240, 120, 30)

    def fred(x: int, y: int) -> None:
        d.polygon(
            [(x - 70, y + 300), (x - 55, y + 120), (x + 55, y + 120), (x + 70, y + 300)],
            fill=WHITE,
            outline=BLACK,
        )
        d.polygon([(x - 18, y + 118), (x + 18, y + 118), (x, y + 160)], fill=ascot, outline=BLACK)
        _face(d, (x - 45, y + 20, x + 45, y + 125))
        d.chord([x - 50, y, x + 50, y + 80], start=180, end=360, fill=blond, outline=BLACK)
        d.ellipse([x - 20, y + 60, x - 10, y + 70], fill=BLACK)
        d.ellipse([x + 10, y + 60, x + 20, y + 70], fill=BLACK)
        d.line([(x - 15, y + 100), (x + 15, y + 100)], fill=BLACK, width=3)

    # Top panel: Fred holds the masked "AI" ghost.
    fred(120, 60)
    d.polygon([(300, 290), (330, 90), (430, 60), (530, 90), (560, 290)], fill=(235, 240, 250), outline=BLACK)
    d.rectangle([370, 120, 490, 180], fill=(80, 90, 110), outline=BLACK, width=3)  # robot visor
    for ex in (400, 460):
        d.ellipse([ex - 12, 138, ex + 12, 162], fill=(80, 220, 255))
    d.line([(170, 200), (330, 150)], fill=WHITE, width=16)  # Fred's arm on the mask
    tag(d, (430, 235), "ARTIFICIAL INTELLIGENCE", size=18)
    fit_text(d, "Let's see who this really is", (10, 6, 590, 50), max_size=30, kind="bold", fill=WHITE)
    # Bottom panel: mask off, a face made of code.
    d.rectangle([0, 300, 600, 600], fill=(25, 25, 30), outline=BLACK, width=4)
    d.line([(0, 300), (600, 300)], fill=BLACK, width=8)
    d.ellipse([300, 330, 560, 590], fill=(45, 60, 45), outline=(120, 255, 120), width=3)
    mono = font(19, "mono-bold")
    code = [
        "if x > 0:",
        "  return 1",
        "elif x < -3:",
        "  return 2",
        "else if y:",
        "  return 3",
        "else:",
        "  return 0",
    ]
    for i, line in enumerate(code):
        d.text((345 + (i % 2) * 8, 360 + i * 27), line, font=mono, fill=(140, 255, 140))
    fred(120, 320)
    d.polygon(
        [(160, 460), (240, 420), (280, 470), (200, 500)], fill=(235, 240, 250), outline=BLACK
    )  # the mask, off
    return img


def _shiba_head(d: ImageDraw.ImageDraw, cx: int, cy: int, r: int, sad: bool) -> None:
    fur, cream = (225, 160, 80), (250, 235, 210)
    for sx in (-1, 1):
        d.polygon(
            [
                (cx + sx * r * 0.3, cy - r * 0.7),
                (cx + sx * r * 0.85, cy - r * 1.3),
                (cx + sx * r, cy - r * 0.2),
            ],
            fill=fur,
            outline=BLACK,
        )
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fur, outline=BLACK, width=3)
    d.ellipse([cx - r * 0.7, cy - r * 0.05, cx + r * 0.7, cy + r * 0.95], fill=cream)
    for sx in (-1, 1):
        ex, ey = cx + sx * r * 0.38, cy - r * 0.2
        if sad:
            d.ellipse([ex - r * 0.1, ey - r * 0.1, ex + r * 0.1, ey + r * 0.1], fill=BLACK)
            d.line(
                [(ex - sx * r * 0.2, ey - r * 0.3), (ex + sx * r * 0.1, ey - r * 0.15)], fill=BLACK, width=3
            )
        else:
            d.line([(ex - r * 0.15, ey), (ex + r * 0.15, ey - sx * r * 0.06)], fill=BLACK, width=5)
    d.ellipse([cx - r * 0.15, cy + r * 0.2, cx + r * 0.15, cy + r * 0.4], fill=BLACK)
    if sad:
        d.arc(
            [cx - r * 0.3, cy + r * 0.55, cx + r * 0.3, cy + r * 0.85],
            start=200,
            end=340,
            fill=BLACK,
            width=3,
        )
    else:
        d.line([(cx - r * 0.3, cy + r * 0.6), (cx + r * 0.3, cy + r * 0.55)], fill=BLACK, width=4)


def draw_train_vs_test_accuracy() -> Image.Image:
    """Swole Doge (100% on training data) next to small sad Cheems (50% on test data)."""
    img = Image.new("RGB", (800, 600), (110, 170, 225))
    d = ImageDraw.Draw(img)
    d.rectangle([420, 0, 800, 600], fill=(226, 222, 214))
    d.line([(420, 0), (420, 600)], fill=BLACK, width=6)
    d.rectangle([0, 500, 420, 600], fill=(70, 110, 160))
    # Swole Doge: broad torso, huge arms.
    fur = (225, 160, 80)
    d.polygon([(60, 600), (40, 300), (380, 300), (360, 600)], fill=fur, outline=BLACK)
    d.polygon([(150, 330), (270, 330), (250, 470), (170, 470)], fill=(250, 235, 210), outline=BLACK)
    for cx in (40, 380):
        d.ellipse([cx - 60, 300, cx + 60, 470], fill=fur, outline=BLACK, width=3)
    d.line([(160, 400), (260, 400)], fill=(150, 100, 50), width=4)
    d.line([(210, 340), (210, 470)], fill=(150, 100, 50), width=4)
    _shiba_head(d, 210, 230, 80, sad=False)
    # Cheems: small, sitting.
    d.ellipse([540, 440, 700, 590], fill=fur, outline=BLACK, width=3)
    d.ellipse([575, 470, 665, 580], fill=(250, 235, 210))
    _shiba_head(d, 620, 400, 55, sad=True)
    fit_text(
        d,
        "My model on training data: 100% accuracy",
        (20, 16, 400, 130),
        max_size=36,
        kind="bold",
        fill=WHITE,
    )
    fit_text(
        d, "My model on test data: 50% accuracy", (440, 16, 790, 130), max_size=34, kind="bold", fill=BLACK
    )
    return img
