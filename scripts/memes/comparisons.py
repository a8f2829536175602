"""Comparison templates: Drake (more data), expanding brain, "they're the same picture" and
TensorFlow 1.x vs PyTorch."""

from __future__ import annotations

from PIL import Image, ImageDraw

from .common import BLACK, WHITE, Color, fit_text, font, meme_caption, tag

SKIN_DARK: Color = (150, 100, 65)
SKIN: Color = (240, 205, 170)


def _drake(d: ImageDraw.ImageDraw, x: int, y: int, approves: bool, jacket: Color = (245, 140, 30)) -> None:
    """A Drake-like figure in a panel whose top-left corner is (x, y) (panel 300×300)."""
    d.polygon(
        [(x + 40, y + 300), (x + 70, y + 190), (x + 230, y + 190), (x + 260, y + 300)],
        fill=jacket,
        outline=BLACK,
    )
    if approves:  # smiling, pointing right
        d.ellipse([x + 95, y + 70, x + 205, y + 200], fill=SKIN_DARK, outline=BLACK, width=3)
        d.chord([x + 95, y + 60, x + 205, y + 120], start=180, end=360, fill=(30, 20, 15))
        d.arc([x + 120, y + 140, x + 180, y + 180], start=10, end=170, fill=BLACK, width=4)
        d.line([(x + 215, y + 230), (x + 285, y + 200)], fill=jacket, width=30)
        d.ellipse([x + 268, y + 185, x + 300, y + 215], fill=SKIN_DARK, outline=BLACK, width=2)
    else:  # turning away, hand raised
        d.ellipse([x + 70, y + 70, x + 180, y + 200], fill=SKIN_DARK, outline=BLACK, width=3)
        d.chord([x + 70, y + 60, x + 180, y + 120], start=180, end=360, fill=(30, 20, 15))
        d.line([(x + 100, y + 150), (x + 130, y + 165)], fill=BLACK, width=4)
        d.line([(x + 190, y + 300), (x + 235, y + 120)], fill=jacket, width=34)
        d.rounded_rectangle(
            [x + 205, y + 55, x + 265, y + 135], radius=18, fill=SKIN_DARK, outline=BLACK, width=3
        )


def draw_more_data() -> Image.Image:
    """Drake: no to weeks of architecture tuning, yes to just getting more data."""
    img = Image.new("RGB", (600, 600), WHITE)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 300, 300], fill=(235, 150, 30))
    d.rectangle([0, 300, 300, 600], fill=(250, 200, 70))
    _drake(d, 0, 0, approves=False)
    _drake(d, 0, 300, approves=True)
    fit_text(d, "Tuning the architecture for weeks", (320, 30, 580, 270), max_size=38, kind="bold")
    fit_text(d, "Just getting more data", (320, 330, 580, 570), max_size=42, kind="bold")
    d.line([(300, 0), (300, 600)], fill=BLACK, width=4)
    d.line([(0, 300), (600, 300)], fill=BLACK, width=4)
    return img


def _head_with_brain(d: ImageDraw.ImageDraw, x: int, y: int, level: int) -> None:
    """A profile head in a 300×150 cell at (x, y); the brain grows and glows with ``level`` 0–3."""
    cx, cy = x + 150, y + 80
    if level >= 2:  # rays
        for k in range(16):
            dx, dy = [(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)][k % 8]
            reach = 150 if k < 8 else 90
            d.line(
                [(cx, cy), (cx + dx * reach, cy + dy * reach * 0.6)],
                fill=(120, 200, 255) if level == 2 else WHITE,
                width=6,
            )
    head = (90, 90, 100) if level < 3 else (230, 240, 255)
    d.ellipse([cx - 55, cy - 60, cx + 55, cy + 60], fill=head)
    d.polygon([(cx - 20, cy + 40), (cx + 30, cy + 40), (cx + 20, cy + 75), (cx - 10, cy + 75)], fill=head)
    r = [16, 28, 40, 52][level]
    brain = [(200, 150, 160), (240, 150, 180), (150, 220, 255), (255, 255, 255)][level]
    d.ellipse(
        [cx - r, cy - r * 0.8 - 10, cx + r, cy + r * 0.8 - 10],
        fill=brain,
        outline=BLACK if level < 3 else brain,
        width=2,
    )


def draw_expanding_brain() -> Image.Image:
    """Four rows of ever brighter brains: linear regression → boosting → 100 layers → linear regression."""
    img = Image.new("RGB", (600, 600), WHITE)
    d = ImageDraw.Draw(img)
    backgrounds = [(10, 10, 12), (25, 20, 45), (20, 60, 120), (60, 30, 110)]
    texts = ["Linear regression", "Gradient boosting", "100-layer neural network", "Linear regression"]
    for level, (bg, label) in enumerate(zip(backgrounds, texts, strict=True)):
        y = level * 150
        d.rectangle([0, y, 300, y + 150], fill=bg)
        _head_with_brain(d, 0, y, level)
        fit_text(d, label, (315, y + 15, 590, y + 135), max_size=34, kind="bold")
        d.line([(0, y), (600, y)], fill=BLACK, width=3)
    d.line([(300, 0), (300, 600)], fill=BLACK, width=3)
    return img


def draw_logistic_regression_is_a_neuron() -> Image.Image:
    """Pam from The Office: logistic regression and a sigmoid neuron — "They're the same picture."."""
    img = Image.new("RGB", (600, 600), (232, 222, 200))
    d = ImageDraw.Draw(img)
    fit_text(
        d,
        "Corporate needs you to find the differences between this picture and this picture.",
        (15, 8, 585, 78),
        max_size=24,
        kind="bold",
    )
    for left, label in ((30, "Logistic regression"), (310, "Neuron with sigmoid")):
        d.rectangle([left, 90, left + 260, 280], fill=(110, 75, 40))
        d.rectangle([left + 12, 102, left + 248, 268], fill=WHITE)
        fit_text(d, label, (left + 16, 236, left + 244, 264), max_size=20, kind="bold")
    d.text((160, 170), "σ(w·x + b)", font=font(34, "serif"), fill=BLACK, anchor="mm")
    for k, yy in enumerate((125, 170, 215)):  # inputs → one neuron → output
        d.ellipse([338, yy - 10, 358, yy + 10], fill=(90, 150, 230), outline=BLACK)
        d.line([(358, yy), (425, 170)], fill=BLACK, width=2)
        d.text((340, yy - 9), f"x{k + 1}", font=font(10, "sans"), fill=WHITE)
    d.ellipse([425, 145, 475, 195], fill=(250, 190, 60), outline=BLACK, width=3)
    d.text((450, 170), "σ", font=font(26, "serif"), fill=BLACK, anchor="mm")
    d.line([(475, 170), (535, 170)], fill=BLACK, width=3)
    d.polygon([(535, 163), (548, 170), (535, 177)], fill=BLACK)
    # Bottom: Pam in the office.
    d.rectangle([0, 300, 600, 600], fill=(150, 165, 180))
    d.rectangle([420, 330, 580, 470], fill=(210, 215, 220), outline=(90, 90, 100), width=4)  # whiteboard
    d.line([(0, 300), (600, 300)], fill=BLACK, width=6)
    d.polygon([(160, 600), (190, 480), (390, 480), (420, 600)], fill=(240, 240, 235), outline=BLACK)
    d.ellipse([200, 330, 380, 490], fill=(110, 70, 40))  # bob haircut behind the face
    d.rectangle([200, 410, 380, 505], fill=(110, 70, 40))
    d.ellipse([225, 350, 355, 490], fill=SKIN, outline=BLACK, width=3)
    d.chord([215, 335, 365, 420], start=180, end=360, fill=(110, 70, 40))
    for ex in (262, 318):
        d.ellipse([ex - 7, 410, ex + 7, 424], fill=BLACK)
    d.line([(272, 460), (308, 460)], fill=BLACK, width=3)
    meme_caption(d, "They're the same picture.", (10, 520, 590, 596), max_size=44)
    return img


def draw_tensorflow_vs_pytorch() -> Image.Image:
    """Drake-style: no to a TF 1.x session with feed_dict, yes to eager PyTorch."""
    img = Image.new("RGB", (800, 600), (238, 238, 240))
    d = ImageDraw.Draw(img)
    _drake(d, 0, 0, approves=False, jacket=(90, 90, 100))
    _drake(d, 0, 300, approves=True, jacket=(90, 90, 100))
    mono = font(21, "mono-bold")
    for top, label, colour, lines in (
        (
            0,
            "TensorFlow 1.x",
            (255, 140, 0),
            ["with tf.Session() as sess:", "    sess.run(y,", "      feed_dict={...})"],
        ),
        (300, "PyTorch", (238, 76, 44), ["y = (x * 2).sum()", "print(y)"]),
    ):
        d.rectangle([300, top, 800, top + 300], fill=(28, 30, 38))
        tag(d, (420, top + 40), label, size=24, fill=colour)
        for i, line in enumerate(lines):
            d.text(
                (325, top + 100 + i * 38),
                line,
                font=mono,
                fill=(250, 200, 90) if top == 0 else (130, 240, 130),
            )
    d.line([(0, 300), (800, 300)], fill=BLACK, width=5)
    d.line([(300, 0), (300, 600)], fill=BLACK, width=5)
    return img
