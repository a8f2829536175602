"""Demo ``log-negative``: the PyTorch docs example where ``torch.log(torch.randn(5))`` printed five NaNs.

The docs example was one unlucky draw (all five numbers negative, probability 1/32). The demo
repeats ``torch.randn(n)`` many times, counts how often that happens, and shows the first such
run — so the default run really shows the meme's 5 NaNs of 5 — next to the fix PyTorch made
(issue #78301, PR #78776: ``torch.rand(5) * 5``).
"""

from __future__ import annotations

import math
from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

RUNS = 100_000


def experiment(n: int, runs: int, seed: int) -> dict:
    import torch

    torch.manual_seed(seed)
    draws = torch.randn(runs, n)  # `runs` repetitions of the docs example torch.randn(n)
    logs = torch.log(draws)
    negative = draws < 0
    unlucky = negative.all(dim=1)  # runs where every number came out negative
    first = int(unlucky.nonzero()[0, 0]) if bool(unlucky.any()) else -1
    a = draws[max(first, 0)]
    fixed = torch.rand(n) * 5  # the docs after PR #78776: torch.rand(5) * 5, values in [0, 5)
    return {
        "share_all_negative": float(unlucky.float().mean()),
        "negatives_per_run": torch.bincount(negative.sum(dim=1), minlength=n + 1).tolist(),
        "nan_total": int(torch.isnan(logs).sum()),
        "nan_where_negative": bool(torch.equal(torch.isnan(logs), negative)),
        "first_unlucky_run": first,
        "a": a.tolist(),
        "log_a": torch.log(a).tolist(),
        "n_nan": int(torch.isnan(torch.log(a)).sum()),
        "fixed": fixed.tolist(),
        "log_fixed": torch.log(fixed).tolist(),
        "n_finite_fixed": int(torch.isfinite(torch.log(fixed)).sum()),
        "log_zero": torch.log(torch.tensor(0.0)).item(),
        "log_minus_one_complex": torch.view_as_real(torch.log(torch.tensor(-1.0 + 0j))).tolist(),
    }


def _tensor(values: list[float], limit: int = 12) -> str:
    def one(v: float) -> str:
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "-inf" if v < 0 else "inf"
        return f"{v:.4f}"

    tail = ", …" if len(values) > limit else ""
    return "tensor([" + ", ".join(one(v) for v in values[:limit]) + tail + "])"


def _plots(r: dict, n: int, ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    a, fixed = np.array(r["a"]), np.array(r["fixed"])
    n_nan_fixed = n - r["n_finite_fixed"]

    def bars(fig: Any) -> None:
        top, bottom = fig.subplots(2, 1, sharex=True)
        idx = np.arange(n)
        for ax, vals, title in (
            (
                top,
                a,
                ctx.t(
                    f"torch.randn({n}): NaN {r['n_nan']} из {n}", f"torch.randn({n}): NaN {r['n_nan']} of {n}"
                ),
            ),
            (
                bottom,
                fixed,
                ctx.t(
                    f"torch.rand({n}) * 5: NaN {n_nan_fixed} из {n}",
                    f"torch.rand({n}) * 5: NaN {n_nan_fixed} of {n}",
                ),
            ),
        ):
            ax.bar(idx, vals, color=np.where(vals < 0, plotting.RED, plotting.BLUE), width=0.7)
            ax.axhline(0, color="black", linewidth=1)
            ax.set_title(title)
            ax.set_ylabel("a[i]")
        bottom.set_xlabel(ctx.t("индекс i (красное: a < 0 → log = NaN)", "index i (red: a < 0 → log = NaN)"))
        if n <= 12:
            bottom.set_xticks(idx)

    counts = np.array(r["negatives_per_run"], dtype=float)
    ks = np.arange(n + 1)
    expected = np.array([math.comb(n, int(k)) for k in ks]) / 2**n * counts.sum()

    def histogram(fig: Any) -> None:
        ax = fig.subplots()
        ax.bar(ks, counts, color=[plotting.RED if k == n else plotting.BLUE for k in ks], width=0.7)
        ax.plot(ks, expected, "o", color="black", label=ctx.t("теория: C(n,k)/2ⁿ", "theory: C(n,k)/2ⁿ"))
        ax.annotate(
            ctx.pct(r["share_all_negative"], 1),
            (n, counts[-1]),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            color=plotting.RED,
        )
        ax.set_xticks(ks)
        ax.set_xlabel(ctx.t(f"сколько из {n} чисел < 0", f"how many of {n} numbers are < 0"))
        ax.set_ylabel(ctx.t("запусков", "runs"))
        runs_word = ctx.count(RUNS, "запуск|запуска|запусков", "run|runs")
        ax.set_title(f"{runs_word} " + ctx.t("", "of ") + f"torch.randn({n})")
        ax.legend(loc="upper left")

    images = [plotting.render(bars), plotting.render(histogram)]
    captions = [
        ctx.t(
            f"Сверху — запуск, где все {n} чисел отрицательны (как в документации): логарифм даёт NaN. "
            "Снизу — исправленный пример с положительными числами.",
            f"Top: a run where all {n} numbers are negative (as in the docs): the log gives NaN. "
            "Bottom: the fixed example with positive numbers.",
        ),
        ctx.t(
            f"Сколько отрицательных чисел выпадает в одном запуске; красный столбец — все {n}, "
            f"{ctx.pct(r['share_all_negative'], 1)} запусков.",
            f"How many negative numbers one run draws; the red bar is all {n}, "
            f"{ctx.pct(r['share_all_negative'], 1)} of runs.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    n = int(params["n"])
    r = experiment(n=n, runs=RUNS, seed=ctx.seed)
    code = shown_code(experiment, n=n, runs=RUNS, seed=ctx.seed)
    n_unlucky = r["negatives_per_run"][n]
    runs_s = ctx.grouped(RUNS)
    p_theory = 0.5**n
    unlucky_s = ctx.count(n_unlucky, "запуске|запусках|запусках", "run|runs")
    all_s = (
        ctx.t(f"Все {ctx.count(n, 'число|числа|чисел', '')}", f"All {n} numbers")
        if n > 1
        else ctx.t("Единственное число", "The only number")
    )
    lines = [
        ctx.t(
            f"В документации PyTorch к torch.log пример брал a = torch.randn({n}) и печатал torch.log(a). "
            f"Повторим его {runs_s} раз (seed {ctx.seed}). {all_s} оказались отрицательными в "
            f"{unlucky_s} из {runs_s} — {ctx.pct(r['share_all_negative'], 2)} "
            f"(теория: 1/2^{n} = {ctx.pct(p_theory, 3)}).",
            f"The PyTorch docs for torch.log used a = torch.randn({n}) and printed torch.log(a). Let us repeat "
            f"it {runs_s} times (seed {ctx.seed}). {all_s} came out negative in "
            f"{unlucky_s} of {runs_s} — {ctx.pct(r['share_all_negative'], 2)} "
            f"(theory: 1/2^{n} = {ctx.pct(p_theory, 3)}).",
        ),
    ]
    if r["first_unlucky_run"] >= 0:
        lines += [
            ctx.t(
                f"Первый такой запуск — №{r['first_unlucky_run'] + 1}:",
                f"The first such run is #{r['first_unlucky_run'] + 1}:",
            ),
            f"a = {_tensor(r['a'])}",
            f"torch.log(a) = {_tensor(r['log_a'])}",
            ctx.t(
                f"NaN: {r['n_nan']} из {n}" + (" — как на скриншоте из документации." if n == 5 else "."),
                f"NaN: {r['n_nan']} of {n}" + (" — just like the docs screenshot." if n == 5 else "."),
            ),
        ]
    else:
        lines.append(
            ctx.t(
                f"Ни одного такого запуска не нашлось: при n = {n} это слишком редкая удача. Вот первый запуск:",
                f"Not a single such run turned up: with n = {n} that luck is too rare. Here is the first run:",
            )
        )
        lines += [f"a = {_tensor(r['a'])}", f"torch.log(a) = {_tensor(r['log_a'])}"]
    neg_total = sum(k * c for k, c in enumerate(r["negatives_per_run"]))
    re_part, im_part = r["log_minus_one_complex"]
    cplx = f"{re_part:.4f}+{im_part:.4f}j"
    same = r["nan_where_negative"]
    lines += [
        "",
        ctx.t(
            f"Во всех запусках вместе NaN получилось {ctx.grouped(r['nan_total'])}, а отрицательных чисел было "
            f"{ctx.grouped(neg_total)} — "
            + ("NaN стоит ровно на их местах." if same else "места не совпали."),
            f"Over all runs there are {ctx.grouped(r['nan_total'])} NaNs and {ctx.grouped(neg_total)} negative inputs — "
            + ("the NaNs sit exactly where the negatives are." if same else "the positions differ."),
        ),
        ctx.t(
            "Почему: ln x — это такое y, что e^y = x, а e^y > 0 при любом вещественном y. У отрицательного "
            "числа вещественного логарифма нет, и по стандарту IEEE 754 ответ — NaN («не число»). "
            f"Для нуля — минус бесконечность: torch.log(tensor(0.)) = {r['log_zero']}. В комплексных числах "
            f"логарифм есть: torch.log(tensor(-1+0j)) = {cplx}, то есть iπ.",
            "Why: ln x is the y with e^y = x, and e^y > 0 for every real y. A negative number has no real "
            'logarithm, and IEEE 754 arithmetic answers NaN ("not a number"). For zero the answer is minus '
            f"infinity: torch.log(tensor(0.)) = {r['log_zero']}. Complex numbers do have one: "
            f"torch.log(tensor(-1+0j)) = {cplx}, i.e. iπ.",
        ),
        "",
        ctx.t(
            "Что случилось с документацией: вывод примеров в докстрингах PyTorch — обычный текст в исходниках "
            "(torch/_torch_docs.py). Кто-то однажды запустил код и вставил результат, а при сборке документации "
            "он не пересчитывается. Так NaN и провисели несколько лет, пока их не заметили в issue #78301; "
            "PR #78776 заменил пример на torch.rand(5) * 5 — числа из [0, 5), у которых логарифм есть:",
            "What happened to the docs: the output in PyTorch docstrings is plain text in the source "
            "(torch/_torch_docs.py). Someone ran the code once and pasted the result; building the docs does not "
            "re-run it. So the NaNs stayed for years until issue #78301 pointed them out; PR #78776 changed the "
            "example to torch.rand(5) * 5 — numbers in [0, 5), which do have a logarithm:",
        ),
        f"torch.log(torch.rand({n}) * 5) = {_tensor(r['log_fixed'])}",
        ctx.t(
            f"Конечных значений: {r['n_finite_fixed']} из {n} (логарифм чисел меньше 1 отрицателен, но это не NaN).",
            f"Finite values: {r['n_finite_fixed']} of {n} (the log of a number below 1 is negative, but not NaN).",
        ),
    ]
    images, captions = _plots(r, n, ctx)
    metrics = {
        "result": r,
        "n": n,
        "runs": RUNS,
        "n_nan": r["n_nan"],
        "n_unlucky": n_unlucky,
        "p_all_negative": p_theory,
        "negative_total": neg_total,
    }
    return DemoOutput(text="\n".join(lines), code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="log-negative",
    title_ru="torch.log от отрицательных чисел: откуда пять NaN в документации",
    title_en="torch.log of negative numbers: where the docs' five NaNs came from",
    note_slug="meme-torch-log-negative",
    params=(
        Param(
            "n",
            "int",
            5,
            1,
            12,
            aliases=("size", "len", "размер"),
            help_ru="сколько чисел берёт torch.randn(n) (в документации было 5)",
            help_en="how many numbers torch.randn(n) draws (the docs had 5)",
        ),
    ),
    impl=run,
)
