"""`python -m assist.eval FILE` (`make eval-hotline MESSAGES=FILE`): how well the hotline
classifier names the first-level category of each message.

FILE: JSON lines `{"id", "title", "text", "category"}`. Prints a per-category table, the
confusion counts, accuracy and macro-F1 (over the categories present in FILE); the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from assist.classifier import build_classifier


def message_text(record: dict) -> str:
    """The title is the writer's own summary of the message: it counts twice."""
    title, text = str(record.get("title") or ""), str(record.get("text") or "")
    return "。".join(p for p in (title, title, text) if p)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assist.eval", description=__doc__.splitlines()[0])
    parser.add_argument("messages", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    records = [json.loads(line) for line in args.messages.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not records:
        print(f"{args.messages}: no messages", file=sys.stderr)
        return 2
    classifier = build_classifier()
    started = time.perf_counter()
    predicted = classifier.predict([message_text(r) for r in records])
    seconds = time.perf_counter() - started
    gold = [r["category"] for r in records]
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    print(f"{'category':<14}{'n':>5}{'precision':>11}{'recall':>8}{'F1':>7}")
    for row in zip(labels, support, precision, recall, f1):
        print(f"{row[0]:<14}{row[1]:>5}{row[2]:>11.3f}{row[3]:>8.3f}{row[4]:>7.3f}")
    others = sorted({p for p in predicted if p not in labels})
    if others:
        print(f"also predicted (not in the file): {', '.join(others)}")
    columns = labels + others
    print("confusion (rows: gold, columns: predicted, in the order above)")
    for row, counts in zip(labels, confusion_matrix(gold, predicted, labels=columns)[: len(labels)]):
        print(f"{row:<14}" + "".join(f"{c:>4}" for c in counts))
    accuracy = accuracy_score(gold, predicted)
    macro_f1 = f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)
    print(f"{len(records)} messages, {1000 * seconds / len(records):.1f} ms each: accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f}")
    print(json.dumps({"messages": len(records), "accuracy": round(accuracy, 4), "macro_f1": round(macro_f1, 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
