"""The agent console's hot-issue dashboard: /api/insight over ingested messages, and the
page in Chromium — charts drawn, filters by date, category and region (screenshots in
var/test-artefacts/insight/)."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from concurrent.futures import Future
from dataclasses import replace

import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from playwright.sync_api import expect, sync_playwright

from assist.app import create_app
from assist.dashboard import summary
from assist.store import AssistStore
from insight.pipeline import embedder, place_finder
from insight.records import read_records
from insight.store import InsightStore
from settings import ROOT
from tests.chat import PORT_BASE

PORT = PORT_BASE + 93
SAMPLE = ROOT / "data" / "insight" / "sample_stream.jsonl"
ARTEFACTS = ROOT / "var" / "test-artefacts" / "insight"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AGENT, PASSWORD = "dash-agent", "a-long-dashboard-password"


class NoModels:
    """The dashboard reads the insight store only: the console's models are not loaded here."""


@pytest.fixture(scope="module")
def dashboard_settings(tmp_path_factory, sd_settings):
    var = tmp_path_factory.mktemp("dashboard-var")
    settings = replace(sd_settings, var_dir=var, assist_session_key=Fernet.generate_key().decode())
    records, _ = read_records(SAMPLE)
    InsightStore(var / "insight.sqlite").ingest(records, embedder(), place_finder())
    AssistStore(settings.assist_database).add_agent(AGENT, PASSWORD)
    return settings


@pytest.fixture(scope="module")
def server(dashboard_settings):
    loop = asyncio.new_event_loop()
    started: Future = Future()

    async def serve():
        runner = web.AppRunner(create_app(dashboard_settings, NoModels()))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", PORT).start()
        started.set_result(runner)

    thread = threading.Thread(target=lambda: (loop.run_until_complete(serve()), loop.run_forever()), daemon=True)
    thread.start()
    runner = started.result(timeout=60)
    yield f"http://127.0.0.1:{PORT}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
    loop.call_soon_threadsafe(loop.stop)


def test_summary_filters_by_date_category_and_region(dashboard_settings):
    from datetime import date

    path = dashboard_settings.var_dir / "insight.sqlite"
    everything = summary(path, None, None, "", "")
    assert everything["to"] == "2026-06-14" and everything["from"] == "2026-06-01" and everything["messages"] == 28
    assert [len(i["message_ids"]) for i in everything["issues"]] == [8, 6]
    assert {"历城区", "市中区"} <= set(everything["regions"]) and "环境保护" in everything["categories"]
    noise = summary(path, None, None, "环境保护", "市中区")  # one of the six names no district
    assert noise["messages"] == 5 and noise["issues"][0]["label"].startswith("市中区万达广场")
    early = summary(path, date(2026, 6, 1), date(2026, 6, 8), "", "")
    assert [len(i["message_ids"]) for i in early["issues"]] == [8] and len(early["days"]) == 8


def test_dashboard_page_draws_charts_and_filters(server):
    with urllib.request.urlopen(f"{server}/health") as response:
        assert response.status == 200
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
            page.set_default_timeout(60_000)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{server}/dashboard")  # not logged in: the login page
            page.fill("#name", AGENT)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server}/")
            page.click("text=热点问题看板")
            page.wait_for_url(f"{server}/dashboard")
            try:
                expect(page.locator("#issues tr")).to_have_count(2)
            finally:
                page.screenshot(path=str(ARTEFACTS / "dashboard.png"), full_page=True)
            page.wait_for_function("document.querySelectorAll('.chart canvas').length === 3")
            expect(page.locator("#status")).to_contain_text("28 条留言")
            page.screenshot(path=str(ARTEFACTS / "dashboard.png"), full_page=True)
            page.select_option("#region", "历城区")
            page.click("text=查询")
            expect(page.locator("#issues tr")).to_have_count(1)
            expect(page.locator("#issues")).to_contain_text("鲁能领秀城")
            page.fill("#from", "2026-06-09")
            page.select_option("#region", "")
            page.click("text=查询")
            expect(page.locator("#issues")).to_contain_text("万达广场")
            expect(page.locator("#issues tr")).to_have_count(1)
            page.screenshot(path=str(ARTEFACTS / "dashboard-filtered.png"), full_page=True)
            page.fill("#from", "2026-07-01")
            page.click("text=查询")
            expect(page.locator("#status")).to_contain_text("起止日期不对")
            assert errors == []
        finally:
            browser.close()
    request = urllib.request.Request(f"{server}/api/insight")
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(request)
    assert anonymous.value.code == 401
