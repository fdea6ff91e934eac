"""Fit the dialogue-state thresholds (data/dialogue/thresholds.json) on dialogues.

    python -m bot.fit_topic DIALOGUES.jsonl [...] [--url http://127.0.0.1:5005] [--write]

Each turn is replayed in its gold context (the topic is the item the previous turns were
about), NLU comes from the running Rasa (`/model/parse`), and the evidence from the same
code the action server runs (actions/answer.py `measure`). The right move follows from
the turn's kind: a field turn on the topic refers back, an item turn names a new service,
a `none` turn leaves, a `choose` turn picks. A grid search picks the thresholds with the
most right moves (ties: the middle of the best range); `--write` saves them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import urllib.request
from dataclasses import asdict, replace
from pathlib import Path

from actions.answer import TARGET_OF_ENTITY, intent_of_where, region_said, measure, read_words, search_words, with_place_question
from actions.topic import Evidence, Thresholds, Topic, decide
from bot.eval_dialogues import read_dialogues
from catalogue.store import Catalogue
from retrieval.search import Filters, Searcher
from retrieval.service import open_searcher
from settings import get_settings

GRID = {
    "about_topic": [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
    "switch": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    "topic_rank": [1, 2, 3, 5],
    "specific": [0.0, 0.4, 0.5, 0.6, 0.8, 1.0, 1.4],  # rare words' worth
    "unknown": [2, 3, 4, 99],
    "switch_marked": [0.2, 0.3, 0.5],
}


def parse(url: str, text: str, token: str) -> dict:
    body = json.dumps({"text": text}).encode()
    request = urllib.request.Request(f"{url}/model/parse?token={token}", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def right_moves(kind: str, gold_code: str | None, topic: str | None, siblings: set[str], picks_gold: bool) -> set[str]:
    """The moves that lead to the turn's gold; the same service's implementation for a
    region the user names is reached by referring back or narrowing, as well as searching.
    A pick leads where the evidence points (the choice named, or the topic's sibling an
    act names: "那注销呢"), so it is right whenever that is a gold item (`picks_gold`)."""
    picked = {"pick"} if picks_gold else set()
    if topic and gold_code in siblings and gold_code != topic:
        return {"refer_back", "narrow", "new_service"} | picked
    if kind == "field":
        return ({"refer_back"} if gold_code == topic else {"new_service"}) | picked
    return {{"item": "new_service", "none": "leave", "choose": "pick", "theme": "new_service"}.get(kind, "")} | picked


def cases(paths: list[Path], url: str, token: str, searcher: Searcher, catalogue: Catalogue) -> list[tuple[Topic, Evidence, set[str], str]]:
    out = []
    for path in paths:
        for dialogue in read_dialogues(path):
            topic_code: str | None = None
            offered: tuple[str, ...] = ()
            for turn in dialogue["turns"]:
                expect, text = turn["expect"], turn["say"]
                parsed = parse(url, text, token)
                region = region_said(catalogue.gazetteer, text)
                intent = intent_of_where(searcher, catalogue, text, region, parsed["intent"]["name"], topic_code)
                target_named = any(e.get("entity") == "target" and e.get("value") in TARGET_OF_ENTITY for e in parsed.get("entities") or [])
                # The message read and searched as the action reads it (with no filters: the
                # turn's region counts as narrowing, below).
                words = read_words(searcher, catalogue, text, intent)
                words, probe = search_words(searcher, words, text, Filters())
                # A choose turn answers the choices the previous question offered.
                topic = Topic(code=topic_code, offered=offered if expect["kind"] == "choose" else ())
                offered = tuple(h.item.code for h in probe.hits[:5])
                evidence = measure(searcher, catalogue, topic, intent, words.field, words.content, probe, Filters(), said=text)
                evidence = replace(evidence, region_changed=bool(region), narrows=evidence.narrows or bool(region) or target_named)
                evidence = with_place_question(evidence, searcher, words.place_words)
                gold = expect.get("gold")
                golds = [gold] if isinstance(gold, str) else list(gold or [])
                gold_code = golds[0] if golds else None
                item = catalogue.entry(topic_code)
                siblings = {i.code for i in catalogue.implementations(item)} if item else set()
                wanted = right_moves(expect["kind"], gold_code, topic_code, siblings, (evidence.picked or evidence.sibling) in golds)
                out.append((topic, evidence, wanted, f"{dialogue['id']} {text}"))
                if expect["kind"] in ("item", "field", "choose"):
                    topic_code = gold_code
    return out


def score(rows: list[tuple[Topic, Evidence, set[str], str]], thresholds: Thresholds) -> int:
    return sum(decide(t, e, thresholds) in wanted for t, e, wanted, _ in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dialogues", type=Path, nargs="+")
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    searcher, catalogue = open_searcher(update=False)
    rows = cases(args.dialogues, args.url, get_settings().rasa_token, searcher, catalogue)
    path = get_settings().data_dir / "dialogue" / "thresholds.json"
    current = Thresholds.from_file(path)
    results = []
    for values in itertools.product(*GRID.values()):
        candidate = replace(current, **dict(zip(GRID, values)))
        results.append((score(rows, candidate), candidate))
    best_score = max(s for s, _ in results)
    best = [c for s, c in results if s == best_score]
    chosen = best[len(best) // 2]
    print(f"{len(rows)} turns; now {score(rows, current)} right; best {best_score} right ({len(best)} settings)")
    for name in GRID:  # how much room each threshold has
        print(f"  {name}: best at {sorted({getattr(c, name) for c in best})}")
    for topic, evidence, want, label in rows:
        got = decide(topic, evidence, chosen)
        if got not in want:
            print(f"  {label}: want {want}, got {got}  {evidence.as_log()}")
    print(json.dumps(asdict(chosen)))
    if args.write:
        data = json.loads(path.read_text(encoding="utf-8"))
        data.update(asdict(chosen))
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
