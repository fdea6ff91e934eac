"""The retrieval index: FAISS (dense, per embedder and view) and BM25 (jieba tokens).

Rows are slots: a slot's FAISS id is its position. Removing an item frees its slot (the
id leaves FAISS, the slot stays empty); adding or updating embeds only the changed items.
BM25 statistics are recomputed from the stored tokens, which takes well under a second
for a portal's catalogue, so no item is ever re-tokenised or re-embedded.
"""

from __future__ import annotations

import json
import math
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import bm25s
import faiss
import numpy as np

from catalogue.model import ServiceItem
from retrieval.documents import bm25_text, full_text, name_text
from retrieval.embedders import CachedEmbedder
from retrieval.text import Lexicon

log = logging.getLogger(__name__)

FORMAT_VERSION = 4
VIEWS = {"name": name_text, "full": full_text}
REBUILD_HINT = "rebuild it with `make index` (python -m retrieval.build)"


class IndexUnavailable(RuntimeError):
    """The index on disk is missing, stale or corrupt."""


@dataclass
class RetrievalIndex:
    embedders: list[CachedEmbedder]
    lexicon: Lexicon
    items: list[ServiceItem | None] = field(default_factory=list)  # by slot
    tokens: list[list[str]] = field(default_factory=list)  # BM25 tokens by slot
    dense: dict[str, faiss.IndexIDMap2] = field(default_factory=dict)  # "<embedder>/<view>"
    fingerprint: str = ""
    _slot_of: dict[str, int] = field(default_factory=dict)
    _bm25: bm25s.BM25 | None = None
    _bm25_slots: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _df: dict[str, int] | None = None  # document frequency of each token, built on first use

    # ---- building and updating -------------------------------------------------------

    def upsert(self, items: Sequence[ServiceItem], progress: bool = False) -> None:
        """Add new items and replace changed ones; only these are tokenised and embedded."""
        if not items:
            return
        slots = []
        for item in items:
            slot = self._slot_of.get(item.code)
            if slot is None:
                slot = len(self.items)
                self.items.append(item)
                self.tokens.append([])
                self._slot_of[item.code] = slot
            else:
                self.items[slot] = item
            slots.append(slot)
        ids = np.asarray(slots, dtype=np.int64)
        for slot, item in zip(slots, items):
            self.tokens[slot] = self.lexicon.tokens(bm25_text(item))
        for embedder in self.embedders:
            for view in embedder.views:
                text_of = VIEWS[view]
                index = self.dense.get(f"{embedder.name}/{view}")
                if index is None:
                    index = faiss.IndexIDMap2(faiss.IndexFlatIP(embedder.dim))
                    self.dense[f"{embedder.name}/{view}"] = index
                index.remove_ids(ids)
                index.add_with_ids(embedder.encode_passages([text_of(i) for i in items], progress=progress), ids)
        self._reindex_bm25()

    def remove(self, codes: Iterable[str]) -> int:
        slots = [self._slot_of.pop(code) for code in codes if code in self._slot_of]
        if not slots:
            return 0
        ids = np.asarray(slots, dtype=np.int64)
        for index in self.dense.values():
            index.remove_ids(ids)
        for slot in slots:
            self.items[slot] = None
            self.tokens[slot] = []
        self._reindex_bm25()
        return len(slots)

    def sync(self, items: Sequence[ServiceItem], progress: bool = False) -> tuple[int, int, int]:
        """Make the index hold exactly `items`; returns (added, updated, removed)."""
        wanted = {item.code: item for item in items}
        changed = []
        for code, item in wanted.items():
            slot = self._slot_of.get(code)
            if slot is None or self.items[slot] != item:
                changed.append(item)
        added = sum(1 for item in changed if item.code not in self._slot_of)
        removed = self.remove([code for code in self._slot_of if code not in wanted])
        self.upsert(changed, progress=progress)
        return added, len(changed) - added, removed

    def _reindex_bm25(self) -> None:
        live = [slot for slot, item in enumerate(self.items) if item is not None]
        self._bm25_slots = np.asarray(live, dtype=np.int64)
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self._bm25.index([self.tokens[s] or ["<empty>"] for s in live], show_progress=False)
        self._df = None

    # ---- reading ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def slot_of(self, code: str) -> int | None:
        return self._slot_of.get(code)

    def live_items(self) -> Iterable[tuple[int, ServiceItem]]:
        return ((s, i) for s, i in enumerate(self.items) if i is not None)

    def document_frequency(self, token: str) -> int:
        """How many live items use the token (built on first use)."""
        if self._df is None:
            self._df = {}
            for slot in self._bm25_slots:
                for word in set(self.tokens[slot]):
                    self._df[word] = self._df.get(word, 0) + 1
        return self._df.get(token, 0)

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token over the live items (rare words weigh more)."""
        return self._idf(self.document_frequency(token))

    def idf_of_one_item(self) -> float:
        """The IDF of a word only one live item uses: the most a word can weigh here."""
        return self._idf(1)

    def _idf(self, df: int) -> float:
        return math.log(1 + (len(self._bm25_slots) - df + 0.5) / (df + 0.5))

    def bm25_scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every slot (0 for empty slots)."""
        scores = np.zeros(len(self.items), dtype=np.float32)
        if self._bm25 is not None and query_tokens and len(self._bm25_slots):
            scores[self._bm25_slots] = self._bm25.get_scores(query_tokens)
        return scores

    # ---- persistence ----------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for key, index in self.dense.items():
            faiss.write_index(index, str(folder / f"{key.replace('/', '__')}.faiss"))
        with (folder / "items.jsonl").open("w", encoding="utf-8") as fh:
            for item, tokens in zip(self.items, self.tokens):
                record = {"item": item.model_dump() if item else None, "tokens": tokens}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        manifest = {
            "format": FORMAT_VERSION,
            "fingerprint": self.fingerprint,
            "embedders": [e.name for e in self.embedders],
            "dense": sorted(self.dense),
            "items": len(self),
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        # The manifest is written last: an index without one is incomplete.
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, embedders: list[CachedEmbedder], lexicon: Lexicon) -> "RetrievalIndex":
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            raise IndexUnavailable(f"no retrieval index at {folder}: {REBUILD_HINT}")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT_VERSION:
                raise IndexUnavailable(f"index at {folder} has an old format: {REBUILD_HINT}")
            wanted = [e.name for e in embedders]
            if manifest["embedders"] != wanted:
                raise IndexUnavailable(
                    f"index at {folder} was built with {manifest['embedders']}, not {wanted}: {REBUILD_HINT}"
                )
            index = cls(embedders, lexicon, fingerprint=manifest["fingerprint"])
            with (folder / "items.jsonl").open(encoding="utf-8") as fh:
                for slot, line in enumerate(fh):
                    record = json.loads(line)
                    item = ServiceItem.model_validate(record["item"]) if record["item"] else None
                    index.items.append(item)
                    index.tokens.append(record["tokens"])
                    if item is not None:
                        index._slot_of[item.code] = slot
            for key in manifest["dense"]:
                index.dense[key] = faiss.read_index(str(folder / f"{key.replace('/', '__')}.faiss"))
                if index.dense[key].ntotal != len(index):
                    raise IndexUnavailable(f"{key} holds {index.dense[key].ntotal} vectors for {len(index)} items")
        except IndexUnavailable:
            raise
        except Exception as exc:  # corrupt files: say what to run, not a traceback
            raise IndexUnavailable(f"retrieval index at {folder} is unreadable ({exc}): {REBUILD_HINT}") from exc
        index._reindex_bm25()
        return index
