"""Demo ``log-negative``: the PyTorch docs example where ``torch.log(torch.randn(5))`` is all NaN.

The code shown to the user is exactly the code that is executed (``exec``), so the
snippet and the numbers cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext

CODE = """\
import torch

torch.manual_seed({seed})
a = torch.randn({n})               # as in the PyTorch docs example
log_a = torch.log(a)
n_nan = int(torch.isnan(log_a).sum())
n_negative = int((a < 0).sum())    # NaN appears exactly where a < 0

# sensible inputs are positive, so every log is finite
b = torch.rand({n})                # uniform on [0, 1): log(b) <= 0 but finite
finite_rand = int(torch.isfinite(torch.log(b)).sum())
finite_abs = int(torch.isfinite(torch.log(a.abs())).sum())
roundtrip_err = (torch.log(a.exp()) - a).abs().max().item()  # log(exp(a)) == a
log_zero = torch.log(torch.tensor(0.0)).item()               # -inf
"""

SHOW_MAX = 10  # print whole tensors up to this length


def _fmt_tensor(values: Any, ctx: RunContext, limit: int = SHOW_MAX) -> str:
    import math

    parts = []
    for v in list(values)[:limit]:
        v = float(v)
        if math.isnan(v):
            parts.append("nan")
        elif math.isinf(v):
            parts.append("-inf" if v < 0 else "inf")
        else:
            parts.append(f"{v:.4f}")
    tail = ", …" if len(values) > limit else ""
    return "tensor([" + ", ".join(parts) + tail + "])"


def _plots(a: Any, log_a: Any, nan_mask: Any, ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    a = np.asarray(a, dtype=float)
    nan_mask = np.asarray(nan_mask, dtype=bool)
    n = len(a)
    lab_nan = ctx.t("log = NaN (a < 0)", "log = NaN (a < 0)")
    lab_ok = ctx.t("log конечен (a > 0)", "finite log (a > 0)")

    def bars(fig: Any) -> None:
        ax = fig.subplots()
        idx = np.arange(n)
        colors = np.where(nan_mask, plotting.RED, plotting.BLUE)
        ax.bar(idx, a, color=colors, width=0.8 if n <= 60 else 1.0, linewidth=0)
        ax.axhline(0, color="black", linewidth=1)
        from matplotlib.patches import Patch

        ax.legend(
            handles=[
                Patch(color=plotting.RED, label=f"{lab_nan}: {int(nan_mask.sum())}"),
                Patch(color=plotting.BLUE, label=f"{lab_ok}: {int((~nan_mask).sum())}"),
            ],
            loc="best",
        )
        ax.set_xlabel(ctx.t("индекс i", "index i"))
        ax.set_ylabel(ctx.t("значение a[i]", "value a[i]"))
        ax.set_title(
            ctx.t(f"a = torch.randn({n}): где log даст NaN", f"a = torch.randn({n}): where log gives NaN")
        )
        if n <= 20:
            ax.set_xticks(idx)

    def curve(fig: Any) -> None:
        ax = fig.subplots()
        hi = max(2.5, float(np.abs(a).max()) * 1.1)
        xs = np.linspace(1e-3, hi, 400)
        ax.plot(xs, np.log(xs), color=plotting.GREY, label="y = ln x")
        pos = ~nan_mask & (a > 0)
        ax.scatter(a[pos], np.log(a[pos]), color=plotting.BLUE, zorder=3, label=lab_ok)
        ax.scatter(
            a[nan_mask],
            np.zeros(int(nan_mask.sum())),
            marker="x",
            s=70,
            color=plotting.RED,
            zorder=3,
            label=ctx.t("a < 0: вещественного ln нет", "a < 0: no real ln"),
        )
        ax.axvline(0, color="black", linewidth=1)
        ax.axvspan(-hi, 0, color=plotting.RED, alpha=0.08)
        ax.set_xlim(-hi, hi)
        ax.set_ylim(-5, max(1.5, float(np.log(hi)) + 0.3))
        ax.set_xlabel("x")
        ax.set_ylabel("ln x")
        ax.set_title(ctx.t("ln x определён только при x > 0", "ln x exists only for x > 0"))
        ax.legend(loc="lower right")

    images = [plotting.render(bars), plotting.render(curve)]
    captions = [
        ctx.t(
            f"Входы a: красные столбики (< 0) дают NaN в torch.log — {int(nan_mask.sum())} из {n}.",
            f"Inputs a: red bars (< 0) become NaN in torch.log — {int(nan_mask.sum())} of {n}.",
        ),
        ctx.t(
            "Кривая ln x: положительные входы лежат на ней, отрицательным места нет.",
            "The ln x curve: positive inputs sit on it, negative ones have no place.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    import torch

    n = int(params["n"])
    code = CODE.format(seed=ctx.seed, n=n)
    ns: dict[str, Any] = {}
    exec(compile(code, "<demo log-negative>", "exec"), ns)  # the shown snippet is what runs
    a, log_a = ns["a"], ns["log_a"]
    nan_mask = torch.isnan(log_a)
    n_nan, n_negative = ns["n_nan"], ns["n_negative"]
    n_neginf = int(torch.isneginf(log_a).sum())
    p_all_negative = 0.5**n

    if p_all_negative >= 1e-4:
        chance = ctx.pct(p_all_negative, 2) + ctx.t(f" (1 из {2**n})", f" (1 in {2**n})")
    else:
        chance = ctx.sci(p_all_negative, 3)

    first_neg = a[a < 0][:1]
    complex_line = None
    if len(first_neg):
        z = torch.log(first_neg.to(torch.complex64))[0]
        v = float(first_neg[0])
        complex_line = ctx.t(
            f"В комплексных числах логарифм отрицательного числа существует: "
            f"torch.log(tensor({v:.4f}+0j)) = {float(z.real):.4f} + {float(z.imag):.4f}i, "
            f"то есть ln|a| + iπ.",
            f"In complex numbers a negative number does have a log: "
            f"torch.log(tensor({v:.4f}+0j)) = {float(z.real):.4f} + {float(z.imag):.4f}i, i.e. ln|a| + iπ.",
        )

    shown = ctx.t(f"первые {SHOW_MAX} из {n}", f"first {SHOW_MAX} of {n}") if n > SHOW_MAX else ""
    lines = [
        ctx.t(
            f"Повторяем пример из документации PyTorch: a = torch.randn({n}), затем torch.log(a) (seed {ctx.seed}).",
            f"Re-running the PyTorch docs example: a = torch.randn({n}), then torch.log(a) (seed {ctx.seed}).",
        ),
        f"a = {_fmt_tensor(a, ctx)}" + (f"  ({shown})" if shown else ""),
        f"torch.log(a) = {_fmt_tensor(log_a, ctx)}",
        "",
        ctx.t(
            f"Отрицательных чисел во входе: {n_negative} из {n}. NaN в ответе: {n_nan} — "
            f"{'ровно на тех же местах' if n_nan == n_negative else 'не совпадает с числом отрицательных'}.",
            f"Negative inputs: {n_negative} of {n}. NaNs in the output: {n_nan} — "
            f"{'exactly at the same positions' if n_nan == n_negative else 'not equal to the number of negatives'}.",
        ),
        ctx.t(
            "Почему: ln x — это такое y, что e^y = x. Но e^y > 0 при любом вещественном y, поэтому "
            "у отрицательного x вещественного логарифма нет, и по стандарту IEEE 754 получается NaN "
            f"(«не число»). Для нуля ответ — минус бесконечность: torch.log(tensor(0.)) = {ns['log_zero']}.",
            "Why: ln x is the y with e^y = x. But e^y > 0 for every real y, so a negative x has no real "
            'logarithm and IEEE 754 arithmetic returns NaN ("not a number"). For zero the answer is minus '
            f"infinity: torch.log(tensor(0.)) = {ns['log_zero']}.",
        ),
        complex_line,
        ctx.t(
            f"Каждое число из randn отрицательно с вероятностью 1/2, так что все {n} сразу — "
            f"с вероятностью 1/2^{n} = {chance}. Именно такой «неудачный» пример "
            "однажды попал в автоматически собранную документацию.",
            f"Each randn number is negative with probability 1/2, so all {n} at once happen with "
            f"probability 1/2^{n} = {chance}. Such an unlucky draw once ended up "
            "in the auto-generated docs.",
        ),
        "",
        ctx.t(
            "Как выглядит нормальный пример (на положительных входах):",
            "What a sensible example looks like (positive inputs):",
        ),
        ctx.t(
            f"• torch.log(torch.rand({n})): конечных значений {ns['finite_rand']} из {n} "
            "(rand берёт числа из [0, 1), логарифм у них отрицательный, но не NaN);",
            f"• torch.log(torch.rand({n})): {ns['finite_rand']} of {n} finite "
            "(rand draws from [0, 1): the logs are negative but not NaN);",
        ),
        ctx.t(
            f"• torch.log(a.abs()): конечных {ns['finite_abs']} из {n};",
            f"• torch.log(a.abs()): {ns['finite_abs']} of {n} finite;",
        ),
        ctx.t(
            f"• torch.log(a.exp()) возвращает сам a: максимальная ошибка {ctx.sci(ns['roundtrip_err'])}.",
            f"• torch.log(a.exp()) gives a back: max error {ctx.sci(ns['roundtrip_err'])}.",
        ),
    ]
    text = "\n".join(line for line in lines if line is not None)
    images, captions = _plots(a.numpy(), log_a.numpy(), nan_mask.numpy(), ctx)
    metrics = {
        "n": n,
        "n_negative": n_negative,
        "n_nan": n_nan,
        "n_neginf": n_neginf,
        "nan_at_negatives": bool(torch.equal(nan_mask, a < 0)),
        "p_all_negative": p_all_negative,
        "finite_rand": ns["finite_rand"],
        "finite_abs": ns["finite_abs"],
        "roundtrip_err": ns["roundtrip_err"],
        "log_zero": ns["log_zero"],
        "inputs": [float(v) for v in a[:SHOW_MAX]],
    }
    return DemoOutput(text=text, code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="log-negative",
    title_ru="torch.log от отрицательных чисел: откуда NaN",
    title_en="torch.log of negative numbers: where the NaNs come from",
    note_slug="meme-torch-log-negative",
    params=(
        Param(
            "n",
            "int",
            5,
            1,
            1000,
            aliases=("size", "len", "размер"),
            help_ru="сколько чисел взять из torch.randn",
            help_en="how many numbers to draw with torch.randn",
        ),
    ),
    impl=run,
)
