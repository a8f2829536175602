"""Stick-figure comics: the xkcd panels (machine learning, correlation, "my model's training"),
graduate student descent, "Schmidhuber did it first" and "restart kernel and run all"."""

from __future__ import annotations

from PIL import Image, ImageDraw

from .common import BLACK, WHITE, bubble, fit_text, font, xkcd_person


def draw_xkcd_machine_learning() -> Image.Image:
    """xkcd 1838: a stick man stirring a pile of linear algebra with a paddle."""
    img = Image.new("RGB", (800, 600), WHITE)
    d = ImageDraw.Draw(img)
    d.rectangle([8, 8, 792, 592], outline=BLACK, width=4)
    # The pile of matrices.
    d.polygon(
        [(230, 575), (330, 400), (470, 330), (610, 400), (720, 575)], fill=(196, 196, 196), outline=BLACK
    )
    mono = font(16, "mono-bold")
    for row in range(7):
        y = 370 + row * 29
        half = 40 + row * 42
        for k, x in enumerate(range(475 - half, 475 + half - 60, 78)):
            d.text((x, y), f"[{(row + k) % 9} {(row * k) % 7}]", font=mono, fill=(40, 40, 40))
    # Funnel "data" on the left, box "answers" on the right.
    d.polygon([(215, 400), (305, 400), (270, 460), (250, 460)], fill=WHITE, outline=BLACK)
    d.rectangle([252, 460, 268, 500], fill=WHITE, outline=BLACK, width=2)
    d.text((260, 385), "data", font=font(20, "bold"), fill=BLACK, anchor="mm")
    d.rectangle([660, 500, 780, 560], fill=WHITE, outline=BLACK, width=3)
    d.text((720, 530), "answers", font=font(18, "bold"), fill=BLACK, anchor="mm")
    # The man on the heap with his paddle, and the one asking.
    xkcd_person(d, 470, 335, scale=0.9, pose="point")
    d.line([(512, 236), (560, 420)], fill=(120, 80, 40), width=6)
    d.ellipse([548, 405, 578, 470], fill=(120, 80, 40))
    xkcd_person(d, 110, 575, scale=1.0, pose="stand")
    hand = font(19, "sans")
    d.text((25, 40), "This is your machine\nlearning system?", font=hand, fill=BLACK, spacing=4)
    d.text(
        (330, 28),
        "Yup! You pour the data into this big pile\nof linear algebra, then collect the\nanswers on the other side.",
        font=hand,
        fill=BLACK,
        spacing=4,
    )
    d.text((25, 150), "What if the answers\nare wrong?", font=hand, fill=BLACK, spacing=4)
    d.text(
        (330, 120), "Just stir the pile until\nthey start looking right.", font=hand, fill=BLACK, spacing=4
    )
    return img


def draw_graduate_student_descent() -> Image.Image:
    """A loss curve made of steps, each with a student, laptop and coffee: Graduate Student Descent."""
    img = Image.new("RGB", (800, 600), (250, 247, 236))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 800, 80], fill=(120, 30, 40))
    d.text((400, 40), "Graduate Student Descent", font=font(42, "serif-bold"), fill=WHITE, anchor="mm")
    for x in range(100, 780, 40):  # graph paper
        d.line([(x, 100), (x, 520)], fill=(220, 225, 235), width=1)
    for y in range(100, 521, 40):
        d.line([(100, y), (780, y)], fill=(220, 225, 235), width=1)
    steps = [(100 + i * 85, 130 + i * 48) for i in range(8)]
    outline = [(100, 520)]
    for x, y in steps:
        outline += [(x, y), (x + 85, y)]
    outline.append((780, 520))
    d.polygon(outline, fill=(120, 160, 230))
    d.line(outline[1:-1], fill=(20, 40, 120), width=5)
    for i, (x, y) in enumerate(steps):
        xkcd_person(d, x + 45, y, scale=0.42, pose="point" if i % 2 else "stand")
        d.rectangle([x + 58, y - 40, x + 80, y - 26], fill=(60, 60, 70))  # laptop
        d.rectangle([x + 14, y - 18, x + 24, y], fill=WHITE, outline=(110, 60, 20), width=2)  # coffee
    d.line([(100, 100), (100, 520), (780, 520)], fill=BLACK, width=4)
    d.text((40, 300), "loss", font=font(28, "bold"), fill=BLACK, anchor="mm")
    d.text((440, 560), "sleepless nights", font=font(28, "bold"), fill=BLACK, anchor="mm")
    return img


def _office_chair(d: ImageDraw.ImageDraw, x: int, y: int) -> None:
    d.rectangle([x - 30, y - 8, x + 30, y], fill=(40, 40, 40))
    d.line([(x - 28, y - 8), (x - 34, y - 60)], fill=(40, 40, 40), width=6)
    d.line([(x, y), (x, y + 30)], fill=(40, 40, 40), width=5)
    for dx in (-22, 0, 22):
        d.ellipse([x + dx - 6, y + 30, x + dx + 6, y + 42], fill=BLACK)


def draw_my_model_is_training() -> Image.Image:
    """xkcd 303 with a model: sword fights on office chairs — "My model's training!"."""
    img = Image.new("RGB", (800, 600), (236, 236, 232))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 800, 120], fill=(40, 70, 140))
    fit_text(
        d,
        'The #1 ML engineer excuse for legitimately slacking off: "My model\'s training."',
        (20, 10, 780, 110),
        max_size=30,
        kind="bold",
        fill=WHITE,
    )
    d.polygon([(0, 470), (800, 430), (800, 600), (0, 600)], fill=(200, 200, 200))  # hallway floor
    d.rectangle([640, 170, 760, 440], fill=(20, 20, 24))  # open door
    d.polygon([(640, 170), (600, 190), (600, 450), (640, 440)], fill=(150, 100, 50), outline=BLACK)
    for x, facing in ((240, 1), (430, -1)):  # two sword fighters on chairs
        _office_chair(d, x, 440)
        xkcd_person(d, x - 10, 440, scale=0.9, pose="sit")
        d.line([(x + 20, 345), (x + 20 + facing * 90, 290)], fill=(90, 90, 100), width=5)
    bubble(d, (480, 140, 630, 210), "Hey! Get back to work!", tail=(650, 240), max_size=20)
    bubble(d, (100, 150, 330, 220), "My model's training!", tail=(230, 290), max_size=24)
    bubble(d, (470, 250, 600, 300), "Oh. Carry on.", tail=(645, 300), max_size=18)
    return img


def draw_xkcd_correlation() -> Image.Image:
    """xkcd 552 in three panels: correlation, a statistics class, "Well, maybe."."""
    img = Image.new("RGB", (800, 600), WHITE)
    d = ImageDraw.Draw(img)
    panels = [(10, 262), (269, 531), (538, 790)]
    for left, right in panels:
        d.rectangle([left, 60, right, 590], outline=BLACK, width=4)
    d.rectangle([279, 290, 450, 450], fill=(35, 70, 50), outline=(120, 80, 40), width=8)  # blackboard
    d.text((364, 335), "P(A|B)", font=font(30, "serif"), fill=WHITE, anchor="mm")
    d.text((364, 395), "corr ≠ cause", font=font(20, "serif"), fill=WHITE, anchor="mm")
    hand = font(19, "sans")
    d.text((24, 80), "I used to think\ncorrelation\nimplied causation.", font=hand, fill=BLACK, spacing=4)
    d.text((283, 80), "Then I took a\nstatistics class.\nNow I don't.", font=hand, fill=BLACK, spacing=4)
    d.text((552, 80), "Sounds like the\nclass helped.", font=hand, fill=BLACK, spacing=4)
    d.text((640, 175), "Well, maybe.", font=hand, fill=BLACK)
    xkcd_person(d, 90, 560, pose="stand")
    xkcd_person(d, 190, 560, pose="stand", hair=True)
    xkcd_person(d, 485, 560, pose="stand")
    xkcd_person(d, 610, 560, pose="shrug", hair=True)
    xkcd_person(d, 720, 560, pose="stand")
    return img


def draw_schmidhuber_did_it_first() -> Image.Image:
    """A GAN talk; someone at the audience microphone: "Schmidhuber did it in 1991."."""
    img = Image.new("RGB", (800, 600), (34, 30, 46))
    d = ImageDraw.Draw(img)
    d.rectangle([160, 30, 640, 280], fill=(250, 250, 245), outline=(90, 90, 100), width=6)  # slide
    fit_text(d, "Generative Adversarial Networks", (180, 45, 620, 120), max_size=34, kind="bold")
    for i, (label, x) in enumerate((("G", 290), ("D", 510))):
        d.rounded_rectangle(
            [x - 45, 150, x + 45, 230], radius=10, fill=(90, 140, 230) if i == 0 else (230, 120, 80)
        )
        d.text((x, 190), label, font=font(36, "bold"), fill=WHITE, anchor="mm")
    d.line([(335, 190), (455, 190)], fill=BLACK, width=4)
    d.polygon([(455, 182), (470, 190), (455, 198)], fill=BLACK)
    d.rectangle([0, 440, 800, 540], fill=(140, 100, 60))  # the stage
    xkcd_person(d, 710, 470, scale=1.1, pose="stand", ink=(230, 230, 230))
    d.polygon([(660, 350), (760, 350), (745, 490), (675, 490)], fill=(120, 80, 45), outline=BLACK)  # lectern
    for row, y in enumerate((520, 570)):  # audience heads
        for x in range(20 + row * 30, 800, 60):
            d.chord([x, y - 30, x + 50, y + 30], start=180, end=360, fill=(70, 66, 84))
    d.rectangle([0, 540, 800, 600], fill=(70, 66, 84))
    d.line([(200, 560), (220, 360)], fill=(160, 160, 160), width=5)  # microphone stand
    d.ellipse([210, 345, 232, 370], fill=(40, 40, 40))
    xkcd_person(d, 150, 540, scale=1.1, pose="point", ink=(235, 230, 120))
    bubble(d, (20, 290, 330, 370), "Schmidhuber did it in 1991.", tail=(160, 395), max_size=26)
    return img


def draw_restart_kernel_run_all() -> Image.Image:
    """Notebook at 98% → "Restart Kernel and Run All Cells" → NameError everywhere."""
    img = Image.new("RGB", (800, 600), WHITE)
    d = ImageDraw.Draw(img)
    mono, small = font(15, "mono"), font(13, "mono")
    # Panel 1: the out-of-order notebook.
    for i, (n, code) in enumerate((("12", "model.fit(X, y)"), ("3", "df = load()"), ("27", "X = df[cols]"))):
        y = 30 + i * 90
        d.text((16, y), f"In [{n}]:", font=small, fill=(48, 63, 159))
        d.rectangle([16, y + 20, 250, y + 60], fill=(245, 245, 245), outline=(200, 200, 200))
        d.text((24, y + 32), code, font=mono, fill=BLACK)
    d.text((133, 320), "98% accuracy", font=font(26, "bold"), fill=(20, 150, 50), anchor="mm")
    xkcd_person(d, 133, 560, scale=1.0, pose="shrug")
    d.arc([118, 385, 148, 410], start=20, end=160, fill=BLACK, width=3)
    # Panel 2: the Kernel menu and a hand clicking.
    d.rectangle([266, 0, 533, 600], fill=(205, 208, 214))
    d.rectangle([266, 0, 533, 50], fill=(245, 245, 245))
    d.text((290, 15), "File  Edit  Kernel", font=font(18, "sans"), fill=BLACK)
    d.rectangle([290, 60, 525, 290], fill=WHITE, outline=(120, 120, 120), width=2)
    items = ["Interrupt Kernel", "Restart Kernel…", "Restart Kernel and\nRun All Cells…", "Shut Down Kernel"]
    for i, item in enumerate(items):
        y = 70 + i * 52
        if i == 2:
            d.rectangle([292, y - 6, 523, y + 46], fill=(33, 120, 220))
        d.text((302, y), item, font=font(17, "sans"), fill=WHITE if i == 2 else BLACK, spacing=2)
    d.polygon(
        [(400, 215), (385, 330), (440, 330)], fill=(240, 205, 170), outline=BLACK
    )  # the finger and hand
    d.rounded_rectangle([360, 320, 470, 470], radius=30, fill=(240, 205, 170), outline=BLACK, width=3)
    # Panel 3: tracebacks.
    d.rectangle([534, 0, 800, 600], fill=(255, 226, 226))
    for i in range(4):
        y = 20 + i * 80
        d.text((544, y), "Traceback (most recent", font=small, fill=(120, 0, 0))
        d.text((544, y + 20), "NameError: name 'df'", font=font(15, "mono-bold"), fill=(200, 0, 0))
        d.text((544, y + 40), "is not defined", font=font(15, "mono-bold"), fill=(200, 0, 0))
    xkcd_person(d, 667, 580, scale=1.0, pose="shrug")
    d.ellipse([658, 425, 676, 445], fill=BLACK)  # horrified mouth
    for x in (266, 533):
        d.line([(x, 0), (x, 600)], fill=BLACK, width=5)
    return img
