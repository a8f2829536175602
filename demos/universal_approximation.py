"""Demo ``universal-approximation``: one-hidden-layer ReLU networks of growing width fit a 1-D function.

All widths are trained at once (one batched parameter tensor, padded to the largest width
and masked); because the loss is a sum of independent per-network losses and Adam is
element-wise, this is exactly the same as training each network on its own — just faster.
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext

WIDTHS = (1, 4, 16, 64)
N_TRAIN, N_EVAL = 128, 1001
LO, HI = -2.0, 2.0
LR = 0.01

FUNCS = {
    "sin": ("sin(3x) + 0.3x²", lambda torch, x: torch.sin(3 * x) + 0.3 * x**2),
    "wave": ("sin(6x)", lambda torch, x: torch.sin(6 * x)),
    "bump": ("exp(−4x²)·cos(8x)", lambda torch, x: torch.exp(-4 * x**2) * torch.cos(8 * x)),
}
CODE_EXPR = {
    "sin": "torch.sin(3 * x) + 0.3 * x ** 2",
    "wave": "torch.sin(6 * x)",
    "bump": "torch.exp(-4 * x ** 2) * torch.cos(8 * x)",
}

CODE = """\
import torch

torch.manual_seed({seed})
f = lambda x: {expr}
x = torch.linspace(-2, 2, {n}).view(1, -1, 1)
widths = {widths}                      # hidden neurons: y = sum_j v_j * relu(w_j * x + b_j) + c
M, H = len(widths), max(widths)
mask = (torch.arange(H) < torch.tensor(widths).view(M, 1, 1)).float()   # width j uses H[:j]
sign = torch.where(torch.rand(M, 1, H) < 0.5, -1.0, 1.0)
knots = torch.rand(M, 1, H) * 4 - 2       # each ReLU starts with its kink somewhere in [-2, 2]
scale = torch.tensor(widths).float().rsqrt().view(M, 1, 1)
P = torch.stack([sign, -sign * knots, torch.randn(M, 1, H) * scale * 0.5]).requires_grad_()
c = torch.zeros(M, 1, 1, requires_grad=True)
net = lambda x: (torch.relu(x * P[0] + P[1]) * mask) @ P[2].transpose(1, 2) + c

opt = torch.optim.Adam([P, c], lr={lr})
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, {steps})
for _ in range({steps}):                  # all widths train at once; losses are independent
    opt.zero_grad()
    ((net(x) - f(x)) ** 2).mean(dim=(1, 2)).sum().backward()
    opt.step()
    sched.step()
x_test = torch.linspace(-2, 2, {n_eval}).view(1, -1, 1)
mse = ((net(x_test) - f(x_test)) ** 2).mean(dim=(1, 2))   # one MSE per width
"""


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    import torch

    func, steps = str(params["func"]), int(params["steps"])
    label, fn = FUNCS[func]

    def f(x: Any) -> Any:
        return fn(torch, x)

    x = torch.linspace(LO, HI, N_TRAIN).view(1, -1, 1)
    m, h = len(WIDTHS), max(WIDTHS)
    mask = (torch.arange(h) < torch.tensor(WIDTHS).view(m, 1, 1)).float()
    sign = torch.where(torch.rand(m, 1, h) < 0.5, -1.0, 1.0)
    knots = torch.rand(m, 1, h) * 4 - 2
    scale = torch.tensor(WIDTHS).float().rsqrt().view(m, 1, 1)
    P = torch.stack([sign, -sign * knots, torch.randn(m, 1, h) * scale * 0.5]).requires_grad_()
    c = torch.zeros(m, 1, 1, requires_grad=True)

    def net(inp: Any) -> Any:
        return (torch.relu(inp * P[0] + P[1]) * mask) @ P[2].transpose(1, 2) + c

    opt = torch.optim.Adam([P, c], lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    target = f(x)
    for _ in range(steps):
        opt.zero_grad()
        ((net(x) - target) ** 2).mean(dim=(1, 2)).sum().backward()
        opt.step()
        sched.step()

    with torch.no_grad():
        x_test = torch.linspace(LO, HI, N_EVAL).view(1, -1, 1)
        y_test = f(x_test)
        pred = net(x_test)
        mse = ((pred - y_test) ** 2).mean(dim=(1, 2)).numpy().astype(float)
        var = float(y_test.var(unbiased=False))
        x_out = torch.linspace(HI, HI + 1.0, 201).view(1, -1, 1)
        mse_out = ((net(x_out) - f(x_out)) ** 2).mean(dim=(1, 2)).numpy().astype(float)
        w, b, v = P[0].detach(), P[1].detach(), P[2].detach()
        kink = -b / torch.where(w.abs() < 1e-8, torch.full_like(w, 1e-8), w)
        inside = ((kink > LO) & (kink < HI) & (mask > 0) & (v.abs() > 1e-4)).sum(dim=(1, 2))
        kinks = [int(k) for k in inside]

    mse_l = [float(e) for e in mse]
    falls = all(b < a for a, b in zip(mse_l, mse_l[1:], strict=False))
    code = CODE.format(
        seed=ctx.seed, expr=CODE_EXPR[func], n=N_TRAIN, widths=WIDTHS, lr=LR, steps=steps, n_eval=N_EVAL
    )

    neuron = ctx.plural
    total = mse_l[0] / max(mse_l[-1], 1e-30)
    total_s = ctx.num(total, 0 if total >= 10 else 1)
    raz = "раз" if total >= 10 else "раза"
    out_ratio = mse_out[-1] / max(mse_l[-1], 1e-30)
    out_ratio_s = ctx.num(out_ratio, 0 if out_ratio >= 10 else 1)
    raz_out = "раз" if out_ratio >= 10 else "раза"
    lines = [
        ctx.t(
            f"Сеть с одним скрытым слоем ReLU приближает f(x) = {label} на отрезке [{LO:g}, {HI:g}] "
            f"({N_TRAIN} точек, {steps} шагов Adam). Ширина слоя: {', '.join(map(str, WIDTHS))} нейронов.",
            f"A network with one hidden ReLU layer fits f(x) = {label} on [{LO:g}, {HI:g}] "
            f"({N_TRAIN} points, {steps} Adam steps). Hidden widths: {', '.join(map(str, WIDTHS))} neurons.",
        ),
        ctx.t(
            f"Среднеквадратичная ошибка (MSE) на {N_EVAL} точках отрезка; дисперсия самой f = {ctx.sci(var, 3)}:",
            f"Mean squared error (MSE) on {N_EVAL} points of the interval; variance of f itself = {ctx.sci(var, 3)}:",
        ),
    ]
    for wd, e, k in zip(WIDTHS, mse_l, kinks, strict=True):
        lines.append(
            ctx.t(
                f"• {wd} {neuron(wd, ('нейрон', 'нейрона', 'нейронов'), ('neuron', 'neurons'))}: MSE {ctx.sci(e, 3)} "
                f"({ctx.pct(e / var, 1)} дисперсии), изломов внутри отрезка: {k}",
                f"• {wd} {neuron(wd, ('нейрон', 'нейрона', 'нейронов'), ('neuron', 'neurons'))}: MSE {ctx.sci(e, 3)} "
                f"({ctx.pct(e / var, 1)} of the variance), kinks inside the interval: {k}",
            )
        )
    lines.append("")
    if falls:
        lines.append(
            ctx.t(
                f"Ошибка падает с каждым ростом ширины: от {WIDTHS[0]} до {WIDTHS[-1]} нейронов в "
                f"{total_s} {raz}.",
                f"The error falls with every increase in width: from {WIDTHS[0]} to {WIDTHS[-1]} neurons by "
                f"{total_s}×.",
            )
        )
    else:
        bad = [
            f"{a}→{b}" for a, b, ea, eb in zip(WIDTHS, WIDTHS[1:], mse_l, mse_l[1:], strict=False) if eb >= ea
        ]
        lines.append(
            ctx.t(
                f"В целом ошибка падает с шириной (от {WIDTHS[0]} до {WIDTHS[-1]} нейронов в "
                f"{total_s} {raz}), но не на каждом шаге ({', '.join(bad)}): "
                "теорема обещает, что хорошие веса существуют, а не что градиентный спуск их найдёт. "
                "Попробуйте больше шагов обучения.",
                f"Overall the error falls with width (from {WIDTHS[0]} to {WIDTHS[-1]} neurons by "
                f"{total_s}×), but not at every step ({', '.join(bad)}): the theorem promises "
                "that good weights exist, not that gradient descent finds them. Try more training steps.",
            )
        )
    lines += [
        ctx.t(
            "Почему: каждый ReLU-нейрон — это «сгиб» в одной точке, а выход сети — ломаная, склеенная из них. "
            "Чем больше нейронов, тем больше изломов и тем точнее ломаная повторяет любую непрерывную кривую. "
            "Это и есть теорема об универсальной аппроксимации: одного скрытого слоя хватает, чтобы приблизить "
            "непрерывную функцию на отрезке с любой точностью — если нейронов достаточно.",
            "Why: every ReLU neuron is a bend at one point, and the network's output is a broken line glued from "
            "them. More neurons, more bends, and the broken line follows any continuous curve more closely. That "
            "is the universal approximation theorem: one hidden layer is enough to approximate a continuous "
            "function on an interval to any accuracy — given enough neurons.",
        ),
        ctx.t(
            "Чего теорема не говорит: сколько нейронов нужно, найдёт ли их обучение и что будет за пределами "
            f"отрезка. На [{HI:g}, {HI + 1:g}], где сеть не училась, MSE самой широкой сети {ctx.sci(mse_out[-1], 3)}"
            + (
                f" — в {out_ratio_s} {raz_out} больше, чем внутри: ломаная просто продолжается прямой."
                if out_ratio > 3
                else ": здесь повезло — f там почти постоянна, а сеть продолжается прямой; гарантий теорема не даёт."
            ),
            "What the theorem does not say: how many neurons you need, whether training finds them, and what "
            f"happens outside the interval. On [{HI:g}, {HI + 1:g}], never seen in training, the widest network's "
            f"MSE is {ctx.sci(mse_out[-1], 3)}"
            + (
                f" — {out_ratio_s}× larger than inside: the broken line just continues as a straight line."
                if out_ratio > 3
                else ": lucky here — f is nearly flat there and the network continues as a straight line; the theorem "
                "guarantees nothing."
            ),
        ),
    ]
    text = "\n".join(lines)

    xs = x_test.view(-1).numpy()
    ys = y_test.view(-1).numpy()
    preds = pred.numpy()[:, :, 0]
    palette = [plotting.ORANGE, plotting.GREEN, plotting.PURPLE, plotting.BLUE]

    def fits(fig: Any) -> None:
        ax = fig.subplots()
        ax.plot(xs, ys, color="black", linewidth=4, alpha=0.35, label="f(x)")
        for i, wd in enumerate(WIDTHS):
            ax.plot(
                xs,
                preds[i],
                color=palette[i % len(palette)],
                linewidth=2,
                label=ctx.t(f"{wd} нейр.", f"{wd} neur.") + f", MSE {ctx.sci(mse_l[i], 2)}",
            )
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_title(ctx.t(f"Приближение {label}", f"Fitting {label}"))
        ax.legend(loc="best", fontsize=10)

    def mse_plot(fig: Any) -> None:
        ax = fig.subplots()
        ax.loglog(WIDTHS, mse_l, "o-", color=plotting.BLUE, markersize=8)
        for wd, e in zip(WIDTHS, mse_l, strict=True):
            ax.annotate(ctx.sci(e, 2), (wd, e), textcoords="offset points", xytext=(6, 6), fontsize=11)
        ax.set_xticks(list(WIDTHS))
        ax.set_xticklabels([str(wd) for wd in WIDTHS])
        ax.set_xlabel(ctx.t("нейронов в скрытом слое", "neurons in the hidden layer"))
        ax.set_ylabel("MSE")
        ax.set_title(ctx.t("MSE и ширина слоя", "MSE vs width"))
        ax.set_xlim(0.7, 120)

    images = [plotting.render(fits), plotting.render(mse_plot)]
    captions = [
        ctx.t(
            "Чем шире слой, тем больше изломов у ломаной и тем ближе она к кривой.",
            "The wider the layer, the more bends in the broken line and the closer it gets to the curve.",
        ),
        ctx.t(
            "MSE в зависимости от ширины (обе оси логарифмические).",
            "MSE against width (both axes logarithmic).",
        ),
    ]
    metrics = {
        "func": func,
        "steps": steps,
        "widths": list(WIDTHS),
        "mse": mse_l,
        "mse_outside": [float(e) for e in mse_out],
        "target_variance": var,
        "kinks_inside": kinks,
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
            5000,
            aliases=("epochs", "iterations", "iters", "шаги", "итерации"),
            help_ru="шагов обучения (Adam)",
            help_en="training steps (Adam)",
        ),
    ),
    impl=run,
)
