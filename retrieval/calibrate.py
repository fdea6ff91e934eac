"""Fit the no-match decision (`retrieval.confidence`) and write its weights.

    python -m retrieval.calibrate QUERIES.jsonl [QUERIES.jsonl ...] [--no-match FILE ...]

Answerable questions (dev files) are positives; unanswerable ones negatives: by default
`data/retrieval/no_match_queries.txt` (chit-chat, other topics, nonsense) and
`data/retrieval/no_match_calibration.jsonl` (services the Guangdong catalogue lacks; the
other half of that authored set, data/eval/gd_unanswerable.jsonl, measures the result). The answer threshold keeps 97% of answerable questions, the suggestion
threshold 99.5%; the report says how many unanswerable ones still pass each. The model
alone is fitted and reported: the searcher also withholds a sure answer whose best hit shares
no whole word with the question (`Searcher.search`), which this report does not count.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from retrieval.eval import read_queries
from retrieval.search import Searcher
from retrieval.service import open_searcher
from settings import get_settings

KEEP_ANSWERABLE = 0.97  # answered outright
SUGGEST_ANSWERABLE = 0.995  # at least offered as suggestions


def read_questions(path: Path) -> list[str]:
    """Questions of a text file (one a line, # comments) or of a JSONL file ("query")."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    return [json.loads(line)["query"] for line in lines] if path.suffix == ".jsonl" else lines


def feature_rows(searcher: Searcher, questions: list[str]) -> list[dict[str, float]]:
    return [searcher.search(question, k=10).evidence for question in questions]


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("queries", type=Path, nargs="+")
    folder = settings.data_dir / "retrieval"
    parser.add_argument("--no-match", type=Path, nargs="+", default=[folder / "no_match_queries.txt", folder / "no_match_calibration.jsonl"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    searcher, _ = open_searcher(settings)
    positives = [row["query"] for path in args.queries for row in read_queries(path)]
    negatives = [question for path in args.no_match for question in read_questions(path)]
    rows = feature_rows(searcher, positives + negatives)
    names = sorted({name for row in rows for name in row})
    x = np.array([[row.get(n, 0.0) for n in names] for row in rows])
    y = np.array([1] * len(positives) + [0] * len(negatives))
    model = LogisticRegression(C=10.0, max_iter=1000).fit(x, y)
    probability = model.predict_proba(x)[:, 1]
    threshold = float(np.quantile(probability[y == 1], 1 - KEEP_ANSWERABLE))
    suggest_threshold = float(np.quantile(probability[y == 1], 1 - SUGGEST_ANSWERABLE))
    passed_negatives = float(np.mean(probability[y == 0] >= threshold))
    suggested_negatives = float(np.mean(probability[y == 0] >= suggest_threshold))
    out = {
        "weights": {n: round(float(w), 4) for n, w in zip(names, model.coef_[0])},
        "bias": round(float(model.intercept_[0]), 4),
        "threshold": round(threshold, 4),
        "suggest_threshold": round(suggest_threshold, 4),
        "fitted_on": {"answerable": len(positives), "unanswerable": len(negatives), "embedders": settings.embedders},
        "unanswerable_passing": round(passed_negatives, 3),
        "unanswerable_suggested": round(suggested_negatives, 3),
    }
    path = settings.data_dir / "retrieval" / "confidence.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
