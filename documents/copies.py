"""Copies: documents that are the same text published more than once (a notice reprinted by
another site, a news item quoting it whole). In the policy_docs dev data 59 of 599 documents
have a copy, and 18 of the 386 dev questions get a copy of their document first instead of
it: doc MRR 0.886 strict, 0.914 with copies counted as one (`make eval-docs`, 2026-12-02).
No field (title, issuer, date, length) told which copy a question was written on, so the
evaluation prints both figures, to show what is lost to copies and what to ranking.
An answer cites the official copy where it can and names the others apart ("同一内容另见"),
not as related files (`documents.answer`)."""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from datetime import date
from functools import lru_cache
from typing import Iterable

from documents.model import Document

SHINGLE = 8  # characters: long enough that two unrelated notices rarely share one
SAMPLE = 7  # one shingle in 7, the same ones in every text, finds the candidates; whole sets decide
CONTAINED = 0.8  # share of the shorter text's shingles found in the other
CANDIDATES = 10  # per document, the ones sharing the most sampled shingles
DAYS_APART = 90  # a reprint follows its original within days


def shingles(text: str) -> set[str]:
    text = "".join(text.split())
    return {text[i : i + SHINGLE] for i in range(max(len(text) - SHINGLE, 1))}


def contained(a: set[str], b: set[str]) -> bool:
    return len(a & b) >= CONTAINED * min(len(a), len(b))


def apart(a: Document, b: Document) -> bool:
    """Documents that are two, however alike their texts: their 文号 differ, or their dates
    lie more than `DAYS_APART` apart (a year's notice and the next's, a revision changing a
    few amounts; a reprint follows within days)."""
    if a.doc_number and b.doc_number and a.doc_number != b.doc_number:
        return True
    try:
        return abs((date.fromisoformat(a.date) - date.fromisoformat(b.date)).days) > DAYS_APART
    except ValueError:  # a date unknown (""): only the texts can tell
        return False


def copy_of(a: Document, b: Document, a_shingles: set[str], b_shingles: set[str]) -> bool:
    """The rule: another document, not set apart by 文号 or date, holding the same text."""
    return a.docid != b.docid and not apart(a, b) and contained(a_shingles, b_shingles)


def same_text(a: Document, b: Document) -> bool:
    """Whether one document is a copy of the other (an answer's few hits: 36 pairs of the six
    longest dev documents took 40 ms, shingles included)."""
    return copy_of(a, b, _shingles_of(a.docid, a.text), _shingles_of(b.docid, b.text))


@lru_cache(maxsize=16)  # an answer's few documents (30,000 distinct characters' shingles: 3.7 MB)
def _shingles_of(docid: str, text: str) -> frozenset[str]:
    return frozenset(shingles(text))


def copies_of(documents: Iterable[Document]) -> dict[str, set[str]]:
    """Each document's copies (itself excluded), for those that have any."""
    documents_by_id = {d.docid: d for d in documents}
    sets = {docid: shingles(d.text) for docid, d in documents_by_id.items()}
    postings: dict[str, list[str]] = defaultdict(list)
    sampled = {docid: [x for x in s if zlib.crc32(x.encode()) % SAMPLE == 0] for docid, s in sets.items()}
    for docid, sample in sampled.items():
        for shingle in sample:
            postings[shingle].append(docid)
    out: dict[str, set[str]] = defaultdict(set)
    for docid, sample in sampled.items():
        sharing = Counter(other for shingle in sample for other in postings[shingle] if other != docid)
        for other, _ in sharing.most_common(CANDIDATES):
            if copy_of(documents_by_id[docid], documents_by_id[other], sets[docid], sets[other]):
                out[docid].add(other)
                out[other].add(docid)
    return dict(out)
