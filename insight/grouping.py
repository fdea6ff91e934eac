"""Group messages about the same problem at the same place within a time window.

BERTopic's chain, made local: embed each message (the packaged USE-m, what it is about),
add word TF-IDF (what it names), and cluster without a preset number of clusters — average
linkage cut at a similarity threshold — but only among messages that name the same place
within the window of each other. Same place with another problem stays apart (low
similarity); the same problem elsewhere never meets (no shared place).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform

from insight.places import Places

# Mean similarity (USE cosine and word TF-IDF cosine, weighted) a group keeps inside it:
# measured on the dev stream, messages of one event average 0.35-0.65 to each other in
# USE, and the same place's other problems 0.25-0.32.
THRESHOLD = 0.40
# A pair this far below the cut can never end in one group: it links nothing (fewer, smaller components).
LINK_SHARE = 0.75
WORD_WEIGHT = 1.0  # TF-IDF cosines run lower than USE's (0.15 within an event, 0.02 between strangers)
# A place named in more than this share of a day's messages is an area, not a place.
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


def areas(items: list[Item]) -> set[str]:
    """Places named by too many of one day's messages to be a place: areas ("A市", a
    district's name used as a compound's). A day, not the window: a window holds more
    messages, and the share of one day's place would shrink with it."""
    per_day: Counter[int] = Counter()
    named: dict[str, Counter[int]] = defaultdict(Counter)
    for item in items:
        day = int(item.time // 86400)
        per_day[day] += 1
        for key in item.places.keys:
            named[key][day] += 1
    return {
        key
        for key, days in named.items()
        if any(count > max(MIN_PLACE_LIMIT, MAX_PLACE_SHARE * per_day[day]) for day, count in days.items())
    }


def candidate_pairs(
    items: list[Item], window: timedelta, skip: set[str] | None = None, involving: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of messages naming one place (not an area: `skip`, by default `areas(items)`),
    no further apart in time than the window. `involving` (a boolean mask): only pairs with
    at least one of those messages."""
    skip = areas(items) if skip is None else skip
    by_place: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        for key in item.places.keys:
            if key not in skip:
                by_place[key].append(i)
    seconds = window.total_seconds()
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for members in by_place.values():
        if len(members) < 2 or (involving is not None and not involving[members].any()):
            continue
        members.sort(key=lambda i: items[i].time)
        order = np.array(members)
        times = np.array([items[i].time for i in members])
        starts = np.searchsorted(times, times - seconds, side="left")
        for end, (j, start) in enumerate(zip(members, starts)):
            before = order[start:end]
            if involving is not None and not involving[j]:
                before = before[involving[before]]
            rows.append(before)
            cols.append(np.full(len(before), j))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pairs = np.unique(np.stack([np.concatenate(rows), np.concatenate(cols)]).T, axis=0)
    return pairs[:, 0], pairs[:, 1]


def group(items: list[Item], words, window: timedelta, threshold: float = THRESHOLD) -> list[list[int]]:
    """Groups of message indices (two messages or more), each about one problem at one place."""
    vectors = _stack(items)
    rows, cols = candidate_pairs(items, window)
    groups = cluster(len(items), vectors, words, rows, cols, threshold)
    return attach_placeless(items, vectors, words, groups, window)


def regroup(
    items: list[Item],
    words,
    window: timedelta,
    standing: list[list[int]],
    new: np.ndarray,
    threshold: float = THRESHOLD,
    skip: set[str] | None = None,
) -> list[list[int]]:
    """The groups once the `new` messages (a boolean mask) have arrived, given the groups
    `standing` among the others: what a day's messages change, without grouping the whole
    window again. A standing group no new message links to stays as it is; the new messages,
    with the standing groups and the ungrouped messages they link to, are grouped afresh by
    `group`'s rule; a new message naming no place joins a group of its district as there.
    `skip`: the areas (by default of `items`; a caller holding only part of the window
    passes those of all of it)."""
    vectors = _stack(items)
    skip = areas(items) if skip is None else skip
    group_of = {m: g for g, members in enumerate(standing) for m in members}
    linked = _linked(items, vectors, words, window, skip, new, threshold)
    touched = {group_of[i] for i in linked if i in group_of}
    again = linked | set(np.flatnonzero(new).tolist()) | {m for g in touched for m in standing[g]}
    # A regrouped group's average linkage changes, so ungrouped messages near its members
    # (left out of it before) are weighed again too; the new messages' pairs are done.
    old_again = np.zeros(len(items), dtype=bool)
    old_again[sorted(again)] = True
    old_again &= ~new
    again = sorted(again | {i for i in _linked(items, vectors, words, window, skip, old_again, threshold) if i not in group_of})
    kept = [members for g, members in enumerate(standing) if g not in touched]
    local = [items[i] for i in again]  # `again` in its own numbering
    sub_rows, sub_cols = candidate_pairs(local, window, skip)
    found = cluster(len(local), vectors[again], words[again], sub_rows, sub_cols, threshold) if again else []
    groups = kept + [[again[k] for k in members] for members in found]
    # Who may join by district: the new messages, and those of the regrouped groups (a
    # placeless member joined its group by district, and is left out by `cluster`).
    may_join = new.copy()
    may_join[[m for g in touched for m in standing[g]]] = True
    return attach_placeless(items, vectors, words, groups, window, only=may_join)


def _linked(items: list[Item], vectors: np.ndarray, words, window: timedelta, skip: set[str], involving: np.ndarray, threshold: float) -> set[int]:
    """The messages in a candidate pair with one of `involving` that could join a group."""
    rows, cols = candidate_pairs(items, window, skip, involving)
    keep = similarity(vectors, words, rows, cols) >= threshold * LINK_SHARE
    return set(rows[keep].tolist()) | set(cols[keep].tolist())


def _members(component: np.ndarray, count: int) -> list[np.ndarray]:
    """Each component's message indices, ascending."""
    order = np.argsort(component, kind="stable")
    return np.split(order, np.searchsorted(component[order], np.arange(1, count)))


def _stack(items: list[Item]) -> np.ndarray:
    return np.stack([item.vector for item in items]) if items else np.zeros((0, 1))


def cluster(n: int, vectors: np.ndarray, words, rows: np.ndarray, cols: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage groups (two messages or more) over the candidate pairs of n messages."""
    sims = similarity(vectors, words, rows, cols)
    keep = sims >= threshold * LINK_SHARE
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    count, component = connected_components(graph, directed=False)
    pair_component = component[rows]
    by_component = np.argsort(pair_component, kind="stable")  # each component's pairs together
    bounds = np.searchsorted(pair_component[by_component], np.arange(count + 1))
    groups: list[list[int]] = []
    for c, indices in enumerate(_members(component, count)):
        if len(indices) < 2:
            continue
        if len(indices) == 2:
            groups.append(indices.tolist())
            continue
        # Average linkage over the component: pairs not linked by place or time count as 0.
        pairs = by_component[bounds[c] : bounds[c + 1]]
        a, b = np.searchsorted(indices, rows[pairs]), np.searchsorted(indices, cols[pairs])
        distance = np.ones((len(indices), len(indices)))
        distance[a, b] = distance[b, a] = 1 - np.minimum(sims[pairs], 1.0)
        np.fill_diagonal(distance, 0)
        tree = linkage(squareform(distance, checks=False), method="average")
        # Merged while the linkage distance stays under the cut (strictly, as scikit-learn's).
        labels = fcluster(tree, np.nextafter(1 - threshold, 0), criterion="distance")
        for label in np.unique(labels):
            chosen = indices[labels == label]
            if len(chosen) >= 2:
                groups.append(chosen.tolist())
    return groups


def attach_placeless(
    items: list[Item], vectors: np.ndarray, words, groups: list[list[int]], window: timedelta, only: np.ndarray | None = None
) -> list[list[int]]:
    """A message naming its district but no place ("A6区安置小区电梯…") joins the group of
    that district it is most like, when it is very like it and within the window.
    `only` (a boolean mask): just those messages may join.

    Messages are taken in order and a group grows as they join it. Both parts of the
    similarity are dot products, so a message's summed similarity to a group's members is
    its similarity to their sum: each district's groups are compared with its messages in
    one product (`DistrictSums`), and a group that has grown since is compared afresh
    member by member. Comparing every message with every member of its district's groups
    took 8.4 s of a day's ~40 s of grouping at 320,000 messages on 2 cores; this, 3.2 s."""
    grouped = {i for g in groups for i in g}
    joining = [
        i for i, item in enumerate(items)
        if i not in grouped and not item.places.keys and item.places.districts and (only is None or only[i])
    ]
    if not joining or not groups:
        return groups
    seconds = window.total_seconds()
    times = np.array([item.time for item in items])
    sums = DistrictSums(items, times, vectors, words, groups, joining, seconds)
    first, last = sums.first.copy(), sums.last.copy()  # each group's time span, as it grows
    sizes = np.array([len(members) for members in groups], dtype=np.float64)
    grew = np.zeros(len(groups), dtype=bool)  # groups a message has joined here: their sums have changed
    grown_in: dict[str, set[int]] = defaultdict(set)  # district -> the grown groups with a member there
    for i in joining:
        t, districts = times[i], items[i].places.districts
        near, totals = [], []
        for name in districts:
            found, summed = sums.of(name, i)
            keep = ~grew[found] & (first[found] - seconds <= t) & (t <= last[found] + seconds)
            near.append(found[keep])
            totals.append(summed[keep])
        grown = sorted(g for g in set().union(*(grown_in[d] for d in districts)) if first[g] - seconds <= t <= last[g] + seconds)
        if grown:
            near.append(np.array(grown))
            totals.append(_similarity_sums(vectors, words, [groups[g] for g in grown], i))
        near_groups, near_totals = np.concatenate(near), np.concatenate(totals)
        if not len(near_groups):
            continue
        means = near_totals / sizes[near_groups]
        best_mean = means.max()
        if best_mean > ATTACH_THRESHOLD:
            best = int(near_groups[means == best_mean].min())  # the first of equals, as a strict comparison in order would
            groups[best] = groups[best] + [i]
            # Its districts: all its members' the first time it grows, the joiner's after.
            for name in districts if grew[best] else {d for m in groups[best] for d in items[m].places.districts}:
                grown_in[name].add(best)
            grew[best] = True
            sizes[best] += 1
            first[best], last[best] = min(first[best], t), max(last[best], t)
    return groups


def membership(groups: list[list[int]], count: int, dtype=np.float64, mean: bool = False) -> csr_matrix:
    """A row per group over `count` messages: 1 (or 1/size, `mean`) at each member, so that
    `membership @ matrix` is every group's sum (or mean) of its members' rows in one product."""
    values = [1 / len(g) if mean else 1 for g in groups for _ in g]
    rows = [k for k, g in enumerate(groups) for _ in g]
    return csr_matrix((np.array(values, dtype=dtype), (rows, [i for g in groups for i in g])), shape=(len(groups), count))


def _similarity_sums(vectors: np.ndarray, words, lists: list[list[int]], one: int) -> np.ndarray:
    """Summed `similarity` of one message to each list of others, in one product."""
    members = [m for others in lists for m in others]
    each = vectors[members] @ vectors[one] + WORD_WEIGHT * (words[members] @ words[one].T).toarray().ravel()
    return np.add.reduceat(each, np.cumsum([0] + [len(others) for others in lists[:-1]]))


class DistrictSums:
    """Summed similarity of the joining messages to the groups as they stood: for each
    district, its groups against its joining messages in one product, a block of messages
    at a time (bounded memory), built as `attach_placeless` reaches them."""

    CELLS = 4_000_000  # groups x messages in one block

    def __init__(self, items: list[Item], times: np.ndarray, vectors: np.ndarray, words, groups: list[list[int]], joining: list[int], seconds: float) -> None:
        # Of the vectors' type: a product with another would convert every vector first.
        self.membership = membership(groups, len(items), dtype=vectors.dtype)
        self.word_sums = (self.membership @ words).tocsr()
        self.vectors, self.words, self.times, self.seconds = vectors, words, times, seconds
        self.first = np.array([times[members].min() for members in groups])
        self.last = np.array([times[members].max() for members in groups])
        by_district: dict[str, set[int]] = defaultdict(set)  # district -> the groups with a member there
        for g, members in enumerate(groups):
            for m in members:
                for name in items[m].places.districts:
                    by_district[name].add(g)
        self.groups_of = {name: np.array(sorted(g), dtype=np.int64) for name, g in by_district.items()}
        self.messages_of: dict[str, list[int]] = defaultdict(list)
        for i in joining:
            for name in items[i].places.districts:
                self.messages_of[name].append(i)
        self.block: dict[str, tuple[dict[int, int], np.ndarray, np.ndarray]] = {}

    def of(self, district: str, one: int) -> tuple[np.ndarray, np.ndarray]:
        """The district's groups near `one` in time (as they stood) and its summed similarity to each."""
        columns, rows, sums = self.block.get(district, ({}, None, None))
        if one not in columns:
            columns, rows, sums = self._block(district, one)
            self.block[district] = columns, rows, sums
        return rows, sums[:, columns[one]]

    def _block(self, district: str, one: int):
        groups = self.groups_of.get(district, np.zeros(0, dtype=np.int64))
        messages = self.messages_of[district]
        start = messages.index(one)
        chosen = messages[start : start + max(1, self.CELLS // max(len(groups), 1))]
        span = self.times[chosen]
        rows = groups[(self.first[groups] - self.seconds <= span.max()) & (span.min() <= self.last[groups] + self.seconds)]
        # Vector sums only for the groups a block needs (all of them at once took 2.4 s).
        vector_sums = np.asarray(self.membership[rows] @ self.vectors, dtype=np.float64)
        sums = vector_sums @ self.vectors[chosen].T + WORD_WEIGHT * (self.word_sums[rows] @ self.words[chosen].T).toarray()
        return {m: k for k, m in enumerate(chosen)}, rows, sums
