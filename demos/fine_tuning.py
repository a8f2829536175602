"""Demo ``fine-tuning``: pretrain a backbone, freeze it, replace the head, learn a new task from a few examples.

The experiment itself (data, training, accuracies) is :func:`demos.fine_tuning_core.experiment`;
this module turns its numbers into text and plots.
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code
from demos.fine_tuning_core import SETTINGS, accuracy, experiment, fit, make_data

KEYS = ("scratch", "frozen", "unfreeze_small_lr", "unfreeze_large_lr")


def _names(ctx: RunContext) -> dict[str, str]:
    small, large = SETTINGS["small_lr"], SETTINGS["large_lr"]
    return {
        "scratch": ctx.t("с нуля", "from scratch"),
        "frozen": ctx.t("заморозка + новая голова", "frozen + new head"),
        "unfreeze_small_lr": ctx.t(f"разморозка, lr={small:g}", f"unfrozen, lr={small:g}"),
        "unfreeze_large_lr": ctx.t(f"разморозка, lr={large:g}", f"unfrozen, lr={large:g}"),
    }


def _setup(r: dict, task: str, shots: int, ctx: RunContext) -> str:
    per_class = ctx.count(shots, "пример|примера|примеров", "example|examples")
    n_up = ctx.count(r["n_up"], "пример|примера|примеров", "example|examples")
    if task == "digits":
        return ctx.t(
            f"Цифры sklearn 8×8. Исходная задача: цифры 0–4, {n_up}. Новая задача: цифры 5–9, {per_class} на класс "
            f"({r['n_few']} всего).",
            f"sklearn 8×8 digits. Upstream task: digits 0–4, {n_up}. Downstream task: digits 5–9, {per_class} per "
            f"class ({r['n_few']} in all).",
        )
    return ctx.t(
        f"Мир: у каждого объекта два скрытых фактора z = (z1, z2), а видим мы {r['n_in']} шумных признаков (нелинейные "
        f"смеси z и столбцы чистого шума). Исходная задача (upstream): к какому из {r['n_src']} секторов плоскости z "
        f"относится объект, {n_up}. Новая задача (downstream): {ctx.count(r['n_tgt'], 'сектор|сектора|секторов', '')}, "
        f"их границы режут старые пополам; всего {per_class} на класс ({r['n_few']} всего).",
        f"World: every object has two hidden factors z = (z1, z2), but we see {r['n_in']} noisy features (non-linear "
        f"mixtures of z and pure-noise columns). Upstream task: which of {r['n_src']} sectors of the z-plane the object "
        f"is in, {n_up}. Downstream task: {r['n_tgt']} different sectors whose borders cut the old ones in half; only "
        f"{per_class} per class ({r['n_few']} in all).",
    )


def _text(r: dict, task: str, shots: int, ctx: RunContext) -> str:
    acc, old = r["acc"], r["old_task_acc"]
    names, hidden = _names(ctx), SETTINGS["hidden"]
    classes = ctx.count(r["n_src"], "класс|класса|классов", "class|classes")
    lines = [
        _setup(r, task, shots, ctx),
        ctx.t(
            f"Предобученная сеть (backbone {r['n_in']}→{hidden}→{hidden} + голова на {classes}) решает исходную "
            f"задачу с точностью {ctx.pct(r['acc_upstream'], 1)}.",
            f"The pretrained network (backbone {r['n_in']}→{hidden}→{hidden} + a head for {classes}) solves the "
            f"upstream task with {ctx.pct(r['acc_upstream'], 1)} accuracy.",
        ),
        "",
        ctx.t(
            f"Точность на {ctx.count(r['n_test'], 'новом примере|новых примерах|новых примерах', '')} новой задачи "
            "(и на старой задаче со старой головой):",
            f"Accuracy on {r['n_test']} unseen downstream examples (and on the old task through the old head):",
        ),
    ]
    for key in KEYS:
        old_part = (
            ctx.t(f"; старая задача {ctx.pct(old[key], 1)}", f"; old task {ctx.pct(old[key], 1)}")
            if key in old
            else ""
        )
        lines.append(f"• {names[key]}: {ctx.pct(acc[key], 1)}{old_part}")
    lines.append("")
    gap = acc["frozen"] - acc["scratch"]
    points = ctx.t("п.п.", "points")
    if gap > 0:
        few = ctx.count(r["n_few"], "пример|примера|примеров", "example|examples")
        lines.append(
            ctx.t(
                f"Заморозка выиграла у обучения с нуля {ctx.num(100 * gap, 1)} {points} Сеть с нуля выучила свои {few} "
                f"на {ctx.pct(r['train_acc_scratch'])}, но на новых данных ошибается: по такой выборке не понять, какие "
                "признаки важны, а какие — шум. Замороженный backbone уже умеет извлекать нужные признаки, и голове "
                "остаётся провести границы.",
                f"Freezing beat training from scratch by {ctx.num(100 * gap, 1)} {points}. The scratch network fits its "
                f"{few} to {ctx.pct(r['train_acc_scratch'])} but fails on new data: so few examples cannot tell useful "
                "features from noise. The frozen backbone already extracts the useful features; the head only has to "
                "draw the borders.",
            )
        )
    else:
        lines.append(
            ctx.t(
                f"Здесь заморозка проиграла обучению с нуля {ctx.num(-100 * gap, 1)} {points} — отрицательный перенос: "
                "признаки, выученные на исходной задаче, оказались у́же, чем сами входы, и нужная новой задаче "
                "информация в них потерялась. Перенос помогает, когда исходная задача богаче новой.",
                f"Here freezing lost to training from scratch by {ctx.num(-100 * gap, 1)} {points} — negative transfer: "
                "the features learned upstream are narrower than the raw inputs and lost what the new task needs. "
                "Transfer helps when the upstream task is richer than the downstream one.",
            )
        )
    d_small = acc["unfreeze_small_lr"] - acc["frozen"]
    keep_small = old["frozen"] - old["unfreeze_small_lr"] < 0.03
    forget = old["frozen"] - old["unfreeze_large_lr"]
    sign = "+" if d_small >= 0 else "−"
    small, large = ctx.g(SETTINGS["small_lr"]), ctx.g(SETTINGS["large_lr"])
    lines.append(
        ctx.t(
            f"Разморозка с маленьким lr ({small}) дала {sign}{ctx.num(abs(100 * d_small), 1)} п.п. к замороженной модели "
            f"и {'почти не трогает' if keep_small else 'заметно меняет'} старые знания (старая задача "
            f"{ctx.pct(old['unfreeze_small_lr'], 1)} против {ctx.pct(old['frozen'], 1)}). С большим lr ({large}) старая "
            f"задача падает до {ctx.pct(old['unfreeze_large_lr'], 1)}"
            + (
                " — катастрофическое забывание."
                if forget >= 0.15
                else f" (−{ctx.num(100 * forget, 1)} п.п.): сеть начинает забывать то, что знала."
            ),
            f"Unfreezing with a small lr ({small}) changed accuracy by {sign}{ctx.num(abs(100 * d_small), 1)} points and "
            f"{'barely touches' if keep_small else 'noticeably changes'} old knowledge (old task "
            f"{ctx.pct(old['unfreeze_small_lr'], 1)} vs {ctx.pct(old['frozen'], 1)}). With a large lr ({large}) the old "
            f"task drops to {ctx.pct(old['unfreeze_large_lr'], 1)}"
            + (
                " — catastrophic forgetting."
                if forget >= 0.15
                else f" (−{ctx.num(100 * forget, 1)} points): the network starts to forget what it knew."
            ),
        )
    )
    return "\n".join(lines)


def _bars(r: dict, shots: int, ctx: RunContext) -> bytes:
    import numpy as np

    acc, old = r["acc"], r["old_task_acc"]

    def draw(fig: Any) -> None:
        ax = fig.subplots()
        pos = np.arange(len(KEYS))
        new_vals = [100 * acc[k] for k in KEYS]
        old_vals = [100 * old.get(k, float("nan")) for k in KEYS]
        b1 = ax.bar(pos - 0.2, new_vals, 0.4, color=plotting.BLUE, label=ctx.t("новая задача", "new task"))
        ax.bar(
            pos + 0.2, old_vals, 0.4, color=plotting.GREY, alpha=0.7, label=ctx.t("старая задача", "old task")
        )
        for rect, v in zip(b1, new_vals, strict=True):
            ax.text(rect.get_x() + rect.get_width() / 2, v + 1, f"{v:.0f}", ha="center", fontsize=13)
        ax.axhline(
            100 / r["n_tgt"],
            color="black",
            linestyle=":",
            linewidth=1.2,
            label=ctx.t("наугад", "random guess"),
        )
        ax.set_xticks(pos)
        ax.set_xticklabels(
            [
                ctx.t("с нуля", "scratch"),
                ctx.t("заморо-\nзка", "frozen"),
                ctx.t("разм.,\nмал. lr", "unfrozen\nsmall lr"),
                ctx.t("разм.,\nбольш. lr", "unfrozen\nlarge lr"),
            ]
        )
        ax.set_ylim(0, 112)
        ax.set_ylabel(ctx.t("точность, %", "accuracy, %"))
        ax.set_title(
            ctx.t(f"{ctx.count(shots, 'пример|примера|примеров', '')} на класс", f"{shots} per class")
        )
        fig.legend(loc="outside lower center", ncol=3, fontsize=12)

    return plotting.render(draw, figsize=(5.6, 4.8))


def _plane(r: dict, ctx: RunContext) -> bytes:
    import numpy as np

    plane, names = r["plane"], _names(ctx)
    z_test, z_few, y_few = np.array(plane["z_test"]), np.array(plane["z_few"]), np.array(plane["y_few"])
    colors = np.array([plotting.BLUE, plotting.ORANGE, plotting.GREEN])

    def draw(fig: Any) -> None:
        axes = fig.subplots(1, 2, sharey=True)
        for ax, key in zip(axes, ("scratch", "frozen"), strict=True):
            pred = np.array(plane[f"pred_{key}"])
            ax.scatter(z_test[:, 0], z_test[:, 1], c=colors[pred % 3], s=9, alpha=0.6)
            ax.scatter(
                z_few[:, 0],
                z_few[:, 1],
                c=colors[y_few % 3],
                s=120,
                marker="*",
                edgecolors="black",
                linewidths=0.8,
            )
            ax.set_title(f"{names[key]}\n{ctx.pct(r['acc'][key])}", fontsize=14)
            ax.set_xlabel("z1")
            ax.set_xlim(-3, 3)
            ax.set_ylim(-3, 3)
            ax.set_aspect("equal")
        axes[0].set_ylabel("z2")
        fig.suptitle(
            ctx.t("Предсказания в плоскости скрытых факторов", "Predictions in the hidden-factor plane")
        )

    return plotting.render(draw, figsize=(5.6, 3.8))


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    shots, task = int(params["shots"]), str(params["task"])
    r = experiment(task=task, shots=shots, seed=ctx.seed, **SETTINGS)
    code = shown_code(
        experiment, helpers=[make_data, fit, accuracy], task=task, shots=shots, seed=ctx.seed, **SETTINGS
    )
    images = [_bars(r, shots, ctx)]
    captions = [
        ctx.t(
            "Точность на новой задаче (синие) и на старой задаче через старую голову (серые).",
            "Accuracy on the new task (blue) and on the old task through the old head (grey).",
        )
    ]
    if r["plane"] is not None:
        images.append(_plane(r, ctx))
        captions.append(
            ctx.t(
                "Цвет — предсказанный класс; звёзды — обучающие примеры. Правильный ответ — три сектора.",
                "Colour = predicted class; stars = the training examples. The right answer is three sectors.",
            )
        )
    acc, old = r["acc"], r["old_task_acc"]
    metrics = {
        "result": {k: v for k, v in r.items() if k != "plane"},
        "task": task,
        "shots": shots,
        "acc_scratch": acc["scratch"],
        "acc_frozen": acc["frozen"],
        "acc_unfreeze_small_lr": acc["unfreeze_small_lr"],
        "acc_unfreeze_large_lr": acc["unfreeze_large_lr"],
        "old_task_acc": old,
        "frozen_minus_scratch": acc["frozen"] - acc["scratch"],
        "old_task_drop_large_lr": old["frozen"] - old["unfreeze_large_lr"],
    }
    return DemoOutput(
        text=_text(r, task, shots, ctx), code=code, images=images, captions=captions, metrics=metrics
    )


DEMO = Demo(
    id="fine-tuning",
    title_ru="Fine-tuning: заморозить backbone, заменить голову, дообучить на нескольких примерах",
    title_en="Fine-tuning: freeze the backbone, replace the head, train on a few examples",
    note_slug="fine-tuning",
    params=(
        Param(
            "shots",
            "int",
            5,
            1,
            50,
            aliases=("k", "shots_per_class", "шоты"),
            help_ru="сколько размеченных примеров каждого класса есть в новой задаче",
            help_en="labelled examples per class in the new task",
        ),
        Param(
            "task",
            "choice",
            "factors",
            choices=("factors", "digits"),
            aliases=("data", "dataset", "датасет"),
            help_ru="factors — мир со скрытыми факторами; digits — цифры 0–4 → 5–9 (пример отрицательного переноса)",
            help_en="factors — a world with hidden factors; digits — digits 0–4 → 5–9 (a negative-transfer example)",
        ),
    ),
    impl=run,
)
