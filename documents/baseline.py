"""The baseline measured beside Tongban in `make eval-docs`: Langchain-Chatchat's default
recipe — 250-character chunks with 50 overlap, jieba BM25 and e5 dense, fused by
reciprocal rank (k=60), top 3 — over the same documents and the same e5 model."""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import jieba
import numpy as np

from documents.model import Document
from retrieval.embedders import CachedEmbedder

CHUNK, OVERLAP, RRF_K, CANDIDATES = 250, 50, 60, 100


@dataclass
class Chunk:
    docid: str
    text: str


def chunks(document: Document) -> list[Chunk]:
    text, step = document.text, CHUNK - OVERLAP
    return [Chunk(document.docid, text[i : i + CHUNK]) for i in range(0, max(len(text) - OVERLAP, 1), step)]


def _tokens(text: str) -> list[str]:
    return [t for t in jieba.lcut(text) if t.strip() and any(c.isalnum() for c in t)]


class Baseline:
    def __init__(self, documents: list[Document], e5: CachedEmbedder | None, progress: bool = False) -> None:
        self.chunks = [c for d in documents for c in chunks(d)]
        self.e5 = e5
        self.bm25 = bm25s.BM25()
        self.bm25.index([_tokens(c.text) or ["<empty>"] for c in self.chunks], show_progress=False)
        self.vectors = e5.encode_passages([c.text for c in self.chunks], progress=progress) if e5 else None

    def search(self, query: str, k: int = 3) -> list[Chunk]:
        bm25 = self.bm25.get_scores(_tokens(query) or ["<empty>"])
        signals = [bm25] if self.e5 is None else [bm25, self.vectors @ self.e5.encode_queries([query])[0]]
        fused: dict[int, float] = {}
        for scores in signals:
            for rank, i in enumerate(np.argsort(-scores)[:CANDIDATES]):
                fused[int(i)] = fused.get(int(i), 0.0) + 1.0 / (RRF_K + rank + 1)
        return [self.chunks[i] for i in sorted(fused, key=fused.get, reverse=True)[:k]]
