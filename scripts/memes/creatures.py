"""Creatures and photos: the shoggoth with a smiley, the stochastic parrot, chihuahua or muffin,
DeepDream puppyslugs and the tank-detector legend."""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from .common import BLACK, WHITE, Color, bubble, fit_text, meme_caption, tag


def _eye(d: ImageDraw.ImageDraw, x: float, y: float, r: float, iris: Color = (250, 220, 60)) -> None:
    d.ellipse([x - r, y - r * 0.7, x + r, y + r * 0.7], fill=WHITE, outline=BLACK, width=2)
    d.ellipse([x - r * 0.5, y - r * 0.5, x + r * 0.5, y + r * 0.5], fill=iris)
    d.ellipse([x - r * 0.22, y - r * 0.22, x + r * 0.22, y + r * 0.22], fill=BLACK)


def draw_shoggoth() -> Image.Image:
    """The many-eyed shoggoth (pretraining) wearing a human mask (SFT) with a smiley (RLHF)."""
    img = Image.new("RGB", (800, 600), (232, 228, 220))
    d = ImageDraw.Draw(img)
    body = (28, 42, 34)
    for k in range(9):  # tentacles
        a = math.radians(200 + k * 18)
        x0, y0 = 330 + 120 * math.cos(a), 360 + 100 * math.sin(a)
        x1, y1 = 330 + 320 * math.cos(a + 0.25), 360 + 260 * math.sin(a + 0.25)
        d.line(
            [(x0, y0), ((x0 + x1) / 2 + 30, (y0 + y1) / 2), (x1, y1)],
            fill=body,
            width=34 - k * 2,
            joint="curve",
        )
    for cx, cy, r in ((330, 380, 230), (200, 470, 150), (470, 470, 160), (330, 230, 150), (150, 330, 110)):
        d.ellipse([cx - r, cy - r * 0.85, cx + r, cy + r * 0.85], fill=body)
    for k in range(17):  # many eyes
        x, y = 150 + (k * 97) % 360, 230 + (k * 61) % 300
        _eye(d, x, y, 10 + (k * 7) % 16)
    d.line([(480, 300), (580, 260), (640, 250)], fill=body, width=30, joint="curve")  # the arm to the mask
    mask = (245, 228, 210)
    d.ellipse([560, 140, 720, 330], fill=mask, outline=BLACK, width=3)
    for ex in (610, 670):
        d.ellipse([ex - 10, 205, ex + 10, 219], fill=BLACK)
    d.arc([600, 240, 680, 290], start=20, end=160, fill=BLACK, width=4)
    d.line([(720, 235), (745, 150)], fill=body, width=12)  # the tip with the smiley
    d.ellipse([715, 95, 775, 155], fill=(255, 215, 0), outline=BLACK, width=2)
    d.ellipse([732, 112, 740, 122], fill=BLACK)
    d.ellipse([750, 112, 758, 122], fill=BLACK)
    d.arc([728, 118, 762, 146], start=20, end=160, fill=BLACK, width=3)
    tag(d, (640, 350), "Supervised fine-tuning", size=20)
    tag(d, (700, 70), "RLHF", size=22, fill=(255, 240, 150))
    meme_caption(d, "Unsupervised learning (pretraining)", (20, 530, 780, 596), max_size=40)
    return img


def draw_stochastic_parrot() -> Image.Image:
    """A macaw on a perch next to two dice: "The next token is most likely…"."""
    img = Image.new("RGB", (600, 600), (34, 100, 58))
    d = ImageDraw.Draw(img)
    for k in range(14):  # jungle leaves
        x, y = (k * 131) % 600, (k * 89) % 600
        d.ellipse([x - 60, y - 25, x + 60, y + 25], fill=(60, 150, 70) if k % 2 else (20, 75, 40))
    d.rounded_rectangle(
        [0, 420, 600, 450], radius=12, fill=(110, 70, 35), outline=(60, 35, 15), width=3
    )  # perch
    red, blue, yellow = (220, 30, 35), (30, 80, 200), (250, 200, 40)
    d.polygon([(250, 430), (290, 430), (250, 590), (215, 585)], fill=blue)  # tail
    d.polygon([(260, 430), (280, 430), (240, 590), (230, 590)], fill=red)
    d.ellipse([200, 240, 330, 440], fill=red, outline=BLACK, width=2)  # body
    d.polygon([(215, 300), (300, 330), (260, 440), (205, 400)], fill=yellow, outline=BLACK)  # wing
    d.polygon([(225, 360), (280, 380), (258, 440), (215, 420)], fill=blue)
    d.ellipse([225, 160, 325, 260], fill=red, outline=BLACK, width=2)  # head
    d.ellipse([270, 185, 318, 230], fill=(250, 245, 240))  # white face patch
    d.ellipse([286, 198, 300, 212], fill=BLACK)
    d.chord([300, 200, 360, 260], start=270, end=90, fill=(60, 60, 60), outline=BLACK)  # beak
    d.polygon([(315, 220), (350, 232), (330, 256)], fill=(230, 230, 225), outline=BLACK)
    for k, x in enumerate((400, 490)):  # dice
        d.rounded_rectangle([x, 340, x + 72, 412], radius=10, fill=WHITE, outline=BLACK, width=3)
        pips = [(36, 36)] if k == 0 else [(18, 18), (54, 18), (18, 54), (54, 54), (36, 36)]
        for px, py in pips:
            d.ellipse([x + px - 6, 340 + py - 6, x + px + 6, 340 + py + 6], fill=BLACK)
    bubble(d, (300, 30, 585, 140), "The next token is most likely…", tail=(330, 190), max_size=28)
    meme_caption(d, "stochastic parrot", (10, 500, 590, 596), max_size=58)
    return img


def _chihuahua(d: ImageDraw.ImageDraw, cx: int, cy: int) -> None:
    tan = (215, 170, 120)
    for sx in (-1, 1):
        d.polygon(
            [(cx + sx * 14, cy - 20), (cx + sx * 46, cy - 52), (cx + sx * 40, cy + 4)],
            fill=tan,
            outline=BLACK,
        )
    d.ellipse([cx - 38, cy - 34, cx + 38, cy + 40], fill=tan, outline=BLACK, width=2)
    for sx in (-1, 1):
        d.ellipse([cx + sx * 16 - 8, cy - 8, cx + sx * 16 + 8, cy + 8], fill=BLACK)
    d.ellipse([cx - 7, cy + 14, cx + 7, cy + 26], fill=BLACK)


def _muffin(d: ImageDraw.ImageDraw, cx: int, cy: int) -> None:
    d.polygon(
        [(cx - 36, cy + 6), (cx + 36, cy + 6), (cx + 26, cy + 48), (cx - 26, cy + 48)],
        fill=(245, 240, 225),
        outline=BLACK,
    )
    d.ellipse([cx - 44, cy - 36, cx + 44, cy + 22], fill=(185, 125, 60), outline=BLACK, width=2)
    for bx, by in ((-16, -10), (16, -10), (0, 8)):
        d.ellipse([cx + bx - 8, cy + by - 8, cx + bx + 8, cy + by + 8], fill=(40, 30, 70))


def draw_chihuahua_or_muffin() -> Image.Image:
    """A 4×4 grid of chihuahua faces and blueberry muffins: chihuahua or muffin?"""
    img = Image.new(
        "RGB", (600, 600), (255, 236, 180)
    )  # not white: unlike a caption bar a meme generator adds
    d = ImageDraw.Draw(img)
    fit_text(d, "chihuahua or muffin?", (10, 8, 590, 72), max_size=44, kind="bold")
    pattern = "CMMCMCCMCCMMMMCC"
    for i, kind in enumerate(pattern):
        col, row = i % 4, i // 4
        x, y = 10 + col * 146, 82 + row * 128
        bg = (250, 225, 200) if (col + row) % 2 else (200, 220, 235)
        d.rectangle([x, y, x + 140, y + 122], fill=bg)
        (_chihuahua if kind == "C" else _muffin)(d, x + 70, y + 62)
    return img


def draw_deepdream_puppyslugs() -> Image.Image:
    """Psychedelic swirls full of eyes, dog faces and slug-like dog bodies: DeepDream."""
    img = Image.new("RGB", (600, 600), (60, 20, 90))
    d = ImageDraw.Draw(img)
    palette = [
        (255, 60, 160),
        (60, 220, 255),
        (255, 210, 40),
        (120, 255, 110),
        (170, 80, 255),
        (255, 120, 40),
    ]
    for k, (cx, cy) in enumerate(((150, 150), (450, 170), (300, 380), (110, 470), (500, 480))):
        for ring in range(9, 0, -1):  # swirl rings
            r = ring * 22
            d.ellipse([cx - r, cy - r * 0.8, cx + r, cy + r * 0.8], fill=palette[(ring + k) % len(palette)])
    for k in range(40):  # a spiral of eyes
        a = k * 0.55
        radius = 30 + k * 6.5
        x, y = 300 + radius * math.cos(a), 300 + radius * math.sin(a)
        _eye(d, x, y, 9 + k % 5, iris=palette[k % len(palette)])
    fur = (150, 95, 50)
    for k, (x, y, length) in enumerate(((90, 280, 150), (380, 60, 170), (330, 520, 180), (470, 330, 110))):
        d.rounded_rectangle(
            [x, y - 22, x + length, y + 22], radius=22, fill=fur, outline=BLACK, width=2
        )  # slug body
        hx = x + length if k % 2 else x
        d.ellipse([hx - 34, y - 34, hx + 34, y + 34], fill=fur, outline=BLACK, width=2)  # dog head
        for sx in (-1, 1):
            d.polygon(
                [(hx + sx * 12, y - 28), (hx + sx * 34, y - 52), (hx + sx * 32, y - 14)], fill=(110, 65, 30)
            )
            d.ellipse([hx + sx * 12 - 5, y - 10, hx + sx * 12 + 5, y], fill=BLACK)
        d.ellipse([hx - 6, y + 8, hx + 6, y + 18], fill=BLACK)
    meme_caption(d, "DeepDream", (10, 530, 590, 596), max_size=54)
    return img


def draw_tank_detector_legend() -> Image.Image:
    """Tanks under cloudy skies, empty fields in the sun: the network learned "cloudy = tank"."""
    img = Image.new("RGB", (800, 600), (250, 230, 200))
    d = ImageDraw.Draw(img)
    # Top: the network and what it learned.
    layers = [[60, 100, 140], [70, 130], [100]]
    xs = [80, 160, 240]
    for i in range(2):
        for ya in layers[i]:
            for yb in layers[i + 1]:
                d.line([(xs[i], ya), (xs[i + 1], yb)], fill=(80, 80, 80), width=2)
    for x, ys in zip(xs, layers, strict=True):
        for y in ys:
            d.ellipse([x - 14, y - 14, x + 14, y + 14], fill=(90, 150, 230), outline=BLACK, width=2)
    for k, (x, y, r) in enumerate(((280, 80, 8), (310, 65, 12))):
        d.ellipse([x - r, y - r, x + r, y + r], fill=WHITE, outline=BLACK, width=2 + k)
    d.ellipse([330, 15, 720, 150], fill=WHITE, outline=BLACK, width=3)
    fit_text(d, "cloudy = tank", (370, 40, 680, 125), max_size=46, kind="bold")
    # Bottom left photo: overcast, a tank.
    d.rectangle([0, 180, 396, 600], fill=(80, 84, 92))
    for cx, cy in ((60, 240), (180, 220), (300, 260), (110, 320), (260, 330)):
        d.ellipse([cx - 80, cy - 35, cx + 80, cy + 35], fill=(50, 54, 62))
    d.rectangle([0, 450, 396, 600], fill=(55, 80, 45))
    olive = (70, 78, 50)
    d.rounded_rectangle([90, 470, 310, 530], radius=24, fill=(40, 40, 36))  # tracks
    d.polygon([(110, 475), (140, 430), (280, 430), (300, 475)], fill=olive, outline=BLACK)
    d.rounded_rectangle([160, 395, 250, 435], radius=10, fill=olive, outline=BLACK)  # turret
    d.rectangle([250, 406, 370, 418], fill=olive, outline=BLACK)  # barrel
    tag(d, (198, 570), "tank", size=28)
    # Bottom right photo: sunny, nothing.
    d.rectangle([404, 180, 800, 600], fill=(110, 185, 250))
    d.ellipse([650, 220, 760, 330], fill=(255, 230, 60))
    for k in range(8):
        a = math.radians(k * 45)
        d.line(
            [
                (705 + 65 * math.cos(a), 275 + 65 * math.sin(a)),
                (705 + 90 * math.cos(a), 275 + 90 * math.sin(a)),
            ],
            fill=(255, 230, 60),
            width=6,
        )
    d.rectangle([404, 450, 800, 600], fill=(120, 200, 80))
    tag(d, (602, 570), "no tank", size=28)
    return img
