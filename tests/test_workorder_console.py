"""The agent console's work-order page in Chromium: a work order filed through the
portal's API is listed, an agent changes its status, department and reply, and the
portal queues the notice for the citizen's conversation (screenshots in
var/test-artefacts/workorders/)."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import Future
from dataclasses import replace

import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from playwright.sync_api import expect, sync_playwright

from assist.app import create_app as create_assist
from assist.store import AssistStore
from portal.app import create_app as create_portal
from settings import ROOT
from tests.chat import PORT_BASE
from tests.test_dashboard import CHROMIUM, FLAGS, NoModels

ASSIST_PORT, PORTAL_PORT = PORT_BASE + 94, PORT_BASE + 95
ARTEFACTS = ROOT / "var" / "test-artefacts" / "workorders"
AGENT, PASSWORD = "order-agent", "a-long-work-order-password"
SERVICE, STAFF = "service-token-for-console", "staff-token-for-console"


@pytest.fixture(scope="module")
def services(tmp_path_factory, sd_settings):
    var = tmp_path_factory.mktemp("workorders-var")
    settings = replace(
        sd_settings, var_dir=var, assist_session_key=Fernet.generate_key().decode(), portal_data_key=Fernet.generate_key().decode(),
        portal_service_token=SERVICE, portal_staff_token=STAFF, portal_url=f"http://127.0.0.1:{PORTAL_PORT}",
        portal_db_url=f"sqlite+aiosqlite:///{var / 'portal.sqlite'}",
    )
    AssistStore(settings.assist_database).add_agent(AGENT, PASSWORD)
    loop = asyncio.new_event_loop()
    started: Future = Future()

    async def serve():
        runners = []
        for app, port in ((create_portal(settings), PORTAL_PORT), (create_assist(settings, NoModels()), ASSIST_PORT)):
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)
        started.set_result(runners)

    thread = threading.Thread(target=lambda: (loop.run_until_complete(serve()), loop.run_forever()), daemon=True)
    thread.start()
    runners = started.result(timeout=120)
    yield f"http://127.0.0.1:{ASSIST_PORT}", f"http://127.0.0.1:{PORTAL_PORT}"
    for runner in reversed(runners):
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
    loop.call_soon_threadsafe(loop.stop)


def portal_call(portal: str, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(portal + path, data, {"Content-Type": "application/json", "Authorization": f"Bearer {SERVICE}"}, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def file_order(portal: str, key: str, content: str, sender: str) -> str:
    order = {"idempotency_key": key, "content": content, "place": "历下区阳光小区3号楼", "region_code": "370102", "region_name": "历下区",
             "happened": "最近一周每天夜里", "contact": "13912345678", "contact_masked": "139****5678", "category": "城乡建设",
             "department": "历下区住房和城乡建设局", "channel": "socketio", "sender_id": sender}
    return portal_call(portal, "POST", "/work-orders", order)["number"]


def test_agents_list_and_edit_work_orders(services):
    assist, portal = services
    file_order(portal, "console-1", "小区门口路灯坏了一周", "citizen-a")
    number = file_order(portal, "console-2", "楼上每天半夜装修，吵得睡不着", "citizen-b")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 800}, locale="zh-CN")
            page.set_default_timeout(30_000)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{assist}/workorders")  # not logged in: the login page
            page.fill("#name", AGENT)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{assist}/")
            page.click("text=工单管理")
            page.wait_for_url(f"{assist}/workorders")
            expect(page.locator("#orders tr")).to_have_count(2)
            expect(page.locator("#orders")).to_contain_text("139****5678")
            expect(page.locator("#orders")).not_to_contain_text("13912345678")
            page.click(f"#orders tr[data-number={number}]")
            expect(page.locator("#editing")).to_contain_text(number)
            page.select_option("#edit-status", "已答复")
            page.fill("#edit-department", "历下区综合行政执法局")
            page.fill("#edit-reply", "已约谈装修业主，夜间停止施工")
            page.click("#editor button[type=submit]")
            expect(page.locator("#saved")).to_contain_text("已通知群众")
            row = page.locator(f"#orders tr[data-number={number}]")
            expect(row).to_contain_text("已答复")
            expect(row).to_contain_text("历下区综合行政执法局")
            expect(row).to_contain_text("夜间停止施工")
            page.click("#reveal")  # the agent calls the citizen back
            expect(page.locator("#saved")).to_contain_text("13912345678")
            page.screenshot(path=str(ARTEFACTS / "workorders.png"), full_page=True)
            page.select_option("#filter-status", "已受理")
            page.click("text=查询")
            expect(page.locator("#orders tr")).to_have_count(1)
            expect(page.locator("#orders")).to_contain_text("路灯")
            assert errors == []
        finally:
            browser.close()
    notes = [n for n in portal_call(portal, "GET", "/notifications")["notifications"] if n["sender_id"] == "citizen-b"]
    assert len(notes) == 1 and "夜间停止施工" in notes[0]["text"] and number in notes[0]["text"]
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{assist}/api/workorders")
    assert anonymous.value.code == 401
