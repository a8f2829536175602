"""Demo ``overfitting``: polynomials of growing degree through 20 noisy points — training vs validation
error (the U-curve) — and early stopping of a degree-15 polynomial trained by gradient descent."""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

MAX_DEGREE = 20
GD_DEGREE = 15
CHECKPOINTS = (1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000)


def experiment(
    degree: int,
    noise: float,
    seed: int,
    checkpoints: list[int],
    max_degree: int,
    gd_degree: int,
    n: int = 20,
    n_val: int = 200,
) -> dict:
    import warnings

    import numpy as np
    from numpy.polynomial import legendre

    rng = np.random.default_rng(seed)

    def f(x):  # the truth behind the data
        return np.sin(3 * x)

    x, x_val = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n_val)
    y, y_val = f(x) + noise * rng.standard_normal(n), f(x_val) + noise * rng.standard_normal(n_val)
    train, val, coefs = [], [], {}
    for d in range(1, max_degree + 1):  # least squares in the Legendre basis (well conditioned on [-1, 1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy warns that degree >= n is "poorly conditioned"
            c = legendre.legfit(x, y, d)
        coefs[d] = c
        train.append(float(np.mean((legendre.legval(x, c) - y) ** 2)))
        val.append(float(np.mean((legendre.legval(x_val, c) - y_val) ** 2)))
    best = int(np.argmin(val)) + 1

    # early stopping: fit a degree-`gd_degree` polynomial by gradient descent, watch the validation error
    v, v_val = legendre.legvander(x, gd_degree), legendre.legvander(x_val, gd_degree)
    lr = 1 / np.linalg.eigvalsh(2 / n * v.T @ v)[-1]
    w = np.zeros(gd_degree + 1)
    gd_train, gd_val = [], []
    for step in range(1, max(checkpoints) + 1):
        w -= lr * 2 / n * v.T @ (v @ w - y)
        if step in checkpoints:
            gd_train.append(float(np.mean((v @ w - y) ** 2)))
            gd_val.append(float(np.mean((v_val @ w - y_val) ** 2)))
    grid = np.linspace(-1, 1, 400)
    return {
        "n": n,
        "n_val": n_val,
        "train_mse": train,
        "val_mse": val,
        "best_degree": best,
        "noise_variance": noise**2,
        "gd_train_mse": gd_train,
        "gd_val_mse": gd_val,
        "early_stop_step": checkpoints[int(np.argmin(gd_val))],
        "points": {"x": x.tolist(), "y": y.tolist(), "x_val": x_val.tolist(), "y_val": y_val.tolist()},
        "curves": {d: legendre.legval(grid, coefs[d]).tolist() for d in sorted({1, best, degree})},
        "grid": grid.tolist(),
    }


def _verdict(r: dict, degree: int) -> str:
    val, best = r["val_mse"], r["best_degree"]
    if val[degree - 1] <= 1.1 * val[best - 1]:
        return "good"
    return "underfit" if degree < best else "overfit"


def _text(r: dict, degree: int, noise: float, ctx: RunContext) -> str:
    train, val, best = r["train_mse"], r["val_mse"], r["best_degree"]
    kind = _verdict(r, degree)
    points = ctx.count(r["n"], "точку|точки|точек", "point|points")
    lines = [
        ctx.t(
            f"Правда — f(x) = sin(3x) на [−1, 1]; мы видим {points} с шумом σ = {ctx.g(noise)} и проводим через них "
            f"многочлены степени 1…{MAX_DEGREE} методом наименьших квадратов. Проверяем на "
            f"{ctx.count(r['n_val'], 'новой точке|новых точках|новых точках', '')} (валидация).",
            f"The truth is f(x) = sin(3x) on [−1, 1]; we see {points} with noise σ = {ctx.g(noise)} and fit polynomials "
            f"of degree 1…{MAX_DEGREE} by least squares. We check them on "
            f"{r['n_val']} fresh points (validation).",
        ),
        "",
        ctx.t(
            f"• Ошибка на обучении (MSE) только падает с ростом степени: {ctx.sci(train[0], 3)} при степени 1 → "
            f"{ctx.sci(train[-1], 3)} при степени {MAX_DEGREE}"
            + (" — многочлен проходит через все точки." if train[-1] < 1e-6 else "."),
            f"• Training error (MSE) only falls as the degree grows: {ctx.sci(train[0], 3)} at degree 1 → "
            f"{ctx.sci(train[-1], 3)} at degree {MAX_DEGREE}"
            + (" — the polynomial passes through every point." if train[-1] < 1e-6 else "."),
        ),
        ctx.t(
            f"• Ошибка на валидации сначала падает, потом растёт: лучшая степень {best} (MSE {ctx.sci(val[best - 1], 3)}; "
            f"дисперсия шума {ctx.sci(r['noise_variance'], 3)} — ниже в среднем не опуститься), при степени {MAX_DEGREE} — "
            f"{ctx.sci(val[-1], 3)}.",
            f"• Validation error first falls, then grows: the best degree is {best} (MSE {ctx.sci(val[best - 1], 3)}; the "
            f"noise variance {ctx.sci(r['noise_variance'], 3)} is the floor on average), at degree {MAX_DEGREE} it is {ctx.sci(val[-1], 3)}.",
        ),
        ctx.t(
            f"Ваша степень {degree}: обучение {ctx.sci(train[degree - 1], 3)}, валидация {ctx.sci(val[degree - 1], 3)} — ",
            f"Your degree {degree}: training {ctx.sci(train[degree - 1], 3)}, validation {ctx.sci(val[degree - 1], 3)} — ",
        )
        + {
            "good": ctx.t("почти как у лучшей степени.", "about as good as the best degree."),
            "underfit": ctx.t(
                "недообучение: модель слишком проста и ошибается даже на обучающих точках.",
                "underfitting: the model is too simple and is wrong even on the training points.",
            ),
            "overfit": ctx.t(
                f"переобучение: на обучении ошибка меньше, чем у степени {best}, а на новых точках — "
                f"{ctx.times(val[degree - 1] / val[best - 1])} больше. Многочлен выучил шум и между точками "
                "делает размашистые петли.",
                f"overfitting: its training error is below degree {best}'s, but on new points it is "
                f"{ctx.times(val[degree - 1] / val[best - 1])} larger. The polynomial learned the noise and swings wildly "
                "between the points.",
            ),
        }[kind],
        "",
    ]
    gd_val, stop = r["gd_val_mse"], r["early_stop_step"]
    i_stop = CHECKPOINTS.index(stop)
    lines.append(
        ctx.t(
            f"Ранняя остановка. Обучим многочлен степени {GD_DEGREE} градиентным спуском и будем смотреть на валидацию: "
            f"после {ctx.count(CHECKPOINTS[0], 'шага|шагов|шагов', '')} {ctx.sci(gd_val[0], 3)}, лучше всего после "
            f"{ctx.count(stop, 'шага|шагов|шагов', '')} — {ctx.sci(gd_val[i_stop], 3)}, а к шагу {CHECKPOINTS[-1]} "
            f"{ctx.sci(gd_val[-1], 3)}: ",
            f"Early stopping. Train a degree-{GD_DEGREE} polynomial by gradient descent and watch validation: "
            f"{ctx.sci(gd_val[0], 3)} after {ctx.count(CHECKPOINTS[0], '', 'step|steps')}, best after "
            f"{ctx.count(stop, '', 'step|steps')} — {ctx.sci(gd_val[i_stop], 3)}, and {ctx.sci(gd_val[-1], 3)} by step "
            f"{CHECKPOINTS[-1]}: ",
        )
        + (
            ctx.t(
                "спуск сначала ловит общую форму, потом подгоняется под шум. Остановиться в минимуме валидации — и "
                "есть ранняя остановка.",
                "gradient descent first captures the overall shape, then fits the noise. Stopping at the validation "
                "minimum is early stopping.",
            )
            if gd_val[-1] > 1.05 * gd_val[i_stop]
            else ctx.t(
                "здесь валидация почти не растёт до конца — останавливаться рано не обязательно.",
                "here validation barely rises by the end, so stopping early is not needed.",
            )
        )
    )
    return "\n".join(lines)


def _plots(r: dict, degree: int, ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    degrees = np.arange(1, MAX_DEGREE + 1)
    best = r["best_degree"]

    def u_curve(fig: Any) -> None:
        ax = fig.subplots()
        ax.semilogy(
            degrees,
            np.maximum(r["train_mse"], 1e-12),
            "o-",
            color=plotting.BLUE,
            label=ctx.t("обучение", "training"),
        )
        ax.semilogy(degrees, r["val_mse"], "s-", color=plotting.RED, label=ctx.t("валидация", "validation"))
        ax.semilogy(
            [best],
            [r["val_mse"][best - 1]],
            "*",
            color="black",
            markersize=18,
            label=ctx.t("лучшая степень", "best degree"),
        )
        ax.axvline(degree, color=plotting.GREY, linestyle="--", label=ctx.t("ваша степень", "your degree"))
        plotting.tidy_log_axis(ax, "y", ctx.ru)
        ax.set_xticks([1, 5, 10, 15, 20])
        ax.set_xlabel(ctx.t("степень многочлена", "polynomial degree"))
        ax.set_ylabel("MSE")
        ax.set_title(ctx.t("Ошибка и сложность модели", "Error vs model complexity"))
        ax.legend(loc="upper left", fontsize=12)

    pts, grid = r["points"], np.array(r["grid"])

    def fits(fig: Any) -> None:
        ax = fig.subplots()
        ax.plot(
            pts["x_val"],
            pts["y_val"],
            ".",
            color=plotting.GREY,
            alpha=0.5,
            label=ctx.t("валидация", "validation"),
        )
        ax.plot(grid, np.sin(3 * grid), color="black", linewidth=4, alpha=0.25, label="sin(3x)")
        styles = {1: plotting.ORANGE, best: plotting.GREEN, degree: plotting.RED}
        for d in sorted(styles):
            name = ctx.t(f"степень {d}", f"degree {d}")
            ax.plot(
                grid,
                r["curves"][d],
                color=styles[d],
                label=name + (ctx.t(" (ваша)", " (yours)") if d == degree else ""),
            )
        ax.plot(pts["x"], pts["y"], "o", color="black", markersize=8, label=ctx.t("обучение", "training"))
        ax.set_ylim(-2.5, 2.5)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        through = ctx.count(r["n"], "точку|точки|точек", "point|points")
        ax.set_title(ctx.t(f"Многочлены через {through}", f"Polynomials through {through}"))
        fig.legend(loc="outside lower center", ncol=3, fontsize=12)

    def early(fig: Any) -> None:
        ax = fig.subplots()
        ax.loglog(
            CHECKPOINTS, r["gd_train_mse"], "o-", color=plotting.BLUE, label=ctx.t("обучение", "training")
        )
        ax.loglog(
            CHECKPOINTS, r["gd_val_mse"], "s-", color=plotting.RED, label=ctx.t("валидация", "validation")
        )
        stop = r["early_stop_step"]
        ax.axvline(
            stop, color="black", linestyle=":", label=ctx.t(f"остановка: шаг {stop}", f"stop: step {stop}")
        )
        plotting.tidy_log_axis(ax, "x", ctx.ru)
        plotting.tidy_log_axis(ax, "y", ctx.ru)
        ax.set_xlabel(ctx.t("шаг градиентного спуска", "gradient descent step"))
        ax.set_ylabel("MSE")
        ax.set_title(ctx.t(f"Степень {GD_DEGREE}: ранняя остановка", f"Degree {GD_DEGREE}: early stopping"))
        ax.legend(loc="upper center", fontsize=12)

    images = [plotting.render(u_curve), plotting.render(fits, figsize=(5.6, 5.2)), plotting.render(early)]
    captions = [
        ctx.t(
            "Ошибка на обучении падает всегда, на валидации — сначала падает, потом растёт (U-образная кривая).",
            "Training error always falls; validation error falls, then rises (the U-curve).",
        ),
        ctx.t(
            f"Слишком простая модель (степень 1), лучшая (степень {best}) и ваша (степень {degree}); чёрные точки — обучение.",
            f"Too simple (degree 1), the best (degree {best}) and yours (degree {degree}); black dots are the training data.",
        ),
        ctx.t(
            "Обучение многочлена градиентным спуском: лучший момент остановиться — минимум ошибки на валидации.",
            "Training a polynomial by gradient descent: the best moment to stop is the validation minimum.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    degree, noise = int(params["degree"]), float(params["noise"])
    args: dict[str, Any] = {
        "degree": degree,
        "noise": noise,
        "seed": ctx.seed,
        "checkpoints": list(CHECKPOINTS),
    }
    args.update(max_degree=MAX_DEGREE, gd_degree=GD_DEGREE)
    r = experiment(**args)
    code = shown_code(experiment, **args)
    images, captions = _plots(r, degree, ctx)
    metrics = {
        "result": {k: v for k, v in r.items() if k not in ("points", "curves", "grid")},
        "degree": degree,
        "noise": noise,
        "verdict": _verdict(r, degree),
    }
    return DemoOutput(
        text=_text(r, degree, noise, ctx), code=code, images=images, captions=captions, metrics=metrics
    )


DEMO = Demo(
    id="overfitting",
    title_ru="Переобучение: многочлены растущей степени и ранняя остановка",
    title_en="Overfitting: polynomials of growing degree and early stopping",
    note_slug="overfitting",
    params=(
        Param(
            "degree",
            "int",
            12,
            1,
            MAX_DEGREE,
            aliases=("deg", "степень"),
            help_ru="степень вашего многочлена (его нарисуют рядом с лучшим)",
            help_en="the degree of your polynomial (drawn beside the best one)",
        ),
        Param(
            "noise",
            "float",
            0.3,
            0.0,
            2.0,
            aliases=("sigma", "шум"),
            help_ru="стандартное отклонение шума в данных",
            help_en="standard deviation of the noise in the data",
        ),
    ),
    impl=run,
)
