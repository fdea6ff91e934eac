"""Every service answers /health and Prometheus /metrics with counters that move, and the
services we own log JSON lines (the running bot of conftest.py; logs in var/logs/)."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest

from tests.chat import ACTIONS_PORT, ASSIST_PORT, NOTIFIER_PORT, PORTAL_PORT, RASA_PORT, say, user

SERVICES = {
    "rasa": f"http://127.0.0.1:{RASA_PORT}",
    "actions": f"http://127.0.0.1:{ACTIONS_PORT}",
    "portal": f"http://127.0.0.1:{PORTAL_PORT}",
    "notifier": f"http://127.0.0.1:{NOTIFIER_PORT}",
    "assist": f"http://127.0.0.1:{ASSIST_PORT}",
}


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read().decode()


def sample(metrics: str, name: str, **labels: str) -> float:
    """The sum of the samples with these labels (0 when absent)."""
    total = 0.0
    for line in metrics.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match:
            have = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
            if all(have.get(k) == v for k, v in labels.items()):
                total += float(match.group(2))
    return total


@pytest.mark.parametrize("service", SERVICES)
def test_health_and_metrics_answer(bot, service):
    status, _, body = get(f"{SERVICES[service]}/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, kind, body = get(f"{SERVICES[service]}/metrics")
    assert status == 200 and kind.startswith("text/plain") and "# TYPE" in body


def test_metrics_count_what_happens(bot):
    before = {s: get(f"{u}/metrics")[2] for s, u in SERVICES.items()}
    say(user(), "济南的居住证怎么申领")
    get(f"{SERVICES['portal']}/items?offset=0")
    after = {s: get(f"{u}/metrics")[2] for s, u in SERVICES.items()}

    def grew(service: str, name: str, **labels: str) -> bool:
        return sample(after[service], name, **labels) > sample(before[service], name, **labels)

    assert grew("rasa", "tongban_messages_total", channel="rest", outcome="handled")
    assert grew("rasa", "tongban_message_seconds_count", channel="rest")
    assert grew("actions", "tongban_actions_runs_total", status="200")
    assert grew("portal", "tongban_portal_requests_total", method="GET", route="/items", status="200")
    deadline = time.monotonic() + 10  # the notifier polls the portal every 2 s
    while not grew("notifier", "tongban_notifier_rounds_total", outcome="ok") and time.monotonic() < deadline:
        time.sleep(0.5)
        after["notifier"] = get(f"{SERVICES['notifier']}/metrics")[2]
    assert grew("notifier", "tongban_notifier_rounds_total", outcome="ok")


def test_our_services_log_json_lines(bot, sd_settings):
    for service in ("portal", "actions", "notifier", "assist"):
        lines = (sd_settings.var_dir / "logs" / f"{service}.log").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.startswith("{")]
        assert records, f"{service} wrote no JSON log line"
        assert all({"time", "level", "logger", "message"} <= r.keys() and r["service"] == service for r in records)
