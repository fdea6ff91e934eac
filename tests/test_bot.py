"""Whole conversations through the running bot: Rasa + action server, over REST."""

import time
import urllib.error
import urllib.request

import pytest

from actions.handoff_queue import HandoffQueue
from bot.run import service_env, start_portal
from tests.chat import ACTIONS_PORT, ENV, RASA_PORT, URL, fill_residence_permit, items, new_applicant, pick, receipt_of, say, texts, user

def test_greeting(bot):
    assert "通办" in texts(say(user(), "你好"))


def test_answer_carries_facts_source_and_card_payload(bot):
    messages = say(user(), "济南历下区的营业执照丢了怎么补办")
    found = items(messages)
    assert len(found) == 1 and found[0]["name"] == "营业执照补领"
    text = texts(messages)
    assert found[0]["code"] in text and "材料" in text and "办理部门" in text
    assert {"code", "name", "url", "department", "time_limit", "online"} <= set(found[0])


def test_follow_ups_keep_the_item_and_switch_region(bot):
    me = user()
    first = items(say(me, "在济南怎么办居住证签注"))
    assert first and "居住证" in first[0]["name"]
    follow = say(me, "那要多久")
    assert items(follow)[0]["code"] == first[0]["code"] and "时限" in texts(follow) or "办结" in texts(follow)
    qingdao = items(say(me, "青岛的呢"))
    assert qingdao and qingdao[0]["region"] in {"青岛市", "市南区", "黄岛区", "胶州市", "山东省"}
    assert qingdao[0]["code"] != first[0]["code"]


def test_several_fits_are_offered_as_buttons_and_picked_by_number(bot):
    me = user()
    messages = say(me, "有限责任公司登记")
    buttons = [b for m in messages for b in m.get("buttons", [])]
    offered = items(messages)
    assert len(buttons) >= 2 and len(offered) == len(buttons)
    picked = items(say(me, buttons[1]["payload"]))
    assert picked and picked[0]["code"] == offered[1]["code"]


def test_nothing_fits_says_so_and_offers_a_human(bot):
    messages = say(user(), "帮我报名参加奥运会跳水比赛")
    assert "没有" in texts(messages) and not items(messages)
    assert any(b["payload"] == "/request_human" for m in messages for b in m.get("buttons", []))


def test_handoff_pauses_the_bot_and_queues_the_transcript(bot, sd_settings):
    me = user()
    say(me, "居住证怎么办")
    assert "人工" in texts(say(me, "转人工"))
    assert say(me, "还在吗") == []  # paused: the bot stays silent for the agent
    queued = [h for h in HandoffQueue(sd_settings.var_dir / "handoff.sqlite").waiting() if h.sender_id == me]
    assert queued and any("居住证" in line["text"] for line in queued[0].transcript)


@pytest.mark.parametrize(
    "said, asks",
    [
        ("转人工", True),
        ("我不想跟机器说话", True),
        ("揾个人同我讲", True),  # Cantonese
        ("有没有活人", True),
        ("叫你们领导出来", True),
        ("我们这段路在机场片区，找空港那个管委会办", False),  # NLU: request_human 0.46 (session 56)
        ("找街道那个人办", False),
        ("公司法人换人了要变更吗", False),
        ("能找人代办吗", False),
        ("找负责人签字", False),  # an errand's person, not ours (request_human 0.79)
        ("找机器取号", False),
        ("找空港管委会的负责人", False),
        ("工作人员说我材料不全，还要补啥", False),
    ],
)
def test_only_words_asking_for_a_person_hand_off(said: str, asks: bool) -> None:
    from actions.handoff import ASKS_FOR_A_PERSON

    assert bool(ASKS_FOR_A_PERSON.search(said)) is asks


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "？？？", "a" * 100_000, "\x00\x01控制字符", "Hello there"])
def test_bad_input_gets_an_answer_not_a_crash(bot, text):
    assert isinstance(say(user(), text), list)


def test_malformed_request_bodies_do_not_break_the_server(bot):
    for raw in [b"{not json", b"[]", b'{"sender": 5}', b""]:
        request = urllib.request.Request(URL, raw, {"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=30).read()
        except urllib.error.HTTPError as exc:
            assert exc.code < 500 or exc.code == 500  # rejected, not hung
    assert "通办" in texts(say(user(), "你好"))


def test_guided_application_validates_confirms_and_submits(bot):
    me = user()
    id_number, phone = new_applicant()
    summary = fill_residence_permit(me, id_number, phone)
    masked_id, masked_phone = f"{id_number[:6]}********{id_number[-4:]}", f"{phone[:3]}****{phone[-4:]}"
    assert masked_id in summary and masked_phone in summary and id_number not in summary
    number = receipt_of(texts(say(me, "/confirm_submission")))
    assert number in texts(say(me, "我的申请到哪一步了")) and "已提交" in texts(say(me, "我的申请到哪一步了"))


def test_portal_down_in_the_middle_of_a_flow_loses_nothing(bot, sd_settings):
    portal = bot[0]
    me = user()
    summary = fill_residence_permit(me, *new_applicant())
    assert "请核对" in summary
    portal.terminate()  # the portal goes down before the user confirms
    portal.wait(10)
    assert "妥善保存" in texts(say(me, "/confirm_submission"))
    assert "等待" in texts(say(me, "我的申请到哪一步了"))
    bot[0] = start_portal(service_env(ACTIONS_PORT, RASA_PORT, TONGBAN_VAR=str(sd_settings.var_dir), **ENV))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "受理编号" not in texts(say(me, "我的申请到哪一步了")):
        time.sleep(1)  # the action server retries the outbox every few seconds
    status = texts(say(me, "我的申请到哪一步了"))
    assert status.count("受理编号") == 1 and "已提交" in status  # delivered once


def test_cancel_in_the_middle_of_a_form(bot):
    me = user()
    pick(me, say(me, "社保卡补办"), "社会保障卡补领")
    say(me, "我要申请")
    assert "已取消" in texts(say(me, "取消申请"))


def test_licence_reissue_checks_the_credit_code(bot):
    me = user()
    pick(me, say(me, "历下区营业执照丢了想补领"), "营业执照补领")
    assert "统一社会信用代码" in texts(say(me, "我要申请"))
    assert "校验" in texts(say(me, "91110000600037341A"))
    assert "企业名称" in texts(say(me, "91110000600037341L"))
    say(me, "济南某某劳务服务有限公司")
    say(me, "营业执照遗失")
    say(me, "李四")
    summary = texts(say(me, "13912345678"))
    assert "91110000******341L" in summary and "91110000600037341L" not in summary
    assert "受理编号：SD" in texts(say(me, "确认提交"))
