"""Demo ``dropout``: the 0/1 mask, the 1/p rescaling and the ensemble view.

Here ``p`` is the KEEP probability, as in the original dropout paper and in the seed
text.  PyTorch's ``nn.Dropout(p)`` takes the DROP probability, i.e. ``1 - p``.
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext

D_IN, HIDDEN, D_OUT = 32, 256, 10
BATCH = 256  # inputs used for the mean-activation check
ENS_BATCH = 4  # inputs used for the ensemble check
KS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
REPEATS = 16  # independent ensembles averaged for a smooth error curve

CODE = """\
import torch

torch.manual_seed({seed})
p = {p}                                # KEEP probability; in PyTorch: nn.Dropout(p={drop})
layer, head = torch.nn.Linear({d_in}, {hidden}), torch.nn.Linear({hidden}, {d_out})
x = torch.randn({batch}, {d_in})
h = torch.relu(layer(x))               # the activations dropout acts on

A = torch.bernoulli(torch.full_like(h, p))   # random 0/1 mask, P(A=1) = p
train_rescaled = (A * h / p).mean()          # train mode, divided by p (as nn.Dropout does)
train_plain = (A * h).mean()                 # train mode, forgot the 1/p
eval_mean = h.mean()                         # eval mode: dropout does nothing

# ensemble view: every mask is a different sub-network; average K of them
h4 = h[:{ens_batch}]
y_eval = head(h4)                            # eval-mode output
masks = torch.bernoulli(torch.full(({repeats}, {k_max}, *h4.shape), p))
y_k = head(masks * h4 / p)                   # one output per sub-network
y_avg = y_k.cumsum(1) / torch.arange(1, {k_max} + 1).view(1, -1, 1, 1)
rel_err = (y_avg - y_eval).norm(dim=(2, 3)) / y_eval.norm()   # error vs K
"""


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    import numpy as np
    import torch

    p = float(params["p"])
    drop = 1.0 - p
    k_max = KS[-1]
    with torch.no_grad():
        layer, head = torch.nn.Linear(D_IN, HIDDEN), torch.nn.Linear(HIDDEN, D_OUT)
        x = torch.randn(BATCH, D_IN)
        h = torch.relu(layer(x))

        A = torch.bernoulli(torch.full_like(h, p))
        train_rescaled = float((A * h / p).mean())
        train_plain = float((A * h).mean())
        eval_mean = float(h.mean())
        keep_frac = float(A.mean())

        # ensemble of sub-networks
        h4 = h[:ENS_BATCH]
        y_eval = head(h4)
        masks = torch.bernoulli(torch.full((REPEATS, k_max, *h4.shape), p))
        y_k = head(masks * h4 / p)
        y_avg = y_k.cumsum(1) / torch.arange(1, k_max + 1).view(1, -1, 1, 1)
        rel_err_all = (y_avg - y_eval).norm(dim=(2, 3)) / y_eval.norm()  # (REPEATS, k_max)
        ens_err = [float(rel_err_all[:, k - 1].mean()) for k in KS]

        # the same averaging when a non-linear layer follows the dropout
        deep = torch.nn.Sequential(torch.nn.Linear(HIDDEN, 64), torch.nn.ReLU(), torch.nn.Linear(64, D_OUT))
        z_eval = deep(h4)
        z_k = deep(masks * h4 / p)
        z_avg = z_k.cumsum(1) / torch.arange(1, k_max + 1).view(1, -1, 1, 1)
        z_err_all = (z_avg - z_eval).norm(dim=(2, 3)) / z_eval.norm()
        ens_err_nonlinear = [float(z_err_all[:, k - 1].mean()) for k in KS]

        # what the sub-networks say for one output unit, with and without 1/p
        unit_rescaled = y_k[0, :, 0, 0].numpy().copy()
        unit_plain = head(masks[0] * h4)[:, 0, 0].numpy().copy()
        unit_eval = float(y_eval[0, 0])

        # PyTorch's own layer: nn.Dropout takes the DROP probability
        torch_layer = torch.nn.Dropout(p=drop).train()
        out = torch_layer(h)
        nz = (out != 0) & (h != 0)
        torch_scale = float((out[nz] / h[nz]).mean()) if bool(nz.any()) else 1.0
        torch_mean = float(out.mean())
        torch_eval_equal = bool(torch.equal(torch_layer.eval()(h), h))
        mask_rows = torch.bernoulli(torch.full((3, 16), p)).int().tolist()

    rel_plain = train_plain / eval_mean - 1.0
    rel_rescaled = train_rescaled / eval_mean - 1.0
    code = CODE.format(
        seed=ctx.seed,
        p=p,
        drop=round(drop, 6),
        d_in=D_IN,
        hidden=HIDDEN,
        d_out=D_OUT,
        batch=BATCH,
        ens_batch=ENS_BATCH,
        repeats=REPEATS,
        k_max=k_max,
    )

    mask_txt = "\n".join("  " + " ".join(str(v) for v in row) for row in mask_rows)
    i16, i512 = KS.index(16), KS.index(512)
    lines = [
        ctx.t(
            f"Dropout с вероятностью сохранения p = {ctx.num(p, 2)}. Маска A — случайные 0 и 1, "
            f"единица выпадает с вероятностью p. Пример трёх строк маски:",
            f"Dropout with keep probability p = {p:.2f}. The mask A holds random 0s and 1s; "
            f"a 1 comes up with probability p. Three rows of a mask:",
        ),
        mask_txt,
        ctx.t(
            f"На слое {BATCH}×{HIDDEN} маска сохранила {ctx.pct(keep_frac, 1)} нейронов (ожидаем {ctx.pct(p, 1)}). "
            f"Слой считает g(A·x / p).",
            f"On a {BATCH}×{HIDDEN} layer the mask kept {ctx.pct(keep_frac, 1)} of the units (expected {ctx.pct(p, 1)}). "
            f"The layer computes g(A·x / p).",
        ),
        "",
        ctx.t(
            "Зачем делить на p — средняя активация слоя:", "Why divide by p — mean activation of the layer:"
        ),
        ctx.t(
            f"• eval-режим (dropout выключен): {ctx.num(eval_mean, 4)}",
            f"• eval mode (dropout off): {eval_mean:.4f}",
        ),
        ctx.t(
            f"• train с делением на p: {ctx.num(train_rescaled, 4)} (отличие {ctx.pct(rel_rescaled, 1)})",
            f"• train with 1/p: {train_rescaled:.4f} (off by {ctx.pct(rel_rescaled, 1)})",
        ),
        ctx.t(
            f"• train без деления: {ctx.num(train_plain, 4)} (отличие {ctx.pct(rel_plain, 1)}, "
            f"то есть сигнал в {ctx.num(eval_mean / train_plain if train_plain else float('inf'), 2)} раза слабее)",
            f"• train without it: {train_plain:.4f} (off by {ctx.pct(rel_plain, 1)}, "
            f"i.e. the signal is {eval_mean / train_plain if train_plain else float('inf'):.2f}× weaker)",
        ),
        ctx.t(
            "Без деления следующий слой на обучении видит сигнал в p раз слабее, чем на инференсе, "
            "и после model.eval() получает непривычно большие значения.",
            "Without it the next layer sees a signal p times weaker during training than at inference, "
            "and after model.eval() it gets unexpectedly large inputs.",
        ),
        ctx.t(
            f"В PyTorch: nn.Dropout(p={round(drop, 6)}) — там p означает вероятность ОБНУЛИТЬ, то есть 1 − p. "
            f"Сохранённые значения он умножает на {ctx.num(torch_scale, 4)} = 1/{ctx.num(p, 2)}, "
            f"средняя активация {ctx.num(torch_mean, 4)}; в eval() слой возвращает вход без изменений: "
            f"{ctx.t('да', 'yes') if torch_eval_equal else ctx.t('нет', 'no')}.",
            f"In PyTorch: nn.Dropout(p={round(drop, 6)}) — there p is the probability to ZERO a unit, i.e. 1 − p. "
            f"It multiplies the kept values by {torch_scale:.4f} = 1/{p:.2f}, mean activation {torch_mean:.4f}; "
            f"in eval() it returns its input unchanged: {'yes' if torch_eval_equal else 'no'}.",
        ),
        "",
        ctx.t(
            "Ансамбль: каждая маска — своя подсеть. Усредняем выходы K подсетей (линейная голова "
            f"{HIDDEN}→{D_OUT}) и сравниваем с eval-режимом; относительная ошибка:",
            "Ensemble: every mask is a different sub-network. Average the outputs of K sub-networks "
            f"(a linear head {HIDDEN}→{D_OUT}) and compare with eval mode; relative error:",
        ),
        "  " + ", ".join(f"K={k}: {ctx.num(e, 3)}" for k, e in zip(KS, ens_err, strict=True)),
        ctx.t(
            f"Ошибка падает примерно как 1/√K: от K=16 до K=512 в {ctx.num(ens_err[i16] / max(ens_err[i512], 1e-12), 1)} "
            f"раза (√32 ≈ 5,7). Так что eval-режим — это дешёвое среднее огромного ансамбля.",
            f"The error falls roughly like 1/√K: from K=16 to K=512 by {ens_err[i16] / max(ens_err[i512], 1e-12):.1f}× "
            f"(√32 ≈ 5.7). So eval mode is a cheap average of a huge ensemble.",
        ),
        ctx.t(
            f"Если после dropout стоит нелинейный слой, среднее подсетей сходится к чему-то близкому, но не "
            f"равному eval-выходу: при K=512 ошибка {ctx.num(ens_err_nonlinear[-1], 3)} (против "
            f"{ctx.num(ens_err[-1], 3)} у линейной головы). Деление на p — приближение к ансамблю, а не точное равенство.",
            f"If a non-linear layer follows the dropout, the average of sub-networks converges to something close "
            f"to, but not equal to, the eval output: at K=512 the error is {ens_err_nonlinear[-1]:.3f} (vs "
            f"{ens_err[-1]:.3f} for the linear head). Scaling by 1/p approximates the ensemble; it is not exact.",
        ),
    ]
    if p >= 1.0:  # no dropout at all: every "sub-network" is the full network
        lines[-4:] = [
            ctx.t(
                "При p = 1 маска состоит из одних единиц: все «подсети» совпадают с полной сетью, train и eval "
                f"дают одно и то же (ошибка ансамбля {ctx.sci(ens_err[-1])} — это округление float32). "
                "Возьмите p < 1, чтобы увидеть ансамбль.",
                'With p = 1 the mask is all ones: every "sub-network" is the full network and train equals eval '
                f"(ensemble error {ctx.sci(ens_err[-1])} is float32 rounding). Try p < 1 to see the ensemble.",
            )
        ]
    text = "\n".join(lines)

    def hist(fig: Any) -> None:
        ax = fig.subplots()
        lo = float(min(unit_rescaled.min(), unit_plain.min(), unit_eval))
        hi = float(max(unit_rescaled.max(), unit_plain.max(), unit_eval))
        bins = np.linspace(lo, hi + 1e-6, 40)
        ax.hist(
            unit_rescaled,
            bins=bins,
            alpha=0.65,
            color=plotting.BLUE,
            label=ctx.t("с делением на p", "with 1/p"),
        )
        ax.hist(
            unit_plain,
            bins=bins,
            alpha=0.65,
            color=plotting.ORANGE,
            label=ctx.t("без деления", "without 1/p"),
        )
        ax.axvline(unit_eval, color="black", linestyle="--", label=ctx.t("eval-режим", "eval mode"))
        ax.axvline(float(unit_rescaled.mean()), color=plotting.BLUE, linewidth=2.5)
        ax.axvline(float(unit_plain.mean()), color=plotting.ORANGE, linewidth=2.5)
        ax.set_xlabel(ctx.t("выход нейрона", "output of one unit"))
        ax.set_ylabel(ctx.t("число подсетей", "sub-networks"))
        ax.set_title(
            ctx.t(
                f"{k_max} случайных подсетей, p = {ctx.num(p, 2)}",
                f"{k_max} random sub-networks, p = {p:.2f}",
            )
        )
        ax.legend(loc="best")

    def err_plot(fig: Any) -> None:
        ax = fig.subplots()
        ks = np.array(KS, dtype=float)
        ax.loglog(ks, ens_err, "o-", color=plotting.BLUE, label=ctx.t("линейная голова", "linear head"))
        ax.loglog(
            ks,
            ens_err_nonlinear,
            "s-",
            color=plotting.ORANGE,
            label=ctx.t("нелинейный слой после", "non-linear layer after"),
        )
        if ens_err[0] > 0:
            ax.loglog(ks, ens_err[0] / np.sqrt(ks), ":", color=plotting.GREY, label="∝ 1/√K")
        ax.set_xlabel(ctx.t("число масок K", "number of masks K"))
        ax.set_ylabel(ctx.t("отн. ошибка к eval", "rel. error vs eval"))
        ax.set_title(ctx.t("Среднее подсетей → eval-режим", "Average of sub-networks → eval mode"))
        ax.legend(loc="best")

    images = [plotting.render(hist), plotting.render(err_plot)]
    captions = [
        ctx.t(
            "Выход одного нейрона у разных подсетей: с делением на p они в среднем дают eval-значение, без деления — нет.",
            "One output unit across sub-networks: with 1/p they average to the eval value, without it they do not.",
        ),
        ctx.t(
            "Ошибка среднего по K маскам относительно eval-режима падает примерно как 1/√K.",
            "Error of the K-mask average relative to eval mode falls roughly like 1/√K.",
        ),
    ]
    metrics = {
        "p_keep": p,
        "torch_dropout_p": drop,
        "keep_fraction": keep_frac,
        "mean_eval": eval_mean,
        "mean_train_rescaled": train_rescaled,
        "mean_train_no_rescale": train_plain,
        "rel_diff_rescaled": rel_rescaled,
        "rel_diff_no_rescale": rel_plain,
        "torch_scale": torch_scale,
        "torch_mean": torch_mean,
        "ensemble_ks": list(KS),
        "ensemble_err": ens_err,
        "ensemble_err_nonlinear": ens_err_nonlinear,
        "unit_eval": unit_eval,
        "unit_mean_rescaled": float(unit_rescaled.mean()),
        "unit_mean_no_rescale": float(unit_plain.mean()),
    }
    return DemoOutput(text=text, code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="dropout",
    title_ru="Dropout: маска из 0 и 1, деление на p и ансамбль подсетей",
    title_en="Dropout: the 0/1 mask, dividing by p, an ensemble of sub-networks",
    note_slug="dropout",
    params=(
        Param(
            "p",
            "float",
            0.5,
            0.05,
            1.0,
            aliases=("keep", "keep_prob", "prob", "probability", "вероятность", "сохранение"),
            help_ru="вероятность СОХРАНИТЬ нейрон (в nn.Dropout передают 1 − p)",
            help_en="probability to KEEP a unit (nn.Dropout takes 1 − p)",
        ),
    ),
    impl=run,
)
