"""Fit the reranker (`retrieval.rerank`) on authored training questions.

    python -m retrieval.train_rerank data/retrieval/rerank_train.jsonl [--eval FILE ...] [--write]

Each training question's top fused candidates become rows (its features, 1 if the item is
one of its gold items); a logistic model is fitted on standardised features. It prints
recall@1/5 and MRR of the fused order and of the reranked one by 5-fold cross-validation
over the training questions (grouped by question), then, for each `--eval` file, the same
with the model fitted on all training questions: evaluation files are only read, never
learnt from. `--write` saves the weights to `data/retrieval/reranker.json`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from retrieval.eval import read_queries
from retrieval.rerank import DEPTH, Reranker
from retrieval.search import Searcher
from retrieval.service import open_searcher
from retrieval.text import normalise
from settings import get_settings

RATIOS = [round(0.1 + 0.05 * i, 2) for i in range(18)]  # 0.10 … 0.95
SINGLE_PRECISION = 0.9


def question_rows(searcher: Searcher, queries: list[dict]) -> list[tuple[list[dict[str, float]], list[int]]]:
    """Per question: its candidates' features and labels, in fused order."""
    out = []
    for row in queries:
        text = normalise(row["query"])
        found = searcher.candidates(text, None, "fused", DEPTH)
        features = searcher.candidate_features(searcher.question_view(text, found.words), found.ranked, found.signals)
        gold = set(row["gold"])
        out.append((features, [int(searcher.index.items[slot].code in gold) for slot in found.ranked]))
    return out


def fit(rows: list[tuple[list[dict[str, float]], list[int]]], names: list[str]) -> Reranker:
    x = np.array([[f.get(n, 0.0) for n in names] for features, _ in rows for f in features])
    y = np.array([label for _, labels in rows for label in labels])
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000).fit((x - means) / scales, y)
    return Reranker(
        weights={n: round(float(w), 4) for n, w in zip(names, model.coef_[0])},
        bias=round(float(model.intercept_[0]), 4),
        means={n: round(float(m), 6) for n, m in zip(names, means)},
        scales={n: round(float(s), 6) for n, s in zip(names, scales)},
    )


def gold_rank(features: list[dict[str, float]], labels: list[int], reranker: Reranker | None) -> int | None:
    """The first gold item's rank among the candidates (None: no gold item among them)."""
    order = list(range(len(labels)))
    if reranker:
        order.sort(key=lambda i: -reranker.probability(features[i]))
    return next((rank for rank, i in enumerate(order, 1) if labels[i]), None)


def choice_outcome(rows: list[tuple[list[dict[str, float]], list[int], Reranker]], ratio: float) -> tuple[float, float, float]:
    """If every candidate scoring at least `ratio` of the best were offered (at most 5):
    the share of questions whose offer holds a gold item, the share answered with one item,
    and how often such a single answer is right."""
    hit = single = right = 0
    for features, labels, reranker in rows:
        scores = [reranker.probability(f) for f in features]
        top = max(scores)
        offered = sorted((i for i, s in enumerate(scores) if s >= ratio * top), key=lambda i: -scores[i])[:5]
        hit += any(labels[i] for i in offered)
        if len(offered) == 1:
            single += 1
            right += labels[offered[0]]
    return hit / len(rows), single / len(rows), right / (single or 1)


def ranking_metrics(ranks: list[int | None]) -> dict[str, float]:
    n = max(len(ranks), 1)
    return {
        "recall@1": round(sum(1 for r in ranks if r == 1) / n, 4),
        "recall@5": round(sum(1 for r in ranks if r and r <= 5) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train", type=Path)
    parser.add_argument("--eval", type=Path, nargs="*", default=[])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    searcher, _ = open_searcher(settings)
    names = sorted(searcher.candidate_features(searcher.question_view("", set()), [0], {})[0])
    rows = question_rows(searcher, read_queries(args.train))
    learnable = [r for r in rows if any(r[1])]
    print(f"training questions: {len(rows)}, with a gold item among the top {DEPTH}: {len(learnable)}")

    fused_ranks, reranked_ranks, held_out = [], [], []
    for train, test in GroupKFold(n_splits=5).split(learnable, groups=range(len(learnable))):
        fold_model = fit([learnable[i] for i in train], names)
        for i in test:
            fused_ranks.append(gold_rank(*learnable[i], None))
            reranked_ranks.append(gold_rank(*learnable[i], fold_model))
            held_out.append((*learnable[i], fold_model))
    print(f"{'set':<34}{'order':<10}{'recall@1':>10}{'recall@5':>10}{'mrr':>8}")
    report = {"cv": {"fused": ranking_metrics(fused_ranks), "reranked": ranking_metrics(reranked_ranks)}}
    for order, metrics in report["cv"].items():
        print(f"{'training, 5-fold CV':<34}{order:<10}" + "".join(f"{v:>10.4f}" for v in metrics.values()))
    reranker = fit(learnable, names)
    # Choices: as few as possible while a single answer stays right SINGLE_PRECISION of the
    # time on held-out folds — a wrong single answer misleads the whole conversation after it.
    print(f"{'choice ratio':<14}{'gold offered':>14}{'one item':>10}{'one item right':>16}")
    outcomes = {ratio: choice_outcome(held_out, ratio) for ratio in RATIOS}
    for ratio, (hit, single, right) in outcomes.items():
        print(f"{ratio:<14.2f}{hit:>14.3f}{single:>10.3f}{right:>16.3f}")
    reranker.choice_ratio = max((r for r, o in outcomes.items() if o[2] >= SINGLE_PRECISION), default=RATIOS[0])
    print(f"choice ratio: {reranker.choice_ratio} (the largest whose single answers are right >= {SINGLE_PRECISION:.0%} of the time)")
    for path in args.eval:
        eval_rows = question_rows(searcher, read_queries(path))
        report[path.name] = {
            "fused": ranking_metrics([gold_rank(*row, None) for row in eval_rows]),
            "reranked": ranking_metrics([gold_rank(*row, reranker) for row in eval_rows]),
        }
        for order, metrics in report[path.name].items():
            print(f"{path.name:<34}{order:<10}" + "".join(f"{v:>10.4f}" for v in metrics.values()))
    if args.write:
        out = {
            "weights": reranker.weights,
            "bias": reranker.bias,
            "means": reranker.means,
            "scales": reranker.scales,
            "choice_ratio": reranker.choice_ratio,
            "fitted_on": {"file": args.train.name, "questions": len(learnable), "embedders": settings.embedders},
        }
        path = settings.data_dir / "retrieval" / "reranker.json"
        path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
