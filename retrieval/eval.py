"""Retrieval evaluation: recall@1/5/10 and MRR for hybrid (fused and reranked), fused
without the reranking stage, BM25-only and dense-only.

    python -m retrieval.eval QUERIES.jsonl      (PORTAL picks the catalogue)

Input lines: {"id", "query", "gold": [item codes]}. The last line printed is one JSON
object {"hybrid": {...}, "fused": {...}, "bm25": {...}, "dense": {...}}.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from retrieval.search import Searcher
from retrieval.service import open_searcher

METHODS = ("hybrid", "fused", "bm25", "dense")  # hybrid = fused + reranked
CUTOFFS = (1, 5, 10)


def read_queries(path: Path) -> list[dict]:
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not row.get("query") or not row.get("gold"):
            raise SystemExit(f"{path}:{number}: each line needs 'query' and 'gold'")
        queries.append(row)
    return queries


def first_gold_rank(services: list[tuple[str, str]], gold: set[tuple[str, str]]) -> int | None:
    return next((rank for rank, service in enumerate(services, 1) if service in gold), None)


def evaluate(searcher: Searcher, queries: list[dict], method: str) -> tuple[dict[str, float], list[int | None]]:
    """A hit is right when it is the gold service in any unit's implementation: search
    returns one implementation per service (`ServiceItem.service_key`), and a gold line
    may name another unit's code."""
    service_of = {item.code: item.service_key for _, item in searcher.index.live_items()}
    ranks = []
    for row in queries:
        result = searcher.search(row["query"], k=max(CUTOFFS), method=method)
        gold = {service_of.get(code, ("", code)) for code in row["gold"]}
        ranks.append(first_gold_rank([h.item.service_key for h in result.hits], gold))
    n = max(len(ranks), 1)
    metrics = {f"recall@{c}": round(sum(1 for r in ranks if r and r <= c) / n, 4) for c in CUTOFFS}
    metrics["mrr"] = round(sum(1 / r for r in ranks if r) / n, 4)
    return metrics, ranks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("queries", type=Path)
    parser.add_argument("--misses", action="store_true", help="list the queries hybrid ranks worst")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    queries = read_queries(args.queries)
    searcher, catalogue = open_searcher()
    print(f"portal={catalogue.portal} items={len(searcher.index)} queries={len(queries)} file={args.queries}")
    report: dict[str, dict[str, float]] = {}
    print(f"{'method':<8}" + "".join(f"{k:>11}" for k in [*(f'recall@{c}' for c in CUTOFFS), "mrr"]))
    for method in METHODS:
        metrics, ranks = evaluate(searcher, queries, method)
        report[method] = metrics
        print(f"{method:<8}" + "".join(f"{v:>11.4f}" for v in metrics.values()))
        if args.misses and method == "hybrid":
            for row, rank in zip(queries, ranks):
                if rank != 1:
                    print(f"  rank={rank} {row['id']} {row['query']}", file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
