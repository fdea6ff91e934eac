"""`python -m insight.eval STREAM GOLD` (`make eval-hot STREAM=FILE GOLD=FILE`): hot-issue
detection scored on planted events, by the rule of ../shared/data/hotline_stream/README.md.

For each event the best issue is the one whose messages overlap the event's most (Jaccard);
the event counts when that issue has precision and recall ≥ 0.7 and ranks in the top 3 of
the issues whose window overlaps the event's. Prints one line per event; the last line is
JSON {"recall_at_3", "precision", "recall", "decoy_contamination"}.
`--by-day` scores the stored, incremental way instead (`insight.store`): the stream is
ingested one day at a time and grouped after each day, as a deployment's daily runs would.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path

from insight.hot import Issue, parse_window
from insight.pipeline import analyse_file, embedder, place_finder
from insight.records import read_records

TOP, MIN_PRECISION, MIN_RECALL = 3, 0.7, 0.7


def _time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None


def score(issues: list[dict], gold: dict) -> dict:
    counted, precisions, recalls, decoys_in, decoys_all = 0, [], [], 0, 0
    rows = []
    for event in gold["events"]:
        messages, decoys = set(event["message_ids"]), set(event["decoy_ids"])
        start, end = _time(event["window"]["start"]), _time(event["window"]["end"])
        best, best_jaccard = None, 0.0
        for issue in issues:
            ids = set(issue["message_ids"])
            jaccard = len(ids & messages) / len(ids | messages)
            if jaccard > best_jaccard:
                best, best_jaccard = issue, jaccard
        decoys_all += len(decoys)
        if best is None:
            precisions.append(0.0)
            recalls.append(0.0)
            rows.append(f"{event['event_id']}: no issue holds its messages")
            continue
        ids = set(best["message_ids"])
        precision, recall = len(ids & messages) / len(ids), len(ids & messages) / len(messages)
        precisions.append(precision)
        recalls.append(recall)
        decoys_in += len(ids & decoys)
        overlapping = []
        for issue in issues:
            s, e = _time(issue.get("window_start")), _time(issue.get("window_end"))
            if s is not None and e is not None and s <= end and e >= start:
                overlapping.append(issue)
        overlapping.sort(key=lambda issue: issue["rank"])
        place = next((k for k, issue in enumerate(overlapping, start=1) if issue is best), None)
        counts = precision >= MIN_PRECISION and recall >= MIN_RECALL and place is not None and place <= TOP
        counted += counts
        rows.append(
            f"{event['event_id']}: rank {place} in its window, precision {precision:.3f}, recall {recall:.3f}, "
            f"decoys {len(ids & decoys)}, {'counts' if counts else 'missed'} — {best['label']}"
        )
    n = max(len(gold["events"]), 1)
    return {
        "rows": rows,
        "recall_at_3": round(counted / n, 4),
        "precision": round(sum(precisions) / n, 4),
        "recall": round(sum(recalls) / n, 4),
        "decoy_contamination": round(decoys_in / max(decoys_all, 1), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m insight.eval", description=__doc__.splitlines()[0])
    parser.add_argument("stream", type=Path)
    parser.add_argument("gold", type=Path)
    parser.add_argument("--window", default="7d")
    parser.add_argument("--by-day", action="store_true", help="ingest and group one day at a time, through the store")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    window = parse_window(args.window)
    found = by_day(args.stream, window) if args.by_day else analyse_file(args.stream, window)
    issues = [issue.as_json() for issue in found]
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    result = score(issues, gold)
    for row in result.pop("rows"):
        print(row)
    print(f"{len(issues)} issues in {time.perf_counter() - started:.1f} s")
    print(json.dumps(result))
    return 0


def by_day(path: Path, window: timedelta) -> list[Issue]:
    """The stream's issues from a fresh store fed one day at a time."""
    from insight.store import InsightStore

    records, _ = read_records(path)
    records.sort(key=lambda r: r.time)
    with tempfile.TemporaryDirectory() as scratch:
        store = InsightStore(Path(scratch) / "insight.sqlite", window)
        for _, day in groupby(records, key=lambda r: r.time.date()):
            store.ingest(list(day), embedder(), place_finder())
            store.group_new()
        return store.hot(span=records[-1].time - records[0].time) if records else []


if __name__ == "__main__":
    sys.exit(main())
