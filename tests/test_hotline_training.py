"""The agent-assist classifier learns a deployment's own labelled work orders
(assist.train, assist.eval --train) and is scored without lines it trained on; the insight
store ingests incrementally. Records here are authored (tests/data, data/insight)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import assist.eval as hotline_eval
from assist.classifier import load_material, message_text
from insight.hot import hot_issues
from insight.pipeline import embedder, place_finder
from insight.records import read_records
from insight.store import InsightStore
from settings import ROOT

AUTHORED = ROOT / "tests" / "data" / "hotline_authored.jsonl"
SAMPLE = ROOT / "data" / "insight" / "sample_stream.jsonl"


def run(*args: str, var) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL": "shandong", "TONGBAN_VAR": str(var)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_train_keeps_labelled_work_orders_in_var_masked_merged_by_id(tmp_path):
    first = tmp_path / "a.jsonl"
    first.write_text(
        "\n".join([
            json.dumps({"id": "1", "title": "小区停水", "text": "联系电话13812345678", "category": "城乡建设"}, ensure_ascii=False),
            json.dumps({"id": "2", "title": "拖欠工资", "text": "老板不发工资", "category": "不存在的类"}, ensure_ascii=False),
            "not json",
        ]),
        encoding="utf-8",
    )
    done = run("-m", "assist.train", str(first), var=tmp_path / "var")
    assert done.returncode == 0, done.stderr
    assert "a.jsonl:2: unknown category" in done.stderr and "a.jsonl:3: not JSON" in done.stderr
    stored = tmp_path / "var" / "hotline" / "labelled.jsonl"
    assert "13812345678" not in stored.read_text(encoding="utf-8")
    second = tmp_path / "b.jsonl"
    second.write_text(json.dumps({"id": "1", "title": "小区停水三天", "text": "", "category": "城乡建设"}, ensure_ascii=False), encoding="utf-8")
    assert run("-m", "assist.train", str(second), var=tmp_path / "var").returncode == 0
    lines = [json.loads(line) for line in stored.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["title"]) for r in lines] == [("1", "小区停水三天")]
    empty = tmp_path / "c.jsonl"
    empty.write_text("\n", encoding="utf-8")
    assert run("-m", "assist.train", str(empty), var=tmp_path / "var").returncode == 2


def test_eval_refuses_a_train_file_holding_scored_messages(tmp_path):
    lines = AUTHORED.read_text(encoding="utf-8").splitlines()
    train = tmp_path / "train.jsonl"
    train.write_text("\n".join(lines[:3]), encoding="utf-8")
    done = run("-m", "assist.eval", str(AUTHORED), "--train", str(train), var=tmp_path)
    assert done.returncode == 2 and "cross-validation" in done.stderr


def test_cross_validation_scores_each_message_by_a_model_that_never_saw_it(sd_settings, monkeypatch):
    records = [json.loads(line) for line in AUTHORED.read_text(encoding="utf-8").splitlines() if line.strip()]
    counts = Counter(r["category"] for r in records)
    records = [r for r in records if counts[r["category"]] >= 2]
    folds = []
    real_train = hotline_eval.train

    def spy(material, labelled):
        folds.append({message_text(r) for r in labelled})
        return real_train(material, labelled)

    monkeypatch.setattr(hotline_eval, "train", spy)
    material = load_material(sd_settings)
    predicted = hotline_eval.cross_validated(material, records, folds=2)
    assert len(folds) == 2 and all(predicted)
    texts = [message_text(r) for r in records]
    scored_by = [[k for k, trained in enumerate(folds) if t not in trained] for t in texts]
    assert all(len(k) == 1 for k in scored_by)  # each message outside exactly one fold's training
    assert sum(p == r["category"] for p, r in zip(predicted, records)) / len(records) >= 0.6


def test_store_ingests_only_new_records_and_finds_the_same_issues(tmp_path):
    records, _ = read_records(SAMPLE)
    store = InsightStore(tmp_path / "insight.sqlite")
    assert store.ingest(records[:10], embedder(), place_finder()) == 10
    assert store.ingest(records, embedder(), place_finder()) == len(records) - 10
    assert store.ingest(records, embedder(), place_finder()) == 0
    window = timedelta(days=7)
    stored = store.hot(span=timedelta(days=30))
    direct = hot_issues(records, window, embedder(), place_finder())
    assert [(i.label, i.message_ids, i.heat) for i in stored] == [(i.label, i.message_ids, i.heat) for i in direct]
