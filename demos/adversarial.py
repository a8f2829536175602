"""Demo ``adversarial``: FGSM against a softmax (multinomial logistic regression) digit classifier."""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext
from demos.data import load_digits

SWEEP = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)
TRAIN_FRAC = 0.7
STEPS, LR, WD = 300, 0.05, 1e-3

CODE = """\
import torch
from torch import nn

torch.manual_seed({seed})
# x: sklearn digits, 64 pixels scaled to [0, 1]; {n_train} train / {n_test} test images
model = nn.Linear(64, 10)                          # softmax regression
opt = torch.optim.Adam(model.parameters(), lr={lr}, weight_decay={wd})
for _ in range({steps}):
    opt.zero_grad()
    nn.functional.cross_entropy(model(x_train), y_train).backward()
    opt.step()

def fgsm(x, y, eps):                               # Fast Gradient Sign Method
    x = x.clone().requires_grad_(True)
    nn.functional.cross_entropy(model(x), y, reduction="sum").backward()
    return (x + eps * x.grad.sign()).clamp(0, 1)   # step every pixel by eps uphill

for eps in {sweep}:
    acc = (model(fgsm(x_test, y_test, eps)).argmax(1) == y_test).float().mean()
noise = eps * torch.randint(0, 2, x_test.shape) * 2 - eps   # same size, random direction
"""


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    import torch
    from torch import nn

    eps = float(params["eps"])
    x_all, y_all = load_digits()
    order = ctx.rng.permutation(len(y_all))
    n_train = int(TRAIN_FRAC * len(order))
    tr, te = order[:n_train], order[n_train:]
    x_train, y_train = torch.as_tensor(x_all[tr]), torch.as_tensor(y_all[tr])
    x_test, y_test = torch.as_tensor(x_all[te]), torch.as_tensor(y_all[te])

    model = nn.Linear(64, 10)
    opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WD)
    for _ in range(STEPS):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x_train), y_train).backward()
        opt.step()
    model.requires_grad_(False)

    def fgsm(x: Any, y: Any, e: float) -> Any:
        x = x.clone().requires_grad_(True)
        nn.functional.cross_entropy(model(x), y, reduction="sum").backward()
        return (x + e * x.grad.sign()).clamp(0, 1).detach()

    def acc(x: Any) -> float:
        with torch.no_grad():
            return float((model(x).argmax(1) == y_test).float().mean())

    sweep = sorted(set(SWEEP) | {eps})
    sweep_acc = [acc(fgsm(x_test, y_test, e)) for e in sweep]
    clean_acc = acc(x_test)
    x_adv = fgsm(x_test, y_test, eps)
    adv_acc = acc(x_adv)
    noise = (torch.randint(0, 2, x_test.shape) * 2 - 1).float() * eps
    noise_acc = acc((x_test + noise).clamp(0, 1))

    with torch.no_grad():
        logits = model(x_test)
        top2 = logits.topk(2, dim=1).values
        margin = float((top2[:, 0] - top2[:, 1]).median())
        w = model.weight
        l1 = float(
            torch.stack([(w[i] - w[j]).abs().sum() for i in range(10) for j in range(10) if i != j]).mean()
        )
        pred_clean = logits.argmax(1)
        probs_clean = logits.softmax(1)
        logits_adv = model(x_adv)
        pred_adv = logits_adv.argmax(1)
        probs_adv = logits_adv.softmax(1)
    flipped = torch.nonzero((pred_clean == y_test) & (pred_adv != y_test)).flatten()
    idx = int(flipped[0]) if len(flipped) else 0
    n_flipped = int(len(flipped))
    monotone = all(b <= a + 1e-12 for a, b in zip(sweep_acc, sweep_acc[1:], strict=False))

    code = CODE.format(
        seed=ctx.seed, n_train=len(tr), n_test=len(te), lr=LR, wd=WD, steps=STEPS, sweep=tuple(sweep)
    )
    sweep_txt = ctx.t("; ", ", ").join(
        f"{ctx.g(e)}: {ctx.pct(a)}" for e, a in zip(sweep, sweep_acc, strict=True)
    )
    ge = ctx.g(eps)
    lines = [
        ctx.t(
            f"Классификатор — softmax-регрессия (один линейный слой 64→10) на цифрах sklearn 8×8, яркость пикселей "
            f"от 0 до 1. Точность на {len(te)} тестовых картинках: {ctx.pct(clean_acc, 1)}.",
            f"The classifier is softmax regression (one linear layer 64→10) on sklearn's 8×8 digits, pixel values "
            f"from 0 to 1. Accuracy on {len(te)} test images: {ctx.pct(clean_acc, 1)}.",
        ),
        ctx.t(
            f"FGSM: каждый пиксель сдвигаем на ε в ту сторону, куда растёт ошибка (знак градиента). При ε = {ge} "
            f"точность падает до {ctx.pct(adv_acc, 1)}; {n_flipped} картинок, которые модель узнавала, теперь "
            "распознаются неверно.",
            f"FGSM: move every pixel by ε in the direction that increases the loss (the sign of the gradient). At "
            f"ε = {ge} accuracy drops to {ctx.pct(adv_acc, 1)}; {n_flipped} images the model got right are now wrong.",
        ),
        ctx.t(
            f"Случайный шум того же размера (±{ge} на пиксель) оставляет {ctx.pct(noise_acc, 1)}: "
            "дело не в силе помехи, а в её направлении.",
            f"Random noise of the same size (±{ge} per pixel) leaves {ctx.pct(noise_acc, 1)}: it is the "
            "direction of the change that matters, not its size.",
        ),
        "",
        ctx.t(f"Точность в зависимости от ε: {sweep_txt}.", f"Accuracy vs ε: {sweep_txt}."),
        ctx.t(
            "Чем больше ε, тем ниже точность" + ("" if monotone else " (почти везде)") + ".",
            "The larger ε, the lower the accuracy" + ("" if monotone else " (almost everywhere)") + ".",
        ),
        ctx.t(
            "Почему это работает: модель линейна, и сдвиг всех пикселей на ε меняет разность двух логитов "
            f"на ε·Σ|w_i − w_j| — в среднем на {ctx.num(l1, 1)}·ε. Типичный запас уверенности (медиана разности "
            f"двух лучших логитов) — {ctx.num(margin, 2)}, так что типичную картинку переворачивает ε порядка "
            f"{ctx.num(margin / l1, 2)} (на деле чуть больше: пиксели, уже равные 0 или 1, дальше не сдвинуть). "
            "На фотографиях 224×224×3 пикселей в тысячи раз больше, и незаметного глазу ε хватает, чтобы "
            "панда стала гиббоном.",
            "Why it works: the model is linear, so moving every pixel by ε changes the gap between two logits by "
            f"ε·Σ|w_i − w_j| — {l1:.1f}·ε on average. The typical confidence margin (median gap between the top "
            f"two logits) is {margin:.2f}, so an ε of about {margin / l1:.2f} flips a typical image (a bit more in "
            "practice: pixels already at 0 or 1 cannot move further). A 224×224×3 photo has thousands of "
            "times more pixels, so an invisible ε is enough to turn a panda into a gibbon.",
        ),
    ]
    if eps == 0:
        lines[1:3] = [
            ctx.t(
                "При ε = 0 картинки не меняются, и точность та же. Задайте ε > 0, например eps=0,1.",
                "With ε = 0 the images do not change, and neither does accuracy. Set ε > 0, e.g. eps=0.1.",
            )
        ]
    text = "\n".join(lines)

    def sweep_plot(fig: Any) -> None:
        ax = fig.subplots()
        ax.plot(sweep, [100 * a for a in sweep_acc], "o-", color=plotting.RED, label="FGSM")
        ax.plot(
            [eps],
            [100 * noise_acc],
            "s",
            color=plotting.GREY,
            markersize=10,
            label=ctx.t(f"случайный шум ±{ge}", f"random noise ±{ge}"),
        )
        ax.axvline(eps, color="black", linestyle=":", linewidth=1.2)
        ax.axhline(
            10,
            color=plotting.GREY,
            linestyle="--",
            linewidth=1,
            label=ctx.t("угадывание (10%)", "guessing (10%)"),
        )
        ax.set_ylim(0, 105)
        ax.set_xlabel(ctx.t("ε (сдвиг каждого пикселя)", "ε (change per pixel)"))
        ax.set_ylabel(ctx.t("точность, %", "accuracy, %"))
        ax.set_title(ctx.t("Точность под атакой FGSM", "Accuracy under FGSM attack"))
        ax.legend(loc="upper right")

    orig = x_test[idx].view(8, 8).numpy()
    adv = x_adv[idx].view(8, 8).numpy()
    true = int(y_test[idx])
    pc, pa = int(pred_clean[idx]), int(pred_adv[idx])

    def example_plot(fig: Any) -> None:
        axes = fig.subplots(1, 3)
        panels = [
            (
                orig,
                "gray_r",
                0,
                1,
                ctx.t(
                    f"исходная\n«{pc}» {ctx.pct(float(probs_clean[idx, pc]))}",
                    f"original\n'{pc}' {ctx.pct(float(probs_clean[idx, pc]))}",
                ),
            ),
            (
                adv - orig,
                "coolwarm",
                -max(eps, 1e-6),
                max(eps, 1e-6),
                ctx.t(f"добавка\n±{ge}", f"perturbation\n±{ge}"),
            ),
            (
                adv,
                "gray_r",
                0,
                1,
                ctx.t(
                    f"после атаки\n«{pa}» {ctx.pct(float(probs_adv[idx, pa]))}",
                    f"attacked\n'{pa}' {ctx.pct(float(probs_adv[idx, pa]))}",
                ),
            ),
        ]
        for ax, (img, cmap, lo, hi, title) in zip(axes, panels, strict=True):
            ax.imshow(img, cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
            ax.set_title(title, fontsize=12)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
        fig.suptitle(ctx.t(f"Цифра {true}, ε = {ge}", f"Digit {true}, ε = {ge}"), fontsize=14)

    images = [plotting.render(sweep_plot), plotting.render(example_plot, figsize=(6.6, 3.2))]
    captions = [
        ctx.t(
            "Точность падает с ростом ε; серый квадрат — случайный шум того же размера.",
            "Accuracy falls as ε grows; the grey square is random noise of the same size.",
        ),
        ctx.t(
            f"Настоящая цифра {true}: модель видела «{pc}», после атаки видит «{pa}».",
            f"True digit {true}: the model saw '{pc}', after the attack it sees '{pa}'.",
        ),
    ]
    metrics = {
        "eps": eps,
        "clean_acc": clean_acc,
        "adv_acc": adv_acc,
        "noise_acc": noise_acc,
        "sweep_eps": [float(e) for e in sweep],
        "sweep_acc": sweep_acc,
        "sweep_monotone": monotone,
        "n_flipped": n_flipped,
        "median_margin": margin,
        "mean_l1_weight_gap": l1,
        "example": {"index": idx, "true": true, "pred_clean": pc, "pred_adv": pa},
    }
    return DemoOutput(text=text, code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="adversarial",
    title_ru="Adversarial-примеры: FGSM ломает классификатор цифр",
    title_en="Adversarial examples: FGSM breaks a digit classifier",
    note_slug="adversarial-examples",
    params=(
        Param(
            "eps",
            "float",
            0.1,
            0.0,
            1.0,
            aliases=("epsilon", "эпсилон"),
            help_ru="насколько можно сдвинуть каждый пиксель (яркость 0…1)",
            help_en="how far each pixel may move (brightness 0…1)",
        ),
    ),
    impl=run,
)
