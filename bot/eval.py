"""End-to-end bot evaluation through the running bot's REST channel.

    python -m bot.eval QUERIES.jsonl [--url http://127.0.0.1:5005]

Each query is a fresh conversation. A hit: a gold item is the answered item or among the
offered choices (read from the messages' `custom.items`). A question the catalogue cannot
answer (a line without `gold`, e.g. data/eval/gd_unanswerable.jsonl) is a hit when no
item is presented as the answer or as choices: nothing found, or only items labelled
"可能相关" (`custom.suggested`). `sure_wrong` counts the questions answered with one wrong
item as if sure: for those the catalogue cannot answer, any; for the others, one not gold
(a single answer must be right: a wrong one misleads the follow-ups).
The last line printed is one JSON object with `hit_rate`, `p50_ms` and `p95_ms`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import numpy as np



def ask(url: str, sender: str, text: str) -> tuple[list[dict], float]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        messages = json.load(response)
    return messages, (time.perf_counter() - started) * 1000


def items_in(messages: list[dict]) -> list[str]:
    return [item["code"] for m in messages for item in (m.get("custom") or {}).get("items", [])]


def answered_as_sure(messages: list[dict]) -> bool:
    """Items presented as the answer or as choices, not as "可能相关" suggestions."""
    return any((m.get("custom") or {}).get("items") and not m["custom"].get("suggested") for m in messages)


def read_rows(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for number, row in enumerate(rows, 1):
        if not row.get("query"):
            raise SystemExit(f"{path}:{number}: each line needs 'query' (and 'gold', unless it is unanswerable)")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("queries", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--misses", action="store_true", help="print the queries missed")
    args = parser.parse_args(argv)
    queries = read_rows(args.queries)
    hits, single, sure_wrong, latencies = 0, 0, 0, []
    for row in queries:
        messages, ms = ask(args.url, f"eval-{uuid.uuid4().hex[:12]}", row["query"])
        latencies.append(ms)
        codes = items_in(messages)
        single += len(codes) == 1
        if not row.get("gold"):
            right = not answered_as_sure(messages)
        else:
            right = bool(set(codes) & set(row["gold"]))
        sure_wrong += answered_as_sure(messages) and len(set(codes)) == 1 and not right
        hits += right
        if not right and args.misses:
            first = next((m.get("text", "") for m in messages if m.get("text")), "")
            print(f"  miss {row['id']} {row['query']} -> {first[:60]!r}", file=sys.stderr)
    n = max(len(queries), 1)
    report = {
        "hit_rate": round(hits / n, 4),
        "answered_one_item": round(single / n, 4),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else 0.0,
        "queries": len(queries),
        "sure_wrong": sure_wrong,
    }
    print(f"{'queries':>8} {'hit_rate':>9} {'one_item':>9} {'p50_ms':>8} {'p95_ms':>8}")
    print(f"{report['queries']:>8} {report['hit_rate']:>9.4f} {report['answered_one_item']:>9.4f} {report['p50_ms']:>8.1f} {report['p95_ms']:>8.1f}")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
