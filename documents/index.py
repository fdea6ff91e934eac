"""The passage index: BM25 over jieba tokens and dense FAISS search (the retrieval/
machinery: `Lexicon`, `CachedEmbedder`, FAISS; the BM25 side in `documents/lexical.py`),
then a reranking stage.

Each passage is indexed with its context — the document's title and the passage's heading
path — since a passage rarely names the city or the subject its document is about.
Rows are slots; re-importing a document frees its old passages' slots and adds the new
ones, so only changed documents are tokenised and embedded.

Kept small for 200,000 documents (~1.35 M passages): a passage's tokens are ids
(`PassageTokens`), never lists of str (~23 GB at that size), and a passage is not kept as
an object (~1 KB each, its text a copy of its document's) but split again from its
document when a search returns it: the split is deterministic.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Iterable, Sequence

import faiss
import numpy as np
from cachetools import LRUCache

from documents.lexical import Bm25, PassageTokens
from documents.model import Document, Passage
from documents.places import places_in
from documents.splitter import split
from retrieval.embedders import CachedEmbedder
from retrieval.text import Lexicon, has_han, normalise

log = logging.getLogger(__name__)

FORMAT_VERSION = 5  # bump when the splitter or the stored fields change
CANDIDATES = 100  # per signal
RERANK = 40  # fused candidates the reranker looks at
DENSE_CHARS = 160
SPLITS_KEPT = 1024  # documents kept split for the next searches (~7 KB each; a split costs ~0.5 ms)
REBUILD_HINT = "rebuild it with `python -m documents.build`"


def context_text(document: Document, passage: Passage) -> str:
    """What a passage is searched by: its document's title, its heading path, itself."""
    headings = " ".join(h for h in passage.heading_path if h not in passage.text[:40])
    return "\n".join(p for p in (document.title, headings, passage.text) if p)


def shared_phrase(question: str, passage: str) -> float:
    """The longest run of characters the question shares with the passage, as a share of
    `PHRASE_CHARS`: a question tends to copy a phrase of the sentence that answers it
    ("满足群众生产生活出行", "核增一次性绩效工资"), which word counts cannot see.
    The question is normalised (NFKC, lower case) and the passage is not, so a copied phrase
    stops at a full-width comma or bracket; normalising the passage too was measured on the
    dev questions and moved each figure by one question of 386 at most (hit@1 0.795 -> 0.793,
    hit@3 the same), so it is not done."""
    match = SequenceMatcher(None, question, passage, autojunk=False).find_longest_match(0, len(question), 0, len(passage))
    return min(match.size, PHRASE_CHARS) / PHRASE_CHARS


def best(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest positive scores, best first, equal scores in position
    order: a stable sort's first k, without sorting every passage (a full argsort of
    1.3 M scores took ~100-170 ms a question at 200,000 documents, this ~8 ms)."""
    if k <= 0 or not len(scores):
        return np.zeros(0, dtype=np.int64)
    at = max(len(scores) - k, 0)
    kth = np.partition(scores, at)[at]  # the k-th highest: every score above it, and its ties, qualify
    candidates = np.flatnonzero(scores >= kth) if kth > 0 else np.flatnonzero(scores > 0)
    return candidates[np.argsort(-scores[candidates], kind="stable")][:k]


class DocumentsUnavailable(RuntimeError):
    """The documents index on disk is missing, stale or corrupt."""


@dataclass
class PassageHit:
    passage: Passage
    document: Document
    score: float
    signals: dict[str, float] = field(default_factory=dict)


@dataclass
class DocumentIndex:
    embedders: list[CachedEmbedder]
    lexicon: Lexicon
    documents: dict[str, Document] = field(default_factory=dict)
    dense: dict[str, faiss.IndexIDMap2] = field(default_factory=dict)  # by embedder name
    _docid_at: list[str | None] = field(default_factory=list)  # by slot; None once removed
    _slots_of: dict[str, range] = field(default_factory=dict)  # docid -> its passages' slots, in order
    _splits: LRUCache = field(default_factory=lambda: LRUCache(SPLITS_KEPT))  # docid -> (document, passages), recent
    known_places: tuple[str, ...] = ()  # province names (data/dict/provinces.txt)
    asking: frozenset[str] = frozenset()  # question words (data/dict/question_words.txt)
    # The dictionary's hash (`lexicon_fingerprint`): the stored words were split by it.
    lexicon_version: str = ""
    _tokens: PassageTokens = field(default_factory=PassageTokens)  # words by slot
    _bm25: Bm25 | None = None  # words
    _bm25_bigrams: Bm25 | None = None  # words and character bigrams
    _bm25_slots: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _position: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    # ---- building and updating -------------------------------------------------------

    def upsert(self, documents: Sequence[Document], progress: bool = False, reindex: bool = True) -> int:
        """Add documents, replacing any already held under the same docid; returns passages
        added. Bulk loads pass `reindex=False` per batch and call `reindex()` once at the end."""
        documents = [d for d in documents if d.docid not in self.documents or self.documents[d.docid] != d]
        if not documents:
            return 0
        self.remove([d.docid for d in documents], reindex=False)
        first = len(self._docid_at)
        texts: list[str] = []  # to embed
        for document in documents:
            self.documents[document.docid] = document
            passages = split(document)
            self._slots_of[document.docid] = range(len(self._docid_at), len(self._docid_at) + len(passages))
            for passage in passages:
                self._docid_at.append(document.docid)
                text = context_text(document, passage)
                self._tokens.append(self.lexicon.tokens(text))  # jieba once: bigrams come from the words
                if self.embedders:
                    texts.append(text)
        ids = np.arange(first, len(self._docid_at), dtype=np.int64)
        for embedder in self.embedders:
            index = self.dense.get(embedder.name)
            if index is None:
                index = self.dense[embedder.name] = faiss.IndexIDMap2(faiss.IndexFlatIP(embedder.dim))
            if len(ids):
                index.add_with_ids(embedder.encode_passages(texts, progress=progress), ids)
        if reindex:
            self._reindex()
        return len(ids)

    def reindex(self) -> None:
        self._reindex()

    def remove(self, docids: Iterable[str], reindex: bool = True) -> int:
        removed = 0
        for docid in docids:
            slots = self._slots_of.pop(docid, None)
            if slots is None:
                continue
            self.documents.pop(docid, None)
            self._splits.pop(docid, None)
            ids = np.arange(slots.start, slots.stop, dtype=np.int64)
            for index in self.dense.values():
                index.remove_ids(ids)
            for slot in slots:
                self._docid_at[slot] = None  # its tokens stay behind, never indexed again
            removed += 1
        if removed and reindex:
            self._reindex()
        return removed

    def _reindex(self) -> None:
        live = [slot for slot, docid in enumerate(self._docid_at) if docid is not None]
        self._bm25_slots = np.asarray(live, dtype=np.int64)
        self._position = np.full(len(self._docid_at), -1, dtype=np.int64)
        self._position[self._bm25_slots] = np.arange(len(live))
        self._bm25 = Bm25.build(*self._tokens.counts(self._bm25_slots, with_bigrams=False))
        self._bm25_bigrams = Bm25.build(*self._tokens.counts(self._bm25_slots, with_bigrams=True))

    # ---- searching --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def passage_count(self) -> int:
        return len(self._bm25_slots)

    def passages_of(self, docid: str) -> list[Passage]:
        """The document's passages, in slot order: split again unless split lately."""
        document = self.documents[docid]
        kept = self._splits.get(docid)
        if kept is None or kept[0] is not document:
            kept = self._splits[docid] = (document, split(document))
        return kept[1]

    def passage(self, slot: int) -> Passage:
        docid = self._docid_at[slot]
        return self.passages_of(docid)[slot - self._slots_of[docid].start]

    def passage_tokens(self, slot: int) -> set[str]:
        """The passage's search tokens (words and bigrams, with its title and headings)."""
        return self._tokens.token_set(slot)

    def _bm25_scores(self, model: Bm25 | None, tokens: list[str]) -> np.ndarray:
        """Scores of every live passage (by position in `_bm25_slots`), scaled by the best."""
        if model is None or not tokens or not len(self._bm25_slots):
            return np.zeros(len(self._bm25_slots), dtype=np.float32)
        scores = model.scores(self._tokens.known(tokens))
        return scores / (float(scores.max()) or 1.0)

    def _dense_scores(self, query: str, candidates: np.ndarray) -> dict[str, np.ndarray]:
        """Each embedder's similarity of the query to every live passage, min-max scaled."""
        out = {}
        for embedder in self.embedders:
            index = self.dense.get(embedder.name)
            if index is None or index.ntotal == 0:
                continue
            found, ids = index.search(embedder.encode_queries([query[:DENSE_CHARS]]), min(CANDIDATES, index.ntotal))
            scores = np.zeros(len(self._bm25_slots), dtype=np.float32)
            keep = ids[0] >= 0
            positions = self._position[ids[0][keep]]
            values = found[0][keep]
            if len(values):
                low, high = float(values.min()), float(values.max())
                scores[positions] = (values - low) / ((high - low) or 1.0)
            out[embedder.name] = scores
        return out

    def search(self, query: str, k: int = 5, rerank: bool = True, dense: bool = True) -> list[PassageHit]:
        """Passages best first: BM25 (words, and words with character bigrams) and dense
        similarity, summed with weights; then the reranker rescores the best `RERANK`.
        `dense=False` skips the query's embedding (where every millisecond counts)."""
        text = normalise(query)
        if not has_han(text) or not self.documents:
            return []
        tokens = self.lexicon.search_tokens(text)
        signals = {"bm25": self._bm25_scores(self._bm25, tokens), "bm25_bigrams": self._bm25_scores(self._bm25_bigrams, tokens)}
        if dense:
            signals.update(self._dense_scores(text, self._bm25_slots))
        weights = {"bm25": 1.0, "bm25_bigrams": 1.0, **{e.name: DENSE_WEIGHT for e in self.embedders}}
        signals = {name: scores for name, scores in signals.items() if name in weights}
        fused = sum(weights[name] * scores for name, scores in signals.items())
        order = best(fused, RERANK if rerank else k)
        final = {int(i): float(fused[i]) for i in order}
        if rerank and len(order):
            word_weights = self.idf(tokens)  # the question's words, for both reranking steps
            final = self._rerank(order, fused, text, word_weights)
        ranked = sorted(final, key=final.get, reverse=True)[:k]
        if rerank and ranked:
            ranked = self._lead_with_answer(ranked, final, word_weights)
        hits = []
        for position in ranked:
            passage = self.passage(int(self._bm25_slots[position]))
            hits.append(
                PassageHit(
                    passage,
                    self.documents[passage.docid],
                    round(final[position], 4),
                    {name: round(float(scores[position]), 4) for name, scores in signals.items()},
                )
            )
        return hits

    def _rerank(self, order: np.ndarray, fused: np.ndarray, text: str, weights: dict[str, float]) -> dict[int, float]:
        """Rescore the best candidates with what the first stage cannot see: how much of the
        question's word weight a passage (with its title and headings) covers, whether its
        document mentions the places the question names, and the longest phrase the
        question shares with the passage's own text."""
        total = sum(weights.values()) or 1.0
        wanted = places_in(text, self.lexicon, self.known_places)
        top = float(fused[order[0]]) or 1.0
        out = {}
        for position in order:
            slot = int(self._bm25_slots[position])
            present = self.passage_tokens(slot)
            coverage = sum(w for t, w in weights.items() if t in present) / total
            document = self.documents[self._docid_at[slot]]
            place = 1.0 if all(p in document.title or p in document.issuer or p in document.text for p in wanted) else 0.0
            phrase = shared_phrase(text, self.passage(slot).text)
            out[int(position)] = float(fused[position]) / top + COVERAGE_WEIGHT * coverage + PLACE_WEIGHT * place + PHRASE_WEIGHT * phrase
        return out

    def _lead_with_answer(self, ranked: list[int], final: dict[int, float], weights: dict[str, float]) -> list[int]:
        """Within the best document, lead with the passage that says what the question asks
        beyond the document's title: a question echoes its document's title, so the opening
        passage (title, preamble) matches it well without answering it. Documents keep
        their order."""
        top = self._docid_at[int(self._bm25_slots[ranked[0]])]
        title = set(self.lexicon.search_tokens(self.documents[top].title))
        specific = {t: w for t, w in weights.items() if t not in title}
        total = sum(specific.values())
        if not total:
            return ranked

        def answers(position: int) -> float:
            body = set(self.lexicon.search_tokens(self.passage(int(self._bm25_slots[position])).text))
            return final[position] + ASPECT_WEIGHT * sum(w for t, w in specific.items() if t in body) / total

        own = [p for p in ranked if self._docid_at[int(self._bm25_slots[p])] == top]
        leading = max(own, key=answers)
        return [leading] + [p for p in ranked if p != leading]

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """Each content token's inverse document frequency over passages (rare words weigh
        more); question words (多少, 哪些) are left out: answers do not contain them."""
        n = max(len(self._bm25_slots), 1)
        counts = self._bm25_bigrams.df if self._bm25_bigrams else np.zeros(0, dtype=np.int64)
        out = {}
        for token in set(tokens) - self.asking:
            ids = self._tokens.known([token])
            df = int(counts[ids[0]]) if ids and ids[0] < len(counts) else 0
            out[token] = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
        return out

    def coverage(self, question: str, passage: Passage) -> float:
        """Share of the question's word weight found in the passage or its title and headings."""
        weights = self.idf(self.lexicon.search_tokens(normalise(question)))
        present = self.passage_tokens(self._slots_of[passage.docid][passage.index])
        return sum(w for t, w in weights.items() if t in present) / (sum(weights.values()) or 1.0)

    # ---- persistence ------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, index in self.dense.items():
            faiss.write_index(index, str(folder / f"{name.replace('/', '_').replace(':', '_')}.faiss"))
        with (folder / "documents.jsonl").open("w", encoding="utf-8") as fh:
            for document in self.documents.values():
                fh.write(json.dumps(document.to_json(), ensure_ascii=False) + "\n")
        (folder / "slots.json").write_text(json.dumps(self._docid_at, ensure_ascii=False), encoding="utf-8")
        self._tokens.save(folder)  # so a load does not tokenise again
        manifest = {
            "format": FORMAT_VERSION,
            "embedders": [e.name for e in self.embedders],
            "documents": len(self.documents),
            "passages": self.passage_count,
            "lexicon": self.lexicon_version,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")  # last: complete

    @classmethod
    def load(
        cls, folder: Path, embedders: list[CachedEmbedder], lexicon: Lexicon,
        known_places: tuple[str, ...] = (), asking: frozenset[str] = frozenset(), lexicon_version: str = "",
    ) -> "DocumentIndex":
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            raise DocumentsUnavailable(f"no documents index at {folder}: {REBUILD_HINT}")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT_VERSION or manifest["embedders"] != [e.name for e in embedders]:
                raise DocumentsUnavailable(f"documents index at {folder} is stale: {REBUILD_HINT}")
            if manifest.get("lexicon", "") != lexicon_version:  # a new synonym must reach stored words too
                raise DocumentsUnavailable(f"documents index at {folder} was split by another dictionary: {REBUILD_HINT}")
            index = cls(embedders, lexicon, known_places=known_places, asking=asking, lexicon_version=lexicon_version)
            with (folder / "documents.jsonl").open(encoding="utf-8") as fh:
                for line in fh:
                    document = Document(**json.loads(line))
                    index.documents[document.docid] = document
            # A document's passages hold consecutive slots; its docid object is shared.
            docids = json.loads((folder / "slots.json").read_text(encoding="utf-8"))
            index._docid_at = [index.documents[d].docid if d is not None else None for d in docids]
            for slot, docid in enumerate(index._docid_at):
                if docid is not None:
                    index._slots_of[docid] = range(index._slots_of.get(docid, range(slot, slot)).start, slot + 1)
            index._tokens = PassageTokens.load(folder)
            for embedder in embedders:
                path = folder / f"{embedder.name.replace('/', '_').replace(':', '_')}.faiss"
                index.dense[embedder.name] = faiss.read_index(str(path))
        except DocumentsUnavailable:
            raise
        except Exception as exc:
            raise DocumentsUnavailable(f"documents index at {folder} is unreadable ({exc}): {REBUILD_HINT}") from exc
        index._reindex()
        return index


# Fusion and reranking weights, chosen on the policy_docs dev questions as a whole
# (a few global weights; never per question).
DENSE_WEIGHT = 0.5
COVERAGE_WEIGHT = 0.5
PLACE_WEIGHT = 0.3
# The shared phrase (`shared_phrase`): 12 characters or more count fully (a cap of 16 gave
# hit@1 0.767 against 12's 0.775 at weight 0.5, both measured with the phrase also weighing
# in the choice of the best document's leading passage, a step not kept). On the dev
# questions, passage hit@1 / hit@3 were 0.731 / 0.883 without it, 0.756 / 0.912 at weight
# 0.5, 0.795 / 0.917 at 1 and 0.788 / 0.902 at 2.
PHRASE_WEIGHT = 1.0
PHRASE_CHARS = 12
# The share of the question's words beyond its document's title that a passage's own text
# holds, when choosing which of the best document's passages leads (0.25–1.0 all help).
ASPECT_WEIGHT = 0.5
