"""Copies: documents that are the same text published more than once (a notice reprinted by
another site, a news item quoting it whole). In the policy_docs dev data 60 of 599 documents
have a copy, and 18 of the 386 dev questions get a copy of their document first instead of
it: doc MRR 0.886 strict, 0.914 with copies counted as one (`make eval-docs`, 2026-12-02).
No field (title, issuer, date, length) told which copy a question was written on, so the
evaluation prints both figures, to show what is lost to copies and what to ranking."""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from typing import Iterable

from documents.model import Document

SHINGLE = 8  # characters: long enough that two unrelated notices rarely share one
SAMPLE = 7  # one shingle in 7, the same ones in every text, finds the candidates; whole sets decide
CONTAINED = 0.8  # share of the shorter text's shingles found in the other
CANDIDATES = 10  # per document, the ones sharing the most sampled shingles


def shingles(text: str) -> set[str]:
    text = "".join(text.split())
    return {text[i : i + SHINGLE] for i in range(max(len(text) - SHINGLE, 1))}


def copies_of(documents: Iterable[Document]) -> dict[str, set[str]]:
    """Each document's copies (itself excluded), for those that have any."""
    sets = {d.docid: shingles(d.text) for d in documents}
    postings: dict[str, list[str]] = defaultdict(list)
    sampled = {docid: [x for x in s if zlib.crc32(x.encode()) % SAMPLE == 0] for docid, s in sets.items()}
    for docid, sample in sampled.items():
        for shingle in sample:
            postings[shingle].append(docid)
    out: dict[str, set[str]] = defaultdict(set)
    for docid, sample in sampled.items():
        sharing = Counter(other for shingle in sample for other in postings[shingle] if other != docid)
        for other, _ in sharing.most_common(CANDIDATES):
            a, b = sets[docid], sets[other]
            if len(a & b) >= CONTAINED * min(len(a), len(b)):
                out[docid].add(other)
                out[other].add(docid)
    return dict(out)
