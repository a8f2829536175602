"""Demo ``dropout``: the 0/1 mask, the 1/(1 − p) rescaling and the ensemble view.

``p`` is the probability to DROP (zero) a unit — PyTorch's convention (``nn.Dropout(p)``), the
same as in the ``spatial-dropout`` demo. (The original paper's p was the keep probability.)
"""

from __future__ import annotations

import math
from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

KS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def experiment(
    p: float, seed: int, ks: list[int], hidden: int = 256, batch: int = 256, repeats: int = 16
) -> dict:
    import torch

    torch.manual_seed(seed)
    with torch.no_grad():
        layer, head = torch.nn.Linear(32, hidden), torch.nn.Linear(hidden, 10)
        deep = torch.nn.Sequential(torch.nn.Linear(hidden, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
        h = torch.relu(layer(torch.randn(batch, 32)))  # the activations dropout acts on
        keep = 1 - p  # p = probability to DROP a unit, as in nn.Dropout(p)
        mask = torch.bernoulli(torch.full_like(h, keep))  # 1 = unit kept, 0 = unit zeroed
        dropout = torch.nn.Dropout(p).train()
        out = dropout(h)
        kept = out != 0
        # ensemble view: every mask is a different sub-network; average K of them
        h4, k_max = h[:4], max(ks)
        masks = torch.bernoulli(torch.full((repeats, k_max, *h4.shape), keep))
        y_k = head(masks * h4 / keep)  # one output per sub-network
        steps = torch.arange(1, k_max + 1).view(1, -1, 1, 1)
        y_eval, z_eval = head(h4), deep(h4)
        err = ((y_k.cumsum(1) / steps - y_eval).norm(dim=(2, 3)) / y_eval.norm()).mean(0)
        z_k = deep(masks * h4 / keep)  # the same with a non-linear layer after the dropout
        err_nl = ((z_k.cumsum(1) / steps - z_eval).norm(dim=(2, 3)) / z_eval.norm()).mean(0)
        return {
            "layer_shape": list(h.shape),
            "dropped_fraction": 1 - float(mask.mean()),
            "mask_rows": mask[:3, :16].int().tolist(),
            "mean_eval": float(h.mean()),  # eval mode: dropout does nothing
            "mean_train_rescaled": float((mask * h / keep).mean()),  # what nn.Dropout computes
            "mean_train_no_rescale": float((mask * h).mean()),  # forgot to divide by 1 - p
            "torch_scale": float((out[kept] / h[kept]).mean()),  # nn.Dropout's factor for kept units
            "torch_eval_is_identity": bool(torch.equal(dropout.eval()(h), h)),
            "ensemble_err": [float(err[k - 1]) for k in ks],
            "ensemble_err_nonlinear": [float(err_nl[k - 1]) for k in ks],
            "unit_eval": float(y_eval[0, 0]),
            "unit_rescaled": y_k[0, :, 0, 0].tolist(),
            "unit_no_rescale": head(masks[0] * h4)[:, 0, 0].tolist(),
        }


def _text(r: dict, p: float, ctx: RunContext) -> str:
    keep = 1 - p
    ev, tr, pl = r["mean_eval"], r["mean_train_rescaled"], r["mean_train_no_rescale"]
    err, err_nl = r["ensemble_err"], r["ensemble_err_nonlinear"]
    rows, cols = r["layer_shape"]
    mask_txt = "\n".join("  " + " ".join(str(v) for v in row) for row in r["mask_rows"])
    lines = [
        ctx.t(
            f"Dropout с p = {ctx.g(p)} — это вероятность ОБНУЛИТЬ нейрон, как в nn.Dropout(p) в PyTorch "
            "(в статье 2014 года, где dropout предложили, p было вероятностью сохранить — не перепутайте). "
            "Маска: 1 — нейрон остался, 0 — выключен. Три строки маски:",
            f"Dropout with p = {ctx.g(p)}, the probability to ZERO a unit, as in PyTorch's nn.Dropout(p) "
            "(in the 2014 paper that introduced dropout, p was the keep probability — don't mix them up). "
            "The mask: 1 = unit kept, 0 = switched off. Three rows of a mask:",
        ),
        mask_txt,
        ctx.t(
            f"На слое {rows}×{cols} маска выключила {ctx.pct(r['dropped_fraction'], 1)} нейронов (ожидаем "
            f"{ctx.pct(p, 1)}). Оставшиеся слой делит на 1 − p = {ctx.g(keep)}.",
            f"On a {rows}×{cols} layer the mask switched off {ctx.pct(r['dropped_fraction'], 1)} of the units "
            f"(expected {ctx.pct(p, 1)}). The layer divides the rest by 1 − p = {ctx.g(keep)}.",
        ),
        "",
        ctx.t(
            "Зачем делить на 1 − p? Средняя активация слоя:",
            "Why divide by 1 − p? The layer's mean activation:",
        ),
        ctx.t(
            f"• eval-режим (dropout выключен): {ctx.num(ev, 4)}",
            f"• eval mode (dropout off): {ctx.num(ev, 4)}",
        ),
        ctx.t(
            f"• train с делением: {ctx.num(tr, 4)} (отличие {ctx.pct(tr / ev - 1, 1)})",
            f"• train with the division: {ctx.num(tr, 4)} (off by {ctx.pct(tr / ev - 1, 1)})",
        ),
    ]
    if p > 0:
        lines += [
            ctx.t(
                f"• train без деления: {ctx.num(pl, 4)} (отличие {ctx.pct(pl / ev - 1, 1)}: сигнал "
                f"{ctx.times(ev / pl, 2)} слабее, ожидаем 1/(1 − p) = {ctx.num(1 / keep, 2)}).",
                f"• train without it: {ctx.num(pl, 4)} (off by {ctx.pct(pl / ev - 1, 1)}: the signal is "
                f"{ctx.times(ev / pl, 2)} weaker, expected 1/(1 − p) = {ctx.num(1 / keep, 2)}).",
            ),
            ctx.t(
                "Без деления следующий слой на обучении видит сигнал слабее, чем на инференсе, и после "
                "model.eval() получает непривычно большие значения.",
                "Without it the next layer sees a weaker signal in training than at inference, and after "
                "model.eval() it gets unexpectedly large inputs.",
            ),
        ]
    yes = ctx.t("да", "yes") if r["torch_eval_is_identity"] else ctx.t("нет", "no")
    lines.append(
        ctx.t(
            f"Сам nn.Dropout({ctx.g(p)}) умножает сохранённые значения на {ctx.num(r['torch_scale'], 4)} = "
            f"1/(1 − {ctx.g(p)}); в eval() он возвращает вход без изменений: {yes}.",
            f"nn.Dropout({ctx.g(p)}) itself multiplies the kept values by {ctx.num(r['torch_scale'], 4)} = "
            f"1/(1 − {ctx.g(p)}); in eval() it returns its input unchanged: {yes}.",
        )
    )
    lines.append("")
    if p == 0:
        lines.append(
            ctx.t(
                "При p = 0 ничего не выключается: все «подсети» совпадают с полной сетью, и train равен eval "
                f"(ошибка ансамбля {ctx.sci(err[-1])} — это округление float32). Возьмите p > 0, чтобы увидеть ансамбль.",
                'With p = 0 nothing is switched off: every "sub-network" is the full network and train equals eval '
                f"(ensemble error {ctx.sci(err[-1])} is float32 rounding). Take p > 0 to see the ensemble.",
            )
        )
        return "\n".join(lines)
    i16, i512 = KS.index(16), KS.index(512)
    ratio, sqrt_ratio = err[i16] / max(err[i512], 1e-12), math.sqrt(512 / 16)
    lines += [
        ctx.t(
            f"Ансамбль: каждая маска — своя подсеть. Усредняем выходы K подсетей (линейная голова {cols}→10) "
            "и сравниваем с eval-режимом; относительная ошибка:",
            "Ensemble: every mask is a different sub-network. Average the outputs of K sub-networks (a linear "
            f"head {cols}→10) and compare with eval mode; relative error:",
        ),
        "  " + ", ".join(f"K={k}: {ctx.num(e, 3)}" for k, e in zip(KS, err, strict=True)),
        ctx.t(
            f"Ошибка падает примерно как 1/√K: от K=16 до K=512 — {ctx.times(ratio, 1)} (√32 = {ctx.num(sqrt_ratio, 2)}). "
            "Так что eval-режим — это дешёвое среднее огромного ансамбля.",
            f"The error falls roughly like 1/√K: from K=16 to K=512 it shrinks {ctx.times(ratio, 1)} "
            f"(√32 = {ctx.num(sqrt_ratio, 2)}). So eval mode is a cheap average of a huge ensemble.",
        ),
        ctx.t(
            "Если после dropout стоит нелинейный слой, среднее подсетей сходится к чему-то близкому, но не равному "
            f"eval-выходу: при K=512 ошибка {ctx.num(err_nl[-1], 3)} против {ctx.num(err[-1], 3)} у линейной головы. "
            "Деление на 1 − p — приближение к ансамблю, а не точное равенство.",
            "If a non-linear layer follows the dropout, the average of sub-networks converges to something close to, "
            f"but not equal to, the eval output: at K=512 the error is {ctx.num(err_nl[-1], 3)} vs {ctx.num(err[-1], 3)} "
            "for the linear head. Dividing by 1 − p approximates the ensemble; it is not exact.",
        ),
    ]
    return "\n".join(lines)


def _plots(r: dict, p: float, ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    scaled, plain = np.array(r["unit_rescaled"]), np.array(r["unit_no_rescale"])
    unit_eval = r["unit_eval"]

    def hist(fig: Any) -> None:
        ax = fig.subplots()
        lo = float(min(scaled.min(), plain.min(), unit_eval))
        hi = float(max(scaled.max(), plain.max(), unit_eval))
        bins = np.linspace(lo, hi + 1e-6, 30)
        ax.hist(
            scaled,
            bins=bins,
            alpha=0.65,
            color=plotting.BLUE,
            label=ctx.t("с делением на 1−p", "with 1/(1−p)"),
        )
        ax.hist(plain, bins=bins, alpha=0.65, color=plotting.ORANGE, label=ctx.t("без деления", "without it"))
        ax.axvline(unit_eval, color="black", linestyle="--", label=ctx.t("eval-режим", "eval mode"))
        ax.axvline(float(scaled.mean()), color=plotting.BLUE, linewidth=3)
        ax.axvline(float(plain.mean()), color=plotting.ORANGE, linewidth=3)
        ax.set_xlabel(ctx.t("выход одного нейрона", "output of one unit"))
        ax.set_ylabel(ctx.t("подсетей", "sub-networks"))
        ax.set_title(
            ctx.t(f"{len(scaled)} подсетей, p = {ctx.g(p)}", f"{len(scaled)} sub-networks, p = {ctx.g(p)}")
        )
        ax.legend(loc="best")

    def err_plot(fig: Any) -> None:
        ax = fig.subplots()
        ks = np.array(KS, dtype=float)
        err, err_nl = np.array(r["ensemble_err"]), np.array(r["ensemble_err_nonlinear"])
        ax.loglog(
            ks,
            np.maximum(err, 1e-9),
            "o-",
            color=plotting.BLUE,
            label=ctx.t("линейная голова", "linear head"),
        )
        ax.loglog(
            ks,
            np.maximum(err_nl, 1e-9),
            "s-",
            color=plotting.ORANGE,
            label=ctx.t("нелинейный слой", "non-linear layer"),
        )
        if err[0] > 0:
            ax.loglog(ks, err[0] / np.sqrt(ks), ":", color=plotting.GREY, label="∝ 1/√K")
        plotting.tidy_log_axis(ax, "y", ctx.ru)
        plotting.tidy_log_axis(ax, "x", ctx.ru)
        ax.set_xlabel(ctx.t("число масок K", "number of masks K"))
        ax.set_ylabel(ctx.t("отн. ошибка к eval", "rel. error vs eval"))
        ax.set_title(ctx.t("Среднее подсетей → eval", "Average of sub-networks → eval"))
        ax.legend(loc="lower left")

    images = [plotting.render(hist), plotting.render(err_plot)]
    captions = [
        ctx.t(
            "Выход одного нейрона у разных подсетей: с делением на 1 − p в среднем получается eval-значение "
            "(пунктир), без деления — нет.",
            "One output unit across sub-networks: with the 1/(1 − p) factor they average to the eval value "
            "(dashed), without it they do not.",
        ),
        ctx.t(
            "Ошибка среднего по K маскам относительно eval-режима падает примерно как 1/√K.",
            "Error of the K-mask average relative to eval mode falls roughly like 1/√K.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    p = float(params["p"])
    r = experiment(p=p, seed=ctx.seed, ks=list(KS))
    code = shown_code(experiment, p=p, seed=ctx.seed, ks=list(KS))
    images, captions = _plots(r, p, ctx)
    ev = r["mean_eval"]
    metrics = {
        "result": r,
        "p_drop": p,
        "rel_diff_rescaled": r["mean_train_rescaled"] / ev - 1,
        "rel_diff_no_rescale": r["mean_train_no_rescale"] / ev - 1,
        "ensemble_ks": list(KS),
    }
    return DemoOutput(text=_text(r, p, ctx), code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="dropout",
    title_ru="Dropout: маска из 0 и 1, деление на 1 − p и ансамбль подсетей",
    title_en="Dropout: the 0/1 mask, dividing by 1 − p, an ensemble of sub-networks",
    note_slug="dropout",
    params=(
        Param(
            "p",
            "float",
            0.5,
            0.0,
            0.95,
            aliases=("drop", "drop_p", "p_drop", "rate", "prob", "probability", "вероятность", "обнуление"),
            help_ru="вероятность ОБНУЛИТЬ нейрон, как p в nn.Dropout(p)",
            help_en="probability to ZERO a unit, as p in nn.Dropout(p)",
        ),
    ),
    impl=run,
)
