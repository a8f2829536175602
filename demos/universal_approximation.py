"""Demo ``universal-approximation``: one-hidden-layer ReLU networks of growing width fit a 1-D function.

All widths are trained at once (one batched parameter tensor, padded to the largest width and
masked); the loss is a sum of independent per-network losses and Adam is element-wise, so this is
exactly the same as training each network on its own — just faster. The networks are also
evaluated outside the training interval, where the theorem promises nothing.
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, Raw, RunContext, shown_code

WIDTHS = (1, 4, 16, 64)
LO, HI, OUT = -2.0, 2.0, 1.0  # training interval [LO, HI]; evaluated on [LO - OUT, HI + OUT]
STEPS_MAX = 5000
FUNCS = {
    "sin": ("sin(3x) + 0.3x²", "torch.sin(3 * x) + 0.3 * x**2"),
    "wave": ("sin(6x)", "torch.sin(6 * x)"),
    "bump": ("exp(−4x²)·cos(8x)", "torch.exp(-4 * x**2) * torch.cos(8 * x)"),
}


def experiment(target, widths: list[int], steps: int, seed: int, n: int = 128, lr: float = 0.01) -> dict:
    import torch

    torch.manual_seed(seed)
    x = torch.linspace(-2, 2, n).view(1, -1, 1)  # training points on [-2, 2]
    m, h = len(widths), max(widths)  # network j: y = sum_i v_i * relu(w_i * x + b_i) + c, i < widths[j]
    mask = (torch.arange(h) < torch.tensor(widths).view(m, 1, 1)).float()
    sign = torch.where(torch.rand(m, 1, h) < 0.5, -1.0, 1.0)
    knots = torch.rand(m, 1, h) * 4 - 2  # each ReLU starts with its kink somewhere in [-2, 2]
    scale = torch.tensor(widths).float().rsqrt().view(m, 1, 1)
    P = torch.stack([sign, -sign * knots, torch.randn(m, 1, h) * scale * 0.5]).requires_grad_()
    c = torch.zeros(m, 1, 1, requires_grad=True)

    def net(x):
        return (torch.relu(x * P[0] + P[1]) * mask) @ P[2].transpose(1, 2) + c

    opt = torch.optim.Adam([P, c], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    for _ in range(steps):  # all widths train at once; their losses are independent
        opt.zero_grad()
        ((net(x) - target(x)) ** 2).mean(dim=(1, 2)).sum().backward()
        opt.step()
        sched.step()
    with torch.no_grad():
        xs = torch.linspace(-3, 3, 1201).view(1, -1, 1)  # the interval and 1 beyond it on each side
        inside = (xs.abs() <= 2).view(-1)
        err = (net(xs) - target(xs)) ** 2
        w, b, v = P[0], P[1], P[2]
        kink = -b / torch.where(w.abs() < 1e-8, torch.full_like(w, 1e-8), w)
        kinks = ((kink.abs() < 2) & (mask > 0) & (v.abs() > 1e-4)).sum(dim=(1, 2))
        return {
            "n": n,
            "mse": err[:, inside].mean(dim=(1, 2)).tolist(),  # on [-2, 2]
            "mse_outside": err[:, ~inside].mean(dim=(1, 2)).tolist(),  # on [-3, -2) and (2, 3]
            "target_variance": float(target(xs[:, inside]).var(unbiased=False)),
            "kinks_inside": kinks.tolist(),
            "x": xs.view(-1).tolist(),
            "y": target(xs).view(-1).tolist(),
            "pred": net(xs)[:, :, 0].tolist(),
        }


def _text(r: dict, func: str, steps: int, seed: int, ctx: RunContext) -> tuple[str, bool]:
    label = FUNCS[func][0]
    mse, var, kinks = r["mse"], r["target_variance"], r["kinks_inside"]
    falls = all(b < a for a, b in zip(mse, mse[1:], strict=False))
    widths = ", ".join(map(str, WIDTHS))
    lines = [
        ctx.t(
            f"Сеть с одним скрытым слоем ReLU приближает f(x) = {label} на отрезке [{LO:g}, {HI:g}] ({ctx.count(r['n'], 'точка|точки|точек', '')}, "
            f"{ctx.count(steps, 'шаг|шага|шагов', '')} Adam). Число нейронов в скрытом слое: {widths}.",
            f"A network with one hidden ReLU layer fits f(x) = {label} on [{LO:g}, {HI:g}] ({r['n']} points, "
            f"{ctx.count(steps, '', 'Adam step|Adam steps')}). Neurons in the hidden layer: {widths}.",
        ),
        ctx.t(
            f"Среднеквадратичная ошибка (MSE) на отрезке; дисперсия самой f там {ctx.sci(var, 3)}:",
            f"Mean squared error (MSE) on the interval; the variance of f itself there is {ctx.sci(var, 3)}:",
        ),
    ]
    for wd, e, k in zip(WIDTHS, mse, kinks, strict=True):
        lines.append(
            ctx.t(
                f"• {ctx.count(wd, 'нейрон|нейрона|нейронов', '')}: MSE {ctx.sci(e, 3)} ({ctx.sci(100 * e / var, 2)}% дисперсии), "
                f"изломов внутри отрезка: {k}",
                f"• {ctx.count(wd, '', 'neuron|neurons')}: MSE {ctx.sci(e, 3)} ({ctx.sci(100 * e / var, 2)}% of the variance), "
                f"kinks inside the interval: {k}",
            )
        )
    lines.append("")
    total = ctx.times(mse[0] / max(mse[-1], 1e-30))
    if falls:
        lines.append(
            ctx.t(
                f"Ошибка падает с каждым ростом ширины: от {WIDTHS[0]} до {WIDTHS[-1]} нейронов — {total}.",
                f"The error falls with every increase in width: from {WIDTHS[0]} to {WIDTHS[-1]} neurons, {total}.",
            )
        )
    else:
        bad = ", ".join(
            f"{a}→{b}" for a, b, ea, eb in zip(WIDTHS, WIDTHS[1:], mse, mse[1:], strict=False) if eb >= ea
        )
        lines.append(
            ctx.t(
                f"В целом ошибка падает с шириной (от {WIDTHS[0]} до {WIDTHS[-1]} нейронов — {total}), но не на каждом "
                f"шаге ({bad}). Более широкая сеть может в точности повторить узкую (лишним нейронам хватит нулевых "
                "весов), так что это неудача обучения, а не предел сети: теорема обещает, что хорошие веса существуют, "
                "а не что градиентный спуск их найдёт. ",
                f"Overall the error falls with width (from {WIDTHS[0]} to {WIDTHS[-1]} neurons, {total}), but not at every "
                f"step ({bad}). A wider network can copy a narrower one exactly (zero weights for the extra neurons), so "
                "this is a failure of training, not of the network: the theorem promises that good weights exist, not "
                "that gradient descent finds them. ",
            )
            + (
                ctx.t(
                    f"Попробуйте больше шагов обучения (сейчас {steps}, можно до {STEPS_MAX}) или другой seed.",
                    f"Try more training steps (now {steps}, up to {STEPS_MAX}) or another seed.",
                )
                if steps < STEPS_MAX
                else ctx.t(
                    f"Шагов уже максимум ({STEPS_MAX}); попробуйте другой seed (сейчас {seed}): другой случайный старт "
                    "расставит изломы иначе.",
                    f"Steps are already at the maximum ({STEPS_MAX}); try another seed (now {seed}): a different random "
                    "start places the kinks differently.",
                )
            )
        )
    out, inside = r["mse_outside"][-1], mse[-1]
    lines += [
        ctx.t(
            "Почему: каждый ReLU-нейрон — это «сгиб» в одной точке, а выход сети — ломаная, склеенная из них. Чем "
            "больше нейронов, тем больше изломов и тем точнее ломаная повторяет непрерывную кривую. Это и есть "
            "теорема об универсальной аппроксимации: одного скрытого слоя хватает, чтобы приблизить непрерывную "
            "функцию на отрезке с любой точностью — если нейронов достаточно.",
            "Why: every ReLU neuron is a bend at one point, and the network's output is a broken line glued from "
            "them. More neurons, more bends, and the broken line follows a continuous curve more closely. That is the "
            "universal approximation theorem: one hidden layer is enough to approximate a continuous function on an "
            "interval to any accuracy — given enough neurons.",
        ),
        ctx.t(
            "Чего теорема не говорит: сколько нейронов нужно, найдёт ли их обучение и что будет за пределами отрезка. "
            f"На [{LO - OUT:g}, {LO:g}) и ({HI:g}, {HI + OUT:g}], где сеть не училась, MSE самой широкой сети "
            f"{ctx.sci(out, 3)}",
            "What the theorem does not say: how many neurons you need, whether training finds them, and what happens "
            f"outside the interval. On [{LO - OUT:g}, {LO:g}) and ({HI:g}, {HI + OUT:g}], never seen in training, the "
            f"widest network's MSE is {ctx.sci(out, 3)}",
        )
        + (
            ctx.t(
                f" — {ctx.times(out / max(inside, 1e-30))} больше, чем внутри: за краем ломаная просто продолжается прямой.",
                f" — {ctx.times(out / max(inside, 1e-30))} larger than inside: past the edge the broken line just "
                "continues as a straight line.",
            )
            if out > 3 * inside
            else ctx.t(
                " — не хуже, чем внутри: здесь повезло, f за краем почти прямая; гарантий теорема не даёт.",
                " — no worse than inside: lucky here, f is nearly straight past the edge; the theorem guarantees nothing.",
            )
        ),
    ]
    return "\n".join(lines), falls


def _plots(r: dict, func: str, ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    xs, ys, preds = np.array(r["x"]), np.array(r["y"]), np.array(r["pred"])
    mse = r["mse"]
    palette = [plotting.ORANGE, plotting.GREEN, plotting.PURPLE, plotting.BLUE]

    def fits(fig: Any) -> None:
        ax = fig.subplots()
        for lo, hi in ((LO - OUT, LO), (HI, HI + OUT)):
            ax.axvspan(lo, hi, color=plotting.GREY, alpha=0.15, linewidth=0)
        ax.plot(xs, ys, color="black", linewidth=5, alpha=0.3, label="f(x)")
        for i, wd in enumerate(WIDTHS):
            ax.plot(xs, preds[i], color=palette[i], linewidth=2, label=ctx.t(f"{wd} нейр.", f"{wd} neur."))
        span = float(ys.max() - ys.min())
        ax.set_ylim(float(ys.min()) - 0.4 * span, float(ys.max()) + 0.4 * span)
        ax.set_xlim(LO - OUT, HI + OUT)
        for mid in (LO - OUT / 2, HI + OUT / 2):
            ax.text(
                mid,
                ax.get_ylim()[1],
                ctx.t("не\nучились", "not\ntrained"),
                ha="center",
                va="top",
                fontsize=12,
            )
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_title(FUNCS[func][0])
        ax.legend(loc="lower center", ncol=3, fontsize=12)

    def mse_plot(fig: Any) -> None:
        ax = fig.subplots()
        ax.loglog(WIDTHS, mse, "o-", color=plotting.BLUE, label=ctx.t("на отрезке", "on the interval"))
        ax.loglog(
            WIDTHS,
            r["mse_outside"],
            "s--",
            color=plotting.RED,
            label=ctx.t("за его краями", "beyond its edges"),
        )
        plotting.tidy_log_axis(ax, "y", ctx.ru)
        ax.set_xticks(list(WIDTHS))
        ax.set_xticklabels([str(wd) for wd in WIDTHS])
        ax.minorticks_off()
        ax.set_xlabel(ctx.t("нейронов в скрытом слое", "neurons in the hidden layer"))
        ax.set_ylabel("MSE")
        ax.set_title(ctx.t("Ошибка и ширина слоя", "Error vs width"))
        ax.legend(loc="best")

    images = [plotting.render(fits), plotting.render(mse_plot)]
    captions = [
        ctx.t(
            "Чем шире слой, тем больше изломов у ломаной и тем ближе она к кривой; в серых полосах сеть не училась.",
            "The wider the layer, the more bends and the closer the broken line; the grey bands were never trained on.",
        ),
        ctx.t(
            "MSE в зависимости от ширины: на отрезке обучения и за его краями (обе оси логарифмические).",
            "MSE against width: on the training interval and beyond its edges (both axes logarithmic).",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    func, steps = str(params["func"]), int(params["steps"])
    import torch

    target = Raw("lambda x: " + FUNCS[func][1])
    args: dict[str, Any] = {"widths": list(WIDTHS), "steps": steps, "seed": ctx.seed}
    r = experiment(eval(target, {"torch": torch}), **args)  # the same lambda the code shows
    code = shown_code(experiment, imports="import torch", target=target, **args)
    text, falls = _text(r, func, steps, ctx.seed, ctx)
    images, captions = _plots(r, func, ctx)
    metrics = {
        "result": {k: v for k, v in r.items() if k not in ("x", "y", "pred")},
        "func": func,
        "steps": steps,
        "widths": list(WIDTHS),
        "mse": r["mse"],
        "mse_outside": r["mse_outside"],
        "mse_falls_with_width": falls,
    }
    return DemoOutput(text=text, code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="universal-approximation",
    title_ru="Универсальная аппроксимация: один слой ReLU приближает любую кривую",
    title_en="Universal approximation: one ReLU layer fits any curve",
    note_slug="universal-approximation",
    params=(
        Param(
            "func",
            "choice",
            "sin",
            choices=tuple(FUNCS),
            aliases=("function", "функция"),
            help_ru="sin: sin(3x)+0.3x²; wave: sin(6x); bump: exp(−4x²)·cos(8x)",
            help_en="sin: sin(3x)+0.3x²; wave: sin(6x); bump: exp(−4x²)·cos(8x)",
        ),
        Param(
            "steps",
            "int",
            1000,
            100,
            STEPS_MAX,
            aliases=("epochs", "iterations", "iters", "шаги", "итерации"),
            help_ru="шагов обучения (Adam)",
            help_en="training steps (Adam)",
        ),
    ),
    impl=run,
)
