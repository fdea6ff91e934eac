import json
import os
import subprocess
import sys

from settings import ROOT


def test_eval_prints_metrics_for_every_method_and_ends_with_json(gd_settings, gd_searcher, tmp_path):
    queries = tmp_path / "q.jsonl"
    rows = [
        {"id": "1", "query": "舱单通关状态查询", "gold": ["11100000007483869B2442123010000"]},
        {"id": "2", "query": "税务证件丢了怎么补", "gold": ["11440000006941354C244212402700101"]},
    ]
    queries.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    env = {**os.environ, "PORTAL": "guangdong", "TONGBAN_VAR": str(gd_settings.var_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "retrieval.eval", str(queries)], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip().splitlines()
    report = json.loads(out[-1])
    assert set(report) == {"hybrid", "fused", "bm25", "dense"}
    for metrics in report.values():
        assert set(metrics) == {"recall@1", "recall@5", "recall@10", "mrr"}
        assert all(0.0 <= v <= 1.0 for v in metrics.values())
    assert report["hybrid"]["recall@5"] == 1.0
