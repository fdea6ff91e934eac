"""The passage index's lexical side, compact enough for 200,000 documents (~1.35 M
passages): each passage's words as int32 ids into one vocabulary, and BM25 as token-major
sparse matrices built from those ids.

Why not lists of str and bm25s models built from them: a jieba token as a Python str costs
~60 bytes and the bigram lists doubled them — ~100 KB a document, 23 GB at 200,000. Here a
word costs 4 bytes; a passage's character bigrams (`Lexicon.search_tokens`) are not stored
but derived from its words' ids. The BM25 matrices hold what bm25s holds (a float32 score
and an int32 passage per (passage, token) pair), computed as bm25s computes them (Lucene
idf, its float32/float64 steps), so each (passage, token) score is bm25s's to the bit; a
query's sum of them may differ in its last bit (`Bm25.scores`).
"""

from __future__ import annotations

import json
import math
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from retrieval.text import bigrams

EMPTY = "<empty>"  # the one token of a passage without words: every passage has a length
CHUNK = 50_000  # passages turned into pairs at a time: bounds the transient arrays of a build


class PassageTokens:
    """Each slot's words as ids, in order; slots are appended and never rewritten (a
    re-imported document's passages get new slots and its old ones are simply not indexed)."""

    def __init__(self) -> None:
        self.strings: list[str] = []  # id -> token
        self._id: dict[str, int] = {}
        self._bigrams: list[tuple[int, ...]] = []  # id -> ids of its character bigrams
        self._ids = array("i")  # every slot's word ids, one slot after another
        self._starts = array("q", [0])  # slot s: _ids[_starts[s] : _starts[s + 1]]

    def __len__(self) -> int:
        return len(self._starts) - 1

    def id(self, token: str) -> int:
        found = self._id.get(token)
        if found is None:
            found = self._id[token] = len(self.strings)
            self.strings.append(token)
            self._bigrams.append(())
            self._bigrams[found] = tuple(self.id(b) for b in bigrams(token))  # bigrams have none
        return found

    def known(self, tokens: list[str]) -> list[int]:
        """The ids of those tokens the vocabulary has, in order."""
        return [self._id[t] for t in tokens if t in self._id]

    def append(self, words: list[str]) -> None:
        self._ids.extend(self.id(w) for w in words or [EMPTY])
        self._starts.append(len(self._ids))

    def token_set(self, slot: int) -> set[str]:
        """`set(lexicon.search_tokens(text))` of the passage at `slot` ({EMPTY} if none)."""
        words = set(self._ids[self._starts[slot] : self._starts[slot + 1]])
        return set(map(self.strings.__getitem__, words.union(*map(self._bigrams.__getitem__, words))))

    def counts(self, slots: np.ndarray, with_bigrams: bool) -> tuple[sp.csc_matrix, np.ndarray]:
        """Term counts of these slots (rows, in order) by token id (columns), and each row's
        length: words, or words and bigrams as `Lexicon.search_tokens` gives them."""
        ids, starts = np.frombuffer(self._ids, dtype=np.int32), np.frombuffer(self._starts, dtype=np.int64)
        bigram_ids = np.fromiter((b for bs in self._bigrams for b in bs), dtype=np.int32)
        bigram_starts = np.zeros(len(self._bigrams) + 1, dtype=np.int64)
        np.cumsum([len(bs) for bs in self._bigrams], out=bigram_starts[1:])
        parts, lengths = [], []
        for at in range(0, len(slots), CHUNK):
            chunk = slots[at : at + CHUNK]
            rows, tokens = _spans(starts[chunk], starts[chunk + 1], ids)
            if with_bigrams:
                more_rows, more = _spans(bigram_starts[tokens], bigram_starts[tokens + 1], bigram_ids)
                rows, tokens = np.concatenate([rows, rows[more_rows]]), np.concatenate([tokens, more])
            shape = (len(chunk), len(self.strings))
            parts.append(sp.coo_matrix((np.ones(len(rows), dtype=np.float32), (rows, tokens)), shape=shape).tocsr())
            lengths.append(np.bincount(rows, minlength=len(chunk)))
        del ids, starts  # views of the arrays, which cannot grow while they are held
        matrix = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, len(self.strings)), dtype=np.float32)
        return matrix.tocsc(), np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)

    def save(self, folder: Path) -> None:
        (folder / "vocabulary.json").write_text(json.dumps(self.strings, ensure_ascii=False), encoding="utf-8")
        np.savez(folder / "tokens.npz", ids=np.asarray(self._ids), starts=np.asarray(self._starts))

    @classmethod
    def load(cls, folder: Path) -> "PassageTokens":
        out = cls()
        out.strings = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        out._id = {token: i for i, token in enumerate(out.strings)}
        out._bigrams = [tuple(out._id[b] for b in bigrams(token)) for token in out.strings]
        with np.load(folder / "tokens.npz") as arrays:
            out._ids.frombytes(arrays["ids"].astype(np.int32).tobytes())
            out._starts = array("q", arrays["starts"].astype(np.int64).tobytes())
        return out


def _spans(lo: np.ndarray, hi: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """values[lo[i]:hi[i]] for every i, one after another, each with its i."""
    sizes = hi - lo
    rows = np.repeat(np.arange(len(sizes)), sizes)
    offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return rows, values[np.repeat(lo, sizes) + offsets]


@dataclass(frozen=True)
class Bm25:
    """BM25 scores as a token-major sparse matrix: row t holds the passages (columns, by
    position) that hold token t, each with its score for t."""

    matrix: sp.csr_matrix  # float32, tokens x passages

    @classmethod
    def build(cls, counts: sp.csc_matrix, lengths: np.ndarray, k1: float = 1.2, b: float = 0.75) -> "Bm25":
        """From term counts, as bm25s ("lucene") scores: idf(t) tf / (tf + k1 (1 - b + b len / avg))."""
        n = counts.shape[0]
        df = np.diff(counts.indptr)
        # bm25s: math.log in float64 per token, stored as float32; the rest in float64
        # element by element, then stored as float32 — the same steps give the same bits.
        idf = np.array([math.log(1 + (n - d + 0.5) / (d + 0.5)) if d else 0.0 for d in df.tolist()], dtype=np.float32)
        norm = k1 * ((1 - b) + b * lengths / lengths.astype(np.int64).mean()) if n else lengths
        data, rows = counts.data, counts.indices.astype(np.int32, copy=False)
        token_idf = np.repeat(idf, df)
        for at in range(0, len(data), 8 * CHUNK):
            tf = data[at : at + 8 * CHUNK]
            tf[:] = token_idf[at : at + 8 * CHUNK] * (tf / (norm[rows[at : at + 8 * CHUNK]] + tf))
        return cls(sp.csr_matrix((data, rows, counts.indptr), shape=(len(df), n)))

    @property
    def n(self) -> int:
        """Passages."""
        return self.matrix.shape[1]

    @property
    def df(self) -> np.ndarray:
        """Passages holding each token."""
        return np.diff(self.matrix.indptr)

    def scores(self, ids: list[int]) -> np.ndarray:
        """Each passage's score for the query's token ids (a repeated token counts again, as
        in bm25s). The query's rows are taken out and summed in one pass in C: a Python loop
        of NumPy scatter-adds over them cost 4x as much at 1.3 M passages (76 -> 20 ms).
        The sum runs in token-id order, so a score may differ from bm25s's in its last bit."""
        known = [t for t in ids if t < self.matrix.shape[0]]  # tokens new since the build are in no passage
        if not known:
            return np.zeros(self.n, dtype=np.float32)
        tokens, repeats = np.unique(known, return_counts=True)
        return self.matrix[tokens].T @ repeats.astype(np.float32)
