"""Demo ``learning-rate``: one model trained with a too small, a good, a too large and the user's learning rate.

The model is linear regression trained by full-batch gradient descent, so its loss is a quadratic
whose steepest curvature λ_max is known exactly: gradient descent diverges exactly when
lr > 2/λ_max. The demo computes that threshold and shows it holds (runs at 0.99 and 1.01 of it).
"""

from __future__ import annotations

import math
from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

REFERENCE = (0.001, 0.1, 0.6)  # too small, good, too large (for this data: λ_max ≈ 4.5, threshold ≈ 0.45)
STEPS = 100


def experiment(lrs: list[float], steps: int, seed: int, n: int = 200) -> dict:
    import torch

    torch.manual_seed(seed)
    x = torch.randn(n, 3) * torch.tensor([1.5, 1.0, 0.5])  # features of different scales
    y = x @ torch.tensor([2.0, -1.0, 3.0]) + 0.5 + 0.3 * torch.randn(n)
    xb = torch.cat([x, torch.ones(n, 1)], dim=1)  # the loss is quadratic: its Hessian is 2/n · xbᵀ xb
    eig, vec = torch.linalg.eigh(2 / n * xb.T @ xb)
    lam_max, v_max = float(eig[-1]), vec[:, -1]  # the steepest curvature and its direction
    best = torch.linalg.solve(xb.double().T @ xb.double(), xb.double().T @ y.double())  # the exact minimum
    loss_min = float(((xb.double() @ best - y.double()) ** 2).mean())
    best = best.float()

    def train(lr):
        torch.manual_seed(seed)
        model = torch.nn.Linear(3, 1)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        losses, along = [], []  # loss per step; distance to the minimum along the steepest direction
        for _ in range(steps + 1):
            w = torch.cat([model.weight[0], model.bias]).detach()
            along.append(float((w - best) @ v_max))
            loss = ((model(x)[:, 0] - y) ** 2).mean()
            losses.append(loss.item())
            opt.zero_grad()
            loss.backward()
            opt.step()
        return losses, along

    runs = [train(lr) for lr in lrs]
    edge = [train(f * 2 / lam_max)[0][-1] for f in (0.99, 1.01)]  # just below and just above 2/λ_max
    return {
        "n": n,
        "lam_max": lam_max,
        "threshold": 2 / lam_max,
        "loss_min": loss_min,
        "losses": [r[0] for r in runs],
        "along": [r[1] for r in runs],
        "edge_final_losses": edge,
    }


def _first_nonfinite(losses: list[float]) -> int | None:
    return next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)


def verdict(losses: list[float], loss_min: float) -> str:
    """``"diverged"``, ``"slow"`` (still ≥ 1% above the minimum) or ``"good"``."""
    last = losses[-1]
    if not math.isfinite(last) or last > losses[0]:
        return "diverged"
    return "good" if last <= 1.01 * loss_min else "slow"


def _line(lr: float, losses: list[float], r: dict, label: str, ctx: RunContext) -> str:
    kind, lo = verdict(losses, r["loss_min"]), r["loss_min"]
    start, last = ctx.sci(losses[0], 3), losses[-1]
    if kind == "diverged":
        bad = _first_nonfinite(losses)
        nan = next((i for i, v in enumerate(losses) if math.isnan(v)), None)
        if bad is None:
            tail = ctx.t(
                f"лосс растёт: {start} → {ctx.sci(last, 3)} за {STEPS} шагов — расходится",
                f"the loss grows: {start} → {ctx.sci(last, 3)} in {STEPS} steps — divergence",
            )
        else:
            tail = ctx.t(
                f"лосс растёт и на шаге {bad} становится inf", f"the loss grows and turns inf at step {bad}"
            ) + (ctx.t(f", на шаге {nan} — nan", f", nan at step {nan}") if nan is not None else "")
    elif kind == "slow":
        tail = ctx.t(
            f"лосс {start} → {ctx.sci(last, 3)}, это {ctx.times(last / lo)} больше минимума ({ctx.sci(lo, 3)}) — ползёт",
            f"loss {start} → {ctx.sci(last, 3)}, {ctx.times(last / lo)} the minimum ({ctx.sci(lo, 3)}) — crawling",
        )
    else:
        tail = ctx.t(
            f"лосс {start} → {ctx.sci(last, 4)}, минимум {ctx.sci(lo, 4)} — дошли",
            f"loss {start} → {ctx.sci(last, 4)}, the minimum is {ctx.sci(lo, 4)} — got there",
        )
    return f"• lr = {ctx.g(lr)} ({label}): {tail}"


def _text(r: dict, lr: float, ctx: RunContext) -> str:
    labels = [
        ctx.t("слишком маленький", "too small"),
        ctx.t("хороший", "good"),
        ctx.t("слишком большой", "too large"),
    ]
    lines = [
        ctx.t(
            f"Одна и та же модель — линейная регрессия nn.Linear(3, 1) на {ctx.count(r['n'], 'точке|точках|точках', '')}, лосс MSE, {STEPS} шагов "
            "градиентного спуска по всей выборке (torch.optim.SGD) — с разными learning rate:",
            f"The same model — linear regression nn.Linear(3, 1) on {r['n']} points, MSE loss, {STEPS} steps of full-batch "
            "gradient descent (torch.optim.SGD) — with different learning rates:",
        )
    ]
    for ref, losses, label in zip(REFERENCE, r["losses"], labels, strict=False):
        lines.append(_line(ref, losses, r, label, ctx))
    lines.append(_line(lr, r["losses"][-1], r, ctx.t("ваш", "yours"), ctx))
    thr, lam = r["threshold"], r["lam_max"]
    below, above = r["edge_final_losses"]
    start = r["losses"][0][0]

    def side(loss: float) -> str:
        if not math.isfinite(loss) or loss > start:
            return ctx.t("больше стартового — расходится", "above the start — diverging")
        return ctx.t("меньше стартового — сходится", "below the start — converging")

    lines += [
        "",
        ctx.t(
            "Почему: лосс линейной регрессии — квадратичная «чаша». Её кривизна по самому крутому направлению "
            f"λ_max = {ctx.num(lam, 3)} (наибольшее собственное число гессиана), и каждый шаг умножает отклонение от "
            f"минимума вдоль этого направления на (1 − lr·λ_max). Если lr > 2/λ_max = {ctx.num(thr, 4)}, множитель по "
            "модулю больше 1: веса перепрыгивают минимум всё дальше, лосс растёт, потом inf и nan. Если lr слишком "
            "мал, множители по пологим направлениям почти равны 1, и за отведённые шаги модель почти не учится.",
            "Why: the loss of linear regression is a quadratic bowl. Its curvature along the steepest direction is "
            f"λ_max = {ctx.num(lam, 3)} (the largest eigenvalue of the Hessian), and every step multiplies the distance "
            f"to the minimum along it by (1 − lr·λ_max). If lr > 2/λ_max = {ctx.num(thr, 4)}, that factor exceeds 1 in "
            "size: the weights overshoot the minimum further each time, the loss grows, then inf and nan. If lr is too "
            "small, the factors along the flat directions are nearly 1 and the model barely learns in the steps it has.",
        ),
        ctx.t(
            f"Проверка порога: при lr = 0,99·2/λ_max лосс после {STEPS} шагов {ctx.sci(below, 3)} ({side(below)}), "
            f"при lr = 1,01·2/λ_max — {ctx.sci(above, 3)} ({side(above)}).",
            f"Checking the threshold: with lr = 0.99·2/λ_max the loss after {STEPS} steps is {ctx.sci(below, 3)} "
            f"({side(below)}), with lr = 1.01·2/λ_max it is {ctx.sci(above, 3)} ({side(above)}).",
        ),
    ]
    where = (
        ctx.t("выше порога — расходится", "above the threshold — it diverges")
        if lr > thr
        else ctx.t("ниже порога", "below the threshold")
    )
    lines.append(ctx.t(f"Ваш lr = {ctx.g(lr)}: {where}.", f"Your lr = {ctx.g(lr)}: {where}."))
    if thr / 2 < lr <= thr:
        lines.append(
            ctx.t(
                "Он больше 1/λ_max, поэтому множитель отрицательный: веса прыгают через минимум туда-обратно, но сходятся.",
                "It is above 1/λ_max, so the factor is negative: the weights hop across the minimum but still converge.",
            )
        )
    lines.append(
        ctx.t(
            "В нейросети кривизна разная по направлениям и меняется во время обучения, поэтому порог заранее не "
            "вычислить — learning rate подбирают экспериментом (LR finder) и уменьшают по расписанию.",
            "In a neural network the curvature differs by direction and changes during training, so the threshold "
            "cannot be computed in advance: the learning rate is found by experiment (an LR finder) and decayed on a "
            "schedule.",
        )
    )
    return "\n".join(lines)


def _plots(r: dict, lrs: list[float], ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    colors = [plotting.GREY, plotting.GREEN, plotting.RED, "black"]
    top = 1e6 * r["losses"][0][0]

    def curves(fig: Any) -> None:
        ax = fig.subplots()
        for i, (lr, losses) in enumerate(zip(lrs, r["losses"], strict=True)):
            vals = np.array(losses, dtype=float)
            ok = np.isfinite(vals) & (vals < top)
            label = (ctx.t("ваш ", "yours ") if i == 3 else "") + f"lr = {ctx.g(lr)}"
            style = {"linewidth": 3.2, "linestyle": "--"} if i == 3 else {}
            ax.semilogy(np.flatnonzero(ok), vals[ok], color=colors[i], label=label, **style)
            if not ok.all():
                k = int(np.flatnonzero(~ok)[0])
                ax.plot([k], [top], marker="^", markersize=12, color=colors[i])
        ax.axhline(r["loss_min"], color="black", linewidth=1, linestyle=":")
        ax.set_ylim(r["loss_min"] / 3, top * 10)
        ax.text(STEPS, top * 2, ctx.t("▲ выше края графика", "▲ off the chart"), ha="right", fontsize=12)
        plotting.tidy_log_axis(ax, "y", ctx.ru)
        ax.set_xlabel(ctx.t("шаг", "step"))
        ax.set_ylabel(ctx.t("лосс (MSE)", "loss (MSE)"))
        ax.set_title(ctx.t("Один и тот же лосс, разный lr", "The same loss, different lr"))
        ax.legend(loc="center right", fontsize=12)

    def zigzag(fig: Any) -> None:
        ax = fig.subplots()
        lam = r["lam_max"]
        paths = {i: np.array(r["along"][i][:4]) for i in (1, 2)}
        reach = 1.15 * max(float(np.abs(d).max()) for d in paths.values())
        xs = np.linspace(-reach, reach, 200)
        ax.plot(xs, lam / 2 * xs**2, color=plotting.GREY, linewidth=4, alpha=0.5)
        for i, d in paths.items():
            ax.plot(d, lam / 2 * d**2, "o-", color=colors[i], markersize=9, label=f"lr = {ctx.g(lrs[i])}")
            for k, v in enumerate(d):
                dy = -16 if i == 1 else 8
                ax.annotate(
                    str(k),
                    (v, lam / 2 * v**2),
                    textcoords="offset points",
                    xytext=(6, dy),
                    fontsize=12,
                    color=colors[i],
                )
        ax.set_xlabel(
            ctx.t(
                "отклонение от минимума\nпо самому крутому направлению",
                "distance from the minimum\nalong the steepest direction",
            )
        )
        ax.set_ylabel(ctx.t("вклад в лосс", "loss contribution"))
        ax.set_title(ctx.t("Почему большой шаг расходится", "Why a large step diverges"))
        ax.legend(loc="upper center")

    images = [plotting.render(curves), plotting.render(zigzag)]
    captions = [
        ctx.t(
            "Лосс по шагам при разных learning rate (логарифмическая шкала); пунктир — ваш lr, точечная линия — минимум.",
            "Loss per step for different learning rates (log scale); dashed: your lr, dotted line: the minimum.",
        ),
        ctx.t(
            f"Первые шаги вдоль самого крутого направления: при lr = {ctx.g(lrs[1])} веса идут к минимуму, при "
            f"lr = {ctx.g(lrs[2])} перепрыгивают его всё дальше (цифры — номера шагов).",
            f"The first steps along the steepest direction: with lr = {ctx.g(lrs[1])} the weights approach the minimum, "
            f"with lr = {ctx.g(lrs[2])} they overshoot it further each time (numbers are steps).",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    lr = float(params["lr"])
    lrs = [*REFERENCE, lr]
    r = experiment(lrs=lrs, steps=STEPS, seed=ctx.seed)
    code = shown_code(experiment, lrs=lrs, steps=STEPS, seed=ctx.seed)
    images, captions = _plots(r, lrs, ctx)
    metrics = {
        "result": {k: v for k, v in r.items() if k != "along"},
        "lr": lr,
        "lrs": lrs,
        "verdicts": [verdict(losses, r["loss_min"]) for losses in r["losses"]],
    }
    return DemoOutput(text=_text(r, lr, ctx), code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="learning-rate",
    title_ru="Learning rate: слишком маленький, хороший, слишком большой",
    title_en="Learning rate: too small, good, too large",
    note_slug="learning-rate",
    params=(
        Param(
            "lr",
            "float",
            0.3,
            1e-4,
            10.0,
            aliases=("learning_rate", "rate", "шаг", "скорость"),
            help_ru="ваш learning rate; его покажут рядом с тремя эталонными",
            help_en="your learning rate, shown beside three reference ones",
        ),
    ),
    impl=run,
)
