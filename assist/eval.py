"""`python -m assist.eval FILE [--train TRAIN]` (`make eval-hotline MESSAGES=FILE TRAIN=TRAIN`):
how well the hotline classifier names the first-level category of each message.

FILE: JSON lines `{"id", "title", "text", "category"}`. TRAIN (same format) holds a
deployment's own labelled work orders, added to the authored material before scoring. When
TRAIN is FILE itself, the score is k-fold cross-validation: each message is classified by a
model trained without it (never accuracy on lines trained on). Prints a per-category table,
the confusion counts, accuracy and macro-F1 (over the categories present in FILE); the last
line is JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from assist.classifier import load_categories, load_material, message_text, read_labelled, train
from settings import get_settings

FOLDS = 5


def cross_validated(material, records: list[dict], folds: int) -> list[str]:
    """Each record's prediction by a model trained on the authored material and the other folds."""
    predicted = [""] * len(records)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    gold = [r["category"] for r in records]
    for number, (train_rows, test_rows) in enumerate(splitter.split(records, gold), start=1):
        classifier = train(material, [records[i] for i in train_rows])
        for i, label in zip(test_rows, classifier.predict([message_text(records[i]) for i in test_rows])):
            predicted[i] = label
        print(f"fold {number}/{folds}: trained on {len(train_rows)} labelled, scored {len(test_rows)}", file=sys.stderr)
    return predicted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assist.eval", description=__doc__.splitlines()[0])
    parser.add_argument("messages", type=Path)
    parser.add_argument("--train", type=Path, help="labelled work orders added to the authored material")
    parser.add_argument("--folds", type=int, default=FOLDS, help="folds when TRAIN is the scored file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    categories = load_categories(settings.data_dir / "hotline")
    records, errors = read_labelled(args.messages, categories)
    for error in errors:
        print(error, file=sys.stderr)
    if not records:
        print(f"{args.messages}: no messages", file=sys.stderr)
        return 2
    same = args.train is not None and args.train.resolve() == args.messages.resolve()
    labelled: list[dict] = []
    if args.train is not None and not same:
        labelled, errors = read_labelled(args.train, categories)
        for error in errors:
            print(error, file=sys.stderr)
        scored = {message_text(r) for r in records}
        overlap = sum(message_text(r) in scored for r in labelled)
        if overlap:  # scoring lines trained on would overstate accuracy
            print(f"{args.train} holds {overlap} of the scored messages: use TRAIN={args.messages} for cross-validation", file=sys.stderr)
            return 2
    material = load_material(settings)
    started = time.perf_counter()
    if same:
        mode = f"{args.folds}-fold cross-validation over {args.messages}"
        predicted = cross_validated(material, records, args.folds)
    else:
        mode = f"trained on the authored material and {len(labelled)} labelled work orders"
        predicted = train(material, labelled).predict([message_text(r) for r in records])
    seconds = time.perf_counter() - started
    gold = [r["category"] for r in records]
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    print(mode)
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
    print(f"{len(records)} messages in {seconds:.1f} s: accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f}")
    result = {"messages": len(records), "accuracy": round(accuracy, 4), "macro_f1": round(macro_f1, 4)}
    if same:
        result["cross_validation_folds"] = args.folds
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
