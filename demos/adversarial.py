"""Demo ``adversarial``: FGSM against a softmax (multinomial logistic regression) digit classifier."""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

SWEEP = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)


def experiment(eps: float, sweep: list[float], seed: int, steps: int = 300) -> dict:
    import numpy as np
    import torch
    from torch import nn

    from demos.data import load_digits  # sklearn's 8x8 digits, pixels scaled to [0, 1]

    torch.manual_seed(seed)
    x_all, y_all = load_digits()
    order = np.random.default_rng(seed).permutation(len(y_all))
    tr, te = order[: int(0.7 * len(order))], order[int(0.7 * len(order)) :]
    x_train, y_train = torch.as_tensor(x_all[tr]), torch.as_tensor(y_all[tr])
    x_test, y_test = torch.as_tensor(x_all[te]), torch.as_tensor(y_all[te])

    model = nn.Linear(64, 10)  # softmax regression
    opt = torch.optim.Adam(model.parameters(), lr=0.05, weight_decay=1e-3)
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x_train), y_train).backward()
        opt.step()
    model.requires_grad_(False)

    def fgsm(x, y, e):  # Fast Gradient Sign Method: move every pixel by e uphill
        x = x.clone().requires_grad_(True)
        nn.functional.cross_entropy(model(x), y, reduction="sum").backward()
        return (x + e * x.grad.sign()).clamp(0, 1).detach()

    def accuracy(x):
        return float((model(x).argmax(1) == y_test).float().mean())

    x_adv = fgsm(x_test, y_test, eps)
    noise = (torch.randint(0, 2, x_test.shape) * 2 - 1).float() * eps  # same size, random direction
    p_clean, p_adv = model(x_test).softmax(1), model(x_adv).softmax(1)
    pred_clean, pred_adv = p_clean.argmax(1), p_adv.argmax(1)
    flipped = torch.nonzero((pred_clean == y_test) & (pred_adv != y_test)).flatten()
    conf_wrong = p_adv.max(1).values[flipped]  # the attacked image's probability for its (wrong) answer
    # the example: of the flipped images, the one the model had been surest about before the attack
    i = int(flipped[p_clean.max(1).values[flipped].argmax()]) if len(flipped) else 0
    top2 = model(x_test).topk(2, dim=1).values
    w = model.weight
    return {
        "n_test": len(te),
        "clean_acc": accuracy(x_test),
        "adv_acc": accuracy(x_adv),
        "noise_acc": accuracy((x_test + noise).clamp(0, 1)),
        "sweep_acc": [accuracy(fgsm(x_test, y_test, e)) for e in sweep],
        "n_flipped": len(flipped),
        "median_wrong_confidence": float(conf_wrong.median()) if len(flipped) else 0.0,
        "share_flips_over_90": float((conf_wrong > 0.9).float().mean()) if len(flipped) else 0.0,
        "median_margin": float((top2[:, 0] - top2[:, 1]).median()),  # logit gap: best vs second best
        "mean_l1_weight_gap": float(
            sum((w[a] - w[b]).abs().sum() for a in range(10) for b in range(10) if a != b) / 90
        ),
        "example": {
            "true": int(y_test[i]),
            "pred_clean": int(pred_clean[i]),
            "pred_adv": int(pred_adv[i]),
            "p_clean": float(p_clean[i, pred_clean[i]]),
            "p_adv": float(p_adv[i, pred_adv[i]]),
            "p_adv_true": float(p_adv[i, y_test[i]]),
            "image": x_test[i].tolist(),
            "attacked": x_adv[i].tolist(),
        },
    }


def _confidence_words(p: float, ctx: RunContext) -> str:
    if p >= 0.9:
        return ctx.t("уверенно", "confidently")
    if p >= 0.5:
        return ctx.t("с перевесом, но без полной уверенности", "with a lead but not full confidence")
    return ctx.t(
        "неуверенно: меньше половины вероятности, но больше, чем у любой другой цифры",
        "without confidence: less than half the probability, but more than any other digit",
    )


def _text(r: dict, eps: float, sweep: list[float], ctx: RunContext) -> str:
    ge, ex = ctx.g(eps), r["example"]
    margin, l1 = r["median_margin"], r["mean_l1_weight_gap"]
    sweep_txt = ctx.t("; ", ", ").join(
        f"{ctx.g(e)}: {ctx.pct(a)}" for e, a in zip(sweep, r["sweep_acc"], strict=True)
    )
    monotone = all(b <= a + 1e-12 for a, b in zip(r["sweep_acc"], r["sweep_acc"][1:], strict=False))
    images_on = ctx.count(
        r["n_test"], "тестовой картинке|тестовых картинках|тестовых картинках", "test image|test images"
    )
    lines = [
        ctx.t(
            "Классификатор — softmax-регрессия (один линейный слой 64→10) на цифрах sklearn 8×8, яркость пикселей от "
            f"0 до 1. Точность на {images_on}: {ctx.pct(r['clean_acc'], 1)}.",
            "The classifier is softmax regression (one linear layer 64→10) on sklearn's 8×8 digits, pixel values from "
            f"0 to 1. Accuracy on {images_on}: {ctx.pct(r['clean_acc'], 1)}.",
        )
    ]
    if eps == 0:
        lines.append(
            ctx.t(
                "При ε = 0 картинки не меняются, и точность та же. Задайте ε > 0, например eps=0,1.",
                "With ε = 0 the images do not change, and neither does accuracy. Set ε > 0, e.g. eps=0.1.",
            )
        )
    else:
        flipped = ctx.count(r["n_flipped"], "картинка|картинки|картинок", "image|images")
        lines += [
            ctx.t(
                f"FGSM: каждый пиксель сдвигаем на ε в ту сторону, куда растёт ошибка (знак градиента). При ε = {ge} "
                f"точность падает до {ctx.pct(r['adv_acc'], 1)}: {flipped}, которые модель узнавала, теперь "
                "распознаются неверно.",
                f"FGSM: move every pixel by ε in the direction that increases the loss (the sign of the gradient). At "
                f"ε = {ge} accuracy drops to {ctx.pct(r['adv_acc'], 1)}: {flipped} the model got right are now wrong.",
            ),
            ctx.t(
                f"Случайный шум того же размера (±{ge} на пиксель) оставляет {ctx.pct(r['noise_acc'], 1)}: дело не в "
                "силе помехи, а в её направлении.",
                f"Random noise of the same size (±{ge} per pixel) leaves {ctx.pct(r['noise_acc'], 1)}: it is the "
                "direction of the change that matters, not its size.",
            ),
        ]
        if r["n_flipped"]:
            lines.append(
                ctx.t(
                    f"Насколько модель уверена в неверном ответе: в среднем (медиана) {ctx.pct(r['median_wrong_confidence'])}, "
                    f"больше 90% — у {ctx.pct(r['share_flips_over_90'])} перевёрнутых картинок. На картинке — "
                    f"перевёрнутая цифра, в которой модель до атаки была уверена больше всего: цифра {ex['true']}, до атаки «{ex['pred_clean']}» с вероятностью "
                    f"{ctx.pct(ex['p_clean'])}, после — «{ex['pred_adv']}» с {ctx.pct(ex['p_adv'])} "
                    f"({_confidence_words(ex['p_adv'], ctx)}); у верной цифры осталось {ctx.pct(ex['p_adv_true'])}.",
                    f"How sure the model is of its wrong answer: {ctx.pct(r['median_wrong_confidence'])} on median, over "
                    f"90% for {ctx.pct(r['share_flips_over_90'])} of the flipped images. The picture shows the flipped "
                    f"digit the model had been surest about: a {ex['true']}, before the attack '{ex['pred_clean']}' with probability "
                    f"{ctx.pct(ex['p_clean'])}, after it '{ex['pred_adv']}' with {ctx.pct(ex['p_adv'])} "
                    f"({_confidence_words(ex['p_adv'], ctx)}); the true digit is left with {ctx.pct(ex['p_adv_true'])}.",
                )
            )
    lines += [
        "",
        ctx.t(f"Точность в зависимости от ε: {sweep_txt}.", f"Accuracy vs ε: {sweep_txt}."),
        ctx.t(
            "Чем больше ε, тем ниже точность" + ("" if monotone else " (почти везде)") + ".",
            "The larger ε, the lower the accuracy" + ("" if monotone else " (almost everywhere)") + ".",
        ),
        ctx.t(
            "Почему это работает: модель линейна, и сдвиг всех пикселей на ε меняет разность двух логитов на "
            f"ε·Σ|w_i − w_j| — в среднем на {ctx.num(l1, 1)}·ε. Типичный запас уверенности (медиана разности двух "
            f"лучших логитов) — {ctx.num(margin, 2)}, так что типичную картинку переворачивает ε порядка "
            f"{ctx.num(margin / l1, 2)} (на деле чуть больше: пиксели, уже равные 0 или 1, дальше не сдвинуть). "
            "На фотографиях 224×224×3 пикселей в тысячи раз больше, и незаметного глазу ε хватает, чтобы панда "
            "стала гиббоном.",
            "Why it works: the model is linear, so moving every pixel by ε changes the gap between two logits by "
            f"ε·Σ|w_i − w_j| — {ctx.num(l1, 1)}·ε on average. The typical confidence margin (median gap between the "
            f"top two logits) is {ctx.num(margin, 2)}, so an ε of about {ctx.num(margin / l1, 2)} flips a typical image "
            "(a bit more in practice: pixels already at 0 or 1 cannot move further). A 224×224×3 photo has thousands "
            "of times more pixels, so an invisible ε is enough to turn a panda into a gibbon.",
        ),
    ]
    return "\n".join(lines)


def _plots(r: dict, eps: float, sweep: list[float], ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    ge, ex = ctx.g(eps), r["example"]

    def sweep_plot(fig: Any) -> None:
        ax = fig.subplots()
        ax.plot(sweep, [100 * a for a in r["sweep_acc"]], "o-", color=plotting.RED, label="FGSM")
        ax.plot(
            [eps],
            [100 * r["noise_acc"]],
            "s",
            color=plotting.GREY,
            markersize=11,
            label=ctx.t(f"шум ±{ge}", f"noise ±{ge}"),
        )
        ax.axvline(eps, color="black", linestyle=":", linewidth=1.2)
        ax.axhline(
            10,
            color=plotting.GREY,
            linestyle="--",
            linewidth=1,
            label=ctx.t("наугад (10%)", "guessing (10%)"),
        )
        ax.set_ylim(0, 105)
        ax.xaxis.set_major_formatter(plotting.number_formatter(ctx.ru))
        ax.set_xlabel(ctx.t("ε (сдвиг каждого пикселя)", "ε (change per pixel)"))
        ax.set_ylabel(ctx.t("точность, %", "accuracy, %"))
        ax.set_title(ctx.t("Точность под атакой FGSM", "Accuracy under FGSM attack"))
        ax.legend(loc="upper right")

    orig, adv = np.array(ex["image"]).reshape(8, 8), np.array(ex["attacked"]).reshape(8, 8)
    lim = max(eps, 1e-6)

    def example_plot(fig: Any) -> None:
        axes = fig.subplots(1, 3)
        shift: Any = None
        titles = (
            ctx.t(
                f"до атаки\n«{ex['pred_clean']}» {ctx.pct(ex['p_clean'])}",
                f"before\n'{ex['pred_clean']}' {ctx.pct(ex['p_clean'])}",
            ),
            ctx.t("добавка", "perturbation"),
            ctx.t(
                f"после атаки\n«{ex['pred_adv']}» {ctx.pct(ex['p_adv'])}",
                f"after\n'{ex['pred_adv']}' {ctx.pct(ex['p_adv'])}",
            ),
        )
        for ax, img, cmap, lo, hi, title in zip(
            axes,
            (orig, adv - orig, adv),
            ("gray_r", "coolwarm", "gray_r"),
            (0, -lim, 0),
            (1, lim, 1),
            titles,
            strict=True,
        ):
            im = ax.imshow(img, cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
            ax.set_title(title, fontsize=14)
            plotting.no_ticks(ax)
            if cmap == "coolwarm":
                shift = im
        bar = fig.colorbar(
            shift, ax=list(axes), location="bottom", shrink=0.6, aspect=25, ticks=[-lim, 0, lim]
        )
        bar.ax.xaxis.set_major_formatter(plotting.number_formatter(ctx.ru, "+g"))
        bar.set_label(
            ctx.t("добавка: сдвиг значения пикселя", "perturbation: change of pixel value"), fontsize=13
        )
        fig.suptitle(ctx.t(f"Цифра {ex['true']}, ε = {ge}", f"Digit {ex['true']}, ε = {ge}"))

    images = [plotting.render(sweep_plot), plotting.render(example_plot, figsize=(5.6, 3.6))]
    captions = [
        ctx.t(
            "Точность падает с ростом ε; серый квадрат — случайный шум того же размера.",
            "Accuracy falls as ε grows; the grey square is random noise of the same size.",
        ),
        ctx.t(
            f"Настоящая цифра {ex['true']}: до атаки модель видела «{ex['pred_clean']}» ({ctx.pct(ex['p_clean'])}), "
            f"после — «{ex['pred_adv']}» ({ctx.pct(ex['p_adv'])}). Красное — пиксель стал темнее, синее — светлее.",
            f"True digit {ex['true']}: before the attack the model saw '{ex['pred_clean']}' ({ctx.pct(ex['p_clean'])}), "
            f"after it '{ex['pred_adv']}' ({ctx.pct(ex['p_adv'])}). Red: the pixel got darker, blue: lighter.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    eps = float(params["eps"])
    sweep = sorted(set(SWEEP) | {eps})
    r = experiment(eps=eps, sweep=sweep, seed=ctx.seed)
    code = shown_code(experiment, eps=eps, sweep=sweep, seed=ctx.seed)
    images, captions = _plots(r, eps, sweep, ctx)
    result = {k: v for k, v in r.items() if k != "example"}
    metrics = {
        "result": result,
        "eps": eps,
        "sweep_eps": sweep,
        **result,
        "example": {k: v for k, v in r["example"].items() if k not in ("image", "attacked")},
    }
    return DemoOutput(
        text=_text(r, eps, sweep, ctx), code=code, images=images, captions=captions, metrics=metrics
    )


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
