"""Policy matching through the running bot, over several turns: the deciding questions
(at most five), the eligible list with benefit, 免申即享 and citation, "为什么我不符合",
and precise push through the notifier — exactly once, with "退订政策推送" honoured."""

from __future__ import annotations

import json
import re
import time
import urllib.request

from playwright.sync_api import expect

from tests.chat import PORTAL_PORT, say, texts, tracker, user
from tests.test_widget import ask, browser, context, open_widget, shot  # noqa: F401  (fixtures)

CREDIT_CODE = "91370102MA3C4XY71A"  # GB 32100 shape: masked by the channel
COMPANY = {"kind": "企业", "region": "370102", "industry": "C", "size": "小型", "established_date": "2019-05-01",
           "employees": 60, "revenue": 3000, "rd_ratio": 4.2, "certifications": ["高新技术企业", "科技型中小企业"],
           "flags": {"严重失信": False, "欠缴税款": False, "近三年重大安全事故": False}}
ANSWERS = [  # what a young graduate in 济南 answers, by the question's words
    (r"学历", "本科"), (r"户籍", "济南本地户口，本市"), (r"周岁|年龄", "23岁"), (r"毕业", "今年毕业"),
    (r"就业状态|在职", "还在找工作"), (r"身份", "个人"),
]


def portal(path: str, body: dict, token: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{PORTAL_PORT}{path}", json.dumps(body).encode(),
                                     {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
                                     method="PUT" if path == "/profiles" else "POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def secrets(sd_settings) -> dict[str, str]:
    return dict(line.split("=", 1) for line in (sd_settings.var_dir / "secrets.env").read_text().split())


def bot_texts(sender: str) -> list[str]:
    return [e.get("text") or "" for e in tracker(sender)["events"] if e["event"] == "bot"]


def city_policy(policy_id: str, title: str, issuer: str, doc_number: str, region: str, industry: str, benefit: str) -> dict:
    """A policy for the enterprises of one city and industry, as staff publish it (a test sample)."""
    return {"id": policy_id, "title": title, "issuer": issuer, "doc_number": doc_number, "issued": "2026-01-01",
            "valid_until": "2099-12-31", "benefit": benefit, "application_mode": "依申请", "sample": True,
            "conditions": {"applicant_kind": ["企业"], "region": [region], "industry": [industry]},
            "text": f"一、支持对象\n{issuer[:3]}注册的相关行业企业。\n二、支持标准\n{benefit}。"}


def interview(me: str, first: str) -> tuple[str, int]:
    """Send `first`, answer each numbered question; the final reply and how many were asked."""
    reply, asked = texts(say(me, first)), 0
    while re.search(r"（\d/5）", reply):
        asked += 1
        assert asked <= 5, reply
        answer = next((a for pattern, a in ANSWERS if re.search(pattern, reply)), "不知道")
        reply = texts(say(me, answer))
    return reply, asked


def test_a_graduate_is_asked_only_deciding_facts_then_gets_eligible_policies_with_sources(bot):
    me = user()
    reply, asked = interview(me, "我刚毕业在济南找工作，有什么补贴")
    assert 1 <= asked <= 5
    assert "济南市应届高校毕业生求职创业补贴" in reply and "免申即享" in reply
    assert "济南市人力资源和社会保障局" in reply and "济人社字〔2026〕15号" in reply and "示例政策" in reply
    why = texts(say(me, "为什么我不符合"))
    assert "✗" in why or "？" in why
    assert "《" in why and "》" in why


def test_subscribing_in_the_middle_of_the_interview_is_a_request_not_an_answer(bot):
    me = user()
    reply = texts(say(me, "我刚毕业在济南找工作，有什么补贴"))
    assert re.search(r"（1/5）", reply), reply
    answer = next((a for pattern, a in ANSWERS if re.search(pattern, reply)), "不知道")
    reply = texts(say(me, answer))
    asked = re.search(r"（(\d)/5）", reply)
    assert asked, reply
    mid = texts(say(me, "订阅政策推送"))
    assert "已订阅" in mid or "请先回答完" in mid, mid
    assert f"（{asked[1]}/5）" in mid, mid  # the same question again: nothing was taken as its answer
    answer = next((a for pattern, a in ANSWERS if re.search(pattern, mid)), "不知道")
    reply, more = interview(me, answer)
    assert "济南市应届高校毕业生求职创业补贴" in reply


def test_a_question_in_the_middle_of_the_interview_is_answered_not_taken_for_an_answer(bot):
    """"什么算严重失信" asked back is no 严重失信 record (it used to be read as one), and
    "什么是高新技术企业" is no unreadable answer to skip: each is answered, and the same
    question comes again."""
    me = user()
    first = texts(say(me, "我们公司能享受哪些政策"))
    asked = re.search(r"（(\d)/5）(.*?)可以回答", first)
    assert asked, first
    mid = texts(say(me, "什么是高新技术企业？"))
    assert "我们继续" in mid and "没能看懂" not in mid, mid
    assert f"（{asked[1]}/5）{asked[2]}" in mid, mid  # not counted, not skipped
    reply = texts(say(me, "济南" if "区县" in asked[2] else "不知道"))
    while re.search(r"（\d/5）", reply) and "严重失信" not in reply:
        reply = texts(say(me, "不知道"))
    number = re.search(r"（(\d)/5）[^（]*严重失信", reply)
    assert number, reply
    again = texts(say(me, "什么算严重失信？"))
    assert f"（{number[1]}/5）" in again and "严重失信" in again, again
    done = texts(say(me, "无"))
    assert f"（{number[1]}/5）" not in done, done


def test_a_known_company_is_matched_from_its_profile_and_pushed_a_new_policy_once(bot, sd_settings):
    keys = secrets(sd_settings)
    portal("/profiles", {"kind": "enterprise", "key": CREDIT_CODE, "data": {"facts": COMPANY}}, keys["PORTAL_SERVICE_TOKEN"])
    me = user()
    reply, asked = interview(me, f"我们公司统一社会信用代码{CREDIT_CODE}，能享受哪些政策")
    assert "档案" in reply or asked == 0
    assert "济南市科技型中小企业创新券" in reply and "山东省高新技术企业培育入库奖励" in reply
    assert "已订阅" in texts(say(me, "订阅政策推送"))

    policy = {"id": "CHAT-P1", "title": "济南市制造业企业研发投入奖励（测试示例）", "issuer": "济南市科学技术局",
              "doc_number": "济科字〔2026〕77号", "issued": "2026-01-01", "valid_until": "2099-12-31",
              "benefit": "一次性奖励8万元", "application_mode": "免申即享", "sample": True,
              "text": "一、奖励对象\n在济南市注册的制造业企业。\n二、奖励条件\n研发费用占营业收入比例不低于3%。\n三、奖励标准\n8万元。"}
    published = portal("/policies", policy, keys["PORTAL_STAFF_TOKEN"])
    assert published["imported"] == ["CHAT-P1"] and published["pushed"]["CHAT-P1"] >= 1
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any("【政策推送】" in t for t in bot_texts(me)):
        time.sleep(0.5)
    assert portal("/policies", policy, keys["PORTAL_STAFF_TOKEN"])["pushed"] == {"CHAT-P1": 0}  # published again
    time.sleep(5)  # two notifier rounds
    pushes = [t for t in bot_texts(me) if "【政策推送】" in t]
    assert len(pushes) == 1 and "济科字〔2026〕77号" in pushes[0] and "退订政策推送" in pushes[0]

    assert "已退订" in texts(say(me, "退订政策推送"))
    later = portal("/policies", {**policy, "id": "CHAT-P2"}, keys["PORTAL_STAFF_TOKEN"])
    assert later["pushed"] == {"CHAT-P2": 0}


def test_a_plain_policy_question_finds_the_central_kitchens_policies_with_their_numbers(bot):
    me = user()
    reply = texts(say(me, "小微企业贷款有什么贴息政策"))
    assert "青岛市小微企业首次贷款贴息" in reply and "青金发〔2026〕5号" in reply
    reply = texts(say(me, "稳岗返还有什么政策"))  # the catalogue's ran to 2025-12-31: never offered now
    assert "山东省2026年度失业保险稳岗返还" in reply and "有效期至2025" not in reply


def test_a_subscribed_widget_user_sees_a_fitting_new_policy_pushed_into_the_open_page(context, sd_settings):  # noqa: F811
    keys = secrets(sd_settings)
    code = "91370602MA3E7K2P49"  # a 烟台 research firm: no other test's profile fits the policy below
    facts = {"kind": "企业", "region": "370602", "industry": "M", "size": "微型", "established_date": "2021-06-01",
             "employees": 8, "flags": {"严重失信": False, "欠缴税款": False, "近三年重大安全事故": False}}
    portal("/profiles", {"kind": "enterprise", "key": code, "data": {"facts": facts}}, keys["PORTAL_SERVICE_TOKEN"])
    page = context.new_page()
    open_widget(page)
    ask(page, f"我们公司统一社会信用代码{code}，能享受哪些政策")
    for _ in range(6):  # deciding questions the profile does not answer
        page.wait_for_timeout(1000)  # a reply may come in several messages
        if not re.search(r"（\d/5）", page.locator(".row.bot").last.inner_text()):
            break
        ask(page, "不知道")
    ask(page, "订阅政策推送")
    expect(page.locator(".row.bot").last).to_contain_text("已订阅")

    policy = city_policy("WEB-P1", "烟台市科技服务机构运营补助（测试示例）", "烟台市科学技术局", "烟科字〔2026〕21号",
                         "370600", "M", "按年度运营费用的20%补助，最高20万元")
    assert portal("/policies", policy, keys["PORTAL_STAFF_TOKEN"])["pushed"] == {"WEB-P1": 1}
    expect(page.locator(".row.bot").last).to_contain_text("【政策推送】", timeout=20_000)  # no question asked
    expect(page.locator(".row.bot").last).to_contain_text("烟科字〔2026〕21号")
    shot(page, "policy-push")
    assert portal("/policies", policy, keys["PORTAL_STAFF_TOKEN"])["pushed"] == {"WEB-P1": 0}  # published again
    page.wait_for_timeout(5000)  # two notifier rounds
    assert page.locator(".row.bot", has_text="【政策推送】").count() == 1


def test_a_policy_staff_publish_is_found_by_the_next_plain_question(bot, sd_settings):
    keys = secrets(sd_settings)
    policy = {"id": "CHAT-P9", "title": "威海市海洋牧场建设补助（测试示例）", "issuer": "威海市海洋发展局",
              "doc_number": "威海发〔2026〕3号", "issued": "2026-02-01", "valid_until": "2099-12-31",
              "benefit": "按海洋牧场建设投入的15%补助", "application_mode": "依申请", "sample": True,
              "conditions": {"applicant_kind": ["企业"], "region": ["371000"]},
              "text": "一、支持对象\n在威海市从事海洋牧场建设的企业。\n二、支持标准\n按建设投入的15%给予补助。"}
    me = user()
    assert "威海市海洋牧场建设补助" not in texts(say(me, "海洋牧场建设有什么补助政策"))
    portal("/policies", policy, keys["PORTAL_STAFF_TOKEN"])
    reply = texts(say(me, "海洋牧场建设有什么补助政策"))
    assert "威海市海洋牧场建设补助" in reply and "威海发〔2026〕3号" in reply


def test_staff_see_how_many_were_pushed_each_policy(context, sd_settings):  # noqa: F811
    keys = secrets(sd_settings)
    code = "91371102MA3F8N6Q2D"  # a 日照 farm: no other test's profile fits the policy below
    facts = {"kind": "企业", "region": "371102", "industry": "A", "size": "小型"}
    portal("/profiles", {"kind": "enterprise", "key": code, "data": {"facts": facts}}, keys["PORTAL_SERVICE_TOKEN"])
    portal("/policy-subscriptions", {"key": code, "sender_id": user(), "channel": "rest", "opted_in": True}, keys["PORTAL_SERVICE_TOKEN"])
    policy = city_policy("STAFF-P1", "日照市茶园标准化建设奖补（测试示例）", "日照市农业农村局", "日农字〔2026〕8号",
                         "371100", "A", "每亩奖补300元")
    assert portal("/policies", policy, keys["PORTAL_STAFF_TOKEN"])["pushed"] == {"STAFF-P1": 1}
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{PORTAL_PORT}/staff")
    page.get_by_role("button", name="查看推送情况").click()
    expect(page.locator("#pushes")).to_contain_text("访问令牌不正确")  # no token, no counts
    page.get_by_label("访问令牌（部门）").fill(keys["PORTAL_STAFF_TOKEN"])
    page.get_by_role("button", name="查看推送情况").click()
    row = page.locator('tr[data-policy="STAFF-P1"]')
    expect(row).to_contain_text("日照市茶园标准化建设奖补")
    expect(row).to_contain_text("日农字〔2026〕8号")
    expect(row.locator("td.count").first).to_have_text("1")
    row.scroll_into_view_if_needed()
    shot(page, "staff-policy-pushes")
