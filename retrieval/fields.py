"""Field answers: one fact of one item, from the catalogue, with its code and source link."""

from __future__ import annotations

import re
from typing import Literal

from catalogue.model import ServiceItem

Field = Literal["materials", "time_limit", "location", "phone", "fee", "online", "visits", "hours", "conditions", "summary"]

# Words that ask for one field; checked in order, so the more specific come first (the
# place before materials: "材料交到哪里" asks where). 那里 is often typed for 哪里 ("在那里办理").
# "办到哪一步了" / "到哪了" ask about progress, not a place (data/dict/progress_words.txt).
FIELD_CUES: list[tuple[Field, re.Pattern[str]]] = [
    ("phone", re.compile(r"电话|热线|号码|联系方式|咨询.*打|打.*咨询")),
    ("location", re.compile(r"哪里办|[在去]哪(里|儿)?|到哪(?!(里|儿)?(一步|了))(里|儿)?|(哪里|哪儿)(交|递|送)|[在去到]那(里|儿)(办|交|递)|哪个窗口|地址|地点|哪个部门|办事大厅|大厅")),
    ("materials", re.compile(r"材料|带什么|带哪些|要交|交什么|交哪些|准备什么|准备哪些|证件|资料|手续|表格|哪些表")),
    ("fee", re.compile(r"收费|费用|多少钱|要钱|花钱|免费|交钱|工本费")),
    ("time_limit", re.compile(r"多久|多长时间|几天|时限|期限|多少天|工作日|几个月|什么时候.*(好|出|拿)|出结果|办结")),
    ("online", re.compile(r"网上|在线|线上|网办|手机上|网站|系统|平台|小程序|app|入口|粤省事|爱山东")),
    ("visits", re.compile(r"跑几次|几趟|跑动|来几次|去几次|跑一次")),
    # Office hours, before the conditions' "可以办吗" ("周末可以办吗"); after "网上", so
    # "晚上能网上办吗" asks about applying online.
    ("hours", re.compile(r"几点|周末|周[六日天]|星期[六日天]|礼拜[六日天]|节假日|开门|关门|午休|上班时间|办公时间|工作时间|营业时间")),
    ("conditions", re.compile(r"条件|资格|门槛|够格|限制|几岁|年龄|能不能办|可以办吗|符合|要求|什么情况(下)?(才|可以|能)")),
]


def detect_field(question: str) -> Field | None:
    for field, cue in FIELD_CUES:
        if cue.search(question):
            return field
    return None


def _or_unknown(value: str | None) -> str:
    return value if value else "目录未载明"


def _time_limit(item: ServiceItem) -> str:
    if not item.statutory_limit and not item.promised_limit:
        return "目录未载明办理时限"
    parts = []
    if item.promised_limit:
        # Only a span ("10个工作日") is finished within, before any note in brackets ("10个工作日内办结
        # （异地办理15个工作日）"); "即办（新生儿出院前签发）", "冷静期届满后即办" and "免申即享，按批次发放"
        # are said as they are.
        span, bracket, note = item.promised_limit.partition("（")
        parts.append(f"承诺{span}内办结{bracket}{note}" if span[:1].isdigit() else f"承诺{item.promised_limit}")
    if item.statutory_limit:
        parts.append(f"法定时限{item.statutory_limit}")
    return "，".join(parts)


def _online(item: ServiceItem) -> str:
    if not item.online:
        return "目录显示此事项暂不支持网上办理，需到窗口办理"
    return f"可以网上办理：{item.online_url}" if item.online_url else "可以网上办理"


def _materials(item: ServiceItem) -> str:
    if not item.materials:
        return "目录未列出所需材料，请咨询办理部门"
    listed = "；".join(f"{n}. {m}" for n, m in enumerate(item.materials, 1))
    return f"共{len(item.materials)}项材料：{listed}"


def field_value(item: ServiceItem, field: Field) -> str:
    if field == "materials":
        return _materials(item)
    if field == "time_limit":
        return _time_limit(item)
    if field == "location":
        return f"办理地点：{_or_unknown(item.location)}（{item.department}）"
    if field == "phone":
        text = f"咨询电话：{_or_unknown(item.phone)}"
        return text + (f"；监督投诉电话：{item.complaint_phone}" if item.complaint_phone else "")
    if field == "fee":
        return f"收费：{item.fee}" if item.fee else "目录未载明收费信息，请向办理部门确认"
    if field == "online":
        return _online(item)
    if field == "visits":
        if item.visits is None:
            return "目录未载明跑动次数"
        return "全程网办，无需跑动（0次）" if item.visits == 0 else f"最多跑{item.visits}次"
    if field == "conditions":
        return f"受理条件：{_or_unknown(item.conditions)}"
    if field == "hours":
        if item.hours:
            return f"办公时间：{item.hours}"
        return "目录未载明办公时间" + (f"，请致电确认：{item.phone}" if item.phone else "，请向办理部门确认")
    return "；".join(
        [
            f"办理部门：{item.department}",
            _materials(item),
            _time_limit(item),
            field_value(item, "visits"),
            _online(item),
        ]
    )


def citation(item: ServiceItem) -> str:
    link = item.source_url or item.online_url
    return f"（事项编码 {item.code}" + (f"，来源 {link}）" if link else "）")


def field_answer(item: ServiceItem, field: Field) -> str:
    """A one-fact answer about `item`, citing its code and source link."""
    return f"【{item.name}】{field_value(item, field)}{citation(item)}"
