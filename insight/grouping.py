"""Group messages about the same problem at the same place within a time window.

BERTopic's chain, made local: embed each message (the packaged USE-m, what it is about),
add word TF-IDF (what it names), and cluster without a preset number of clusters — average
linkage cut at a similarity threshold — but only among messages that name the same place
within the window of each other. Same place with another problem stays apart (low
similarity); the same problem elsewhere never meets (no shared place).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering

from insight.places import Places

# Mean similarity (USE cosine and word TF-IDF cosine, weighted) a group keeps inside it:
# measured on the dev stream, messages of one event average 0.35-0.65 to each other in
# USE, and the same place's other problems 0.25-0.32.
THRESHOLD = 0.40
WORD_WEIGHT = 1.0  # TF-IDF cosines run lower than USE's (0.15 within an event, 0.02 between strangers)
# A place named in more than this share of the messages is an area, not a place.
MAX_PLACE_SHARE = 0.02
MIN_PLACE_LIMIT = 200  # a small stream may well be mostly about one place
# A message naming no place joins a group of its district when this similar to it.
ATTACH_THRESHOLD = 0.55


@dataclass(frozen=True)
class Item:
    """What grouping needs of one message."""

    time: float  # seconds since the epoch
    places: Places
    vector: np.ndarray  # L2-normalised


def similarity(vectors: np.ndarray, words, rows: np.ndarray, cols: np.ndarray, batch: int = 100_000) -> np.ndarray:
    """Similarity of each pair (rows[k], cols[k]), a batch of pairs at a time (bounded memory)."""
    out = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), batch):
        r, c = rows[start : start + batch], cols[start : start + batch]
        use = np.einsum("ij,ij->i", vectors[r], vectors[c])
        tfidf = np.asarray(words[r].multiply(words[c]).sum(axis=1)).ravel()
        out[start : start + batch] = use + WORD_WEIGHT * tfidf
    return out


def candidate_pairs(items: list[Item], window: timedelta) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of messages naming one place, no further apart in time than the window."""
    by_place: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        for key in item.places.keys:
            by_place[key].append(i)
    limit = max(MIN_PLACE_LIMIT, int(MAX_PLACE_SHARE * len(items)))
    seconds = window.total_seconds()
    rows: list[int] = []
    cols: list[int] = []
    for members in by_place.values():
        if len(members) < 2 or len(members) > limit:
            continue
        members.sort(key=lambda i: items[i].time)
        start = 0
        for end, j in enumerate(members):
            while items[j].time - items[members[start]].time > seconds:
                start += 1
            rows.extend(members[start:end])
            cols.extend([j] * (end - start))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pairs = np.unique(np.array([rows, cols]).T, axis=0)
    return pairs[:, 0], pairs[:, 1]


def group(items: list[Item], words, window: timedelta, threshold: float = THRESHOLD) -> list[list[int]]:
    """Groups of message indices (two messages or more), each about one problem at one place."""
    n = len(items)
    vectors = np.stack([item.vector for item in items]) if items else np.zeros((0, 1))
    rows, cols = candidate_pairs(items, window)
    sims = similarity(vectors, words, rows, cols)
    keep = sims >= threshold * 0.75  # far below the cut can never join: fewer, smaller components
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    count, component = connected_components(graph, directed=False)
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(component):
        members[c].append(i)
    pair_sim = {(int(a), int(b)): float(s) for a, b, s in zip(rows, cols, sims)}
    groups: list[list[int]] = []
    for indices in members.values():
        if len(indices) < 2:
            continue
        if len(indices) == 2:
            groups.append(indices)
            continue
        # Average linkage over the component: pairs not linked by place or time count as 0.
        position = {i: k for k, i in enumerate(indices)}
        distance = np.ones((len(indices), len(indices)))
        np.fill_diagonal(distance, 0)
        for i in indices:
            for j in indices:
                s = pair_sim.get((i, j)) if i < j else None
                if s is not None:
                    distance[position[i], position[j]] = distance[position[j], position[i]] = 1 - min(s, 1.0)
        labels = AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1 - threshold
        ).fit_predict(distance)
        for label in set(labels):
            chosen = [indices[k] for k in np.flatnonzero(labels == label)]
            if len(chosen) >= 2:
                groups.append(chosen)
    return attach_placeless(items, vectors, words, groups, window)


def attach_placeless(items: list[Item], vectors: np.ndarray, words, groups: list[list[int]], window: timedelta) -> list[list[int]]:
    """A message naming its district but no place ("A6区安置小区电梯…") joins the group of
    that district it is most like, when it is very like it and within the window.

    Messages are taken in order and a group grows as they join it, so the groups are found
    through an index of their districts and time spans kept up to date beside them: looking
    at every group for every message took 16 of 19 s at 20,000 messages."""
    grouped = {i for g in groups for i in g}
    seconds = window.total_seconds()
    first = [min(items[m].time for m in members) for members in groups]
    last = [max(items[m].time for m in members) for members in groups]
    by_district: dict[str, set[int]] = defaultdict(set)  # district -> the groups with a member there
    for g, members in enumerate(groups):
        for m in members:
            for name in items[m].places.districts:
                by_district[name].add(g)
    for i, item in enumerate(items):
        if i in grouped or item.places.keys or not item.places.districts:
            continue
        near = sorted(
            g
            for g in set().union(*(by_district.get(d, ()) for d in item.places.districts))
            if first[g] - seconds <= item.time <= last[g] + seconds
        )
        if not near:
            continue
        # One similarity call for all of them; each group's mean over its own slice.
        members = np.concatenate([groups[g] for g in near])
        sims = similarity(vectors, words, np.full(len(members), i), members)
        ends = np.cumsum([len(groups[g]) for g in near])
        best, best_sim = None, ATTACH_THRESHOLD
        for g, start, end in zip(near, [0, *ends[:-1]], ends):
            mean = float(sims[start:end].mean())
            if mean > best_sim:
                best, best_sim = g, mean
        if best is not None:
            groups[best] = groups[best] + [i]
            first[best], last[best] = min(first[best], item.time), max(last[best], item.time)
            for name in item.places.districts:
                by_district[name].add(best)
    return groups
