"""Demo ``softmax-temperature``: the same next-token logits at several temperatures — probabilities,
entropy, the top-p nucleus and sampled tokens.

The logits are a fixed toy example (a model finishing "the cat sat on the …"); the words are shown
in the user's language, the numbers are the same for both.
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

LOGITS = (4.0, 3.2, 2.9, 2.2, 1.5, 1.2, 0.8, -0.5, -1.5, -2.5)
WORDS_RU = (
    "коврик",
    "диван",
    "пол",
    "стул",
    "подоконник",
    "крышу",
    "клавиатуру",
    "луну",
    "бутерброд",
    "трансформер",
)
WORDS_EN = (
    "mat",
    "sofa",
    "floor",
    "chair",
    "windowsill",
    "roof",
    "keyboard",
    "moon",
    "sandwich",
    "transformer",
)
REFERENCE = (0.2, 1.0, 5.0)
MANY = 20_000  # samples for checking that frequencies follow the probabilities


def experiment(
    logits: list[float], temperatures: list[float], seed: int, shown: int = 12, many: int = 20000
) -> dict:
    import math

    import torch

    z = torch.tensor(logits)
    gen = torch.Generator().manual_seed(seed)
    out: dict = {"probs": [], "entropy_bits": [], "nucleus_0.9": [], "samples": [], "max_freq_error": []}
    for t in temperatures:
        p = torch.softmax(z / t, dim=0)  # dividing the logits by T before the softmax
        out["probs"].append(p.tolist())
        out["entropy_bits"].append(float(-(p * torch.log2(p.clamp_min(1e-30))).sum()))
        top = torch.sort(p, descending=True).values.cumsum(0)
        out["nucleus_0.9"].append(int((top < 0.9).sum()) + 1)  # top-p: smallest set with probability >= 0.9
        out["samples"].append(torch.multinomial(p, shown, replacement=True, generator=gen).tolist())
        freq = torch.bincount(
            torch.multinomial(p, many, replacement=True, generator=gen), minlength=len(logits)
        )
        out["max_freq_error"].append(float((freq / many - p).abs().max()))  # sampling follows p
    ranks = [sorted(range(len(logits)), key=lambda i: -pr[i]) for pr in out["probs"]]
    out["same_ranking"] = all(r == ranks[0] for r in ranks)  # temperature never reorders the tokens
    out["uniform_entropy_bits"] = math.log2(len(logits))
    return out


def _words(ctx: RunContext) -> tuple[str, ...]:
    return WORDS_RU if ctx.ru else WORDS_EN


def _text(r: dict, temps: list[float], t: float, ctx: RunContext) -> str:
    words = _words(ctx)
    logits = ", ".join(f"{w} {ctx.g(z)}" for w, z in zip(words, LOGITS, strict=True))
    lines = [
        ctx.t(
            f"Модель дописывает фразу «Кот сел на …». Логиты {ctx.count(len(LOGITS), 'кандидата|кандидатов|кандидатов', '')}: "
            f"{logits}. Вероятности: p = softmax(логиты / T), T — температура.",
            f'A model continues "The cat sat on the …". The logits of {len(LOGITS)} candidates: {logits}. '
            "Probabilities: p = softmax(logits / T), T is the temperature.",
        ),
        "",
    ]
    for i, temp in enumerate(temps):
        probs = r["probs"][i]
        top3 = ", ".join(
            f"{words[j]} {ctx.pct(probs[j])}" for j in sorted(range(len(probs)), key=lambda j: -probs[j])[:3]
        )
        sample = " ".join(words[j] for j in r["samples"][i])
        mark = ctx.t(" (ваша)", " (yours)") if i == len(temps) - 1 else ""
        nucleus = r["nucleus_0.9"][i]
        lines.append(
            ctx.t(
                f"• T = {ctx.g(temp)}{mark}: {top3}; энтропия {ctx.num(r['entropy_bits'][i], 2)} бита; "
                f"в ядре top-p 0,9 — {ctx.count(nucleus, 'слово|слова|слов', '')}. Сэмплы: {sample}",
                f"• T = {ctx.g(temp)}{mark}: {top3}; entropy {ctx.num(r['entropy_bits'][i], 2)} bits; the top-p 0.9 "
                f"nucleus holds {ctx.count(nucleus, '', 'word|words')}. Samples: {sample}",
            )
        )
    ent = r["entropy_bits"]
    order = sorted(range(len(temps)), key=lambda i: temps[i])
    monotone = all(ent[b] >= ent[a] - 1e-9 for a, b in zip(order, order[1:], strict=False))
    lines += [
        "",
        ctx.t(
            "Чем выше T, тем площе распределение и тем выше энтропия"
            + ("" if monotone else " (почти всюду)")
            + f": от {ctx.num(min(ent), 2)} до {ctx.num(max(ent), 2)} бита при максимуме log2({len(LOGITS)}) = "
            f"{ctx.num(r['uniform_entropy_bits'], 2)} (все слова равновероятны, T → ∞). При T → 0 остаётся argmax — "
            "жадное декодирование.",
            "The higher T, the flatter the distribution and the higher its entropy"
            + ("" if monotone else " (almost everywhere)")
            + f": from {ctx.num(min(ent), 2)} to {ctx.num(max(ent), 2)} bits, the maximum being log2({len(LOGITS)}) = "
            f"{ctx.num(r['uniform_entropy_bits'], 2)} (all words equally likely, T → ∞). As T → 0 only the argmax is "
            "left — greedy decoding.",
        ),
        ctx.t(
            "Порядок слов температура не меняет: "
            + (
                "при всех T он один и тот же"
                if r["same_ranking"]
                else "здесь он изменился (так быть не должно)"
            )
            + f" — «{words[0]}» всегда первое. Новых знаний T не добавляет, она только перераспределяет уже выданные "
            f"вероятности; при большой T чаще выпадают «{words[7]}» и «{words[9]}».",
            "Temperature never changes the order of the words: "
            + ("it is the same at every T" if r["same_ranking"] else "here it changed (it should not)")
            + f" — '{words[0]}' always comes first. T adds no knowledge; it only redistributes the probabilities the "
            f"model already gave, and at high T '{words[7]}' and '{words[9]}' turn up more often.",
        ),
        ctx.t(
            f"Сэмплирование честное: на {ctx.count(MANY, 'сэмпле|сэмплах|сэмплах', '')} частоты отличаются от вероятностей не больше чем на "
            f"{ctx.pct(max(r['max_freq_error']), 1)}.",
            f"Sampling is faithful: over {ctx.grouped(MANY)} samples the frequencies differ from the probabilities by at "
            f"most {ctx.pct(max(r['max_freq_error']), 1)}.",
        ),
    ]
    if t < 1:
        lines.append(
            ctx.t(
                f"Ваша T = {ctx.g(t)} < 1 делает ответы предсказуемее: вероятность первого слова "
                f"{ctx.pct(max(r['probs'][-1]))} против {ctx.pct(max(r['probs'][1]))} при T = 1.",
                f"Your T = {ctx.g(t)} < 1 makes answers more predictable: the top word gets {ctx.pct(max(r['probs'][-1]))} "
                f"vs {ctx.pct(max(r['probs'][1]))} at T = 1.",
            )
        )
    elif t > 1:
        lines.append(
            ctx.t(
                f"Ваша T = {ctx.g(t)} > 1 делает ответы разнообразнее и рискованнее: у пяти самых маловероятных слов "
                f"вместе {ctx.pct(sum(sorted(r['probs'][-1])[:5]), 1)} против {ctx.pct(sum(sorted(r['probs'][1])[:5]), 1)} при T = 1.",
                f"Your T = {ctx.g(t)} > 1 makes answers more varied and riskier: the five least likely words get "
                f"{ctx.pct(sum(sorted(r['probs'][-1])[:5]), 1)} together vs {ctx.pct(sum(sorted(r['probs'][1])[:5]), 1)} at T = 1.",
            )
        )
    return "\n".join(lines)


def _plots(r: dict, temps: list[float], ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    words = _words(ctx)
    colors = [plotting.BLUE, plotting.GREEN, plotting.ORANGE, plotting.PURPLE]

    def bars(fig: Any) -> None:
        axes = fig.subplots(1, len(temps), sharey=True)
        ys = np.arange(len(words))
        for i, (ax, temp) in enumerate(zip(axes, temps, strict=True)):
            probs = np.array(r["probs"][i])
            ax.barh(ys, 100 * probs, color=colors[i % len(colors)], height=0.75)
            ax.set_xlim(0, 100)
            ax.set_xticks([50])
            title = f"T = {ctx.g(temp)}" + (
                "\n" + ctx.t("(ваша)", "(yours)") if i == len(temps) - 1 else "\n"
            )
            ax.set_title(title, fontsize=14)
            ax.grid(axis="y", visible=False)
        axes[0].set_yticks(ys)
        axes[0].set_yticklabels(words, fontsize=12)
        axes[0].invert_yaxis()
        fig.supxlabel(ctx.t("вероятность, %", "probability, %"), fontsize=14)

    def entropy(fig: Any) -> None:
        ax = fig.subplots()
        z = np.array(LOGITS)
        ts = np.geomspace(0.05, 10, 200)
        curve = []
        for temp in ts:
            p = np.exp((z - z.max()) / temp)
            p /= p.sum()
            curve.append(float(-(p * np.log2(np.maximum(p, 1e-300))).sum()))
        ax.semilogx(ts, curve, color=plotting.GREY)
        ax.semilogx(
            temps[:-1], r["entropy_bits"][:-1], "o", color="black", label=ctx.t("эталонные T", "reference T")
        )
        ax.semilogx(
            [temps[-1]],
            [r["entropy_bits"][-1]],
            "*",
            color=plotting.RED,
            markersize=18,
            label=ctx.t("ваша T", "your T"),
        )
        ax.axhline(r["uniform_entropy_bits"], color=plotting.GREY, linestyle="--", linewidth=1.2)
        ax.text(
            0.06,
            r["uniform_entropy_bits"] - 0.3,
            ctx.t("все слова равновероятны", "all words equally likely"),
            fontsize=12,
        )
        ax.xaxis.set_major_formatter(plotting.number_formatter(ctx.ru))
        ax.set_ylim(0, r["uniform_entropy_bits"] + 0.3)
        ax.set_xlabel(ctx.t("температура T", "temperature T"))
        ax.set_ylabel(ctx.t("энтропия, бит", "entropy, bits"))
        ax.set_title(ctx.t("Чем выше T, тем больше неопределённость", "Higher T, more uncertainty"))
        ax.legend(loc="lower right")

    images = [plotting.render(bars, figsize=(5.6, 4.6)), plotting.render(entropy)]
    captions = [
        ctx.t(
            "Одни и те же логиты при разных температурах: низкая T — почти всё у первого слова, высокая — всё ровнее.",
            "The same logits at different temperatures: low T puts almost everything on the top word, high T evens it out.",
        ),
        ctx.t(
            "Энтропия распределения (в битах) в зависимости от температуры; пунктир — максимум, log2 от числа слов.",
            "Entropy of the distribution (bits) against temperature; dashed: the maximum, log2 of the number of words.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    t = float(params["t"])
    temps = [*REFERENCE, t]
    r = experiment(logits=list(LOGITS), temperatures=temps, seed=ctx.seed, many=MANY)
    code = shown_code(experiment, logits=list(LOGITS), temperatures=temps, seed=ctx.seed, many=MANY)
    images, captions = _plots(r, temps, ctx)
    metrics = {"result": r, "t": t, "temperatures": temps}
    return DemoOutput(
        text=_text(r, temps, t, ctx), code=code, images=images, captions=captions, metrics=metrics
    )


DEMO = Demo(
    id="softmax-temperature",
    title_ru="Температура softmax: одни логиты, разные T — вероятности, энтропия, сэмплы",
    title_en="Softmax temperature: the same logits at different T — probabilities, entropy, samples",
    note_slug="sampling-temperature",
    params=(
        Param(
            "t",
            "float",
            0.7,
            0.05,
            10.0,
            aliases=("temperature", "temp", "температура"),
            help_ru="ваша температура; её покажут рядом с тремя эталонными",
            help_en="your temperature, shown beside three reference ones",
        ),
    ),
    impl=run,
)
