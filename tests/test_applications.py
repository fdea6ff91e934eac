"""Guided applications beyond the happy path, through the running bot over REST: profiles
that prefill, corrections, questions mid-form, pause and resume on another channel,
progress by receipt number, and status changes pushed to the applicant."""

import json
import time
import urllib.request

import pytest

from actions.forms.application import asks_to_apply
from actions.forms.pause import asks_something
from tests.chat import (
    PORTAL_PORT, fill_residence_permit, items, new_applicant, pick, receipt_of, say, start_residence_permit, texts, tracker, user,
)


def submitted_residence_permit(id_number: str, phone: str) -> tuple[str, str]:
    me = user()
    fill_residence_permit(me, id_number, phone)
    return me, receipt_of(texts(say(me, "确认提交")))


def test_the_profile_prefills_the_next_application_on_another_channel(bot):
    id_number, phone = new_applicant()
    submitted_residence_permit(id_number, phone)
    other = user()  # a new conversation: another channel, the same person
    pick(other, say(other, "社保卡丢了要补办"), "社会保障卡补领")
    assert "身份证号" in texts(say(other, "我要申请"))
    reply = texts(say(other, id_number))
    assert "自动填好" in reply and "张三" in reply and f"{phone[:3]}****{phone[-4:]}" in reply
    assert "邮寄地址" in reply  # the only question the profile could not answer
    summary = texts(say(other, "历下区经十路100号"))
    assert "请核对" in summary and "张三" in summary and phone not in summary


def test_an_earlier_answer_can_be_corrected_during_the_form_and_at_the_summary(bot):
    me = user()
    id_number, phone = new_applicant()
    start_residence_permit(me)
    assert "姓名" in texts(say(me, f"我的身份证号是{id_number}"))  # a number inside a sentence counts
    say(me, "张三")
    say(me, phone)
    again = texts(say(me, "刚才电话填错了"))
    assert "手机号" in again
    assert "居住地址" in texts(say(me, "13900001111"))
    say(me, "历下区泉城路1号")
    summary = texts(say(me, "2025年1月31日"))
    assert "139****1111" in summary
    assert "地址" in texts(say(me, "地址写错了"))
    summary = texts(say(me, "历下区泉城路2号"))
    assert "请核对" in summary and "泉城路2号" in summary and "泉城路1号" not in summary
    assert "受理编号：SD" in texts(say(me, "确认提交"))


def test_a_question_in_the_middle_of_a_form_is_answered_not_taken_as_the_answer(bot):
    me = user()
    id_number, _ = new_applicant()
    start_residence_permit(me)
    say(me, id_number)
    reply = texts(say(me, "办居住证需要带什么材料？"))
    assert "材料" in reply and "姓名" in reply  # answered, then the question is asked again
    summary_so_far = texts(say(me, "李四"))
    assert "手机号" in summary_so_far


def test_pause_and_resume_from_another_channel_with_the_same_identity(bot):
    me = user()
    id_number, phone = new_applicant()
    start_residence_permit(me)
    say(me, id_number)
    say(me, "王五")
    say(me, phone)
    assert "暂停" in texts(say(me, "我有点事，先暂停"))
    elsewhere = user()
    assert "身份证号" in texts(say(elsewhere, "继续办理"))
    assert "手机号" in texts(say(elsewhere, id_number))
    assert "没有找到" in texts(say(elsewhere, "13000000000"))  # the phone must match too
    say(elsewhere, "继续办理")
    say(elsewhere, id_number)
    resumed = texts(say(elsewhere, phone))
    assert "找到了" in resumed and "居住地址" in resumed
    say(elsewhere, "历下区泉城路3号")
    summary = texts(say(elsewhere, "2025年3月1日"))
    assert "王五" in summary and "请核对" in summary
    assert "受理编号：SD" in texts(say(elsewhere, "确认提交"))
    assert "身份证号" in texts(say(user(), "继续办理")) and "没有找到" not in texts(say(me, "继续办理"))


def test_progress_asked_of_a_paused_application_says_it_is_paused_and_resume_resumes(bot):
    """"我的申请办到哪一步了" after "稍后再办": nothing was submitted, so no receipt number is
    asked for; and "继续办理" after the progress question resumes rather than being read as one."""
    me = user()
    start_residence_permit(me)
    assert "暂停" in texts(say(me, "稍后再办"))
    progress = texts(say(me, "我的申请办到哪一步了"))
    assert "已暂停" in progress and "SD开头" not in progress, progress  # no number asked for
    assert "继续填写【居住证申领】" in texts(say(me, "继续办理"))
    filled = user()
    fill_residence_permit(filled, *new_applicant())
    assert "确认提交" in texts(say(filled, "我的申请办到哪一步了"))  # at its summary: not paused
    other = user()
    assert "受理编号" in texts(say(other, "我的申请办到哪一步了"))  # nothing here: the number is asked for
    resumed = texts(say(other, "继续办理"))
    assert "核对身份" in resumed and "SD开头" not in resumed, resumed


def test_progress_by_a_typed_receipt_number_checks_the_applicant(bot):
    id_number, phone = new_applicant()
    _, receipt = submitted_residence_permit(id_number, phone)
    asker = user()
    assert "身份证号或手机号" in texts(say(asker, f"帮我查下受理编号{receipt}"))
    assert "没有查到" in texts(say(asker, "13000000000"))  # not the applicant: nothing shown
    asker = user()
    assert "受理编号" in texts(say(asker, "我的申请到哪一步了"))
    assert "身份证号或手机号" in texts(say(asker, receipt))
    assert "已提交" in texts(say(asker, phone))


def test_a_question_instead_of_the_receipt_number_is_answered_and_the_progress_form_left(bot):
    asker = user()
    assert "受理编号" in texts(say(asker, "我的申请到哪一步了"))
    assert "SD开头" in texts(say(asker, "不知道"))  # no number yet: where to find it, still asked
    assert "SD开头" in texts(say(asker, "我没有那个号，在哪找"))  # (a question about the number)
    answer = texts(say(asker, "居住证在哪里办"))
    assert "SD开头" not in answer and "居住证" in answer, answer
    assert tracker(asker)["active_loop"] == {}, "the form is left"
    follow_up = texts(say(asker, "要带什么材料"))  # on the service just answered, not a receipt number
    assert "SD开头" not in follow_up and "材料" in follow_up, follow_up


def staff_token(sd_settings) -> str:
    secrets = dict(line.split("=", 1) for line in (sd_settings.var_dir / "secrets.env").read_text().split())
    return secrets["PORTAL_STAFF_TOKEN"]


def bot_texts(sender: str) -> list[str]:
    return [e.get("text") or "" for e in tracker(sender)["events"] if e["event"] == "bot"]


def test_a_status_change_by_staff_is_pushed_into_the_applicants_conversation(bot, sd_settings):
    me, receipt = submitted_residence_permit(*new_applicant())
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORTAL_PORT}/staff/applications/{receipt}/status",
        json.dumps({"status": "已受理", "note": "材料齐全"}).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {staff_token(sd_settings)}"},
    )
    urllib.request.urlopen(request, timeout=10).read()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any("状态更新为：已受理" in t for t in bot_texts(me)):
        time.sleep(0.5)
    pushed = [t for t in bot_texts(me) if "状态更新为" in t]
    assert len(pushed) == 1 and receipt in pushed[0] and "材料齐全" in pushed[0]


def test_how_to_change_something_outside_a_form_is_a_service_question(bot):
    messages = say(user(), "营业执照上的地址要怎么改")
    assert "没有正在填写" not in texts(messages) and items(messages)


@pytest.mark.parametrize(
    "said, asks",
    [
        ("我家仓库要拆了重建，电表要先拆掉，先拆表这个怎么申请？", True),  # NLU: pause_application 0.45, no form
        ("先暂停一下", False),
        ("我晚点再填", False),
        ("能先暂停吗", False),  # about pausing: with no form, told there is none
        ("可以先保存不", False),
        ("我先不填了行吗", False),  # a later time asked about (the review of b5dcffe)
        ("明天再继续可以吗", False),
        ("等一下好吗", False),
    ],
)
def test_a_question_read_as_pausing_with_no_form_is_answered_as_a_question(said: str, asks: bool) -> None:
    assert asks_something(said) is asks


@pytest.mark.parametrize(
    "said, gives_up",
    [
        ("算了不办了", True), ("先不办了，取消吧", True), ("不投诉了", True), ("停止申请", True), ("不想申请了", True),
        ("我不要了", True), ("刚提交的申请想撤回", True),
        ("老人那张卡芯片坏了，能换不", False),  # (NLU: cancel_application, from 不) a question (session 65)
        ("读不出来了咋办", False), ("不知道去哪办", False),
    ],
)
def test_a_cancel_with_nothing_to_cancel_is_one_only_in_words_giving_something_up(said: str, gives_up: bool) -> None:
    from actions.forms.application import GIVING_UP

    assert bool(GIVING_UP.search(said)) is gives_up


def test_applying_asked_in_words_read_as_resuming_starts_the_application(bot):
    """"先帮我把…的申请填上" tells of no application begun before (NLU: resume_application, from 填): the service
    under discussion applied for, not an identity check to find a paused one."""
    me = user()
    assert items(say(me, "济南历下区的营业执照丢了咋补"))
    reply = say(me, "行，先帮我把补执照的申请填上")
    assert "开始为您在线办理【营业执照补领】" in texts(reply) and "暂存" not in texts(reply)
    assert "暂存" in texts(say(user(), "接着填我上回没填完的申请"))  # (begun before: its paused answers looked for)


def test_a_theme_named_when_applying_starts_its_form_where_no_unit_implements_it(bot):
    """"那就开始填开办劳务公司的申请" in 泗水, where no unit implements 开办劳务公司 and search in the region is surest of
    有限责任公司设立登记 (no guided form): the theme's form starts, as it would in 济南 (session 66)."""
    me = user()
    assert items(say(me, "公司打算开在济宁泗水，公章刻制去哪备案"))
    reply = say(me, "那就开始填开办劳务公司的申请")
    assert "开始为您在线办理【开办劳务公司" in texts(reply)


@pytest.mark.parametrize(
    "said, asks",
    [("办这个都要交哪些东西", True), ("得备齐哪几样", True), ("济南市历下区经十路100号", False), ("张三", False)],
)
def test_which_papers_asked_in_a_form_is_a_question_not_an_answer(said: str, asks: bool) -> None:
    from actions.forms.interruptions import QUESTION_WORDS

    assert bool(QUESTION_WORDS.search(said)) is asks


def test_an_address_restated_while_units_are_offered_picks_no_unit_by_its_number(bot):
    """"窗口是不是在龙奥北路8号3楼" while two units are offered (NLU: choose_option, ordinal 8) asks the place, not
    for the 8th choice: no "请回复1到2之间的序号"."""
    me = user()
    say(me, "济南的营业执照丢了咋补")
    assert "哪个区县" in texts(say(me, "窗口在哪"))
    reply = texts(say(me, "窗口是不是在龙奥北路8号3楼"))
    assert "请回复1到" not in reply and "营业执照补领" in reply


@pytest.mark.parametrize(
    "said, resuming",
    [
        ("接着说续社保那事儿，俺得提前备好啥东西", False),  # (NLU: resume_application, from 接着) a question
        ("昨天填到一半的表还能接着弄吗", True),  # an application begun before (the review of session 53)
        ("我在网页上填了一半，换微信能接着办不", True),
        ("上次的申请办到一半，电话打断了，接着办", True),
    ],
)
def test_words_about_an_application_begun_before_ask_to_resume_it(said: str, resuming: bool) -> None:
    from actions.forms.pause import RESUMING

    assert bool(RESUMING.search(said)) is resuming


@pytest.mark.parametrize(
    "said, asks",
    [
        ("那边有个电话能先问问不", True),  # a closing 不
        ("要带啥？", True),
        ("补办的材料俺都准备好了呢", False),  # 呢 ends statements too
        ("电话就填俺闺女的，13912345678行不", False),  # a number as long as a phone's: an answer
        ("寄到俺家，电话打不通的话放门卫那行不", False),  # (行不 asks approval of the answer)
    ],
)
def test_a_fact_cued_in_a_form_is_a_question_by_its_closing_particle_not_beside_a_number(said: str, asks: bool) -> None:
    from actions.forms.interruptions import ANSWER_DIGITS, CLOSING_ASK

    assert (bool(CLOSING_ASK.search(said)) and not ANSWER_DIGITS.search(said)) is asks


@pytest.mark.parametrize(
    "said, applies",
    [
        ("那就补，你现在就帮俺把申请递上去", True),
        ("那你先帮他把补照的申请办了，俺这就替他填", True),
        ("那就现在给她续上，这就开始弄", True),
        ("不急，我不想现在办", False),  # refused (the review of 8f7ca72)
        ("你别现在就给我申请", False),
        ("现在办，还是等过完年再办", False),  # weighed, not asked
        ("社区说帮我把申请递上去，到现在还没动静", False),  # reported
        ("他们根本没帮我把申请办了", False),
        ("帮我把申请递上去了吗", False),  # asked whether done
        ("我朋友帮我把材料交上去了，多久有结果", False),  # a fact asked
        ("行，我这就去办", False),  # the user goes
        ("行了，别让俺再跑了，你这就把补执照的手续给俺在网上走起来", True),
        ("中，就它了，你直接帮俺把申领手续递上去", True),
        ("不管了，先把这个一链办的申请替我提交上去", True),
        ("那帮我在网上申请换张新卡吧", True),
        ("我已经把材料交上去了", False),  # done, told
        ("帮我申请的那个什么时候好", False),
        ("把申请提交上去以后多久有结果", False),
        ("帮我申请要收费吧", False),  # a fact asked (the review of 975844d)
        ("帮我申请得几天吧", False),
        ("帮她办的话要带啥吧", False),
        ("先把营业执照办了", False),  # for no one: the user's plan
        ("你帮我把证办了没", False),  # whether it was done (the review of c2b1739)
        ("帮我把申请了的那个取消", False),
        ("帮我申请的事算了吧", False),
        ("那就帮我妈申请呗", True),
        ("算了不说了，你现在就给俺申请吧", True),  # 算了 of the talk, not of applying
        ("行，你现在就帮俺把这一揽子申请开起来", True),  # (session 56)
        ("还是说回刚才那个一链办，你这会儿就替咱把申请提交上去吧", True),  # (还是 of going back)
        ("这会儿麻烦你把签注给俺报上", True),
        ("帮我报个名吧", True),
        ("现在办，还是等过完年再办", False),
        ("我朋友帮我把材料报上了", False),
        ("他帮我报名了吗", False),
        ("要不你帮我把申请交上去", True),  # (the review of 9d2d33a)
        ("给我报上去", True),
        ("我们会帮他把申请报上去", False),  # the user's plan: 会 is no 这会儿
        ("现在帮我把申请交上去，还是回到老家再办", False),
        ("把名单给我报上来", False),
        ("那就把新生儿这几样一块申请了吧", True),  # for no one named, a request (session 62)
        ("我把社保卡申请了", False),  # ...not a report
        ("我已经把申请交上去了吧", False),
        ("中，社保卡那个你直接帮俺申请了吧", True),  # what it is about named first
        ("帮俺把手续整起来", True),
        ("你直接帮俺走补办的申请", True),  # (session 57)
        ("帮我走一下续签的流程", True),
        ("帮我走补办的申请要多久", False),
        ("顺道帮她把卡补上", True),
        ("他说顺便帮我把卡补上", False),  # reported
        ("还是按章丘来，帮俺把签注申请弄上吧", True),  # (session 60: a place kept, not weighed)
        ("中，还是搁钢城办，你直接帮俺把申请填上", True),
        ("还是按章丘来，还是回老家办", False),
        ("中，那就开始填营业执照补领的申请", True),  # its form begun (session 66)
        ("好，这就开始在网上填社保卡的申请表", True),
        ("行，帮俺把补办身份证的那份申请填起来", True),
        ("开始填申请表以后要多久", False),
        ("街道说帮我把申请表填好了", False),
    ],
)
def test_the_bot_asked_to_apply_now_in_everyday_words(said: str, applies: bool) -> None:
    assert asks_to_apply(said) is applies
