"""`make eval-docs DOCS=FILE QUESTIONS=FILE`: how well Tongban finds the document and the
passage that answer a question, beside the Langchain-Chatchat baseline in the same run.

Questions: JSON lines `{id, question, docid, answer}`. Doc recall@1/@5 and MRR rank the
documents of the returned passages (first appearance); passage hit@1/@3: the gold
answer's first 30 characters (whitespace ignored) inside a returned passage. Last line:
JSON for Tongban. "MRR*": doc MRR counting a copy of the gold document (the same
text published again, `documents/copies.py`) as the gold one; a diagnostic, not the target.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

DOC_DEPTH = 20  # passages looked at to rank documents
ANSWER_PREFIX = 30


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def score(questions: list[dict], search, copies: dict[str, set[str]] | None = None) -> dict[str, float]:
    """`search(question) -> [(docid, passage text)]` best first, over every question.
    `copies`: each document's copies, for the rank with copies counted as one."""
    copies = copies or {}
    ranks, copy_ranks, hit1, hit3, latency = [], [], [], [], []
    for q in tqdm(questions, desc="questions", unit="q", leave=False):
        start = time.perf_counter()
        results = search(q["question"])
        latency.append((time.perf_counter() - start) * 1000)
        docs = list(dict.fromkeys(docid for docid, _ in results))
        ranks.append(docs.index(q["docid"]) + 1 if q["docid"] in docs else None)
        gold_or_copy = {q["docid"]} | copies.get(q["docid"], set())
        copy_ranks.append(next((rank for rank, docid in enumerate(docs, 1) if docid in gold_or_copy), None))
        gold = squash(q["answer"])[:ANSWER_PREFIX]
        found = [squash(text) for _, text in results]
        hit1.append(bool(found) and gold in found[0])
        hit3.append(any(gold in f for f in found[:3]))
    return {
        "doc_recall_at_1": float(np.mean([r == 1 for r in ranks])),
        "doc_recall_at_5": float(np.mean([r is not None and r <= 5 for r in ranks])),
        "doc_mrr": float(np.mean([1 / r if r else 0.0 for r in ranks])),
        "doc_mrr_copies_as_one": float(np.mean([1 / r if r else 0.0 for r in copy_ranks])),
        "passage_hit_at_1": float(np.mean(hit1)),
        "passage_hit_at_3": float(np.mean(hit3)),
        "p50_ms": float(np.percentile(latency, 50)),
        "p95_ms": float(np.percentile(latency, 95)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m documents.eval", description=__doc__.splitlines()[0])
    parser.add_argument("docs", type=Path, help="documents: JSONL, or a folder / file of any importable format")
    parser.add_argument("questions", type=Path, help="JSON lines {id, question, docid, answer}")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--dense", choices=["e5", "none"], default="e5", help="none: BM25 only, for both methods")
    args = parser.parse_args(argv)

    from documents.baseline import Baseline
    from documents.converters import convert
    from documents.copies import copies_of
    from documents.service import document_embedders, new_index
    from settings import get_settings

    settings = get_settings()
    documents, report = convert([args.docs])
    print(report.summary().splitlines()[0] + (f", {len(report.errors)} errors" if report.errors else ""))
    copies = copies_of(documents)
    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    embedders = document_embedders(settings) if args.dense != "none" else []

    started = time.perf_counter()
    index = new_index(settings)
    index.embedders = embedders
    index.upsert(documents, progress=True)
    print(f"Tongban: {len(index)} documents, {index.passage_count} passages, built in {time.perf_counter() - started:.1f} s")
    print(f"copies: {len(copies)} documents have another with the same text")
    rows = {"Tongban (passages + rerank)": score(questions, lambda q: [(h.document.docid, h.passage.text) for h in index.search(q, k=DOC_DEPTH)], copies)}
    rows["Tongban without reranker"] = score(
        questions, lambda q: [(h.document.docid, h.passage.text) for h in index.search(q, k=DOC_DEPTH, rerank=False)], copies
    )
    if not args.no_baseline:
        e5 = next((e for e in embedders if e.name.startswith("multilingual-e5")), None)
        started = time.perf_counter()
        baseline = Baseline(documents, e5, progress=True)
        print(f"baseline: {len(baseline.chunks)} chunks, built in {time.perf_counter() - started:.1f} s")
        # top 3 is the recipe's answer; documents are ranked over the same depth as Tongban's.
        rows["baseline (Chatchat: 250/50, BM25" + ("+e5, RRF)" if e5 else " only)")] = score(
            questions, lambda q: [(c.docid, c.text) for c in baseline.search(q, k=DOC_DEPTH)], copies
        )
    keys = ["doc_recall_at_1", "doc_recall_at_5", "doc_mrr", "passage_hit_at_1", "passage_hit_at_3", "p50_ms", "p95_ms", "doc_mrr_copies_as_one"]
    heads = ["doc R@1", "doc R@5", "doc MRR", "hit@1", "hit@3", "p50 ms", "p95 ms", "MRR*"]
    print(f"\n{len(questions)} questions over {len(documents)} documents")
    print(f"{'method':<44}" + "".join(f"{h:>9}" for h in heads))
    for name, row in rows.items():
        print(f"{name:<44}" + "".join(f"{row[k]:>9.1f}" if k.endswith("ms") else f"{row[k]:>9.3f}" for k in keys))
    print("MRR*: doc MRR with a copy of the gold document (the same text published again) counted as it")
    ours = rows["Tongban (passages + rerank)"]
    print(json.dumps({k: round(ours[k], 4) for k in keys if k not in ("p50_ms", "doc_mrr_copies_as_one")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
