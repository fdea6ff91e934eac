"""`python -m assist.train FILE` (`make train-hotline TRAIN=FILE`): the agent-assist
classifier learns a deployment's own labelled work orders.

FILE: JSON lines `{"id", "title", "text", "category"}` (the format of eval-hotline). Good
lines are merged by id into var/hotline/labelled.jsonl (personal numbers masked; never
committed: var/ is not in the repository), bad ones are reported by line and skipped. A
running agent-assist service notices the file and retrains within a minute
(`assist.app`); a fresh one trains on it at start.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from assist.classifier import LABELLED_FILE, load_categories, read_labelled
from channels.privacy import mask_pii
from settings import get_settings


def merge(path: Path, records: list[dict]) -> int:
    """Write `records` into the labelled file, replacing earlier records of the same id."""
    kept: dict[str, dict] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                kept[str(record.get("id"))] = record
    for number, record in enumerate(records):
        clean = {
            "id": str(record.get("id") or f"row-{number}"),
            "title": mask_pii(str(record.get("title") or "")),
            "text": mask_pii(str(record.get("text") or "")),
            "category": record["category"],
        }
        kept[clean["id"]] = clean
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept.values()), encoding="utf-8")
    os.replace(temporary, path)  # a service reading it never sees half a file
    return len(kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assist.train", description=__doc__.splitlines()[0])
    parser.add_argument("train", type=Path)
    args = parser.parse_args(argv)
    if not args.train.exists():
        parser.error(f"{args.train}: no such file")
    settings = get_settings()
    categories = load_categories(settings.data_dir / "hotline")
    records, errors = read_labelled(args.train, categories)
    for error in errors:
        print(error, file=sys.stderr)
    if not records:
        print(f"{args.train}: no usable labelled work orders", file=sys.stderr)
        return 2
    path = settings.var_dir / LABELLED_FILE
    total = merge(path, records)
    print(f"{len(records)} labelled work orders from {args.train} ({len(errors)} lines skipped); {total} in {path}")
    print(f"score it without training on the scored lines: make eval-hotline MESSAGES={args.train} TRAIN={args.train}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
