"""The index at 10,000 synthetic notes: retriever load, search latency, no-op rebuild.

The notes are generated (bilingual titles, aliases, four sections of ~3 sentences); their vectors
come from a stand-in encoder with the real names and dimensions (``use`` 512, ``e5`` 384) that
hashes text to a random unit vector, since embedding 10,000 notes for real takes the better part
of an hour here and does not change what is measured: how the index loads, searches and rebuilds.
Queries are encoded by the real encoders (reported separately) and passed to search as vectors.

    MEMEBOT_HOME=var python bench/bench_scale.py [--notes 10000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WORDS_RU = "модель обучение градиент слой нейрон данные выборка ошибка потеря точность признак вес шум сеть вектор матрица".split()
WORDS_EN = "model training gradient layer neuron data sample error loss accuracy feature weight noise network vector matrix".split()


class HashEncoder:
    """A stand-in with a real encoder's name and size: text → seeded random unit vector."""

    def __init__(self, name: str, dim: int):
        self.name, self.dim = name, dim

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out


def write_notes(root: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)

    def sentence(words: list[str]) -> str:
        return " ".join(rng.choice(words) for _ in range(12)).capitalize() + "."

    for i in range(n):
        slug = f"synthetic-{i:05d}"
        body = "\n\n".join(
            f"## {head}\n" + " ".join(sentence(words) for _ in range(3))
            for head, words in (
                ("Коротко", WORDS_RU),
                ("Подробнее", WORDS_RU),
                ("In short", WORDS_EN),
                ("In depth", WORDS_EN),
            )
        )
        text = (
            f"---\nslug: {slug}\nkind: concept\ntitle: Понятие {i}\ntitle_en: Concept {i}\n"
            f"aliases: [понятие-{i}, concept-{i}]\ntags: [synthetic]\nrelated: []\nsource: generated\n---\n{body}\n"
        )
        path = root / "concepts" / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


LOAD = """
import sys, time
t = time.perf_counter()
from pathlib import Path
from indexer.encoders import MultiEncoder
from indexer.search import Retriever
from bench.bench_scale import HashEncoder
r = Retriever.load(Path(sys.argv[1]), MultiEncoder([HashEncoder("use", 512), HashEncoder("e5", 384)]))
len(r.notes)
print(time.perf_counter() - t)
"""


def main() -> None:
    from bot.config import load_settings
    from indexer.build import build_index
    from indexer.encoders import DEFAULT_ENCODER, MultiEncoder, get_encoder
    from indexer.evaluate import DEVSET, load_eval_file
    from indexer.search import Retriever
    from indexer.threads import configure_threads

    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument(
        "--keep",
        type=Path,
        help="build in this folder and keep it; a second run reuses the build (~7 min at 10,000)",
    )
    args = parser.parse_args()
    configure_threads(1)
    stand_in = MultiEncoder([HashEncoder("use", 512), HashEncoder("e5", 384)])
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        notes, root = folder / "knowledge", folder / "index"
        if not (root / "current").exists():
            t = time.perf_counter()
            write_notes(notes, args.notes)
            print(f"wrote {args.notes} notes in {time.perf_counter() - t:.1f} s")
            t = time.perf_counter()
            summary = build_index(notes, root, encoder=stand_in, progress=False)
            print(
                f"full build (stand-in vectors): {time.perf_counter() - t:.1f} s, {summary.chunks} chunks, {summary.index_kind}"
            )
        noop = []
        for _ in range(3):
            t = time.perf_counter()
            assert build_index(notes, root, encoder=stand_in, progress=False).version is None
            noop.append(time.perf_counter() - t)
        print(f"no-op rebuild: median {np.median(noop):.2f} s of 3")
        loads = []
        for _ in range(3):
            done = subprocess.run(
                [sys.executable, "-c", LOAD, str(root)],
                capture_output=True,
                text=True,
                check=True,
                cwd=REPO,
                env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
            )
            loads.append(float(done.stdout.strip().splitlines()[-1]))
        print(f"retriever load in a fresh process (notes included): median {np.median(loads):.2f} s of 3")
        retriever = Retriever.load(root, stand_in)
        real = get_encoder(DEFAULT_ENCODER, load_settings().index_dir / "assets")
        questions = [i.query for i in load_eval_file(DEVSET)][:200]
        vectors = real.encode(questions)
        for q, v in zip(questions[:20], vectors, strict=False):  # warm up
            retriever.search(q, k=5, vector=v)
        times = []
        for q, v in zip(questions, vectors, strict=True):
            t = time.perf_counter()
            retriever.search(q, k=5, vector=v)
            times.append(time.perf_counter() - t)
        ms = np.array(times) * 1000
        print(
            f"search (vector given), {len(questions)} dev questions: p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms"
        )


if __name__ == "__main__":
    main()
