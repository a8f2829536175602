"""Latency of meme-picture recognition: decoding, pHash matching and OCR, over the six meme pictures.

Every step is warmed up once per picture, then timed ``--repeats`` times per picture; the table
shows p50/p95 over all samples (6 pictures × repeats). Prints a markdown table and the machine.

Usage::

    .venv/bin/python bench/bench_images.py              # 5 OCR repeats, 20 for the fast steps
    .venv/bin/python bench/bench_images.py --repeats 10
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pytesseract  # noqa: E402

from bot.vision import MemeImageIndex, load_image, perceptual_hash, recognise_meme  # noqa: E402
from bot.vision.ocr import ocr_text  # noqa: E402
from indexer.notes import load_notes  # noqa: E402

LIMIT = 10 * 1024 * 1024


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def run(repeats: int = 5, fast_repeats: int = 20) -> list[tuple[str, list[float]]]:
    """Time each step over the six meme pictures; returns (step, samples in seconds)."""
    notes = [n for n in load_notes(REPO / "knowledge") if n.image_path is not None]
    index = MemeImageIndex.from_notes(notes)
    rows: dict[str, list[float]] = {
        "load_image (decode + checks)": [],
        "perceptual_hash": [],
        "MemeImageIndex.match": [],
        "recognise_meme, known picture (hash only)": [],
        "ocr_text (2 Tesseract passes, rus+eng)": [],
        "recognise_meme, unknown picture (hash + OCR)": [],
    }
    pictures = {n.slug: n.image_path for n in notes if n.image_path is not None}
    for slug, path in pictures.items():
        data = path.read_bytes()
        img = load_image(data, LIMIT)
        without = MemeImageIndex.from_images(
            {other: load_image(p.read_bytes(), LIMIT) for other, p in pictures.items() if other != slug}
        )
        rows["load_image (decode + checks)"] += timed(partial(load_image, data, LIMIT), fast_repeats)
        rows["perceptual_hash"] += timed(partial(perceptual_hash, img), fast_repeats)
        rows["MemeImageIndex.match"] += timed(partial(index.match, img), fast_repeats)
        rows["recognise_meme, known picture (hash only)"] += timed(
            partial(recognise_meme, data, index, LIMIT), fast_repeats
        )
        rows["ocr_text (2 Tesseract passes, rus+eng)"] += timed(partial(ocr_text, img), repeats)
        rows["recognise_meme, unknown picture (hash + OCR)"] += timed(
            partial(recognise_meme, data, without, LIMIT), repeats
        )
    return list(rows.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per picture for OCR steps")
    parser.add_argument("--fast-repeats", type=int, default=20, help="timed runs per picture for hash steps")
    args = parser.parse_args(argv)
    results = run(args.repeats, args.fast_repeats)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(
        f"Machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}; "
        f"Python {platform.python_version()}; Tesseract {pytesseract.get_tesseract_version()}; "
        f"load average {load[0]:.1f}"
    )
    print()
    print("| step | n | p50, ms | p95, ms | mean, ms |")
    print("|---|---:|---:|---:|---:|")
    for step, samples in results:
        print(
            f"| {step} | {len(samples)} | {percentile(samples, 0.5) * 1000:.1f} | "
            f"{percentile(samples, 0.95) * 1000:.1f} | {statistics.fmean(samples) * 1000:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
