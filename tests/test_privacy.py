"""Personal numbers never rest raw anywhere but encrypted: a whole flow over REST (a form
with an ID typed in groups and a phone, a licence reissue with a credit code, a progress
check), then the tracker (API and the SQLite store's bytes), every file under var/
(vault, outbox, handoff queue, portal database, the analytics store fed by Rasa's event
broker) and every process's log are scanned."""

from __future__ import annotations

import json
import time
from pathlib import Path

from cryptography.fernet import Fernet
from stdnum.cn import uscc

from channels.privacy import mask_and_collect
from channels.vault import Vault
from tests.chat import new_applicant, pick, receipt_of, say, start_residence_permit, texts, tracker, user


def spaced(number: str, groups: tuple[int, ...]) -> str:
    parts, at = [], 0
    for size in groups:
        parts.append(number[at : at + size])
        at += size
    return " ".join(parts)


def test_numbers_typed_in_groups_are_masked():
    assert mask_and_collect("身份证 370102 1990 0307 1238 谢谢") == (
        "身份证 370102********1238 谢谢", [("370102********1238", "370102199003071238")])
    assert mask_and_collect("370102-19900307-123X")[0] == "370102********123X"
    assert mask_and_collect("电话138 1234 5678")[0] == "电话138****5678"
    assert mask_and_collect("电话 +86 138-1234-5678")[0] == "电话 +86138****5678"
    assert mask_and_collect("代码 9137 0102 MA3C 4XUY 17")[0] == "代码 91370102******UY17"
    # not personal numbers: short groups, dates, amounts stay as typed
    for text in ("2025 01 31", "订单 2025 0101 1234", "价格 1 2 3 元", "370102********1238"):
        assert mask_and_collect(text) == (text, [])


def secret_values(id_number: str, phone: str, credit_code: str) -> list[str]:
    return [id_number, phone, credit_code, id_number[6:14] + id_number[14:], phone[3:]]


def scan(root: Path, values: list[str]) -> list[str]:
    """Files under `root` whose bytes hold any value (as UTF-8 or UTF-16, as SQLite may)."""
    leaks = []
    for path in root.rglob("*"):
        if not path.is_file() or "index" in path.relative_to(root).parts or path.stat().st_size > 200 * 2**20:
            continue
        data = path.read_bytes()
        for value in values:
            if value.encode() in data or value.encode("utf-16-le") in data:
                leaks.append(f"{path.relative_to(root)}: {value}")
    return leaks


def test_the_vault_finds_a_number_inside_a_sentence(tmp_path):
    vault = Vault(tmp_path / "vault.sqlite", key=Fernet.generate_key().decode())
    id_number, phone = new_applicant()
    masked, pairs = mask_and_collect(f"我的身份证号是{id_number}，手机{phone}")
    vault.put("me", pairs)
    assert vault.find("me", masked) == id_number  # the first number of the sentence
    assert vault.find("me", pairs[1][0]) == phone and vault.find("me", "没有号码") is None
    assert vault.find("someone else", masked) is None


def test_a_whole_flow_leaves_no_raw_number_behind(bot, sd_settings):
    id_number, phone = new_applicant()
    base = f"91370102MA{id_number[-8:-1]}"  # 17 characters, then the check character
    credit_code = base + uscc.calc_check_digit(base)
    # 1. residence permit: the ID typed in groups, the phone with hyphens
    me = user()
    start_residence_permit(me)
    assert "姓名" in texts(say(me, spaced(id_number, (6, 4, 4, 4))))
    assert "手机号" in texts(say(me, "张三"))
    say(me, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}")
    say(me, "历下区泉城路1号")
    summary = texts(say(me, "2025年1月31日"))
    assert f"{id_number[:6]}********{id_number[-4:]}" in summary and id_number not in summary
    receipt = receipt_of(texts(say(me, "确认提交")))
    # 2. licence reissue with a credit code; the same phone
    firm = user()
    pick(firm, say(firm, "历下区营业执照丢了想补领"), "营业执照补领")
    assert "统一社会信用代码" in texts(say(firm, "我要申请"))
    assert "企业名称" in texts(say(firm, credit_code))
    for answer in ("济南某某劳务服务有限公司", "营业执照遗失", "李四", phone):
        say(firm, answer)
    assert "受理编号：SD" in texts(say(firm, "确认提交"))
    # 3. progress by receipt number, the applicant check by ID number
    asker = user()
    say(asker, "我的申请到哪一步了")
    say(asker, receipt)
    assert "已提交" in texts(say(asker, id_number))

    values = secret_values(id_number, phone, credit_code)
    for sender in (me, firm, asker):
        dumped = json.dumps(tracker(sender), ensure_ascii=False)
        assert not [v for v in values if v in dumped], sender
    time.sleep(1)  # let log lines and SQLite pages reach the disk
    var = sd_settings.var_dir
    assert (var / "tracker.sqlite").stat().st_size > 0 and (var / "portal.sqlite").exists() and (var / "logs" / "rasa.log").exists()
    assert (var / "analytics.sqlite").stat().st_size > 0  # Rasa's event broker → the analytics store, scanned below
    assert scan(var, values) == []
    canary = var / "logs" / "canary.log"  # the scan itself can fail
    canary.write_text(f"x{phone}x", encoding="utf-8")
    assert f"logs/canary.log: {phone}" in scan(var, values)
    canary.unlink()
