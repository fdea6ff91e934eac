"""12345 work orders filed through the running bot (Rasa + action server + portal +
notifier, over REST): a complaint no service item answers is asked where, when and a
phone over several turns, with re-asks and a correction, summarised with its category and
department, filed for a number; its status is asked; a department's reply is pushed into
the conversation. And a cancelled one files nothing."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import expect

from insight.store import InsightStore
from tests.chat import PORTAL_PORT, items, new_applicant, say, texts, tracker, user
from tests.test_policy_chat import secrets as portal_secrets
from tests.test_applications import bot_texts, staff_token
from tests.test_widget import answered, ask, browser, context, open_widget, shot  # noqa: F401  (fixtures)


def staff_post(sd_settings, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORTAL_PORT}{path}", json.dumps(body).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {staff_token(sd_settings)}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_a_question_about_the_service_discussed_is_answered_inside_the_work_order_form(bot):
    """A work order begun while a service is under discussion (an aside NLU reads as a complaint
    opens the form too): a fact asked of that service ("去哪儿办执照", "交了材料以后多久能拿到") is
    answered and the form's question asked again; an answer that holds asking words is still
    taken as one ("不记得是哪个窗口了…大厅", "前几天晚上")."""
    me = user()
    say(me, "营业执照丢了怎么补办")
    assert "发生在哪里" in texts(say(me, "楼上天天半夜装修吵得睡不着，找谁管"))
    for said, answer in [("去哪儿办执照", "工单登记完成后告诉我您所在的城市"), ("在那办", "工单登记完成后告诉我您所在的城市"),
                         ("交了材料以后多久能拿到", "法定时限")]:  # (where: units differ by place; 那 typed for 哪)
        reply = say(me, said)
        assert [i["name"] for i in items(reply)] == ["营业执照补领"] and answer in texts(reply), (said, texts(reply))
        assert "继续登记工单" in texts(reply) and "发生在哪里" in texts(reply)
    assert "什么时候" in texts(say(me, "不记得是哪个窗口了，历下区政务服务中心大厅"))
    for said in ["要带什么材料", "办好要几天"]:  # (几天 asks how long: no time it happened)
        reply = say(me, said)
        assert [i["name"] for i in items(reply)] == ["营业执照补领"] and "什么时候" in texts(reply), (said, texts(reply))
    assert "联系电话" in texts(say(me, "前几天晚上"))
    summary = texts(say(me, new_applicant()[1]))
    assert "历下区政务服务中心大厅" in summary and "前几天晚上" in summary


def test_a_complaint_is_filed_over_several_turns_and_the_department_reply_is_pushed(bot, sd_settings):
    me = user()
    _, phone = new_applicant()
    masked = f"{phone[:3]}****{phone[-4:]}"
    opened = texts(say(me, "楼上天天半夜装修吵得睡不着，找谁管"))
    assert "12345工单" in opened and "发生在哪里" in opened  # the message said what happened: where is next
    assert "没有听出是哪个市或区县" in texts(say(me, "就在我家楼上"))  # no region: asked again
    assert "不够具体" in texts(say(me, "历下区"))  # a district alone is no place
    assert "什么时候" in texts(say(me, "历下区阳光小区3号楼"))
    assert "没有听出时间" in texts(say(me, "不清楚"))
    assert "联系电话" in texts(say(me, "最近一周每天半夜"))
    assert "不是有效的手机号码" in texts(say(me, "12345"))
    summary = texts(say(me, phone))
    assert "请核对" in summary and "阳光小区3号楼" in summary and masked in summary and phone not in summary
    assert "问题分类" in summary and "拟转交：历下区" in summary
    assert "发生地点" in texts(say(me, "地点说错了"))
    summary = texts(say(me, "历下区阳光小区5号楼"))
    assert "请核对" in summary and "5号楼" in summary and "3号楼" not in summary
    filed = texts(say(me, "确认提交"))
    number = re.search(r"工单编号：(WO\d{14})", filed).group(1)
    status = texts(say(me, "我反映的问题处理得怎么样了"))
    assert number in status and "已受理" in status

    staff_post(sd_settings, f"/staff/work-orders/{number}", {"status": "已答复", "reply": "已约谈装修业主，夜间停止施工"})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any("夜间停止施工" in t for t in bot_texts(me)):
        time.sleep(0.5)
    pushed = [t for t in bot_texts(me) if "夜间停止施工" in t]
    assert len(pushed) == 1 and number in pushed[0] and "已答复" in pushed[0]
    assert "夜间停止施工" in texts(say(me, "我的投诉有结果了吗"))
    other = user()  # another conversation: the number and the phone it was filed with
    assert "联系电话" in texts(say(other, f"工单{number}处理得怎么样了"))
    assert "夜间停止施工" in texts(say(other, f"工单{number}，电话{phone}，处理得怎么样了"))
    assert "没有查到" in texts(say(other, f"工单{number}，电话13000000000，处理得怎么样了"))
    assert phone not in json.dumps(tracker(me), ensure_ascii=False)  # only the masked phone in the tracker


def test_close_items_are_offered_before_a_work_order_and_the_button_files_what_was_said(bot):
    me = user()
    reply = say(me, "水表坏了一个月没人来换，我要投诉")  # items come close, none is sure
    assert "可能相关" in texts(reply) and "供水户名变更（过户）" in texts(reply)
    button = [b for m in reply for b in m.get("buttons", []) if "登记12345工单" in b["title"]]
    opened = texts(say(me, button[0]["payload"]))
    assert "12345工单" in opened and "发生在哪里" in opened  # what happened: the message before the click
    assert "目前没有正在办理" not in texts(say(me, "取消")) and "还没有登记工单" in texts(say(me, "我反映的问题处理得怎么样了"))
    assert "无需取消" in texts(say(me, "取消"))  # nothing left to cancel
    # A how-to question NLU reads as cancelling (cancel_application 0.51), nothing to cancel: answered as
    # any service question, "maybe" items included, though no item is sure ("低饱" for 低保).
    asked = texts(say(me, "那个不要了，低饱怎么申请"))
    assert "无需取消" not in asked and "可能相关" in asked, asked


def test_a_question_no_item_answers_offers_a_work_order_about_it(bot):
    me = user()
    reply = say(me, "怎么申请热气球飞行执照")  # not a service of the catalogue: "not found", honestly
    assert "没有在事项目录中找到" in texts(reply)
    button = [b for m in reply for b in m.get("buttons", []) if b["title"] == "登记12345工单"]
    opened = texts(say(me, button[0]["payload"]))
    assert "12345工单" in opened and "发生了什么事" not in opened  # what it is about: the question before the click
    assert "已取消本次工单登记" in texts(say(me, "取消"))


def test_a_repair_asked_for_opens_the_work_order_form(bot):
    """"怎么申请维修" asks for a repair, a complaint's remedy, not how to get a service done."""
    opened = texts(say(user(), "小区楼道的灯坏了好几天，怎么申请维修？"))
    assert "12345工单" in opened and "发生在哪里" in opened, opened


def test_a_cancelled_complaint_files_nothing(bot):
    me = user()
    opened = texts(say(me, "我要投诉"))
    assert "发生了什么事" in opened and "市或区县" not in opened and "手机号码" not in opened  # one question at a time
    assert "还没听明白" in texts(say(me, "我要反映一个问题"))  # still nothing said: asked again
    assert "发生在哪里" in texts(say(me, "小区门口的路灯坏了一个星期没人修"))
    aside = texts(say(me, "办居住证要带什么材料？"))  # a question instead of the place: answered, then asked again
    assert "继续登记工单" in aside and "发生在哪里" in aside
    unanswered = texts(say(me, "要是得去现场，在哪个窗口？"))  # a question naming no place is no place either
    assert "暂时答不上来" in unanswered and "发生在哪里" in unanswered
    how_long = texts(say(me, "多长时间能批下来"))  # nor one asking how long ("没有听出是哪个市或区县" before)
    assert "暂时答不上来" in how_long and "发生在哪里" in how_long, how_long
    assert "已取消本次工单登记" in texts(say(me, "取消"))
    assert "还没有登记工单" in texts(say(me, "我反映的问题处理得怎么样了"))


def test_a_work_order_filed_in_the_web_widget_gets_the_department_reply_pushed(context, sd_settings):  # noqa: F811
    _, phone = new_applicant()
    page = context.new_page()
    open_widget(page)
    ask(page, "楼上天天半夜装修吵得睡不着，找谁管")
    expect(page.locator(".row.bot").last).to_contain_text("发生在哪里")
    ask(page, "历下区阳光小区3号楼")
    ask(page, "最近一周每天半夜")
    box = page.get_by_label("输入您的问题")
    box.fill(phone)
    answered(page, lambda: box.press("Enter"))
    expect(page.locator(".row.bot").last).to_contain_text("请核对")
    answered(page, lambda: page.get_by_role("button", name="确认提交").click())
    expect(page.locator(".row.bot").last).to_contain_text("工单编号：WO")
    number = re.search(r"WO\d{14}", page.locator(".row.bot").last.inner_text()).group()
    staff_post(sd_settings, f"/staff/work-orders/{number}", {"status": "已答复", "reply": "已约谈装修业主，夜间停止施工"})
    expect(page.locator(".row.bot").last).to_contain_text("夜间停止施工")  # pushed by the notifier, no question asked
    expect(page.locator(".row.bot").last).to_contain_text(number)
    shot(page, "workorder-reply")


def test_filed_work_orders_reach_hotline_insight_once_each(bot, sd_settings, tmp_path):
    keys = portal_secrets(sd_settings)

    def file(content: str, place: str) -> str:
        order = {"idempotency_key": f"insight-{time.time_ns()}", "content": content, "place": place, "happened": "最近一周",
                 "contact": "13800000000", "contact_masked": "138****0000", "category": "城乡建设", "region_name": "济南市历下区"}
        request = urllib.request.Request(f"http://127.0.0.1:{PORTAL_PORT}/work-orders", json.dumps(order).encode(),
                                         {"Content-Type": "application/json", "Authorization": f"Bearer {keys['PORTAL_SERVICE_TOKEN']}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["number"]

    env = {**os.environ, "PORTAL_URL": f"http://127.0.0.1:{PORTAL_PORT}", "PORTAL_STAFF_TOKEN": keys["PORTAL_STAFF_TOKEN"],
           "TONGBAN_VAR": str(tmp_path)}

    def ingest() -> str:
        done = subprocess.run([sys.executable, "-m", "insight", "ingest-workorders"], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = file("小区门口的路灯坏了一个星期没人修", "阳光小区南门")
    ingest()
    second = file("小区门口的路灯还是不亮，晚上很黑", "阳光小区南门")
    assert "1 new work orders ingested" in ingest()  # only the one filed since
    stored = {row[0]: row for row in InsightStore(tmp_path / "insight.sqlite").db.execute("SELECT id, category, place, text FROM messages")}
    assert {first, second} <= set(stored) and stored[second][1:3] == ("城乡建设", "济南市历下区阳光小区南门")
    assert "0 new work orders ingested" in ingest()
