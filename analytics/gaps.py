"""Catalogue gaps: the questions the bot could not answer (没找到, only near misses
offered, handed to a human, or answered and then rated 不满意 or worse), grouped by
meaning so editors see which items or answers are missing.

Grouping: each question is embedded by the packaged sentence encoders retrieval uses
(USE-m and multilingual-e5, cached by content), the vectors are centred on the batch's
mean (both encoders put all Chinese questions in a narrow cone; centring spreads the
batch so one cosine threshold suits any batch) and clustered by average linkage at
cosine distance GROUP_DISTANCE. Groups are listed by size, each named by its most
central question.

    python -m analytics.gaps FILE     (JSON lines {"id", "text", "topic"}; `topic` only scores)

prints the groups, purity, inverse purity and coverage (share of questions in groups of
at least 3); the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncEngine

GROUP_DISTANCE = 0.9  # tuned on data/eval/gaps_dev.jsonl (authored, 17 topics)
MIN_GROUP = 3
ENCODERS = "use+e5"
MIN_TO_CENTRE = 8  # below this a batch mean is mostly the questions themselves


@lru_cache(maxsize=1)
def encoders():
    from retrieval.embedders import make_embedders
    from settings import get_settings

    return make_embedders(ENCODERS, get_settings().embedding_cache_dir)


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def vectors_of(texts: Sequence[str]) -> np.ndarray:
    parts = []
    for encoder in encoders():
        v = np.asarray(encoder.encode_queries(list(texts)), dtype=np.float32)
        if len(texts) >= MIN_TO_CENTRE:
            v = v - v.mean(axis=0)
        parts.append(unit(v))
    return np.hstack(parts) / np.sqrt(len(parts))


def group(texts: Sequence[str]) -> list[int]:
    """A group number for each text; numbers count from 0, biggest group first."""
    if len(texts) < 2:
        return [0] * len(texts)
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(
        n_clusters=None, distance_threshold=GROUP_DISTANCE, metric="cosine", linkage="average"
    ).fit_predict(vectors_of(texts))
    order = {label: n for n, (label, _) in enumerate(Counter(labels).most_common())}
    return [order[label] for label in labels]


def grouped(texts: Sequence[str], sources: Sequence[str] | None = None, examples: int = 3) -> list[dict[str, Any]]:
    labels = group(texts)
    vectors = vectors_of(texts) if texts else np.zeros((0, 1))
    out = []
    for label in sorted(set(labels)):
        members = [i for i, l in enumerate(labels) if l == label]
        centre = vectors[members].mean(axis=0)
        central = sorted(members, key=lambda i: -float(vectors[i] @ centre))
        out.append({
            "title": texts[central[0]],
            "count": len(members),
            "examples": [texts[i] for i in central[:examples]],
            "sources": dict(Counter(sources[i] for i in members)) if sources else {},
        })
    return out


async def unanswered(engine: AsyncEngine, filters) -> list[tuple[str, str]]:
    """(question, why) of the period: no match, near misses, the question before a
    handoff, and the question answered by an item that was then rated 不满意 or worse."""
    from analytics.store import BAD_LEVELS, ratings, turns

    scope = filters.turn_scope()
    found: list[tuple[str, str]] = []
    async with engine.connect() as db:
        for text, outcome in (await db.execute(
            select(turns.c.text, turns.c.outcome).where(*scope, turns.c.is_question == 1, turns.c.outcome.in_(("no_match", "suggestion")))
        )).all():
            found.append((text, "没找到" if outcome == "no_match" else "仅有近似事项"))
        handoffs = (await db.execute(select(turns.c.sender_id, turns.c.id).where(*scope, turns.c.outcome == "handoff"))).all()
        for sender, turn_id in handoffs:
            before = (await db.execute(
                select(turns.c.text).where(turns.c.sender_id == sender, turns.c.id < turn_id, turns.c.is_question == 1,
                                           turns.c.outcome != "handoff").order_by(turns.c.id.desc()).limit(1)
            )).scalar()
            if before:
                found.append((before, "转人工"))
        bad = (await db.execute(
            select(ratings.c.sender_id, ratings.c.item_code).where(*filters.where(ratings), ratings.c.level.in_(BAD_LEVELS), ratings.c.item_code != "")
        )).all()
        for sender, code in bad:
            asked = (await db.execute(
                select(turns.c.text).where(and_(turns.c.sender_id == sender, turns.c.item_code == code, turns.c.is_question == 1))
                .order_by(turns.c.id.desc()).limit(1)
            )).scalar()
            if asked:
                found.append((asked, "差评"))
    return found


async def gap_report(engine: AsyncEngine, filters) -> dict[str, Any]:
    import asyncio

    questions = await unanswered(engine, filters)
    texts, sources = [q for q, _ in questions], [s for _, s in questions]
    groups = await asyncio.to_thread(grouped, texts, sources) if texts else []
    return {"questions": len(texts), "groups": groups}


def scores(labels: Sequence[int], topics: Sequence[str]) -> dict[str, Any]:
    by_group: dict[int, list[str]] = {}
    by_topic: dict[str, list[int]] = {}
    for label, topic in zip(labels, topics):
        by_group.setdefault(label, []).append(topic)
        by_topic.setdefault(topic, []).append(label)
    n = len(topics)
    return {
        "groups": len(by_group),
        "purity": round(sum(Counter(t).most_common(1)[0][1] for t in by_group.values()) / n, 4),
        "inverse_purity": round(sum(Counter(g).most_common(1)[0][1] for g in by_topic.values()) / n, 4),
        "coverage": round(sum(len(t) for t in by_group.values() if len(t) >= MIN_GROUP) / n, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("messages", type=Path)
    args = parser.parse_args(argv)
    rows = []
    for n, line in enumerate(args.messages.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
                rows.append((str(row["text"]), str(row.get("topic", ""))))
            except (ValueError, KeyError, TypeError):
                print(f"line {n}: not a JSON object with text", file=sys.stderr)
    if not rows:
        raise SystemExit(f"{args.messages}: no questions")
    texts, topics = [t for t, _ in rows], [t for _, t in rows]
    labels = group(texts)
    for g in grouped(texts):
        print(f"{g['count']:4d}  {g['title']}   e.g. {' / '.join(g['examples'][1:])}")
    result = scores(labels, topics)
    print(f"groups {result['groups']}  purity {result['purity']:.3f}  inverse purity {result['inverse_purity']:.3f}  coverage {result['coverage']:.3f}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
