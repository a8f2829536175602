"""Demo ``nan-loss``: four ways a loss becomes inf/NaN, each next to its fix.

1. exp overflow in a hand-written softmax (float32 overflows above e^88.7) vs ``torch.softmax``;
2. log(0) after a probability underflows vs ``F.cross_entropy`` on logits;
3. a too-large learning rate vs a smaller one and gradient clipping;
4. the sneaky one: sqrt at 0 gives a NaN gradient with a finite loss vs ``torch.linalg.vector_norm``.
"""

from __future__ import annotations

import math
from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, RunContext, shown_code

SCALES = (1, 3, 10, 30, 60, 80, 88, 89, 100, 300, 1000)
LR_BIG = 2.0


def experiment(scales: list[float], lr: float, seed: int, steps: int = 60) -> dict:
    import math

    import torch
    import torch.nn.functional as F

    torch.manual_seed(seed)
    # 1. a hand-written softmax overflows: exp(89) is already inf in float32
    naive_top, stable_top = [], []
    for s in scales:
        z = torch.tensor([1.0, 0.5, 0.0]) * s
        naive = torch.exp(z) / torch.exp(z).sum()  # inf / inf = nan once exp overflows
        naive_top.append(float(naive[0]))
        stable_top.append(float(torch.softmax(z, dim=0)[0]))  # subtracts the max first
    exp_limit = math.log(torch.finfo(torch.float32).max)

    # 2. log(0): the probability of the right class underflows to exactly 0
    z = torch.tensor([0.0, -200.0], requires_grad=True)
    bad = -torch.log(torch.softmax(z, dim=0)[1])
    (bad_grad,) = torch.autograd.grad(bad, z)
    good = F.cross_entropy(z[None], torch.tensor([1]))  # log-softmax inside: log p = z - logsumexp(z)
    (good_grad,) = torch.autograd.grad(good, z)

    # 3. a too-large learning rate, the same model with lr / 10, and with gradient clipping
    x = torch.randn(200, 3) * torch.tensor([1.5, 1.0, 0.5])
    y = x @ torch.tensor([2.0, -1.0, 3.0]) + 0.3 * torch.randn(200)

    def train(step_lr, clip=None):
        torch.manual_seed(seed)
        model = torch.nn.Linear(3, 1)
        opt = torch.optim.SGD(model.parameters(), lr=step_lr)
        losses = []
        for _ in range(steps):
            loss = ((model(x)[:, 0] - y) ** 2).mean()
            losses.append(loss.item())
            opt.zero_grad()
            loss.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)  # cap the gradient's length
            opt.step()
        return losses

    # 4. sqrt at 0: the forward pass is fine, the gradient is nan (0 * inf)
    w = torch.zeros(3, requires_grad=True)
    (sqrt_grad,) = torch.autograd.grad(torch.sqrt((w**2).sum()), w)
    (norm_grad,) = torch.autograd.grad(torch.linalg.vector_norm(w), w)

    nan = torch.tensor(float("nan"))
    inf = torch.tensor(float("inf"))
    return {
        "exp_limit": exp_limit,
        "naive_top": naive_top,
        "stable_top": stable_top,
        "log0_loss": bad.item(),
        "log0_grad": bad_grad.tolist(),
        "ce_loss": good.item(),
        "ce_grad": good_grad.tolist(),
        "losses_big_lr": train(lr),
        "losses_small_lr": train(lr / 10),
        "losses_clipped": train(lr, clip=1.0),
        "sqrt_grad": sqrt_grad.tolist(),
        "norm_grad": norm_grad.tolist(),
        "arithmetic": {
            "nan + 1": (nan + 1).item(),
            "nan * 0": (nan * 0).item(),
            "0 * inf": (0 * inf).item(),
            "inf - inf": (inf - inf).item(),
            "nan == nan": bool(nan == nan),
        },
    }


def _first(values: list[float], test: Any) -> int | None:
    return next((i for i, v in enumerate(values) if test(v)), None)


def _fmt(values: list[float]) -> str:
    return "[" + ", ".join("nan" if math.isnan(v) else f"{v:g}" for v in values) + "]"


def _text(r: dict, ctx: RunContext) -> str:
    lim = r["exp_limit"]
    first_nan = next((s for s, v in zip(SCALES, r["naive_top"], strict=True) if math.isnan(v)), None)
    big, small, clipped = r["losses_big_lr"], r["losses_small_lr"], r["losses_clipped"]
    inf_at = _first(big, lambda v: math.isinf(v))
    nan_at = _first(big, math.isnan)
    steps = len(big)
    a = r["arithmetic"]
    lines = [
        ctx.t(
            "NaN («не число») в лоссе — след недопустимой операции. Четыре типичных случая и исправления:",
            'A NaN ("not a number") loss is the trace of an invalid operation. Four typical cases and their fixes:',
        ),
        "",
        ctx.t(
            "1. Softmax вручную: exp(z)/Σexp(z). Во float32 exp переполняется при z > ln(float32 max) = "
            f"{ctx.num(lim, 2)}, и получается inf/inf = nan. Логиты z·[1; 0,5; 0]: при z = "
            f"{first_nan if first_nan is not None else '—'} наивная формула уже даёт nan. Исправление: torch.softmax "
            "(сначала вычитает максимум) — на всех масштабах конечные вероятности, при z = "
            f"{SCALES[-1]} вероятность первого класса {ctx.num(r['stable_top'][-1], 4)}.",
            "1. A hand-written softmax: exp(z)/Σexp(z). In float32 exp overflows for z > ln(float32 max) = "
            f"{ctx.num(lim, 2)}, giving inf/inf = nan. Logits z·[1, 0.5, 0]: at z = {first_nan if first_nan is not None else '—'} "
            "the naive formula already returns nan. Fix: torch.softmax (it subtracts the maximum first) — finite "
            f"probabilities at every scale; at z = {SCALES[-1]} the first class gets {ctx.num(r['stable_top'][-1], 4)}.",
        ),
        ctx.t(
            "2. log(0): логиты [0, −200], верный класс второй. Его вероятность e^−200 во float32 округляется до 0, "
            f"−log(0) = {r['log0_loss']}, а градиент {_fmt(r['log0_grad'])}. Исправление: F.cross_entropy от логитов "
            f"(log p = z − logsumexp(z)) — лосс {ctx.num(r['ce_loss'], 1)}, градиент {_fmt(r['ce_grad'])}.",
            "2. log(0): logits [0, −200], the right class is the second. Its probability e^−200 rounds to 0 in float32, "
            f"−log(0) = {r['log0_loss']}, and the gradient is {_fmt(r['log0_grad'])}. Fix: F.cross_entropy on logits "
            f"(log p = z − logsumexp(z)) — loss {ctx.num(r['ce_loss'], 1)}, gradient {_fmt(r['ce_grad'])}.",
        ),
        ctx.t(
            f"3. Слишком большой learning rate: линейная регрессия, lr = {ctx.g(LR_BIG)}. Лосс {ctx.sci(big[0], 3)} растёт, "
            + (
                f"на шаге {inf_at} становится inf"
                if inf_at is not None
                else f"к шагу {steps} он {ctx.sci(big[-1], 3)}"
            )
            + (f", на шаге {nan_at} — nan (где-то получилось inf − inf)" if nan_at is not None else "")
            + f". Исправления: lr = {ctx.g(LR_BIG / 10)} — лосс {ctx.sci(small[-1], 3)} за {ctx.count(steps, 'шаг|шага|шагов', '')}; "
            f"тот же lr, но clip_grad_norm_(…, 1.0) — лосс остаётся конечным ({ctx.sci(clipped[-1], 3)} в конце): клиппинг не даёт "
            "улететь, но сходимость чинит только меньший шаг.",
            f"3. Too large a learning rate: linear regression, lr = {ctx.g(LR_BIG)}. The loss {ctx.sci(big[0], 3)} grows, "
            + (
                f"turns inf at step {inf_at}"
                if inf_at is not None
                else f"reaching {ctx.sci(big[-1], 3)} by step {steps}"
            )
            + (f" and nan at step {nan_at} (somewhere inf − inf happened)" if nan_at is not None else "")
            + f". Fixes: lr = {ctx.g(LR_BIG / 10)} — loss {ctx.sci(small[-1], 3)} after {steps} steps; the same lr with "
            f"clip_grad_norm_(…, 1.0) — the loss stays finite ({ctx.sci(clipped[-1], 3)} at the end): clipping stops the "
            "blow-up, but only a smaller step fixes convergence.",
        ),
        ctx.t(
            "4. Коварный случай: torch.sqrt((w**2).sum()) при w = 0 — прямой проход даёт честный 0, а градиент "
            f"{_fmt(r['sqrt_grad'])}: производная корня в нуле бесконечна, а 0·inf = nan. Исправление: "
            f"torch.linalg.vector_norm(w) — градиент {_fmt(r['norm_grad'])}.",
            "4. The sneaky one: torch.sqrt((w**2).sum()) at w = 0 — the forward pass gives an honest 0, but the gradient "
            f"is {_fmt(r['sqrt_grad'])}: the square root's derivative is infinite at zero, and 0·inf = nan. Fix: "
            f"torch.linalg.vector_norm(w) — gradient {_fmt(r['norm_grad'])}.",
        ),
        "",
        ctx.t(
            f"NaN заразен: nan + 1 = {a['nan + 1']}, nan·0 = {a['nan * 0']}, 0·inf = {a['0 * inf']}, inf − inf = "
            f"{a['inf - inf']}. Один NaN в лоссе за шаг оптимизатора попадает во все веса. И проверять его надо через "
            f"torch.isnan: nan == nan — {str(a['nan == nan']).lower()}.",
            f"NaN spreads: nan + 1 = {a['nan + 1']}, nan·0 = {a['nan * 0']}, 0·inf = {a['0 * inf']}, inf − inf = "
            f"{a['inf - inf']}. One NaN in the loss reaches every weight after one optimizer step. Test for it with "
            f"torch.isnan: nan == nan is {str(a['nan == nan']).lower()}.",
        ),
    ]
    return "\n".join(lines)


def _plots(r: dict, ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    def overflow(fig: Any) -> None:
        ax = fig.subplots()
        naive = np.array(r["naive_top"])
        ok = np.isfinite(naive)
        ax.semilogx(SCALES, r["stable_top"], "o-", color=plotting.GREEN, label="torch.softmax")
        ax.semilogx(
            np.array(SCALES)[ok], naive[ok], "s--", color=plotting.ORANGE, label=ctx.t("вручную", "by hand")
        )
        ax.plot(
            np.array(SCALES)[~ok],
            np.full((~ok).sum(), 0.5),
            "x",
            color=plotting.RED,
            markersize=14,
            markeredgewidth=3,
            label=ctx.t("вручную: nan", "by hand: nan"),
        )
        ax.axvline(r["exp_limit"], color=plotting.RED, linestyle=":")
        ax.axvspan(r["exp_limit"], SCALES[-1] * 1.3, color=plotting.RED, alpha=0.08)
        ax.text(
            r["exp_limit"] * 1.08,
            0.05,
            f"ln(max) = {ctx.num(r['exp_limit'], 1)}",
            color=plotting.RED,
            fontsize=12,
        )
        ax.xaxis.set_major_formatter(plotting.number_formatter(ctx.ru))
        ax.set_ylim(0, 1.05)
        ax.set_xlabel(ctx.t("наибольший логит z", "the largest logit z"))
        ax.set_ylabel(ctx.t("вероятность 1-го класса", "probability of class 1"))
        ax.set_title(ctx.t("Softmax: вручную и правильно", "Softmax: by hand vs properly"))
        ax.legend(loc="lower left", fontsize=12)

    def lr_plot(fig: Any) -> None:
        ax = fig.subplots()
        top = 1e30
        for key, color, label in (
            ("losses_big_lr", plotting.RED, f"lr = {ctx.g(LR_BIG)}"),
            ("losses_clipped", plotting.ORANGE, f"lr = {ctx.g(LR_BIG)} + clip"),
            ("losses_small_lr", plotting.GREEN, f"lr = {ctx.g(LR_BIG / 10)}"),
        ):
            vals = np.array(r[key], dtype=float)
            ok = np.isfinite(vals) & (vals < top)
            ax.semilogy(np.flatnonzero(ok), vals[ok], color=color, label=label)
            if not ok.all():
                k = int(np.flatnonzero(~ok)[0])
                ax.plot([k], [top], "^", color=color, markersize=12)
                ax.annotate(
                    "inf → nan",
                    (k, top),
                    textcoords="offset points",
                    xytext=(8, -4),
                    color=color,
                    fontsize=12,
                )
        ax.set_ylim(1e-2, top * 1e3)
        ax.set_yticks([1e-2, 1, 1e10, 1e20, 1e30])
        plotting.tidy_log_axis(ax, "y", ctx.ru)
        ax.set_xlabel(ctx.t("шаг", "step"))
        ax.set_ylabel(ctx.t("лосс", "loss"))
        ax.set_title(ctx.t("Слишком большой шаг и две починки", "Too large a step and two fixes"))
        ax.legend(loc="center right", fontsize=12)

    images = [plotting.render(overflow), plotting.render(lr_plot)]
    captions = [
        ctx.t(
            "Вероятность первого класса при растущих логитах: формула вручную ломается (nan) за порогом переполнения exp.",
            "The first class's probability as the logits grow: the hand-written formula breaks (nan) past exp's overflow limit.",
        ),
        ctx.t(
            "Лосс по шагам: большой lr улетает в inf и nan, клиппинг держит его конечным, меньший lr сходится.",
            "Loss per step: a large lr flies off to inf and nan, clipping keeps it finite, a smaller lr converges.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    r = experiment(scales=list(SCALES), lr=LR_BIG, seed=ctx.seed)
    code = shown_code(experiment, scales=list(SCALES), lr=LR_BIG, seed=ctx.seed)
    images, captions = _plots(r, ctx)
    return DemoOutput(text=_text(r, ctx), code=code, images=images, captions=captions, metrics={"result": r})


DEMO = Demo(
    id="nan-loss",
    title_ru="NaN в лоссе: переполнение exp, log(0), большой lr, корень в нуле — и как чинить",
    title_en="NaN loss: exp overflow, log(0), a large lr, sqrt at zero — and the fixes",
    note_slug="nan-loss",
    params=(),
    impl=run,
)
