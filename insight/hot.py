"""Hot issues of a stream of hotline records: place → embed → group → describe → heat.

`hot_issues(records, window)` returns issues ranked by heat, each with its label (place +
problem words, BERTopic's c-TF-IDF over the group against the stream), its messages, its
first and last message time, heat and whether it is a burst.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

import jieba
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from insight.forked import map_chunks
from insight.grouping import Item, group, membership
from insight.places import GENERIC, SUFFIXES, PlaceFinder, Places
from insight.records import Record

EMBED_CHARS = 160  # the title and the opening say what the message is about
WORD_CHARS = 300
MIN_MESSAGES = 3  # fewer is not an issue yet
# Heat: volume counts most; engagement (likes and dislikes) and concentration add to it.
LIKE_WEIGHT, DENSITY_WEIGHT = 1.0, 2.0
# A burst: a group that appeared within one window and grows at least this fast.
BURST_PER_DAY = 1.0
PLACE_WORDS = GENERIC | set(SUFFIXES) | {"周边", "附近", "居民", "业主", "领导", "部门", "相关", "反映", "希望"}
STOP_CHARS = set("的了是我们你他她在有和就都而及与着或一个这那也很还要请问吗呢吧啊")


@dataclass
class Issue:
    rank: int
    label: str
    message_ids: list[str]
    window_start: str
    window_end: str
    heat: float
    burst: bool
    place: str
    problem: str
    members: list[Record] = field(default_factory=list, repr=False)

    def as_json(self) -> dict:
        return {
            "rank": self.rank,
            "label": self.label,
            "message_ids": self.message_ids,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "heat": self.heat,
            "burst": self.burst,
        }


def parse_window(text: str) -> timedelta:
    """"7d", "48h", "90m" → a timedelta."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise ValueError(f"window {text!r}: use a number of days, hours or minutes, e.g. 7d")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


def problem_text(record: Record, places: Places) -> str:
    """The message without its place names: what is wrong, not where."""
    text = f"{record.title}。{record.text[:WORD_CHARS]}"
    for name in sorted(places.names + places.districts, key=len, reverse=True):
        text = text.replace(name, "")
    return text


def words(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if len(w) > 1 and not (set(w) & STOP_CHARS) and not w.isascii()]


def heat_of(members: list[Record]) -> tuple[float, bool, float]:
    times = sorted(r.time for r in members)
    span_days = max((times[-1] - times[0]).total_seconds() / 86400, 1.0)
    engagement = sum(r.likes + r.dislikes for r in members)
    density = len(members) / span_days
    heat = len(members) + LIKE_WEIGHT * math.log1p(engagement) + DENSITY_WEIGHT * min(density, 5.0)
    return round(heat, 2), density, span_days


def describe(places: list[Places], vocabulary: np.ndarray, weights) -> tuple[str, str]:
    """The group's place (its most named place, with its district) and problem words:
    `weights`, a sparse row, is its messages' mean TF-IDF over `vocabulary`."""
    names = Counter(n for p in places for n in p.names)
    keys = Counter(k for p in places for k in p.keys)
    districts = Counter(d for p in places for d in p.districts)
    place = ""
    if keys:
        key = keys.most_common(1)[0][0]
        place = next((n for n, _ in names.most_common() if key in n), key)
    if districts:
        district = districts.most_common(1)[0][0]
        place = place if place.startswith(district) else district + place
    ranked = sorted((-w, vocabulary[i]) for i, w in zip(weights.indices, weights.data) if w > 0)  # equals: by the word
    top = [word for _, word in ranked[:12]]
    top = [w for w in top if w not in PLACE_WORDS and not any(w in n or n in w for n in list(names) + list(keys))][:3]
    return place, "".join(top[:2]) + "问题" if top else "问题"


@dataclass
class Prepared:
    """What grouping needs of each message, computed once when it arrives (insight.store keeps it)."""

    places: list[Places]
    texts: list[str]  # without place names
    tokens: list[list[str]]
    vectors: np.ndarray


def prepare(records: list[Record], embedder, finder: PlaceFinder) -> Prepared:
    def read(chunk: list[Record]) -> list[tuple[Places, str, list[str]]]:
        out = []
        for record in chunk:
            places = finder.extract(record.title, record.text, given=record.place)
            text = problem_text(record, places)
            out.append((places, text, words(text)))
        return out

    read_all = map_chunks(read, records)  # pure Python: a process per core for a bulk
    texts = [text for _, text, _ in read_all]
    vectors = embed(embedder, [t[:EMBED_CHARS] for t in texts])
    return Prepared([p for p, _, _ in read_all], texts, [w for _, _, w in read_all], vectors)


def embed(embedder, texts: list[str]) -> np.ndarray:
    """Texts embedded in order of length, so a batch pads little (faster, and nearer each
    text's own vector); returned in the order given."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    found = embedder.encode_passages([texts[i] for i in order])
    vectors = np.empty_like(found)
    vectors[order] = found
    return vectors


def hot_issues(records: list[Record], window: timedelta, embedder, finder: PlaceFinder | None = None, min_messages: int = MIN_MESSAGES) -> list[Issue]:
    order = sorted(range(len(records)), key=lambda i: (records[i].time, records[i].id))
    records = [records[i] for i in order]
    return rank_issues(records, prepare(records, embedder, finder or PlaceFinder()), window, min_messages)


def rank_issues(records: list[Record], prepared: Prepared, window: timedelta, min_messages: int = MIN_MESSAGES) -> list[Issue]:
    """Issues of messages already prepared (sorted by time), ranked by heat."""
    vectoriser, word_matrix = word_weights(prepared.tokens)
    groups = group(grouping_items(records, prepared), word_matrix, window)
    return rank_groups(records, prepared, groups, window, (vectoriser, word_matrix), min_messages)


def grouping_items(records: list[Record], prepared: Prepared) -> list[Item]:
    """What grouping needs of each message."""
    return [Item(r.time.timestamp(), p, v) for r, p, v in zip(records, prepared.places, prepared.vectors)]


def word_weights(tokens: list[list[str]]) -> tuple[TfidfVectorizer, object]:
    """TF-IDF of the messages' words, against the messages given (the stream or its window)."""
    vectoriser = TfidfVectorizer(analyzer=_given, sublinear_tf=True, min_df=1)
    return vectoriser, vectoriser.fit_transform(tokens)


def fixed_word_weights(frequencies: dict[str, int], messages: int, tokens: list[list[str]]) -> tuple[TfidfVectorizer, object]:
    """TF-IDF of `tokens` with the IDF of `messages` messages, `frequencies[word]` of which
    hold the word — the same formula as `word_weights` (smoothed, sublinear TF)."""
    vectoriser = TfidfVectorizer(analyzer=_given, sublinear_tf=True, vocabulary={w: i for i, w in enumerate(frequencies)})
    vectoriser.idf_ = np.log((1 + messages) / (1 + np.fromiter(frequencies.values(), dtype=np.float64, count=len(frequencies)))) + 1
    return vectoriser, vectoriser.transform(tokens)


class SparseRow(NamedTuple):
    """One row of a CSR matrix as its arrays: `matrix[k]` builds a matrix, 0.1 ms each of
    20,000 groups a day."""

    indices: np.ndarray
    data: np.ndarray


def _row(matrix, k: int) -> SparseRow:
    start, end = matrix.indptr[k], matrix.indptr[k + 1]
    return SparseRow(matrix.indices[start:end], matrix.data[start:end])


def rank_groups(
    records: list[Record],
    prepared: Prepared,
    groups: list[list[int]],
    window: timedelta,
    weights: tuple[TfidfVectorizer, object] | None = None,
    min_messages: int = MIN_MESSAGES,
) -> list[Issue]:
    """Groups of the messages (indices into `records`) as issues, described and ranked by heat."""
    vectoriser, word_matrix = weights or word_weights(prepared.tokens)
    groups = [g for g in groups if len(g) >= min_messages]
    vocabulary = vectoriser.get_feature_names_out()
    means = (membership(groups, word_matrix.shape[0], mean=True) @ word_matrix).tocsr()  # every group's mean word weights
    issues: list[Issue] = []
    for k, indices in enumerate(groups):
        members = [records[i] for i in sorted(indices, key=lambda i: (records[i].time, records[i].id))]
        heat, density, span_days = heat_of(members)
        place, problem = describe([prepared.places[i] for i in indices], vocabulary, _row(means, k))
        issues.append(
            Issue(
                rank=0,
                label=f"{place} {problem}".strip(),
                message_ids=[r.id for r in members],
                window_start=members[0].time.isoformat(timespec="seconds"),
                window_end=members[-1].time.isoformat(timespec="seconds"),
                heat=heat,
                burst=span_days <= window.total_seconds() / 86400 and density >= BURST_PER_DAY and len(members) >= 5,
                place=place,
                problem=problem,
                members=members,
            )
        )
    issues.sort(key=lambda issue: (-issue.heat, issue.window_start))
    for rank, issue in enumerate(issues, start=1):
        issue.rank = rank
    return issues


def _given(tokens: list[str]) -> list[str]:
    return tokens  # tokens are made once, in prepare
