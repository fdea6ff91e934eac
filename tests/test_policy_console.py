"""The 12345 console in Chromium: a caller's credit code in the words brings up the
policies their enterprise qualifies for, with reasons (screenshot in var/test-artefacts/)."""

from __future__ import annotations

from playwright.sync_api import expect

from assist.store import AssistStore
from tests.chat import ASSIST_PORT
from tests.test_policy_chat import COMPANY, CREDIT_CODE, portal, secrets
from tests.test_widget import ARTEFACTS, browser, context  # noqa: F401  (Chromium fixtures)

AGENT, PASSWORD = "policy-agent", "a-long-policy-password"


def test_the_console_lists_the_callers_policies_with_reasons(bot, sd_settings, context):  # noqa: F811
    AssistStore(sd_settings.var_dir / "assist.sqlite").add_agent(AGENT, PASSWORD)
    portal("/profiles", {"kind": "enterprise", "key": CREDIT_CODE, "data": {"facts": {**COMPANY, "rd_ratio": 2.5}}},
           secrets(sd_settings)["PORTAL_SERVICE_TOKEN"])
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{ASSIST_PORT}/login")
    page.fill("#name", AGENT)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    expect(page.locator("#words")).to_be_visible()
    page.fill("#words", f"您好，我们是济南的一家制造企业，统一社会信用代码{CREDIT_CODE}，想问问有什么扶持政策可以申请")
    expect(page.get_by_role("heading", name="来电人可享受的政策")).to_be_visible()
    expect(page.get_by_text("《山东省高新技术企业培育入库奖励（示例）》")).to_be_visible()
    expect(page.get_by_text("研发投入占比需≥3%，贵单位为2.5%").first).to_be_visible()
    assert CREDIT_CODE not in page.locator("#masked").inner_text()
    page.screenshot(path=str(ARTEFACTS / "console-caller-policies.png"), full_page=True)
