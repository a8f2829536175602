"""Demo ``k-means``: Lloyd's algorithm step by step on 2-D points with the user's k and a good k,
and how to pick k (elbow of the inertia, the silhouette). Plain numpy: the algorithm is the code shown."""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

CENTRES = ((-2.0, -2.0), (2.2, -1.6), (-1.6, 2.2), (2.0, 2.0))
K_MAX = 10


def kmeans(x, k, rng, iters=100):
    import numpy as np

    centres = [x[rng.integers(len(x))]]
    for _ in range(k - 1):  # k-means++: a far point is more likely to become the next centre
        d2 = ((x[:, None] - np.array(centres)[None]) ** 2).sum(-1).min(1)
        centres.append(x[rng.choice(len(x), p=d2 / d2.sum())])
    c = np.array(centres)
    history, inertia = [c], []
    for _ in range(iters):
        labels = ((x[:, None] - c[None]) ** 2).sum(-1).argmin(1)  # 1) every point to its nearest centre
        inertia.append(float(((x - c[labels]) ** 2).sum()))
        new = np.array(
            [x[labels == j].mean(0) if (labels == j).any() else c[j] for j in range(k)]
        )  # 2) means
        if np.allclose(new, c):
            break
        c = new
        history.append(c)
    return c, labels, inertia, history


def silhouette(x, labels):
    import numpy as np

    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    ks = np.unique(labels)
    mean_to = np.stack(
        [d[:, labels == j].sum(1) / np.maximum((labels == j).sum() - (labels == j), 1) for j in ks], 1
    )
    own = ks.searchsorted(labels)
    a = mean_to[np.arange(len(x)), own]  # mean distance to the own cluster
    mean_to[np.arange(len(x)), own] = np.inf
    b = mean_to.min(1)  # to the nearest other cluster
    return float(np.mean((b - a) / np.maximum(a, b)))


def experiment(k: int, seed: int, centres: list[list[float]], k_max: int = 10, n_init: int = 10) -> dict:
    import numpy as np

    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(c, 0.7, size=(75, 2)) for c in centres])  # the clusters it must find
    runs = {}
    for kk in range(1, k_max + 1):  # several starts for every k; keep the one with the lowest inertia
        runs[kk] = min((kmeans(x, kk, rng) for _ in range(n_init)), key=lambda run: run[2][-1])
    sil = {kk: silhouette(x, runs[kk][1]) for kk in range(2, k_max + 1)}
    best = max(sil, key=lambda kk: sil[kk])
    return {
        "n_init": n_init,
        "inertia_by_k": [runs[kk][2][-1] for kk in range(1, k_max + 1)],
        "silhouette_by_k": [sil[kk] for kk in range(2, k_max + 1)],
        "best_k": best,
        "inertia_steps": {kk: runs[kk][2] for kk in sorted({k, best})},  # inertia after every assignment
        "centre_moves": {kk: len(runs[kk][3]) - 1 for kk in sorted({k, best})},  # steps until nothing changed
        "history": {kk: [c.tolist() for c in runs[kk][3]] for kk in sorted({k, best})},
        "x": x.tolist(),
    }


def _text(r: dict, k: int, ctx: RunContext) -> str:
    best, inertia, sil = r["best_k"], r["inertia_by_k"], r["silhouette_by_k"]
    n_true = len(CENTRES)
    points = ctx.count(len(r["x"]), "точка|точки|точек", "point|points")
    clouds = ctx.count(n_true, "облака|облаков|облаков", "cloud|clouds")
    lines: list[str | None] = [
        ctx.t(
            f"{points} на плоскости из {clouds} (алгоритм этого не знает). k-means (алгоритм Ллойда) повторяет два "
            "шага: 1) каждая точка — к ближайшему центру; 2) центр — в среднее своих точек. Старт k-means++, "
            f"из {ctx.count(r['n_init'], 'запуска|запусков|запусков', '')} берём лучший.",
            f"{points} on a plane, drawn from {clouds} (the algorithm does not know that). k-means (Lloyd's algorithm) "
            "repeats two steps: 1) every point goes to its nearest centre; 2) every centre moves to the mean of its "
            f"points. k-means++ start, the best of {r['n_init']} runs.",
        ),
    ]
    for kk in sorted(r["inertia_steps"], key=lambda v: (v != k, v)):
        steps = r["inertia_steps"][kk]
        monotone = all(b <= a + 1e-9 for a, b in zip(steps, steps[1:], strict=False))
        who = ctx.t("ваше", "yours") if kk == k else ctx.t("лучшее по силуэту", "best by silhouette")
        lines.append(
            ctx.t(
                f"• k = {kk} ({who}): центры встали на место за {ctx.count(r['centre_moves'][kk], 'шаг|шага|шагов', '')}, инерция "
                f"(сумма квадратов расстояний до центров) {ctx.num(steps[0], 1)} → {ctx.num(steps[-1], 1)}"
                + ("; ни разу не выросла." if monotone else "; выросла (так не бывает — ошибка)."),
                f"• k = {kk} ({who}): the centres settled in {ctx.count(r['centre_moves'][kk], '', 'step|steps')}, inertia (the sum of "
                f"squared distances to the centres) {ctx.num(steps[0], 1)} → {ctx.num(steps[-1], 1)}"
                + ("; it never grew." if monotone else "; it grew (impossible — a bug)."),
            )
        )
    drops = [inertia[i] - inertia[i + 1] for i in range(len(inertia) - 1)]
    lines += [
        "",
        ctx.t(
            "Как выбрать k. Инерция с ростом k только падает (при k = числу точек она ноль), поэтому минимизировать её "
            f"бессмысленно: {', '.join(ctx.num(v, 0) for v in inertia)} для k = 1…{K_MAX}. Ищут «локоть» — где падение "
            f"резко замедляется: от k = {best - 1} к {best} минус {ctx.num(drops[best - 2], 0)}, от {best} к {best + 1} — "
            f"только {ctx.num(drops[best - 1], 0)}.",
            "How to choose k. Inertia only falls as k grows (it is zero when k equals the number of points), so "
            f"minimising it is pointless: {', '.join(ctx.num(v, 0) for v in inertia)} for k = 1…{K_MAX}. Look for the "
            f"'elbow' where the fall suddenly slows: from k = {best - 1} to {best} it drops by {ctx.num(drops[best - 2], 0)}, "
            f"from {best} to {best + 1} by only {ctx.num(drops[best - 1], 0)}.",
        )
        if 2 <= best < K_MAX
        else None,
        ctx.t(
            "Силуэт точки (b − a)/max(a, b), где a — среднее расстояние до своего кластера, b — до ближайшего чужого; "
            f"больше — лучше. Средний силуэт наибольший при k = {best}: {ctx.num(sil[best - 2], 3)}"
            + (f" (у вашего k = {k}: {ctx.num(sil[k - 2], 3)})." if k >= 2 and k != best else ".")
            + (f" Это и есть число облаков, из которых взяты точки ({n_true})." if best == n_true else ""),
            "The silhouette of a point is (b − a)/max(a, b), where a is the mean distance to its own cluster and b to the "
            f"nearest other one; higher is better. The mean silhouette peaks at k = {best}: {ctx.num(sil[best - 2], 3)}"
            + (f" (your k = {k}: {ctx.num(sil[k - 2], 3)})." if k >= 2 and k != best else ".")
            + (f" That is the number of clouds the points came from ({n_true})." if best == n_true else ""),
        ),
    ]
    if k == 1:
        lines.append(
            ctx.t(
                "При k = 1 кластер один — среднее всех точек, силуэт не определён. k-means всегда выдаёт ровно k "
                "кластеров, даже если их в данных нет.",
                "With k = 1 there is one cluster — the mean of all points — and no silhouette. k-means always returns "
                "exactly k clusters, even if the data have none.",
            )
        )
    return "\n".join(line for line in lines if line is not None)


def _plots(r: dict, k: int, ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    x = np.array(r["x"])
    best = r["best_k"]
    rows = [k] if k == best else [k, best]
    colors = np.array(plotting.PALETTE)

    def steps(fig: Any) -> None:
        axes = fig.subplots(len(rows), 3, sharex=True, sharey=True, squeeze=False)
        for row, kk in zip(axes, rows, strict=True):
            hist = [np.array(c) for c in r["history"][kk]]
            picks = [0, min(1, len(hist) - 1), len(hist) - 1]
            for ax, i in zip(row, picks, strict=True):
                c = hist[i]
                labels = ((x[:, None] - c[None]) ** 2).sum(-1).argmin(1)
                ax.scatter(x[:, 0], x[:, 1], c=colors[labels % len(colors)], s=7, alpha=0.7)
                ax.scatter(c[:, 0], c[:, 1], c="black", marker="X", s=110, edgecolors="white", linewidths=1)
                name = ctx.t("старт", "start") if i == 0 else ctx.t(f"шаг {i}", f"step {i}")
                if i == len(hist) - 1 and i > 0:
                    name = ctx.t(f"итог, шаг {i}", f"final, step {i}")
                ax.set_title(name, fontsize=13)
                ax.set_xticks([])
                ax.set_yticks([])
            row[0].set_ylabel(f"k = {kk}" + (ctx.t(" (ваше)", " (yours)") if kk == k else ""), fontsize=14)

    def choose(fig: Any) -> None:
        top, bottom = fig.subplots(2, 1, sharex=True)
        ks = np.arange(1, K_MAX + 1)
        top.plot(ks, r["inertia_by_k"], "o-", color=plotting.BLUE)
        top.set_ylabel(ctx.t("инерция", "inertia"))
        top.set_title(ctx.t("Как выбрать k", "Choosing k"))
        bottom.plot(ks[1:], r["silhouette_by_k"], "s-", color=plotting.GREEN)
        bottom.set_ylabel(ctx.t("силуэт", "silhouette"))
        bottom.set_xlabel("k")
        bottom.set_xticks(ks)
        for ax in (top, bottom):
            ax.axvline(
                best, color="black", linestyle=":", label=ctx.t(f"лучшее k = {best}", f"best k = {best}")
            )
            if k != best:
                ax.axvline(
                    k, color=plotting.RED, linestyle="--", label=ctx.t(f"ваше k = {k}", f"your k = {k}")
                )
        top.legend(loc="upper right", fontsize=12)

    images = [
        plotting.render(steps, figsize=(5.6, 2.3 + 2.0 * len(rows))),
        plotting.render(choose, figsize=(5.6, 5.0)),
    ]
    captions = [
        ctx.t(
            "Шаги k-means: цвет — ближайший центр, крестик — центр. "
            + (
                f"Сверху ваше k = {k}, снизу лучшее k = {best}."
                if len(rows) == 2
                else f"Ваше k = {k} — оно же лучшее."
            ),
            "k-means steps: colour = nearest centre, cross = centre. "
            + (
                f"Top: your k = {k}; bottom: the best k = {best}."
                if len(rows) == 2
                else f"Your k = {k} is also the best."
            ),
        ),
        ctx.t(
            "Инерция падает с ростом k всегда; силуэт показывает, при каком k кластеры лучше всего разделены.",
            "Inertia always falls as k grows; the silhouette shows at which k the clusters are best separated.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    k = int(params["k"])
    args: dict[str, Any] = {"k": k, "seed": ctx.seed, "centres": [list(c) for c in CENTRES], "k_max": K_MAX}
    r = experiment(**args)
    code = shown_code(experiment, helpers=[kmeans, silhouette], **args)
    images, captions = _plots(r, k, ctx)
    metrics = {"result": {key: v for key, v in r.items() if key not in ("history", "x")}, "k": k}
    return DemoOutput(text=_text(r, k, ctx), code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="k-means",
    title_ru="k-means: шаги алгоритма и выбор k",
    title_en="k-means: the algorithm step by step and choosing k",
    note_slug="k-means",
    params=(
        Param(
            "k",
            "int",
            2,
            1,
            K_MAX,
            aliases=("clusters", "n_clusters", "кластеры", "кластеров"),
            help_ru="число кластеров",
            help_en="number of clusters",
        ),
    ),
    impl=run,
    uses_torch=False,
)
