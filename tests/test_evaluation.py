"""Ratings and conversation insight through the running bot: conversations over REST,
WeChat and the web widget are rated; every figure of the dashboard's API is checked
against what was done (as a change from before, since the bot serves the whole session);
差评 become tickets that staff move on the ticket page and whose outcome reaches the
citizen; the dashboard is drawn in Chromium and exported as CSV and XLSX."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import time
import urllib.parse
import urllib.request
import zipfile

import pytest
from playwright.sync_api import expect, sync_playwright

from analytics.store import LEVELS
from tests.chat import (
    ANALYTICS_PORT, RASA, RASA_TOKEN, fill_residence_permit, new_applicant, pick, receipt_of, say, texts, tracker, user,
)
from tests.test_wechat import FakeWeChat, message, new_user, push, serving
from tests.test_widget import CHROMIUM, FLAGS, answered, ask, open_widget, session_id

ANALYTICS = f"http://127.0.0.1:{ANALYTICS_PORT}"
STAFF_TOKEN_FILE = "secrets.env"
ARTEFACTS_NAME = "evaluation"


def staff_token(sd_settings) -> str:
    env = dict(line.split("=", 1) for line in (sd_settings.var_dir / STAFF_TOKEN_FILE).read_text().split())
    return env["PORTAL_STAFF_TOKEN"]


def api(path: str, token: str, body: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(f"{ANALYTICS}{path}", json.dumps(body).encode() if body is not None else None,
                                     {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def figures(token: str, **filters: str) -> dict:
    status, body = api("/api/measures?" + urllib.parse.urlencode(filters), token)
    assert status == 200, body
    return json.loads(body)


def buttons(messages: list[dict]) -> list[str]:
    return [b["title"] for m in messages for b in m.get("buttons", [])]


def wait_for(fake: FakeWeChat, me: str, words: str, timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = fake.texts_to(me)
        if any(words in t for t in found):
            return found
        time.sleep(0.2)
    raise AssertionError(f"{me} never got {words!r}: {fake.texts_to(me)}")


@pytest.fixture(scope="module")
def fake_wechat(bot):
    with serving(FakeWeChat()) as fake:
        yield fake
    assert not fake.problems, fake.problems


def test_the_api_needs_the_staff_token_and_rejects_bad_filters(bot, sd_settings):
    assert api("/api/measures", "wrong")[0] == 401
    status, body = api("/api/measures?from=yesterday", staff_token(sd_settings))
    assert status == 400 and "日期" in json.loads(body)["message"]
    assert api("/api/tickets/abc", staff_token(sd_settings), {"state": "整改中"})[0] == 400
    assert api("/api/tickets/999999", staff_token(sd_settings), {"state": "整改中", "note": "x"})[0] == 404


@pytest.mark.parametrize(
    ("said", "rating"),
    [
        ("我想评价一下", True),
        ("我要给个差评", True),
        ("我想对刚才的答复做个评价", True),
        ("环境影响评价怎么办", False),  # a service
        ("工伤评了个七级伤残，补助金怎么领", False),
        ("给营业执照补领打个分", False),  # names an item: searched
        ("答非所问，差评", True),
        ("给五星好评", True),
        ("评价需要多长时间", False),  # a question about an item of 评价
        ("需要评价吗", False),
        ("我要给医院差评", False),  # a complaint about a hospital
    ],
)
def test_asking_to_rate_is_told_from_a_search(said: str, rating: bool) -> None:
    from actions.rating import asks_to_rate

    assert asks_to_rate(said) is rating


def test_asking_to_rate_offers_the_levels_for_what_was_last_answered(bot):
    """"我想评价一下" after an answer: the five levels for that item (not a search for 评价)."""
    me = user()
    assert "营业执照补领" in texts(say(me, "营业执照丢了怎么补"))
    offered = say(me, "我想评价一下")
    assert buttons(offered) == list(LEVELS), offered
    assert "感谢您的评价：非常满意" in texts(say(me, '/rate{"rating":"非常满意"}'))
    assert "目前没有需要评价的服务" in texts(say(user(), "我要给个差评"))  # nothing served yet
    # An offer left unanswered is not what a later request rates: the item served last is.
    later = user()
    say(later, "营业执照丢了怎么补")
    assert buttons(say(later, "谢谢")) == list(LEVELS)
    answer = say(later, "出生医学证明怎么办")
    code = next(i["code"] for m in answer for i in (m.get("custom") or {}).get("items", []))
    request = say(later, "我想评价一下")
    assert [(m.get("custom") or {}).get("rating", {}).get("topic") for m in request if (m.get("custom") or {}).get("rating")] == [f"item:{code}"]


def test_rated_conversations_on_three_channels_add_up_on_the_dashboard(bot, sd_settings, fake_wechat, tmp_path):
    token = staff_token(sd_settings)
    before = figures(token)
    before_channel = {c: figures(token, channel=c)["conversations"] for c in ("rest", "wechat", "socketio")}
    typed = 0  # questions typed (not buttons), over all the conversations below

    # 1. REST: an item found after a choice, closed with thanks → rated 满意 with a reason, once.
    r1 = user()
    offered = say(r1, "有限责任公司登记"); typed += 1
    assert len(buttons(offered)) >= 2
    pick(r1, offered, buttons(offered)[0].split(". ", 1)[1])
    closing = say(r1, "谢谢"); typed += 1
    assert buttons(closing) == list(LEVELS), closing
    rated = say(r1, '/rate{"rating":"满意"}')
    assert "感谢您的评价：满意" in texts(rated) and "答复准确清楚" in buttons(rated)
    assert "感谢您的反馈" in texts(say(r1, '/rating_reason{"reason":"答复准确清楚"}'))
    again = say(r1, "谢谢"); typed += 1
    assert not set(LEVELS) & set(buttons(again))  # never twice for one topic

    # 2. REST: nothing fits, a human, back to the bot (as agent assist ends a handoff) → the handoff rated 不满意 (no ticket: no item).
    r2 = user()
    missing = texts(say(r2, "共享单车押金怎么退不回来")); typed += 1
    no_match = "没有在事项目录中找到" in missing
    handoff = say(r2, "转人工"); typed += 1
    assert "排队号" in texts(handoff)
    handoff_ticket = next(m["custom"]["handoff"]["ticket"] for m in handoff if "handoff" in (m.get("custom") or {}))
    from analytics.evaluation import offer_events
    from channels.push import resume_conversation

    asyncio.run(resume_conversation(r2, RASA, RASA_TOKEN, offer_events(f"handoff:{handoff_ticket}")))
    offered_after = [e for e in tracker(r2)["events"] if e["event"] == "bot"][-1]
    assert [b["title"] for b in offered_after["data"]["buttons"]] == list(LEVELS) and "人工客服" in offered_after["text"]
    handoff_rated = texts(say(r2, '/rate{"rating":"不满意"}'))
    assert "感谢您的评价：不满意" in handoff_rated and "工单号" not in handoff_rated

    # 3. REST: a residence-permit application, submitted → rated 非常不满意 → a ticket for the department.
    r3 = user()
    id_number, phone = new_applicant()
    fill_residence_permit(r3, id_number, phone)
    typed += 8  # the two questions and six answers fill_residence_permit types
    submitted = say(r3, "确认提交"); typed += 1
    receipt = receipt_of(texts(submitted))
    assert buttons(submitted) == list(LEVELS)  # offered right after the submission
    bad = texts(say(r3, '/rate{"rating":"非常不满意"}'))
    assert "已转" in bad and "5个工作日内" in bad
    say(r3, '/rating_reason{"reason":"办理时间太长"}')

    # 4. WeChat: numbered choices for the item and the levels → 不满意 → a ticket; told the outcome there.
    w1 = new_user(fake_wechat)
    push(message(w1, "有限责任公司登记")); typed += 1
    wait_for(fake_wechat, w1, "回复数字选择")
    push(message(w1, "1"))
    wait_for(fake_wechat, w1, "办理部门")
    push(message(w1, "谢谢")); typed += 1
    offer = wait_for(fake_wechat, w1, "请您对")[-1]
    assert all(f"{n}. {level}" in offer or f"{n}、{level}" in offer or level in offer for n, level in enumerate(LEVELS, 1)), offer
    push(message(w1, "4"))  # 不满意
    wait_for(fake_wechat, w1, "工单号")

    # 5. Web widget (socket.io): the item, thanks, the 非常满意 button, a reason button.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 860})
        page.set_default_timeout(60_000)
        open_widget(page)
        ask(page, "有限责任公司登记"); typed += 1
        answered(page, page.locator(".row.bot").last.locator(".choices button").first.click)
        ask(page, "谢谢"); typed += 1
        levels = page.locator(".row.bot").last.locator(".choices button")
        expect(levels).to_have_count(5)
        page.screenshot(path=str(tmp_path / "widget-rating.png"))
        answered(page, levels.filter(has_text="非常满意").first.click)
        answered(page, page.locator(".row.bot").last.locator(".choices button").first.click)
        expect(page.locator(".row.bot").last).to_contain_text("感谢您的反馈")
        b1 = session_id(page)
        browser.close()

    time.sleep(1.5)  # Rasa's broker has written every event; the API catches up by itself
    after = figures(token)
    delta = {k: after[k] - before[k] for k in ("conversations", "questions", "handoffs", "no_match_questions", "self_service", "rated", "tickets_open")}
    assert delta == {
        "conversations": 5, "questions": typed, "handoffs": 1, "no_match_questions": int(no_match),
        "self_service": 4, "rated": 5, "tickets_open": 2,
    }, (delta, typed)
    assert {level: after["ratings"][level] - before["ratings"][level] for level in LEVELS} == {
        "非常满意": 1, "满意": 1, "基本满意": 0, "不满意": 2, "非常不满意": 1}
    assert after["bad_reason_types"]["办理太慢"] - before["bad_reason_types"]["办理太慢"] == 1  # r3's 办理时间太长
    assert {c: figures(token, channel=c)["conversations"] - n for c, n in before_channel.items()} == {"rest": 3, "wechat": 1, "socketio": 1}
    # the rates are the counts' shares; latency is measured
    assert after["self_service_rate"] == round(after["self_service"] / after["conversations"], 4)
    assert after["handoff_rate"] == round(after["handoffs"] / after["conversations"], 4)
    assert after["no_match_rate"] == round(after["no_match_questions"] / after["questions"], 4)
    satisfied = sum(after["ratings"][level] for level in LEVELS[:3])
    assert after["satisfaction_rate"] == round(satisfied / after["rated"], 4)
    assert after["latency_ms"]["p50"] > 0 and after["latency_ms"]["p95"] >= after["latency_ms"]["p50"]
    assert sum(d["conversations"] for d in after["by_day"]) >= after["conversations"]
    assert tracker(b1)["latest_input_channel"] == "socketio"

    # the tickets: one per 差评 of an item or application, with the item's department
    status, body = api("/api/tickets?" + urllib.parse.urlencode({"state": "待回访"}), token)
    mine = {t["sender_id"]: t for t in json.loads(body)["tickets"] if t["sender_id"] in (r3, w1)}
    assert set(mine) == {r3, w1} and not any(t["overdue"] for t in mine.values())
    assert mine[r3]["level"] == "非常不满意" and mine[r3]["reason"] == "办理时间太长" and mine[r3]["department"]
    department = mine[r3]["department"]
    by_department = figures(token, department=department)
    assert by_department["tickets_open"] >= 1

    # staff move them on the ticket page; the citizens are told on their channels
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(f"{ANALYTICS}/tickets")
        page.get_by_label("访问令牌（部门）").fill(token)
        page.get_by_role("button", name="刷新").click()
        row = page.locator(f'tr[data-id="{mine[r3]["id"]}"]')
        expect(row).to_contain_text("待回访")
        row.get_by_label("说明").fill("已电话回访，致歉")
        row.get_by_role("button", name="改为整改中").click()
        # The table is drawn again after each change: wait for it (the button goes) before
        # typing, or the redraw clears the note and the next change is refused.
        expect(row.get_by_role("button", name="改为整改中")).to_have_count(0)
        row.get_by_label("说明").fill("已增加居住证受理窗口，办理时间缩短为3个工作日")
        row.get_by_role("button", name="改为已办结").click()
        expect(row.get_by_role("button", name="改为已办结")).to_have_count(0)
        expect(row).to_contain_text("已办结")
        page.screenshot(path=str(tmp_path / "tickets.png"), full_page=True)
        browser.close()
    assert api(f"/api/tickets/{mine[w1]['id']}", token, {"state": "申诉", "note": "该事项已按规定时限办理"})[0] == 200
    assert "申诉" in wait_for(fake_wechat, w1, "申诉")[-1]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any("整改办结" in (e.get("text") or "") for e in tracker(r3)["events"] if e["event"] == "bot"):
        time.sleep(0.5)
    assert any("整改办结" in (e.get("text") or "") for e in tracker(r3)["events"] if e["event"] == "bot")
    assert figures(token)["tickets_open"] == before["tickets_open"]
    assert receipt.startswith("SD")


def test_dashboard_draws_the_figures_and_exports_them(bot, sd_settings):
    token = staff_token(sd_settings)
    shown = figures(token)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(120_000)
        page.goto(f"{ANALYTICS}/")
        expect(page).to_have_title("通办 · 服务评价与会话分析")
        page.get_by_label("访问令牌").fill(token)
        page.get_by_role("button", name="刷新").click()
        kpis = page.locator("#kpis")
        expect(kpis).to_contain_text("会话数")
        expect(kpis.locator(".kpi").first.locator("b")).to_have_text(str(shown["conversations"]))
        expect(page.locator("#daily canvas")).to_have_count(1)
        expect(page.locator("#ratings canvas")).to_have_count(1)
        expect(page.locator("#reasons canvas")).to_have_count(1)
        expect(page.locator("#gaps tbody tr").first).to_be_visible()  # the unanswered 共享单车 question
        from tests.test_widget import ARTEFACTS

        path = ARTEFACTS.parent / "dashboard.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        browser.close()
    status, body = api("/api/export.csv", token)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert status == 200 and rows[0] == ["指标", "数值"] and ["会话数", str(shown["conversations"])] in rows
    status, body = api("/api/export.xlsx", token)
    workbook = zipfile.ZipFile(io.BytesIO(body))
    assert status == 200 and "xl/workbook.xml" in workbook.namelist() and "每日" in workbook.read("xl/workbook.xml").decode()
    metrics = urllib.request.urlopen(f"{ANALYTICS}/metrics", timeout=10).read().decode()
    assert re.search(r'tongban_analytics_today\{figure="conversations"\} [1-9]', metrics), metrics[:2000]
    assert "tongban_analytics_events_projected_total" in metrics
