"""Demo ``attention``: a toy self-attention layer over a short sentence — the weight heatmap, what
changes when a word moves (with and without positional encoding) and why scores are divided by √d.

Words become vectors without any model download: the sum of fixed random vectors of their
character trigrams (so «кот» and «кота» share most of theirs). The layer is untrained (random
W_q, W_k, W_v): which word looks at which is arbitrary, the arithmetic is the real one.
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

DEFAULT_RU = "кот сел на коврик потому что он устал"
DEFAULT_EN = "the cat sat on the mat because it was tired"


def experiment(words: list[str], seed: int, d: int = 32) -> dict:
    import hashlib
    import math

    import torch

    def embed(word):  # sum of fixed random vectors of the word's character trigrams
        v, w = torch.zeros(d), f"<{word}>"
        for i in range(len(w) - 2):
            key = int.from_bytes(hashlib.sha256(w[i : i + 3].encode()).digest()[:8], "little")
            v += torch.randn(d, generator=torch.Generator().manual_seed(key))
        return v / v.norm() * math.sqrt(d)

    def positions(n):  # sinusoidal positional encoding (Vaswani et al., 2017)
        angle = torch.arange(n)[:, None] / 10000 ** (torch.arange(0, d, 2) / d)
        return torch.stack([torch.sin(angle), torch.cos(angle)], dim=2).reshape(n, d)

    torch.manual_seed(seed)
    wq, wk, wv = (torch.randn(d, d) / math.sqrt(d) for _ in range(3))  # an untrained layer

    def attend(ws, with_positions=True, scale=True):
        x = torch.stack([embed(w) for w in ws]) + (positions(len(ws)) if with_positions else 0)
        scores = (x @ wq) @ (x @ wk).T / (math.sqrt(d) if scale else 1)
        a = torch.softmax(scores, dim=1)  # row i: how much word i looks at every word; rows sum to 1
        return a, a @ (x @ wv)

    n = len(words)
    perm = list(range(1, n)) + [0]  # move the first word to the end
    moved = [words[i] for i in perm]
    a, out = attend(words)
    a_moved, out_moved = attend(moved)
    b, b_out = attend(words, with_positions=False)
    b_moved, b_out_moved = attend(moved, with_positions=False)
    back = torch.tensor(perm)  # row/column j of the moved sentence is word perm[j] of the original
    unscaled, _ = attend(words, scale=False)
    return {
        "d": d,
        "weights": a.tolist(),
        "weights_moved": a_moved.tolist(),
        "row_sums_max_error": float((a.sum(dim=1) - 1).abs().max()),
        # without positions, moving a word just permutes the weights and the outputs
        "no_pos_permutation_error": float((b_moved - b[back][:, back]).abs().max()),
        "no_pos_output_change": float((b_out_moved[-1] - b_out[0]).norm() / b_out[0].norm()),
        # with positions, the moved word looks elsewhere: total variation between its two rows
        "pos_row_change": float(0.5 * (a_moved[-1] - a[0][back]).abs().sum()),
        "pos_output_change": float((out_moved[-1] - out[0]).norm() / out[0].norm()),
        "mean_max_weight": float(a.max(dim=1).values.mean()),
        "mean_max_weight_unscaled": float(unscaled.max(dim=1).values.mean()),
        "row_moved_before": a[0][back].tolist(),
        "row_moved_after": a_moved[-1].tolist(),
        "row_moved_before_no_pos": b[0][back].tolist(),
        "row_moved_after_no_pos": b_moved[-1].tolist(),
    }


def _words(params: dict[str, Any], ctx: RunContext) -> list[str]:
    text = str(params["sentence"]) or (DEFAULT_RU if ctx.ru else DEFAULT_EN)
    return text.split()


def _text(r: dict, words: list[str], ctx: RunContext) -> str:
    import numpy as np

    a = np.array(r["weights"])
    n = len(words)
    off = a - np.diag(np.diag(a))
    pairs = sorted(((off[i, j], i, j) for i in range(n) for j in range(n) if i != j), reverse=True)[:3]
    strongest = ", ".join(f"«{words[i]}» → «{words[j]}» {ctx.pct(w)}" for w, i, j in pairs)
    if not ctx.ru:
        strongest = strongest.replace("«", "'").replace("»", "'")
    first = words[0]
    q = ("«", "»") if ctx.ru else ("'", "'")
    sharp = r["mean_max_weight_unscaled"] >= 0.7
    lines = [
        ctx.t(
            f"Фраза: «{' '.join(words)}» ({ctx.count(n, 'слово|слова|слов', '')}). Каждое слово — вектор размерности {r['d']} "
            "(сумма случайных векторов его буквенных триграмм) плюс позиционный код. Q = X·W_q, K = X·W_k, V = X·W_v, "
            "веса внимания A = softmax(Q·Kᵀ/√d): строка — на какие слова смотрит слово, сумма строки — 1 "
            f"(проверка: отклонение не больше {ctx.sci(r['row_sums_max_error'], 2)}).",
            f"The phrase: '{' '.join(words)}' ({n} words). Each word is a {r['d']}-dimensional vector (the sum of random "
            "vectors of its character trigrams) plus a positional code. Q = X·W_q, K = X·W_k, V = X·W_v, attention "
            "weights A = softmax(Q·Kᵀ/√d): a row says which words a word looks at, each row sums to 1 (check: off by "
            f"at most {ctx.sci(r['row_sums_max_error'], 2)}).",
        ),
        ctx.t(
            f"Сильнее всего (кроме самих себя): {strongest}. Слой не обучен, W случайные, так что кто на кого смотрит — "
            "случайность; в обученной модели местоимение смотрело бы на то, к чему относится. Но арифметика та же.",
            f"The strongest links (besides looking at itself): {strongest}. The layer is untrained, its W are random, so "
            "who looks at whom is arbitrary; in a trained model a pronoun would look at what it refers to. The "
            "arithmetic is the same.",
        ),
        "",
        ctx.t(
            f"Переставим {q[0]}{first}{q[1]} в конец: «{' '.join(words[1:] + words[:1])}».",
            f"Move {q[0]}{first}{q[1]} to the end: '{' '.join(words[1:] + words[:1])}'.",
        ),
        ctx.t(
            "• Без позиционного кодирования веса просто переставились вместе со словами (отличие от переставленной "
            f"старой матрицы {ctx.sci(r['no_pos_permutation_error'], 2)}), и выход для {q[0]}{first}{q[1]} тот же "
            f"(отличие {ctx.sci(r['no_pos_output_change'], 2)}). Само по себе внимание порядка слов не видит.",
            "• Without positional encoding the weights are just permuted along with the words (off from the permuted "
            f"old matrix by {ctx.sci(r['no_pos_permutation_error'], 2)}), and the output for {q[0]}{first}{q[1]} is the "
            f"same (off by {ctx.sci(r['no_pos_output_change'], 2)}). Attention by itself does not see word order.",
        ),
        ctx.t(
            f"• С позиционным кодированием {q[0]}{first}{q[1]} на новом месте смотрит по-другому: строка весов "
            f"изменилась на {ctx.pct(r['pos_row_change'])} (половина суммы модулей разностей), выход — на "
            f"{ctx.pct(r['pos_output_change'])}. Порядок теперь важен.",
            f"• With positional encoding {q[0]}{first}{q[1]} looks elsewhere from its new place: its row of weights "
            f"changed by {ctx.pct(r['pos_row_change'])} (half the sum of absolute differences), its output by "
            f"{ctx.pct(r['pos_output_change'])}. Order matters now.",
        ),
        "",
        ctx.t(
            "Зачем делить на √d: скалярное произведение d случайных компонент растёт как √d, и без деления softmax "
            + ("почти выбирает одно слово" if sharp else "заметно острее")
            + f". Средний наибольший вес в строке: {ctx.pct(r['mean_max_weight'])} с делением, "
            f"{ctx.pct(r['mean_max_weight_unscaled'])} без него — а у почти «одногорячего» softmax градиенты затухают.",
            "Why divide by √d: a dot product of d random components grows like √d, and without the division the "
            + ("softmax nearly picks one word" if sharp else "softmax is much sharper")
            + f". The mean largest weight in a row: {ctx.pct(r['mean_max_weight'])} with it, "
            f"{ctx.pct(r['mean_max_weight_unscaled'])} without — and a nearly one-hot softmax has vanishing gradients.",
        ),
    ]
    return "\n".join(lines)


def _plots(r: dict, words: list[str], ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    a = np.array(r["weights"])
    n = len(words)

    def heatmap(fig: Any) -> None:
        ax = fig.subplots()
        im = ax.imshow(100 * a, cmap="viridis", vmin=0, vmax=100)
        ax.set_xticks(range(n))
        ax.set_yticks(range(n))
        ax.set_xticklabels(words, rotation=60, ha="right", fontsize=13 if n <= 8 else 11)
        ax.set_yticklabels(words, fontsize=13 if n <= 8 else 11)
        ax.grid(False)
        if n <= 8:
            for i in range(n):
                for j in range(n):
                    ax.text(
                        j,
                        i,
                        f"{100 * a[i, j]:.0f}",
                        ha="center",
                        va="center",
                        fontsize=11,
                        color="white" if a[i, j] < 0.6 else "black",
                    )
        ax.set_xlabel(ctx.t("на какое слово смотрит", "looked at"))
        ax.set_ylabel(ctx.t("какое слово смотрит", "looking"))
        bar = fig.colorbar(im, ax=ax, shrink=0.8)
        bar.set_label(ctx.t("вес внимания, %", "attention weight, %"))
        ax.set_title(ctx.t("Веса внимания, %", "Attention weights, %"))

    first = words[0]

    def moved(fig: Any) -> None:
        axes = fig.subplots(2, 1, sharex=True, sharey=True)
        xs = np.arange(n)
        for ax, before, after, title in (
            (
                axes[0],
                r["row_moved_before_no_pos"],
                r["row_moved_after_no_pos"],
                ctx.t("без позиций", "no positions"),
            ),
            (
                axes[1],
                r["row_moved_before"],
                r["row_moved_after"],
                ctx.t("с позиционным кодом", "with positions"),
            ),
        ):
            ax.bar(xs - 0.2, before, 0.4, color=plotting.BLUE, label=ctx.t("на своём месте", "in place"))
            ax.bar(
                xs + 0.2, after, 0.4, color=plotting.ORANGE, label=ctx.t("в конце фразы", "moved to the end")
            )
            ax.set_title(title)
            ax.set_ylabel(ctx.t("вес", "weight"))
        axes[1].set_xticks(xs)
        axes[1].set_xticklabels(words[1:] + words[:1], rotation=60, ha="right", fontsize=12)
        axes[0].legend(loc="upper right", fontsize=12)
        fig.suptitle(ctx.t(f"Куда смотрит «{first}»", f"Where '{first}' looks"))

    images = [plotting.render(heatmap, figsize=(5.6, 5.4)), plotting.render(moved, figsize=(5.6, 5.4))]
    captions = [
        ctx.t(
            "Строка — слово, которое смотрит; столбец — на кого; каждая строка в сумме 100%.",
            "A row is the word that looks, a column is the word looked at; every row sums to 100%.",
        ),
        ctx.t(
            f"Веса слова «{first}» до и после переноса в конец: без позиций они те же, с позициями — другие.",
            f"The weights of '{first}' before and after moving it to the end: the same without positions, "
            "different with them.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    words = _words(params, ctx)
    r = experiment(words=words, seed=ctx.seed)
    code = shown_code(experiment, words=words, seed=ctx.seed)
    images, captions = _plots(r, words, ctx)
    keep = (
        "d",
        "row_sums_max_error",
        "no_pos_permutation_error",
        "no_pos_output_change",
        "pos_row_change",
        "pos_output_change",
        "mean_max_weight",
        "mean_max_weight_unscaled",
        "weights",
    )
    metrics = {"result": {k: r[k] for k in keep}, "words": words}
    return DemoOutput(text=_text(r, words, ctx), code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="attention",
    title_ru="Внимание (self-attention): карта весов и что меняется, когда слово переезжает",
    title_en="Self-attention: the weight map and what changes when a word moves",
    note_slug="attention",
    params=(
        Param(
            "sentence",
            "text",
            "",
            2,
            12,
            aliases=("text", "phrase", "фраза", "предложение", "текст"),
            help_ru="фраза из 2–12 слов, по-русски или по-английски",
            help_en="a phrase of 2–12 words, in Russian or English",
        ),
    ),
    impl=run,
)
