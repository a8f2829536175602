"""Demo ``transfer-logreg``: the classic two-dataset logistic-regression experiment of transfer learning.

Dataset A (large, on the left, overlapping classes, horizontal border) and dataset B
(small, on the right, tilted border).  Logistic regression fitted with Newton's method:
on A, on B, on both, and "A, then ``steps`` Newton steps on B" — the classic way to
imitate fine-tuning with a step-wise solver.  Accuracies are measured on fresh test
samples from each distribution.
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

N_A, N_B, N_TEST = 200, 60, 1000  # as in experiment()'s defaults
CLASSIC = ((94, 80), (95, 90), (65, 90))  # accuracies on A/B usually quoted for this experiment


def newton(w, x, y, steps, lam=0.01):  # logistic regression with L2, Newton's method + backtracking
    import numpy as np

    f = np.column_stack([x, np.ones(len(x))])

    def loss(v):
        return np.mean(np.logaddexp(0, f @ v) - y * (f @ v)) + lam / 2 * v @ v

    for _ in range(steps):
        p = 1 / (1 + np.exp(-f @ w))
        g = f.T @ (p - y) / len(y) + lam * w
        h = (f * (p * (1 - p))[:, None]).T @ f / len(y) + lam * np.eye(3)
        d, t = np.linalg.solve(h, g), 1.0
        while loss(w - t * d) > loss(w) - 0.25 * t * g @ d and t > 1e-4:
            t /= 2
        w = w - t * d
    return w


def experiment(
    steps: int, seed: int, n_a: int = 200, n_b: int = 60, n_test: int = 1000, fit: int = 30
) -> dict:
    import numpy as np

    rng = np.random.default_rng(seed)

    def make_a(n):  # left cloud, classes split by the line y = 0, some overlap
        y = rng.integers(0, 2, n)
        return np.column_stack([rng.normal(-3, 1.0, n), np.where(y, -0.9, 0.9) + rng.normal(0, 0.6, n)]), y

    def make_b(n):  # right cloud, border tilted: y = 0.7 + 0.9 (x - 3)
        y, x = rng.integers(0, 2, n), rng.normal(3, 0.8, n)
        return np.column_stack([x, 0.7 + 0.9 * (x - 3) + np.where(y, -0.7, 0.7) + rng.normal(0, 0.35, n)]), y

    (xa, ya), (xb, yb) = make_a(n_a), make_b(n_b)
    (xa_t, ya_t), (xb_t, yb_t) = make_a(n_test), make_b(n_test)  # fresh test points

    def acc(w, x, y):
        return float(np.mean(((np.column_stack([x, np.ones(len(x))]) @ w) > 0) == y))

    w0 = np.zeros(3)
    models = {
        "A": newton(w0, xa, ya, fit),
        "B": newton(w0, xb, yb, fit),
        "A+B": newton(w0, np.vstack([xa, xb]), np.concatenate([ya, yb]), fit),
    }
    models["A→B"] = newton(models["A"], xb, yb, steps)  # "fine-tune" the A model on B
    w_one = newton(models["A"], xb, yb, 1)  # just one Newton step on B
    return {
        "acc": {k: {"A": acc(w, xa_t, ya_t), "B": acc(w, xb_t, yb_t)} for k, w in models.items()},
        "after_one_step": {"A": acc(w_one, xa_t, ya_t), "B": acc(w_one, xb_t, yb_t)},
        "weights": {k: w.tolist() for k, w in models.items()},
        "points": {"xa": xa.tolist(), "ya": ya.tolist(), "xb": xb.tolist(), "yb": yb.tolist()},
    }


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    import numpy as np

    steps = int(params["steps"])
    r = experiment(steps=steps, seed=ctx.seed)
    code = shown_code(experiment, helpers=[newton], steps=steps, seed=ctx.seed)
    table, one_step = r["acc"], r["after_one_step"]
    models = {k: np.array(w) for k, w in r["weights"].items()}
    pts = {k: np.array(v) for k, v in r["points"].items()}
    xa, ya, xb, yb = pts["xa"], pts["ya"], pts["xb"], pts["yb"]
    classic = ", ".join(f"{a}%/{b}%" for a, b in CLASSIC)
    step_word = ctx.plural(steps, ("шаг", "шага", "шагов"), ("step", "steps"))
    names = {
        "A": ctx.t("только A", "A only"),
        "B": ctx.t("только B", "B only"),
        "A+B": ctx.t("A и B вместе", "A and B together"),
        "A→B": ctx.t(
            f"A, потом {steps} {step_word} Ньютона на B", f"A, then {steps} Newton {step_word} on B"
        ),
    }
    short = {
        "A": ctx.t("только A", "A only"),
        "B": ctx.t("только B", "B only"),
        "A+B": ctx.t("A + B", "A + B"),
        "A→B": f"A → {steps} {step_word} " + ctx.t("на B", "on B"),
    }

    lines = [
        ctx.t(
            f"Два набора точек на плоскости, два класса. A — большой ({ctx.count(N_A, 'точка|точки|точек', '')}) слева, классы немного "
            f"перекрываются, граница почти горизонтальная. B — маленький ({ctx.count(N_B, 'точка|точки|точек', '')}) справа, граница наклонена. "
            f"Логистическая регрессия, обучение методом Ньютона. Точность меряем на свежих {ctx.count(N_TEST, 'точке|точках|точках', '')} "
            "из каждого распределения:",
            f"Two point clouds on a plane, two classes. A is large ({N_A} points) on the left, classes overlap a "
            f"little, the border is nearly horizontal. B is small ({N_B} points) on the right, with a tilted border. "
            f"Logistic regression fitted with Newton's method. Accuracy is measured on fresh {N_TEST} points "
            "from each distribution:",
        ),
    ]
    for k in ("A", "B", "A+B", "A→B"):
        lines.append(
            ctx.t(
                f"• {names[k]}: на A {ctx.pct(table[k]['A'])}, на B {ctx.pct(table[k]['B'])}",
                f"• {names[k]}: on A {ctx.pct(table[k]['A'])}, on B {ctx.pct(table[k]['B'])}",
            )
        )
    ta, tb, tab, tft = table["A"], table["B"], table["A+B"], table["A→B"]
    lines += [
        "",
        ctx.t(
            f"Модель с A, продолженная вправо, на B угадывает {ctx.pct(ta['B'])}: неплохо, но граница B повернута. "
            f"Модель только с B, наоборот, на A почти бесполезна ({ctx.pct(tb['A'])} при 50% у монетки). "
            f"Обучение на обоих сразу даёт компромисс: {ctx.pct(tab['A'])} и {ctx.pct(tab['B'])}.",
            f"The A model, extended to the right, gets {ctx.pct(ta['B'])} on B: not bad, but B's border is rotated. "
            f"The B-only model is nearly useless on A ({ctx.pct(tb['A'])}, a coin gets 50%). Training on both at "
            f"once gives a compromise: {ctx.pct(tab['A'])} and {ctx.pct(tab['B'])}.",
        ),
        ctx.t(
            f"«Дообучение»: берём модель с A и делаем {steps} {step_word} Ньютона только по B. Точность на B "
            f"{'растёт' if tft['B'] > ta['B'] else 'меняется'}: {ctx.pct(ta['B'])} → {ctx.pct(tft['B'])}, "
            f"а на A {'падает' if tft['A'] < ta['A'] else 'меняется'}: {ctx.pct(ta['A'])} → {ctx.pct(tft['A'])}. "
            "Метод второго порядка уже за первый шаг почти целиком перепрыгивает к решению для B "
            f"(после него на A {ctx.pct(one_step['A'])}, на B {ctx.pct(one_step['B'])}) и забывает A — "
            "катастрофическое забывание в миниатюре. Отсюда правило для нейросетей: дообучать маленьким шагом "
            "и не забывать про старые данные.",
            f'"Fine-tuning": take the A model and make {steps} Newton {step_word} on B only. Accuracy on B '
            f"{'rises' if tft['B'] > ta['B'] else 'changes'}: {ctx.pct(ta['B'])} → {ctx.pct(tft['B'])}, while on A "
            f"it {'falls' if tft['A'] < ta['A'] else 'changes'}: {ctx.pct(ta['A'])} → {ctx.pct(tft['A'])}. A "
            "second-order method jumps almost all the way to the B solution with its very first step "
            f"(after it: A {ctx.pct(one_step['A'])}, B {ctx.pct(one_step['B'])}) and forgets A — "
            "catastrophic forgetting in miniature. Hence the rule for neural nets: fine-tune with small steps "
            "and keep the old data in mind.",
        ),
        ctx.t(
            f"В классическом варианте этого опыта получают {classic} (A/B); у нас свои данные, "
            "поэтому числа другие, но картина та же.",
            f"The classic version of this experiment gets {classic} (A/B); our data differ, so do "
            "the numbers, but the picture is the same.",
        ),
    ]
    text = "\n".join(lines)

    def boundaries(fig: Any) -> None:
        axes = fig.subplots(2, 2, sharex=True, sharey=True)
        gx, gy = np.meshgrid(np.linspace(-6.5, 6.5, 200), np.linspace(-4, 5, 200))
        for ax, key in zip(axes.flat, ("A", "B", "A+B", "A→B"), strict=True):
            w = models[key]
            z = w[0] * gx + w[1] * gy + w[2]
            ax.contourf(
                gx, gy, z > 0, levels=[-0.5, 0.5, 1.5], colors=[plotting.BLUE, plotting.RED], alpha=0.12
            )
            ax.contour(gx, gy, z, levels=[0], colors="black", linewidths=2)
            for x, y, marker in ((xa, ya, "o"), (xb, yb, "^")):
                ax.scatter(x[y == 0, 0], x[y == 0, 1], s=14, marker=marker, color=plotting.BLUE, alpha=0.7)
                ax.scatter(x[y == 1, 0], x[y == 1, 1], s=14, marker=marker, color=plotting.RED, alpha=0.7)
            ax.set_title(
                f"{short[key]}\nA {ctx.pct(table[key]['A'])} · B {ctx.pct(table[key]['B'])}", fontsize=12
            )
            ax.set_xlim(-6.5, 6.5)
            ax.set_ylim(-4, 5)
        fig.suptitle(ctx.t("Границы решений (● — A, ▲ — B)", "Decision borders (● — A, ▲ — B)"), fontsize=13)

    images = [plotting.render(boundaries, figsize=(7.0, 6.6))]
    captions = [
        ctx.t(
            "Слева набор A (кружки), справа B (треугольники); чёрная линия — граница каждой модели.",
            "Dataset A (circles) on the left, B (triangles) on the right; the black line is each model's border.",
        )
    ]
    metrics = {
        "result": {k: v for k, v in r.items() if k != "points"},
        "steps": steps,
        "acc": table,
        "a_only_on_a": ta["A"],
        "a_only_on_b": ta["B"],
        "b_only_on_a": tb["A"],
        "b_only_on_b": tb["B"],
        "both_on_a": tab["A"],
        "both_on_b": tab["B"],
        "a_then_b_on_a": tft["A"],
        "a_then_b_on_b": tft["B"],
        "after_one_step": one_step,
        "weights": r["weights"],
    }
    return DemoOutput(text=text, code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="transfer-logreg",
    title_ru="Перенос обучения на логистической регрессии: два набора данных",
    title_en="Transfer learning with logistic regression: two datasets",
    note_slug="transfer-learning",
    params=(
        Param(
            "steps",
            "int",
            1,
            1,
            20,
            aliases=("k", "newton_steps", "шаги", "шаг"),
            help_ru="сколько шагов Ньютона по B делать после обучения на A",
            help_en="Newton steps on B after training on A",
        ),
    ),
    impl=run,
    uses_torch=False,
)
