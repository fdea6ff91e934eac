"""Form answers checked the way a clerk would, with what is wrong said in plain Chinese.

Each validator takes the user's text and returns (value, None) when it is acceptable, or
(None, message) saying what to fix. Checksums come from python-stdnum (GB 11643 for
身份证号, GB 32100 for 统一社会信用代码).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Callable

import cn2an
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

Result = tuple[str | None, str | None]
MOBILE = re.compile(r"^1[3-9]\d{9}$")
CHINESE_NAME = re.compile(r"^[\u3400-\u9fff·]{2,20}$")
DATE_PATTERNS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _compact(text: str) -> str:
    return re.sub(r"[\s\-－—]", "", text or "").upper()


# A sentence without a digit where a number is asked ("他那个房东死活不给开租房证明，真愁人") says
# something else, not a number typed wrong: said so, with where else it can go. Not a number said in
# words, as voice input writes it ("幺三八一二三四五六七八九"), nor words about the number asked
# ("手机号跟刚才那个一样", "身份证号我记不住了"): those get what a number needs.
NOT_AN_ANSWER = "这句话里没有{what}。别的事可以等申请填完再问我，或拨打12345政务服务便民热线；想先不办可以说“稍后再办”或“取消申请”。"
SENTENCE_CHARS = 6
NUMBER_IN_WORDS = re.compile(r"[零〇一二三四五六七八九幺两]{7,}")
ABOUT_THE_NUMBER = re.compile(r"手机|号码|号|身份证|代码|电话")


def says_something_else(text: str) -> bool:
    text = text or ""
    if re.search(r"\d", text) or NUMBER_IN_WORDS.search(text) or ABOUT_THE_NUMBER.search(text):
        return False
    return len(re.findall(r"[\u4e00-\u9fff]", text)) >= SENTENCE_CHARS


def id_number(text: str) -> Result:
    if says_something_else(text):
        return None, NOT_AN_ANSWER.format(what="身份证号")
    value = _compact(text)
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return None, "身份证号应为18位，前17位是数字，最后一位是数字或X，请核对后重新输入。"
    try:
        birth = ric.get_birth_date(value)
    except stdnum_errors.ValidationError:
        return None, "身份证号中的出生日期（第7-14位）不是有效日期，请核对。"
    if birth > date.today():
        return None, "身份证号中的出生日期晚于今天，请核对。"
    if not ric.is_valid(value):
        return None, "身份证号校验位不正确（可能有一位输错了），请核对后重新输入。"
    return value, None


def credit_code(text: str) -> Result:
    if says_something_else(text):
        return None, NOT_AN_ANSWER.format(what="统一社会信用代码")
    value = _compact(text)
    if len(value) != 18:
        return None, "统一社会信用代码应为18位（数字或大写字母），请核对营业执照上的代码。"
    if not uscc.is_valid(value):
        return None, "统一社会信用代码校验不通过（可能有一位输错了），请核对营业执照上的代码。"
    return value, None


def mobile(text: str) -> Result:
    if says_something_else(text):
        return None, NOT_AN_ANSWER.format(what="手机号码")
    value = _compact(text).removeprefix("+86")
    if not MOBILE.fullmatch(value):
        return None, "请输入11位手机号码，以1开头，例如13812345678。"
    return value, None


def a_date(text: str) -> Result:
    value = (text or "").strip()
    for pattern in DATE_PATTERNS:
        try:
            return datetime.strptime(value, pattern).date().isoformat(), None
        except ValueError:
            continue
    return None, "请按“2025-01-31”或“2025年1月31日”的格式输入日期。"


def amount(text: str) -> Result:
    """An amount in 元: "50万", "五十万元", "500000" → "500000"."""
    value = (text or "").strip().removesuffix("元").removesuffix("人民币")
    try:
        number = Decimal(str(cn2an.cn2an(value, "smart")))
    except (ValueError, InvalidOperation, KeyError):
        return None, "请输入金额，例如“50万”或“500000”（单位：元）。"
    if number <= 0 or number > Decimal("1e12"):
        return None, "金额应大于0且不超过1万亿元，请核对。"
    return format(number.normalize(), "f"), None


def person_name(text: str) -> Result:
    value = re.sub(r"\s", "", text or "")
    if not CHINESE_NAME.fullmatch(value):
        return None, "请输入2到20个汉字的姓名（少数民族姓名可含“·”）。"
    return value, None


# 企业名称 = 行政区划 + 字号 + 行业 + 组织形式 (《企业名称登记管理规定》): the form must end it.
ORGANISATION_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "合伙企业", "个人独资企业")


def company_name(text: str) -> Result:
    """A name check before registration: Chinese, a sensible length, a legal organisation form."""
    value = re.sub(r"\s", "", text or "").replace("(", "（").replace(")", "）")
    if not re.fullmatch(r"[\u3400-\u9fff（）]{6,50}", value):
        return None, "企业名称应为6到50个汉字（可含括号），例如“济南顺通劳务服务有限公司”。"
    if not value.endswith(ORGANISATION_FORMS):
        return None, "企业名称应以组织形式结尾，例如“有限公司”“有限责任公司”或“股份有限公司”。"
    return value, None


def free_text(text: str, limit: int = 200) -> Result:
    value = (text or "").strip()
    if not value:
        return None, "这一项不能为空，请输入。"
    if len(value) > limit:
        return None, f"内容太长了，请控制在{limit}字以内。"
    return value, None


VALIDATORS: dict[str, Callable[[str], Result]] = {
    "id_number": id_number,
    "credit_code": credit_code,
    "mobile": mobile,
    "date": a_date,
    "amount": amount,
    "name": person_name,
    "company_name": company_name,
    "text": free_text,
}
