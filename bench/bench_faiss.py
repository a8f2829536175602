"""Exact vs approximate FAISS search on synthetic collections: build time, query latency, recall@10.

Vectors are 512-dim (the USE dimension), L2-normalised, drawn around 1000 random centres so the
collection has the cluster structure real embeddings have. Queries are held-out points.

    python bench/bench_faiss.py [--sizes 10000 100000 1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np

DIM = 512


def synthetic(n: int, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    labels = rng.integers(0, len(centres), size=n)
    x = centres[labels] + 0.35 * rng.standard_normal((n, DIM), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def timed_search(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, float, float]:
    latencies = []
    found = []
    for q in queries:
        t = time.perf_counter()
        _, ids = index.search(q.reshape(1, -1), k)
        latencies.append(time.perf_counter() - t)
        found.append(ids[0])
    ms = np.array(latencies) * 1000
    return np.array(found), float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    faiss.omp_set_num_threads(2)
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((1000, DIM), dtype=np.float32)
    rows = []
    for n in args.sizes:
        data = synthetic(n, rng, centres)
        queries = synthetic(args.queries, rng, centres)
        flat = faiss.IndexFlatIP(DIM)
        t = time.perf_counter()
        flat.add(data)
        flat_build = time.perf_counter() - t
        truth, p50, p95 = timed_search(flat, queries, args.k)
        rows.append((n, "flat (exact)", flat_build, p50, p95, 1.0))

        if n <= 200_000:
            hnsw = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction = 80
            t = time.perf_counter()
            hnsw.add(data)
            build = time.perf_counter() - t
            for ef in (64, 128):
                hnsw.hnsw.efSearch = ef
                found, p50, p95 = timed_search(hnsw, queries, args.k)
                rows.append((n, f"hnsw M=32 ef={ef}", build, p50, p95, recall(found, truth)))

        nlist = min(1024, int(4 * np.sqrt(n)))
        quantizer = faiss.IndexFlatIP(DIM)
        ivf = faiss.IndexIVFFlat(quantizer, DIM, nlist, faiss.METRIC_INNER_PRODUCT)
        t = time.perf_counter()
        ivf.train(data[rng.choice(n, size=min(n, 40 * nlist), replace=False)])
        ivf.add(data)
        build = time.perf_counter() - t
        for nprobe in (8, 32):
            ivf.nprobe = nprobe
            found, p50, p95 = timed_search(ivf, queries, args.k)
            rows.append((n, f"ivf nlist={nlist} nprobe={nprobe}", build, p50, p95, recall(found, truth)))
        del data

    print(f"| vectors | index | build s | search p50 ms | search p95 ms | recall@{args.k} vs exact |")
    print("|---:|---|---:|---:|---:|---:|")
    for n, name, build, p50, p95, rec in rows:
        print(f"| {n:,} | {name} | {build:.1f} | {p50:.2f} | {p95:.2f} | {rec:.3f} |")


if __name__ == "__main__":
    main()
