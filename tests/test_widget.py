"""The web chat widget (channels/web) in a real headless Chromium — Debian's, driven by
Playwright — on the portal's demo page, against the real bot (the session `bot` fixture).

Screenshots are saved to var/test-artefacts/widget/ (printed at the end of the session).
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from channels.push import push_message
from tests.chat import PORTAL_PORT, RASA_PORT, RASA_TOKEN, tracker

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = ROOT / "var" / "test-artefacts" / "widget"
CHROMIUM = "/usr/bin/chromium"  # Debian's package (make chromium); Playwright downloads none
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEMO = f"http://127.0.0.1:{PORTAL_PORT}/"
RASA = f"http://127.0.0.1:{RASA_PORT}"
ANSWER_MS = 60_000  # the first answers of a fresh bot may take a while (models warming up)
expect.set_options(timeout=ANSWER_MS)


@pytest.fixture(scope="module")
def browser(bot) -> Browser:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()
    print(f"\nwidget screenshots: {ARTEFACTS}")


@pytest.fixture
def context(browser: Browser) -> BrowserContext:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(ANSWER_MS)
    yield context
    context.close()


def open_widget(page: Page, online: bool = True) -> None:
    page.goto(DEMO)
    expect(page).to_have_title("山东省政务服务网（演示）")
    page.get_by_role("button", name="在线咨询").click()
    expect(page.get_by_role("dialog", name="通办智能客服")).to_be_visible()
    if online:
        expect(page.locator(".status")).to_have_attribute("data-state", "online")


def answered(page: Page, send) -> None:
    """Do `send`, then wait until the bot has answered it."""
    before = page.locator(".row.bot").count()
    send()
    expect(page.locator(".row.bot")).not_to_have_count(before)
    expect(page.locator(".typing")).to_be_hidden()


def ask(page: Page, text: str) -> None:
    """Type a question and send it with Enter; wait until the bot has answered."""
    page.get_by_label("输入您的问题").fill(text)
    answered(page, lambda: page.get_by_label("输入您的问题").press("Enter"))
    expect(page.locator(".row.user").last).to_contain_text(text[:8])


def session_id(page: Page) -> str:
    return page.evaluate("sessionStorage.getItem('tongban-widget:session')").strip('"')


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"))


def rest_calls(page: Page) -> list[str]:
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if "/webhooks/rest/" in r.url else None)
    return calls


def test_ask_choose_reload_and_continue_over_socketio(context: BrowserContext):
    page = context.new_page()
    rest = rest_calls(page)
    open_widget(page)
    ask(page, "有限责任公司登记")
    choices = page.locator(".row.bot").last.locator(".choices button")
    expect(choices.nth(1)).to_be_visible()
    assert choices.count() >= 2 and page.locator(".row.bot").last.locator(".card").count() == choices.count()
    picked = choices.nth(1).inner_text().split(". ", 1)[1]
    answered(page, choices.nth(1).click)
    expect(page.locator(".row.user").last).to_have_text(picked)
    card = page.locator(".row.bot").last.locator(".card")
    expect(card.locator("h3")).to_have_text(picked)
    expect(card).to_contain_text("办理部门")
    expect(card).to_contain_text("办理时限")
    expect(card.locator("a.go")).to_have_attribute("href", re.compile(r"^https?://"))
    shot(page, "desktop-choice-and-card")
    me = session_id(page)

    page.reload()
    expect(page.get_by_role("dialog", name="通办智能客服")).to_be_visible()  # stays open
    expect(page.locator(".row.user").first).to_contain_text("有限责任公司登记")
    expect(page.locator(".card h3", has_text=picked).first).to_be_visible()
    assert session_id(page) == me
    expect(page.locator(".status")).to_have_attribute("data-state", "online")
    ask(page, "需要什么材料")  # a follow-up: answered about the item picked before the reload
    expect(page.locator(".row.bot").last).to_contain_text(picked)
    expect(page.locator(".row.bot").last).to_contain_text("材料")
    shot(page, "desktop-after-reload")
    assert rest == []  # everything went over socket.io


def test_keyboard_only(context: BrowserContext):
    page = context.new_page()
    page.goto(DEMO)
    focused_host = "document.activeElement && document.activeElement.id"
    for _ in range(40):  # Tab through the portal page to the widget's launcher
        page.keyboard.press("Tab")
        if page.evaluate(focused_host) == "tongban-widget":
            break
    assert page.evaluate("document.getElementById('tongban-widget').shadowRoot.activeElement.textContent") == "💬在线咨询"
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    inner = "document.getElementById('tongban-widget').shadowRoot.activeElement"
    assert page.evaluate(f"{inner}.id") == "tb-input"  # focus moved into the panel
    for _ in range(10):  # Shift+Tab back to the greeting's first suggestion
        page.keyboard.press("Shift+Tab")
        if page.evaluate(f"{inner}.textContent") == "营业执照丢了怎么补办":
            break
    answered(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator(".card h3", has_text="营业执照补领").first).to_be_visible()
    assert page.evaluate(f"{inner}.id") == "tb-input"  # back in the input after a choice
    page.keyboard.type("那要多久")
    answered(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator(".row.bot").last).to_contain_text("营业执照补领")
    shot(page, "keyboard")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert page.evaluate(f"{inner}.className") == "launcher"  # focus back on the launcher


def test_phone_layout_and_form_progress(browser: Browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(ANSWER_MS)
    page = context.new_page()
    open_widget(page)
    box = page.get_by_role("dialog").bounding_box()
    assert box == {"x": 0, "y": 0, "width": 390, "height": 844}  # full screen under 600px
    ask(page, "济南历下区的营业执照丢了怎么补办")
    expect(page.locator(".row.bot").last.locator(".card h3")).to_have_text("营业执照补领")
    shot(page, "phone-card")
    ask(page, "我要申请")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    assert int(bar.get_attribute("aria-valuemax")) >= 2
    expect(page.locator(".row.bot").last).to_contain_text("统一社会信用代码")
    shot(page, "phone-form-progress")
    ask(page, "取消申请")
    context.close()


def test_push_reaches_the_open_page(context: BrowserContext):
    page = context.new_page()
    open_widget(page)
    ask(page, "你好")
    custom = {"application": {"receipt_number": "SD20261128000001", "status": "已受理"}}
    push = push_message(session_id(page), "您的申请已受理，请留意短信通知。", custom=custom, rasa_url=RASA, token=RASA_TOKEN)
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API owns this thread's event loop
        thread.submit(asyncio.run, push).result()
    expect(page.locator(".row.bot").last).to_contain_text("您的申请已受理")
    expect(page.locator(".row.bot").last).to_contain_text("SD20261128000001")
    shot(page, "push")


def test_a_dropped_connection_shows_and_reconnects_to_the_same_session(context: BrowserContext):
    page = context.new_page()
    open_widget(page)
    ask(page, "济南历下区的营业执照丢了怎么补办")
    context.set_offline(True)
    expect(page.locator(".status")).not_to_have_attribute("data-state", "online")
    expect(page.locator(".status")).to_have_text(re.compile("重连|普通连接"))  # REST after fallback-ms
    context.set_offline(False)
    expect(page.locator(".status")).to_have_attribute("data-state", "online")
    ask(page, "那要多久")
    expect(page.locator(".row.bot").last).to_contain_text("营业执照补领")


def test_rest_fallback_when_socketio_is_blocked(context: BrowserContext):
    context.route("**/socket.io/**", lambda route: route.abort())
    page = context.new_page()
    rest = rest_calls(page)
    open_widget(page, online=False)
    expect(page.locator(".status")).to_have_attribute("data-state", "rest")
    ask(page, "营业执照丢了怎么补办")
    expect(page.locator(".card h3", has_text="营业执照补领").first).to_be_visible()
    assert rest
    page.reload()
    expect(page.locator(".card h3", has_text="营业执照补领").first).to_be_visible()
    ask(page, "那要多久")
    expect(page.locator(".row.bot").last).to_contain_text("营业执照补领")
    expect(page.locator(".status")).to_have_attribute("data-state", "rest")  # still says how it talks
    shot(page, "rest-fallback")


def test_numbers_are_masked_on_screen_and_before_the_tracker(context: BrowserContext):
    page = context.new_page()
    open_widget(page)
    ask(page, "我的手机号是13812345678，身份证370102199003071238")
    expect(page.locator(".row.user").last).to_have_text("我的手机号是138****5678，身份证370102********1238")
    kept = tracker(session_id(page))
    said = [e["text"] for e in kept["events"] if e["event"] == "user"]
    assert said == ["我的手机号是138****5678，身份证370102********1238"]
    assert "13812345678" not in json.dumps(kept, ensure_ascii=False)


def test_socketio_refuses_other_origins_and_answers_malformed_events(context: BrowserContext):
    page = context.new_page()
    page.goto(DEMO)
    script = """async ([server, payload]) => {
        const socket = io(server, {path: "/socket.io/", reconnection: false, transports: ["websocket"]});
        return await new Promise(done => {
            socket.on("connect_error", () => done("refused"));
            socket.on("connect", () => socket.emit("user_uttered", payload));
            socket.on("bot_uttered", m => done(m.text));
            setTimeout(() => done("timeout"), 15000);
        });
    }"""
    page.wait_for_function("typeof io === 'function'")
    assert "没能读懂" in page.evaluate(script, [RASA, "not an object"])
    assert "没能读懂" in page.evaluate(script, [RASA, {"message": 5, "session_id": "x"}])
    page.goto(f"{RASA}/")  # Rasa's own page: an origin that may not embed the widget
    page.add_script_tag(url=f"{DEMO}widget/socket.io.min.js")
    assert page.evaluate(script, [RASA, {"message": "你好"}]) == "refused"


def test_portal_serves_the_demo_page_and_only_the_widget_files(bot):
    page = urllib.request.urlopen(DEMO, timeout=10).read().decode()
    assert f'data-server="{RASA}"' in page and "/widget/tongban-widget.js" in page
    for name in ("tongban-widget.js", "socket.io.min.js"):
        assert urllib.request.urlopen(f"{DEMO}widget/{name}", timeout=10).status == 200
    for name in ("..%2Fsocketio.py", "..%2F..%2Fsettings.py", "nothing.js"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{DEMO}widget/{name}", timeout=10)
        assert refused.value.code == 404


def test_a_conversation_with_a_theme_a_follow_up_and_a_region(context: BrowserContext):
    page = context.new_page()
    open_widget(page)
    last = page.locator(".row.bot").last
    ask(page, "开办劳务公司要跑几个部门")
    theme = last.locator(".card.theme")
    expect(theme.locator("h3")).to_contain_text("开办劳务公司")
    expect(theme).to_contain_text("5个 → 1个")
    shot(page, "conversation-theme")
    ask(page, "可以网上办吗")  # a follow-up about the theme, not some item that says 网上
    expect(last.locator(".card.theme h3")).to_contain_text("开办劳务公司")
    ask(page, "要多久")  # the theme states no time limit of its own: each service's
    expect(last).to_contain_text("各事项分别为")
    expect(last).to_contain_text("劳务派遣经营许可：")
    shot(page, "conversation-theme-fact")
    ask(page, "另外问下，营业执照丢了怎么补领")
    expect(last.locator(".card h3").first).to_have_text("营业执照补领")
    ask(page, "在哪里办")  # no region known: asked for it, no county's place given as the user's
    expect(last).to_contain_text("城市或区县")
    ask(page, "济南市历下区的呢")
    expect(last.locator(".card h3").first).to_have_text("营业执照补领")
    expect(last).to_contain_text("历下")
    shot(page, "conversation-theme-follow-up-region")


def test_a_returning_user_is_shown_what_to_do_next_on_opening(context: BrowserContext):
    """猜你要办: a sender who applied (here over REST, as the same session id) and comes back
    after a while opens the widget and is offered the next steps with their reason."""
    from tests.chat import fill_residence_permit, new_applicant, receipt_of, say, texts

    me = "returning" + uuid.uuid4().hex[:16]
    id_number, phone = new_applicant()
    fill_residence_permit(me, id_number, phone)
    receipt_of(texts(say(me, "确认提交")))
    page = context.new_page()
    earlier = [{"who": "user", "m": {"text": "济南的居住证怎么申领"}}, {"who": "bot", "m": {"text": "申请已提交。"}}]
    page.add_init_script(  # the session this browser kept, last active an hour ago
        f"sessionStorage.setItem('tongban-widget:session', {json.dumps(json.dumps(me))});"
        f"sessionStorage.setItem('tongban-widget:transcript', {json.dumps(json.dumps(earlier, ensure_ascii=False))});"
        "sessionStorage.setItem('tongban-widget:active', String(Date.now() - 3600000));"
    )
    open_widget(page)
    guess = page.locator(".row.bot", has_text="猜你要办")
    expect(guess).to_contain_text("因为您刚办理了“居住证申领”")
    expect(page.locator(".row.user")).to_have_count(1)  # the widget asked silently
    expect(guess.locator(".choices button", has_text="居住证签注")).to_be_visible()
    shot(page, "returning-user-guess")
    answered(page, guess.locator(".choices button", has_text="居住证签注").click)
    expect(page.locator(".row.bot").last).to_contain_text("居住证签注")
    shot(page, "returning-user-guess-clicked")


def test_a_first_visit_gets_the_greeting_not_suggestions(context: BrowserContext):
    page = context.new_page()
    open_widget(page)
    expect(page.locator(".row.bot").first).to_contain_text("您好")
    expect(page.locator(".row.bot")).to_have_count(1)
    assert "猜你要办" not in page.locator(".log").inner_text()


def test_applying_for_a_theme_without_a_form_shows_its_steps(context: BrowserContext):
    """开办餐饮店 has no guided form here: "我现在就申请" gets its steps as text, not a form nor a
    theme card drawn without its facts."""
    page = context.new_page()
    open_widget(page)
    last = page.locator(".row.bot").last
    ask(page, "我想在青岛开个饭店，要办哪些证")
    expect(last.locator(".card.theme h3")).to_contain_text("开办餐饮店")
    ask(page, "我现在就申请")
    expect(last).to_contain_text("办理流程如下")
    expect(last).to_contain_text("一链办”专区")
    expect(last.locator(".card")).to_have_count(0)
    shot(page, "theme-without-form-steps")
