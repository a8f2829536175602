"""Demo ``optimizers``: SGD, SGD with momentum and Adam on the same 2-D loss surface.

The surface is a long, gently sloping valley, L(x, y) = (0.1·x² + 10·y²) / 2: flat along x, steep
along y — the situation where plain SGD crawls, momentum accelerates and Adam rescales each
coordinate. All three use the same learning rate (the user's). Claims the demo checks: SGD diverges
exactly when lr > 2/10 (the steep curvature); Adam's first step is lr in every coordinate; and
Adam's path does not change when the loss is multiplied by 100, while SGD's does.
"""

from __future__ import annotations

import math
from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

CURVATURE = (0.1, 10.0)
START = (-4.0, 1.0)
NAMES = ("SGD", "SGD + momentum", "Adam")
MOMENTUM = 0.9  # the default of experiment()


def experiment(
    lr: float,
    steps: int,
    curvature: list[float],
    start: list[float],
    momentum: float = 0.9,
    scale: float = 100.0,
) -> dict:
    import torch

    a, b = curvature

    def loss_fn(w, k=1.0):  # a long valley: flat along x, steep along y; minimum at (0, 0)
        return k * (a * w[0] ** 2 + b * w[1] ** 2) / 2

    def run(make_opt, k=1.0):
        w = torch.tensor(start, requires_grad=True)
        opt = make_opt([w])
        path, losses = [w.tolist()], [loss_fn(w).item()]
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(w, k).backward()
            opt.step()
            path.append(w.tolist())
            losses.append(loss_fn(w).item())  # always reported on the unscaled loss
        return path, losses

    makers = {
        "SGD": lambda p: torch.optim.SGD(p, lr=lr),
        "SGD + momentum": lambda p: torch.optim.SGD(p, lr=lr, momentum=momentum),
        "Adam": lambda p: torch.optim.Adam(p, lr=lr),
    }
    runs = {name: run(make) for name, make in makers.items()}
    adam_scaled, _ = run(makers["Adam"], k=scale)  # the same loss multiplied by `scale`
    sgd_scaled, _ = run(makers["SGD"], k=scale)
    adam = runs["Adam"][0]
    return {
        "paths": {name: r[0] for name, r in runs.items()},
        "losses": {name: r[1] for name, r in runs.items()},
        "adam_first_step": [abs(adam[1][i] - adam[0][i]) for i in range(2)],
        "adam_scaled_max_diff": max(
            abs(p - q) for u, v in zip(adam, adam_scaled, strict=True) for p, q in zip(u, v, strict=True)
        ),
        "sgd_scaled_final_loss": loss_fn(torch.tensor(sgd_scaled[-1])).item(),
        "sgd_threshold": 2 / b,
    }


def _summary(path: list[list[float]], losses: list[float]) -> dict[str, Any]:
    dist = [math.hypot(*p) for p in path]
    finite = [d for d in dist if math.isfinite(d)]
    return {
        "final_loss": losses[-1],
        "final_distance": dist[-1],
        "diverged": not math.isfinite(losses[-1]) or losses[-1] > losses[0],
        "steps_to_0.1": next((i for i, d in enumerate(dist) if d < 0.1), None),
        "max_distance": max(finite) if finite else math.inf,
    }


def _text(r: dict, s: dict[str, dict[str, Any]], lr: float, steps: int, ctx: RunContext) -> str:
    a, b = CURVATURE
    lines = [
        ctx.t(
            f"Поверхность L(x, y) = ({ctx.g(a)}·x² + {ctx.g(b)}·y²)/2 — длинная пологая долина: вдоль x кривизна "
            f"{ctx.g(a)}, поперёк — {ctx.g(b)}, {ctx.times(b / a)} круче. Старт в ({ctx.g(START[0])}, {ctx.g(START[1])}), "
            f"минимум в (0, 0). Три оптимизатора из torch.optim, у всех lr = {ctx.g(lr)}, "
            f"{ctx.count(steps, 'шаг|шага|шагов', '')}:",
            f"The surface L(x, y) = ({ctx.g(a)}·x² + {ctx.g(b)}·y²)/2 is a long gentle valley: curvature {ctx.g(a)} along "
            f"x and {ctx.g(b)} across it, {ctx.times(b / a)} steeper. Start at ({ctx.g(START[0])}, {ctx.g(START[1])}), "
            f"minimum at (0, 0). Three optimizers from torch.optim, all with lr = {ctx.g(lr)}, {steps} steps:",
        )
    ]
    for name in NAMES:
        x = s[name]
        if x["diverged"]:
            what = ctx.t(
                f"разошёлся: лосс {ctx.sci(r['losses'][name][0], 3)} → {ctx.sci(x['final_loss'], 3)}",
                f"diverged: loss {ctx.sci(r['losses'][name][0], 3)} → {ctx.sci(x['final_loss'], 3)}",
            )
        else:
            reach = x["steps_to_0.1"]
            when = (
                ctx.t(
                    f"ближе 0,1 к минимуму за {ctx.count(reach, 'шаг|шага|шагов', '')}",
                    f"within 0.1 of the minimum after {reach} steps",
                )
                if reach is not None
                else ctx.t("ближе 0,1 к минимуму так и не подошёл", "never got within 0.1 of the minimum")
            )
            what = ctx.t(
                f"лосс {ctx.sci(x['final_loss'], 3)}, до минимума {ctx.sci(x['final_distance'], 3)}; {when}",
                f"loss {ctx.sci(x['final_loss'], 3)}, distance to the minimum {ctx.sci(x['final_distance'], 3)}; {when}",
            )
        shown = {
            NAMES[1]: ctx.t(f"SGD + моментум {ctx.g(MOMENTUM)}", f"SGD + momentum {ctx.g(MOMENTUM)}")
        }.get(name, name)
        lines.append(f"• {shown}: {what}")
    thr = r["sgd_threshold"]
    lines += [
        "",
        ctx.t(
            f"SGD делает шаг lr·градиент. Поперёк долины кривизна {ctx.g(b)}, и при lr > 2/{ctx.g(b)} = {ctx.g(thr)} он "
            f"перепрыгивает дно всё дальше и расходится (ваш lr {'выше' if lr > thr else 'ниже'} этого порога). Вдоль "
            f"долины градиент крошечный ({ctx.g(a)}·x), и шаг тоже: за каждый шаг SGD проходит лишь долю "
            f"{ctx.g(lr * a)} оставшегося пути.",
            f"SGD steps by lr·gradient. Across the valley the curvature is {ctx.g(b)}, and with lr > 2/{ctx.g(b)} = "
            f"{ctx.g(thr)} it overshoots the floor further and further and diverges (your lr is {'above' if lr > thr else 'below'} "
            f"that threshold). Along the valley the gradient is tiny ({ctx.g(a)}·x), and so is the step: each step covers "
            f"only a fraction {ctx.g(lr * a)} of the remaining way.",
        ),
        ctx.t(
            "Моментум копит скорость, как шар на склоне: маленькие, но согласованные шаги вдоль долины складываются "
            f"(до {ctx.g(1 / (1 - MOMENTUM))} раз при β = {ctx.g(MOMENTUM)}), а колебания поперёк гасятся. Цена — перелёты через минимум.",
            "Momentum builds up speed like a ball rolling downhill: small but consistent steps along the valley add up "
            f"(up to {ctx.g(1 / (1 - MOMENTUM))}× with β = {ctx.g(MOMENTUM)}), while the oscillations across it cancel. The price is overshooting the minimum.",
        ),
        ctx.t(
            "Adam делит шаг на корень из среднего квадрата градиента по каждой координате, так что шаг примерно равен "
            f"lr в любом направлении. Первый шаг Adam: |Δx| = {ctx.sci(r['adam_first_step'][0], 4)}, |Δy| = "
            f"{ctx.sci(r['adam_first_step'][1], 4)} — ровно lr, хотя градиенты по x и y различаются "
            f"{ctx.times(abs(b * START[1]) / abs(a * START[0]))}. Зато и на пологом участке шаг не больше lr: чтобы "
            f"пройти {ctx.g(abs(START[0]))} вдоль долины, нужно не меньше {ctx.g(abs(START[0]))}/lr = "
            f"{ctx.count(math.ceil(abs(START[0]) / lr), 'шаг|шага|шагов', '')}.",
            "Adam divides each coordinate's step by the root of its mean squared gradient, so the step is about lr in "
            f"every direction. Adam's first step: |Δx| = {ctx.sci(r['adam_first_step'][0], 4)}, |Δy| = "
            f"{ctx.sci(r['adam_first_step'][1], 4)} — exactly lr, although the x and y gradients differ "
            f"{ctx.times(abs(b * START[1]) / abs(a * START[0]))}. But on the gentle stretch the step is no more than lr "
            f"either: covering {ctx.g(abs(START[0]))} along the valley takes at least {ctx.g(abs(START[0]))}/lr = "
            f"{math.ceil(abs(START[0]) / lr)} steps.",
        ),
        ctx.t(
            f"Умножим лосс на 100: путь Adam сдвинулся не больше чем на {ctx.sci(r['adam_scaled_max_diff'], 2)}, а SGD с "
            f"тем же lr закончил с лоссом {ctx.sci(r['sgd_scaled_final_loss'], 3)}. Поэтому Adam прощает плохой масштаб "
            "градиентов, а lr для SGD приходится подбирать под него.",
            f"Multiply the loss by 100: Adam's path moves by at most {ctx.sci(r['adam_scaled_max_diff'], 2)}, while SGD "
            f"with the same lr ends with loss {ctx.sci(r['sgd_scaled_final_loss'], 3)}. That is why Adam forgives badly "
            "scaled gradients, while SGD's lr has to be tuned to them.",
        ),
    ]
    return "\n".join(lines)


def _plots(
    r: dict, s: dict[str, dict[str, Any]], lr: float, ctx: RunContext
) -> tuple[list[bytes], list[str]]:
    import numpy as np

    colors = {NAMES[0]: plotting.RED, NAMES[1]: plotting.BLUE, NAMES[2]: plotting.GREEN}
    labels = {NAMES[0]: "SGD", NAMES[1]: ctx.t("SGD + моментум", "SGD + momentum"), NAMES[2]: "Adam"}
    a, b = CURVATURE

    def contour(fig: Any) -> None:
        ax = fig.subplots()
        gx, gy = np.meshgrid(np.linspace(-5, 1.5, 300), np.linspace(-2, 2, 200))
        z = (a * gx**2 + b * gy**2) / 2
        ax.contourf(gx, gy, np.log10(z + 1e-3), levels=14, cmap="Greys", alpha=0.3)
        ax.contour(gx, gy, z, levels=[0.05, 0.2, 0.5, 1, 2, 5, 10], colors="grey", linewidths=0.8)
        for name in NAMES:
            p = np.array(r["paths"][name], dtype=float)
            keep = np.all(np.isfinite(p), axis=1) & (np.abs(p[:, 0]) < 6) & (np.abs(p[:, 1]) < 3)
            cut = int(np.argmin(keep)) if not keep.all() else len(p)
            ax.plot(p[:cut, 0], p[:cut, 1], "-", color=colors[name], linewidth=2.4, label=labels[name])
            ax.plot(p[:cut:10, 0], p[:cut:10, 1], "o", color=colors[name], markersize=5)
            if cut < len(p):
                ax.annotate(
                    "→ ∞",
                    p[cut - 1],
                    color=colors[name],
                    fontsize=14,
                    xytext=(4, 4),
                    textcoords="offset points",
                )
        ax.plot([0], [0], "*", color="black", markersize=16)
        ax.plot([START[0]], [START[1]], "s", color="black", markersize=9)
        ax.set_xlim(-5, 1.5)
        ax.set_ylim(-2, 2)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_title(ctx.t(f"Пути оптимизаторов, lr = {ctx.g(lr)}", f"Optimizer paths, lr = {ctx.g(lr)}"))
        ax.legend(loc="lower right", fontsize=12)

    def losses(fig: Any) -> None:
        ax = fig.subplots()
        for name in NAMES:
            vals = np.array(r["losses"][name], dtype=float)
            ok = np.isfinite(vals) & (vals < 1e6)
            ax.semilogy(
                np.flatnonzero(ok), np.maximum(vals[ok], 1e-12), color=colors[name], label=labels[name]
            )
        plotting.tidy_log_axis(ax, "y", ctx.ru)
        ax.set_xlabel(ctx.t("шаг", "step"))
        ax.set_ylabel(ctx.t("лосс", "loss"))
        ax.set_title(ctx.t("Лосс по шагам", "Loss per step"))
        ax.legend(loc="best", fontsize=12)

    images = [plotting.render(contour), plotting.render(losses)]
    captions = [
        ctx.t(
            "Линии уровня лосса и пути трёх оптимизаторов (точка — каждый 10-й шаг); квадрат — старт, звезда — минимум.",
            "Loss contours and the paths of three optimizers (a dot every 10th step); square: start, star: minimum.",
        ),
        ctx.t("Лосс по шагам, логарифмическая шкала.", "Loss per step, log scale."),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    lr, steps = float(params["lr"]), int(params["steps"])
    args: dict[str, Any] = {"lr": lr, "steps": steps, "curvature": list(CURVATURE), "start": list(START)}
    r = experiment(**args)
    code = shown_code(experiment, **args)
    s = {name: _summary(r["paths"][name], r["losses"][name]) for name in NAMES}
    images, captions = _plots(r, s, lr, ctx)
    metrics = {"result": {k: v for k, v in r.items() if k != "paths"}, "lr": lr, "steps": steps, "summary": s}
    return DemoOutput(
        text=_text(r, s, lr, steps, ctx), code=code, images=images, captions=captions, metrics=metrics
    )


DEMO = Demo(
    id="optimizers",
    title_ru="Оптимизаторы: SGD, моментум и Adam на одной поверхности лосса",
    title_en="Optimizers: SGD, momentum and Adam on one loss surface",
    note_slug="adam",
    params=(
        Param(
            "lr",
            "float",
            0.05,
            1e-4,
            1.0,
            aliases=("learning_rate", "rate", "шаг", "скорость"),
            help_ru="learning rate, общий для всех трёх оптимизаторов",
            help_en="learning rate, the same for all three optimizers",
        ),
        Param(
            "steps",
            "int",
            100,
            10,
            500,
            aliases=("iterations", "iters", "шаги", "итерации"),
            help_ru="сколько шагов делает каждый оптимизатор",
            help_en="how many steps each optimizer takes",
        ),
    ),
    impl=run,
)
