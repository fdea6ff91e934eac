"""Hot issues (insight/): places, grouping of one problem at one place, labels, heat, the
CLI and the scorer, on the authored sample stream (data/insight/, no real record)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from insight.eval import score
from insight.hot import hot_issues, parse_window
from insight.pipeline import embedder, place_finder
from insight.records import read_records
from settings import ROOT

SAMPLE = ROOT / "data" / "insight" / "sample_stream.jsonl"
GOLD = json.loads((ROOT / "data" / "insight" / "sample_gold.json").read_text(encoding="utf-8"))
EVENTS = {e["event_id"]: e for e in GOLD["events"]}


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL": "shandong"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_places_are_the_named_place_and_district_not_the_problem_or_a_utility():
    finder = place_finder()
    places = finder.extract("历城区青禾安置小区电梯又坏了", "我们住在青禾小区8栋，电梯维保公司和供水公司都不管。")
    assert places.districts == ("历城区",)
    assert places.keys == ("青禾",)  # 安置小区 and 小区 are one place; 维保, 供水 are no place
    coded = finder.extract("A3区星河湾小区门口垃圾站臭", "")
    assert coded.districts == ("A3区",) and coded.keys == ("星河",) and coded.names == ("星河湾",)
    assert finder.extract("咨询居住证办理材料", "需要带什么？").keys == ()


@pytest.fixture(scope="module")
def sample_issues():
    records, errors = read_records(SAMPLE)
    assert errors == []
    return hot_issues(records, timedelta(days=7), embedder(), place_finder())


def test_one_problem_at_one_place_is_one_issue_without_the_decoys(sample_issues):
    found = {tuple(issue.message_ids) for issue in sample_issues}
    for event in EVENTS.values():
        assert tuple(event["message_ids"]) in found, event["label"]
    grouped = {i for issue in sample_issues for i in issue.message_ids}
    assert not grouped & set(EVENTS["E1"]["decoy_ids"])  # same place, other problem; same problem, other place
    first = next(i for i in sample_issues if i.message_ids == EVENTS["E1"]["message_ids"])
    assert first.label.startswith("历城区鲁能领秀城") and "停水" in first.label
    assert first.burst and first.window_start == "2026-06-02T07:40:11" and first.window_end == "2026-06-07T16:02:44"
    assert [i.rank for i in sample_issues] == list(range(1, len(sample_issues) + 1))
    assert sorted((i.heat for i in sample_issues), reverse=True) == [i.heat for i in sample_issues]


def test_csv_and_xlsx_read_like_json_lines_and_bad_rows_are_reported(tmp_path):
    from openpyxl import Workbook

    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    fields = ["id", "time", "title", "text", "likes", "dislikes", "category"]
    bad = [{"id": "", "time": "2026-06-01T00:00:00", "title": "无编号", "text": "x"},
           {"id": "B2", "time": "昨天", "title": "时间不对", "text": "x"},
           {"id": "B3", "time": "2026/06/01 10:00:00", "title": "", "text": ""}]
    with (tmp_path / "s.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows + bad)
    book = Workbook()
    book.active.append(fields)
    for row in rows:
        book.active.append([row[f] for f in fields])
    book.save(tmp_path / "s.xlsx")
    from_csv, errors = read_records(tmp_path / "s.csv")
    assert len(from_csv) == len(rows) and len(errors) == 3
    assert any("no id" in e for e in errors) and any(":31:" in e for e in errors)  # file:line of 昨天
    from_xlsx, errors = read_records(tmp_path / "s.xlsx")
    assert errors == [] and from_xlsx == read_records(SAMPLE)[0] == from_csv


def test_personal_numbers_are_masked_when_records_are_read(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "1", "time": "2026-06-01 10:00", "title": "停水", "text": "我的电话13812345678"}, ensure_ascii=False), encoding="utf-8")
    assert "13812345678" not in read_records(path)[0][0].text


def test_hot_command_writes_the_json_list_and_eval_scores_it(tmp_path):
    out = tmp_path / "hot.json"
    done = run("-m", "insight", "hot", str(SAMPLE), "--window", "7d", "--out", str(out))
    assert done.returncode == 0, done.stderr
    issues = json.loads(out.read_text(encoding="utf-8"))
    assert set(issues[0]) == {"rank", "label", "message_ids", "window_start", "window_end", "heat", "burst"}
    result = score(issues, GOLD)
    assert (result["recall_at_3"], result["precision"], result["recall"], result["decoy_contamination"]) == (1.0, 1.0, 1.0, 0.0)
    bad = run("-m", "insight", "hot", str(SAMPLE), "--window", "七天")
    assert bad.returncode == 2 and "7d" in bad.stderr
    (tmp_path / "x.txt").write_text("?", encoding="utf-8")
    unknown = run("-m", "insight", "hot", str(tmp_path / "x.txt"))
    assert unknown.returncode == 2 and ".jsonl" in unknown.stderr


def test_scorer_ranks_an_event_among_the_issues_of_its_window_only():
    event = {"event_id": "E", "window": {"start": "2026-01-10T00:00:00", "end": "2026-01-12T00:00:00"},
             "message_ids": ["a", "b", "c", "d"], "decoy_ids": ["x"]}
    elsewhere = [{"rank": r, "label": "", "message_ids": [f"o{r}"], "window_start": "2026-03-01T00:00:00", "window_end": "2026-03-02T00:00:00"} for r in range(1, 6)]
    best = {"rank": 9, "label": "E", "message_ids": ["a", "b", "c", "x"], "window_start": "2026-01-10T08:00:00", "window_end": "2026-01-11T08:00:00"}
    result = score(elsewhere + [best], {"events": [event]})
    assert result["recall_at_3"] == 1.0 and result["precision"] == 0.75 and result["recall"] == 0.75 and result["decoy_contamination"] == 1.0
    assert score([{**best, "window_start": "?"}], {"events": [event]})["recall_at_3"] == 0.0  # no usable window


def test_window_parsing():
    assert parse_window("7d") == timedelta(days=7) and parse_window("48h") == timedelta(hours=48)
    for bad in ("", "7", "0d", "-1d", "7w"):
        with pytest.raises(ValueError):
            parse_window(bad)


def test_a_placeless_message_joins_its_districts_most_similar_group_within_the_window():
    """Groups are found through their districts and grow as messages join: a message within
    the window of a group's newest member joins it, though not of its first ones."""
    import numpy as np
    from scipy.sparse import csr_matrix

    from insight.grouping import Item, attach_placeless
    from insight.places import Places

    day = 86_400.0
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    spec = [  # (time, district, a named place?, vector)
        (0, "A1区", True, a), (1_000, "A1区", True, a),  # group 0
        (0, "A1区", True, b), (500, "A1区", True, b),  # group 1
        (2_000, "A1区", False, a),  # joins group 0, the one it is like
        (2_000, "A2区", False, a),  # another district: joins nothing
        (1_000 + day - 10, "A1区", False, a),  # within the window of group 0's newest member
        (1_000 + 2 * day - 20, "A1区", False, a),  # only within the window of the one before
        (5 * day, "A1区", False, a),  # after the window of all of them
    ]
    items = [Item(t, Places((d,), ("丰和",) if named else (), ()), v) for t, d, named, v in spec]
    words = csr_matrix((len(items), 1))
    groups = attach_placeless(items, np.stack([i.vector for i in items]), words, [[0, 1], [2, 3]], timedelta(days=1))
    assert groups == [[0, 1, 4, 6, 7], [2, 3]]


def test_placeless_messages_join_what_comparing_them_with_every_member_would_choose(monkeypatch):
    """Through group sums (one product per district) and groups that grew compared afresh,
    each message joins the group whose members it is most like on average, as the plain
    rule says: checked against that rule, run message by message, on random streams."""
    import numpy as np
    from scipy.sparse import random as sparse_random

    from insight.grouping import Item, attach_placeless, similarity
    from insight.places import Places

    window, day = timedelta(days=3), 86_400
    threshold = 0.15  # random vectors are less alike than messages
    monkeypatch.setattr("insight.grouping.ATTACH_THRESHOLD", threshold)
    for seed in range(40):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(30, 200))
        vectors = rng.normal(size=(n, 8)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        words = sparse_random(n, 30, density=0.2, random_state=seed, format="csr")
        items = [
            Item(float(rng.integers(0, 20 * day)), Places((f"D{rng.integers(3)}",), () if rng.random() < 0.5 else ("K",), ()), vectors[i])
            for i in range(n)
        ]
        order = rng.permutation(n)
        groups = [sorted(order[k : k + 3].tolist()) for k in range(0, n // 2, 3)]
        expected = [list(g) for g in groups]
        for i, item in enumerate(items):  # the rule, message by message
            if any(i in g for g in expected) or item.places.keys:
                continue
            means = [
                (float(similarity(vectors, words, np.full(len(g), i), np.array(g)).astype(np.float64).mean()), -k)
                for k, g in enumerate(expected)
                if {d for m in g for d in items[m].places.districts} & set(item.places.districts)
                and min(items[m].time for m in g) - window.total_seconds() <= item.time <= max(items[m].time for m in g) + window.total_seconds()
            ]
            if means and max(means)[0] > threshold:
                expected[-max(means)[1]].append(i)
        assert attach_placeless(items, vectors, words, [list(g) for g in groups], window) == expected


def test_grouping_one_day_at_a_time_through_the_store_finds_what_grouping_at_once_does():
    """The store groups each day's messages against the groups standing (insight.grouping.regroup)."""
    from insight.eval import by_day

    issues = by_day(SAMPLE, timedelta(days=7))
    result = score([issue.as_json() for issue in issues], GOLD)
    assert (result["recall_at_3"], result["precision"], result["recall"], result["decoy_contamination"]) == (1.0, 1.0, 1.0, 0.0)


def test_a_new_message_regroups_only_the_groups_it_comes_near():
    import numpy as np
    from scipy.sparse import csr_matrix

    from insight.grouping import Item, regroup
    from insight.places import Places

    a, b, c = np.eye(3)
    spec = [("丰和", a), ("丰和", a), ("青禾", b), ("青禾", b), ("丰和", c), ("青禾", b)]  # the last two are new
    items = [Item(float(i), Places(("A1区",), (key,), ()), v) for i, (key, v) in enumerate(spec)]
    words = csr_matrix((len(items), 1))
    new = np.array([False] * 4 + [True] * 2)
    groups = regroup(items, words, timedelta(days=1), [[0, 1], [2, 3]], new)
    # 丰和's group stays as it was (the new 丰和 message is about something else); 青禾's takes the new one.
    assert sorted(sorted(g) for g in groups) == [[0, 1], [2, 3, 5]]
    assert groups[0] == [0, 1]  # kept, not regrouped


def test_a_place_is_an_area_when_it_fills_a_day_not_when_it_fills_a_window():
    import numpy as np

    from insight.grouping import MIN_PLACE_LIMIT, Item, areas
    from insight.places import Places

    day = 86_400.0
    v = np.ones(1)
    crowded = [Item(0.0, Places((), ("全城",), ()), v) for _ in range(MIN_PLACE_LIMIT + 1)]  # one day
    spread = [Item(day * (i % 3), Places((), ("丰和",), ()), v) for i in range(MIN_PLACE_LIMIT + 1)]  # three days
    assert areas(crowded + spread) == {"全城"}


def test_the_store_keeps_a_groups_id_when_a_day_adds_to_it(tmp_path):
    from datetime import datetime

    from insight.store import InsightStore

    records, _ = read_records(SAMPLE)
    cut = datetime(2026, 6, 5)
    store = InsightStore(tmp_path / "insight.sqlite")
    store.ingest([r for r in records if r.time < cut], embedder(), place_finder())
    assert store.group_new() == sum(r.time < cut for r in records)
    first = dict(store.db.execute("SELECT id, grp FROM messages WHERE grp IS NOT NULL"))
    store.ingest(records, embedder(), place_finder())
    assert store.group_new() == sum(r.time >= cut for r in records) and store.group_new() == 0
    then = dict(store.db.execute("SELECT id, grp FROM messages WHERE grp IS NOT NULL"))
    e1 = EVENTS["E1"]["message_ids"]
    assert len({then[i] for i in e1}) == 1  # one group, begun before the cut and finished after it
    assert {then[i] for i in e1 if i in first} == {first[i] for i in e1 if i in first}


def test_what_a_day_can_change_is_read_with_whole_groups_and_without_areas():
    from insight.places import Places
    from insight.store import _what_new_messages_change

    spec = [  # (group, grouped, place key)
        (1, 1, "丰和"), (1, 1, "青禾"),  # group 1: reached only through 青禾, read whole
        (2, 1, "青禾"), (2, 1, "金华"),  # group 2: names 金华, as a new message does
        (None, 0, "金华"),  # new
        (3, 1, "全城"), (None, 0, "全城"),  # an area: a new message naming it reaches nothing
        (4, 1, "泰和"),  # nothing to do with the new messages
    ]
    sketch = [(f"m{i}", "2026-06-01T00:00:00", grp, grouped) for i, (grp, grouped, _) in enumerate(spec)]
    places = [Places(("A1区",), (key,), ()) for *_, key in spec]
    assert _what_new_messages_change(sketch, places, {"全城"}) == {0, 1, 2, 3, 4, 6}


def test_bulk_work_forked_into_processes_gives_what_one_process_does(monkeypatch, sd_settings):
    import numpy as np

    from assist.classifier import build_classifier, message_text
    from insight import forked
    from insight.hot import prepare
    from insight.store import classify

    records, _ = read_records(SAMPLE)
    texts = [message_text({"title": r.title, "text": r.text}) for r in records]
    classifier = build_classifier(sd_settings)
    alone = prepare(records, embedder(), place_finder())
    alone_labels = classify(classifier, texts, alone.vectors)
    monkeypatch.setattr(forked, "MIN_ITEMS", 1)
    both = prepare(records, embedder(), place_finder())
    assert (both.places, both.texts, both.tokens) == (alone.places, alone.texts, alone.tokens)
    assert np.array_equal(both.vectors, alone.vectors)
    assert classify(classifier, texts, both.vectors) == alone_labels
    assert forked.map_chunks(lambda chunk: [x * 2 for x in chunk], list(range(7)), processes=3) == [0, 2, 4, 6, 8, 10, 12]
