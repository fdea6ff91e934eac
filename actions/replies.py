"""How items become bot messages: Chinese text for people, a `custom` payload for channels."""

from __future__ import annotations

from typing import Any

from catalogue.model import ServiceItem
from retrieval.fields import Field, citation, field_answer, field_value

NO_MATCH = (
    "抱歉，没有在事项目录中找到与您描述相符的服务事项。您可以换个说法（比如说出要办的证件或事情），"
    "或拨打12345政务服务便民热线咨询，也可以转人工客服。"
)
HANDOFF_BUTTON = {"title": "转人工客服", "payload": "/request_human"}


def card(item: ServiceItem) -> dict[str, Any]:
    """What a channel needs to draw an item card."""
    return {
        "code": item.code,
        "name": item.name,
        "url": item.online_url or item.source_url,
        "department": item.department,
        "region": item.region_name,
        "time_limit": item.promised_limit or item.statutory_limit,
        "online": item.online,
        "visits": item.visits,
        "materials": item.materials,
    }


def item_message(item: ServiceItem, field: Field | None) -> dict[str, Any]:
    """The answer about one item: one field if asked for, else its key facts."""
    if field and field != "summary":
        text = field_answer(item, field)
    else:
        lines = [
            f"【{item.name}】",
            f"办理部门：{item.department}（{item.region_name}）",
            field_value(item, "materials"),
            f"办理时限：{field_value(item, 'time_limit')}",
            f"跑动次数：{field_value(item, 'visits')}",
            f"网上办理：{field_value(item, 'online')}",
        ]
        if item.location:
            lines.append(f"办理地点：{item.location}")
        if item.phone:
            lines.append(f"咨询电话：{item.phone}")
        lines.append(citation(item).strip("（）"))
        text = "\n".join(lines)
    return {"text": text, "json_message": {"items": [card(item)]}}


def choice_message(items: list[ServiceItem], heading: str = "有几个事项都可能符合，请问您要办的是哪一个？") -> dict[str, Any]:
    """Several items fit: ask which, with a button for each."""
    lines = [heading] + [f"{n}. {item.name}（{item.department}）" for n, item in enumerate(items, 1)]
    buttons = [
        {"title": f"{n}. {item.name}", "payload": f'/choose_option{{"ordinal":"{n}"}}'}
        for n, item in enumerate(items, 1)
    ]
    return {"text": "\n".join(lines), "buttons": buttons, "json_message": {"items": [card(i) for i in items]}}


def suggestion_message(items: list[ServiceItem]) -> dict[str, Any]:
    """No item clearly fits, but some are close: say so, offer them and a human."""
    message = choice_message(items, "没有找到与您描述完全相符的事项。以下事项可能相关，请选择；都不是的话可以转人工或拨打12345：")
    message["buttons"].append(HANDOFF_BUTTON)
    message["json_message"]["outcome"] = "suggestion"  # for analytics (catalogue gaps)
    return message


def no_match_message() -> dict[str, Any]:
    return {"text": NO_MATCH, "buttons": [HANDOFF_BUTTON], "json_message": {"outcome": "no_match"}}  # for analytics
