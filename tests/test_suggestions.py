"""猜你要办 through the running bot (REST and WeChat): a user who applied is told what comes
next and why, and can ask about it; anyone else gets the most asked items."""

from __future__ import annotations

import time

from tests.chat import fill_residence_permit, items, new_applicant, receipt_of, say, texts, user
from tests.test_wechat import message, new_user, push, user_texts, wechat  # noqa: F401 (fixture)


def themes(messages: list[dict]) -> list[str]:
    return [t["id"] for m in messages for t in (m.get("custom") or {}).get("themes", [])]


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons", [])]


def apply_for_residence_permit(me: str) -> None:
    id_number, phone = new_applicant()
    fill_residence_permit(me, id_number, phone)
    receipt_of(texts(say(me, "确认提交")))


def test_after_an_application_the_next_steps_come_with_their_reason_and_answer_when_clicked(bot):
    me = user()
    apply_for_residence_permit(me)
    reply = say(me, "我还需要办什么")
    shown = texts(reply)
    assert "猜你要办" in shown, shown
    assert "因为您刚办理了“居住证申领”" in shown, shown
    offered = {b["title"]: b["payload"] for b in buttons(reply)}
    assert "居住证签注" in offered, offered
    answer = say(me, offered["居住证签注"])  # a pick, like any offered choice
    assert [i["name"] for i in items(answer)] == ["居住证签注"], texts(answer)


def test_the_same_sender_in_a_later_session_is_still_known(bot):
    """The widget's /ask_suggestions on opening: no words, the sender's history decides."""
    me = user()
    apply_for_residence_permit(me)
    say(me, "/session_start")
    shown = texts(say(me, "/ask_suggestions"))
    assert "猜你要办" in shown and "社会保障卡申领" in shown, shown


def test_an_anonymous_user_gets_the_most_asked_items(bot):
    """An item asked again and again rises into the list (other tests' questions share the
    store, so it takes as many rounds as they asked of others)."""
    asker, me = user(), user()
    for _ in range(10):
        for _ in range(3):
            say(asker, "社会保障卡申领需要什么材料")
        time.sleep(1.5)  # the analytics service projects new events every second
        reply = say(me, "大家最近都在办什么")
        if "社会保障卡申领" in [b["title"] for b in buttons(reply)]:
            break
    shown = texts(reply)
    assert "大家都在办" in shown and "人次咨询" in shown, shown
    assert "猜你要办" not in shown
    assert "社会保障卡申领" in [b["title"] for b in buttons(reply)], buttons(reply)


def test_wechat_gets_numbered_suggestions_and_a_number_asks_about_one(wechat):  # noqa: F811
    me = new_user(wechat)
    push(message(me, "还有什么要办的"))
    offered = wechat.wait(me)[-1]
    assert "回复数字选择" in offered and "1. " in offered, offered
    first = offered.split("1. ")[1].split("（")[0].split("——")[0].strip()
    push(message(me, "1"))
    answer = "\n".join(wechat.wait(me, 2)[1:])
    assert first in answer, (first, answer)
    assert user_texts(me)[-1] == '/choose_option{"ordinal":"1"}'


def test_a_known_company_is_suggested_its_policies_and_a_click_answers_about_one(bot, sd_settings):
    from tests.test_policy_chat import COMPANY, interview, portal, secrets

    code = "91370103MA3H2R5T7P"
    keys = secrets(sd_settings)
    portal("/profiles", {"kind": "enterprise", "key": code, "data": {"facts": COMPANY}}, keys["PORTAL_SERVICE_TOKEN"])
    me = user()
    interview(me, f"我们公司统一社会信用代码{code}，能享受哪些政策")
    reply = say(me, "还需要办什么")  # the code said before makes the company known
    assert "猜你要办" in texts(reply), texts(reply)
    policies = [b for b in buttons(reply) if b["payload"].startswith("《")]  # a policy's button asks in words
    assert policies, buttons(reply)
    answer = texts(say(me, policies[0]["payload"]))
    assert policies[0]["title"] in answer and "〔2026〕" in answer, (policies[0], answer)  # cited with its 文号


def test_a_life_event_named_is_answered_as_a_question_not_with_suggestions(bot):
    """"我刚退伍回济宁，要办哪些事" reads like "我接下来还要办哪些事" (NLU: ask_suggestions) and got
    "暂时还没有为您推荐的事项"; it names the event: 济宁's 军人退役“一件事”, whose follow-ups
    follow, whatever was discussed before. In 济南, which has no such theme, the city's own
    item; and a plain request for suggestions still gets suggestions."""
    me = user()
    say(me, "营业执照丢了怎么补领")  # another topic first: the event is a new question
    theme = say(me, "我刚退伍回济宁，要办哪些事")
    assert themes(theme) == ["theme-junren-tuiyi"], texts(theme)
    materials = say(me, "要带什么材料")
    assert themes(materials) == ["theme-junren-tuiyi"] and "材料" in texts(materials), texts(materials)
    jinan = say(user(), "我刚退伍回济南，要办哪些事")
    assert not themes(jinan) and [i["name"] for i in items(jinan)] == ["退役军人优待证申领"], texts(jinan)
    assert "济南" in texts(jinan), texts(jinan)
    suggestions = say(user(), "我接下来还要办哪些事")
    assert not themes(suggestions) and "军人退役" not in texts(suggestions), texts(suggestions)  # suggestions, or none yet


def test_a_new_question_read_as_a_request_for_suggestions_is_answered(bot):
    """"还有个事，营业执照丢了还能补吗" (NLU: ask_suggestions, from 还有) asks about 营业执照补领, not
    what others do; "另外，孩子上学还有什么要办的" still asks what to do."""
    me = user()
    say(me, "结婚登记要带什么")
    asked = say(me, "还有个事，营业执照丢了还能补吗")
    assert [i["name"] for i in items(asked)] == ["营业执照补领"] and "大家都在办" not in texts(asked), texts(asked)
    what = say(user(), "另外，孩子上学还有什么要办的")
    assert not items(what) or "大家都在办" in texts(what), texts(what)
