"""How items become bot messages: Chinese text for people, a `custom` payload for channels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalogue.gazetteer import Region
from catalogue.model import ServiceItem, ThemeService
from retrieval.fields import Field, citation, field_answer, field_value

NO_MATCH = (
    "抱歉，没有在事项目录中找到与您描述相符的服务事项。您可以换个说法（比如说出要办的证件或事情），"
    "或拨打12345政务服务便民热线咨询，也可以转人工客服。"
)
# Emoji or punctuation alone: nothing to search, and nothing to say about the topic either.
UNREADABLE = "抱歉，没看明白您的意思。请用文字说说您要办的事或想问的情况，比如“营业执照丢了怎么补办”“要带什么材料”。"
HANDOFF_BUTTON = {"title": "转人工客服", "payload": "/request_human"}
# Files a 12345 work order about the message before the click (actions/complaint.py): a need
# no service item meets — a complaint, a request for help — is what 12345 takes.
FILE_PAYLOAD = "/complain"
FILE_BUTTON = {"title": "登记12345工单", "payload": FILE_PAYLOAD}


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


def item_message(
    item: ServiceItem, field: Field | None, where_unknown: bool = False, ask: str = "", only_unit_at: str = ""
) -> dict[str, Any]:
    """The answer about one item: one field if asked for, else its key facts.

    `where_unknown`: no one unit is the user's, so the unit, place and phone are not given,
    never one county's presented as the user's; `ask` says what instead (`general_item_message`).
    `only_unit_at`: the place of the catalogue's only unit, with no region known; its place
    and phone are given as that place's, not as the user's (`ONLY_UNIT`).
    """
    if where_unknown:
        return general_item_message(item, field, ask)
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
    if only_unit_at and field in (None, "summary", *LOCAL_FIELDS):
        text += "\n" + ONLY_UNIT.format(place=only_unit_at)
    payload: dict[str, Any] = {"items": [card(item)]}
    if field and field != "summary":  # which fact was answered, for channels and evaluation
        payload["field"] = field
    return {"text": text, "json_message": payload}


LOCAL_FIELDS = ("location", "phone", "hours")
# The catalogue holds one unit of a local service (离婚登记 of 历下区 alone in the Shandong
# sample): its place and phone are that place's, and the user may be anywhere.
ONLY_UNIT = "目录中此事项只收录了{place}的办理单位；如果您在其他地方办理，请告诉我您所在的城市或区县。"
ASK_PLACE = "请告诉我您所在的城市或区县（比如“济南市历下区”），我告诉您当地的办理地点和电话。"
VARIES = "此事项由各地分别办理，办理部门、地点和电话因地而异。"


def general_item_message(item: ServiceItem, field: Field | None, ask: str = "") -> dict[str, Any]:
    """What holds everywhere about a locally implemented item, and `ask`: a question for the
    region (`ASK_PLACE`, the default), or what to do where the region is known."""
    ask = VARIES + (ask or ASK_PLACE)
    if field in LOCAL_FIELDS:
        return {"text": f"【{item.name}】{ask}", "json_message": {"items": [card(item)]}}
    if field and field != "summary":
        text = f"【{item.name}】{field_value(item, field)}（各地一致的信息，事项编码 {item.code}）"
    else:
        text = "\n".join([
            f"【{item.name}】（各地通用信息）",
            field_value(item, "materials"),
            f"办理时限：{field_value(item, 'time_limit')}",
            f"跑动次数：{field_value(item, 'visits')}",
            f"网上办理：{field_value(item, 'online')}",
        ])
    payload: dict[str, Any] = {"items": [card(item)]}
    if field and field != "summary":
        payload["field"] = field
    return {"text": text + "\n" + ask, "json_message": payload}


# What a theme states of its own besides its merged materials and applying online: the
# trips after merging. For any other fact it answers with each service it covers.
THEME_OWN_FIELDS = frozenset({"visits"})


def theme_message(
    theme: ThemeService, entry: ServiceItem, field: Field | None, form_kind: str | None,
    parts: Sequence[tuple[ServiceItem, bool]] = (), ask: str = "",
) -> dict[str, Any]:
    """A theme service ("一链办"): what it merges, what it saves, and the offer to apply. A
    fact the theme does not state of its own (how long, where, the phone, the fee, the
    conditions) is each covered service's (`parts`, as shown for the user's region, with
    whether its place is unknown): "要多久" used to get "目录未载明办理时限". No county's place
    or phone is given as the user's: where the region is unknown, it is asked for."""
    lines = [f"【{theme.name}】“一链办”主题服务：{theme.description}" if theme.description else f"【{theme.name}】“一链办”主题服务"]
    if theme.before and theme.after:
        b, a = theme.before, theme.after
        lines.append(
            f"合并办理后：涉及部门{b.departments}个→{a.departments}个窗口，跑动{b.trips}次→{a.trips}次，"
            f"材料{b.materials}份→{a.materials}份，填表{b.fields}项→{a.fields}项。"
        )
    listed = False  # the fact asked, given service by service
    if field in (None, "materials", "summary"):
        lines.append(field_value(entry, "materials"))
    elif field == "online":
        if form_kind:
            lines.append("可以网上一次申请：在线填写一张综合申请表，各部门并联审批。")
        else:  # where it is applied for is the first of its steps (the entry's own online fact has no link)
            lines.append(f"申请方式：{theme.steps[0]}" if theme.steps else field_value(entry, "online"))
    elif field in THEME_OWN_FIELDS or not parts:
        lines.append(field_value(entry, field))
    else:
        lines.append("各事项分别为：")
        for n, (part, where_unknown) in enumerate(parts, 1):
            lines.append(f"{n}. {part.name}：{'因地而异' if where_unknown and field in LOCAL_FIELDS else field_value(part, field)}")
        if field in LOCAL_FIELDS and any(where_unknown for _, where_unknown in parts):
            lines.append(ask or ASK_PLACE)
        listed = True
    covered = [c for c in entry.conditions.split("；")[1:]] if entry.conditions else []
    if covered and not listed:
        lines.append("包含事项：" + "、".join(covered))
    if form_kind:
        lines.append("可以在这里直接申请，说“我现在就申请”即可。")
    burden = {"before": theme.before.model_dump() if theme.before else None, "after": theme.after.model_dump() if theme.after else None}
    payload: dict[str, Any] = {"themes": [{"id": theme.id, "name": theme.name, "departments": theme.departments, "items": covered, **burden}]}
    if field and field != "summary":
        payload["field"] = field
    buttons = [{"title": "我现在就申请", "payload": "/start_application"}] if form_kind else []
    return {"text": "\n".join(lines), "buttons": buttons, "json_message": payload}


def theme_steps_message(theme: ThemeService) -> dict[str, Any]:
    """"我现在就申请" on a theme service this assistant has no guided form for: how and where it
    is applied for (its steps), rather than its entry's online fact, which shows no link."""
    if theme.steps:
        lines = [f"【{theme.name}】暂不能在这里直接申请，办理流程如下："] + [f"{n}. {step}" for n, step in enumerate(theme.steps, 1)]
    else:
        lines = [f"【{theme.name}】暂不能在这里直接申请，请到当地政务服务中心综合窗口办理，或拨打12345咨询。"]
    # (no "themes" payload: the widget would draw a theme card with nothing of its facts in it)
    return {"text": "\n".join(lines), "buttons": [HANDOFF_BUTTON], "json_message": {"field": "online"}}


def choice_message(
    items: list[ServiceItem], heading: str = "有几个事项都可能符合，请问您要办的是哪一个？", intent: str = "choose_option"
) -> dict[str, Any]:
    """Several items fit: ask which, with a button for each (a click sends `intent` with its number)."""
    lines = [heading] + [f"{n}. {item.name}（{item.department}）" for n, item in enumerate(items, 1)]
    return {"text": "\n".join(lines), "buttons": choice_buttons(items, intent), "json_message": {"items": [card(i) for i in items]}}


def choice_buttons(items: list[ServiceItem], intent: str = "choose_option") -> list[dict[str, str]]:
    """A button for each choice; a click sends `intent` with its number."""
    return [{"title": f"{n}. {item.name}", "payload": f'/{intent}{{"ordinal":"{n}"}}'} for n, item in enumerate(items, 1)]


PICK_FIRST = "请先从上面的事项中选择一个（回复序号即可），我再告诉您；如果都不是，请换个说法说说您要办的事。"
FACT_OF_EACH_CHARS = 90  # a fact longer than this (a list of materials) is cut: the pick shows it whole


def fact_of_each(items: list[ServiceItem], field: Field, region_known: bool) -> dict[str, Any]:
    """A fact asked while choices stand ("要多久" over 居住证申领 / 居住证签注): each one's,
    then which one, with the buttons again. The question is answered rather than put off.
    Where the fact differs from place to place and no region is known, a choice whose unit is
    local gets none of its unit's place or phone, as an answer about it alone would not."""
    local = [field in LOCAL_FIELDS and not region_known and item.level != "省" for item in items]
    if all(local):
        lines = ["这几个事项都由各地分别办理，办理地点和电话因地而异。请告诉我您所在的城市或区县，并回复序号选择您要办的事项。"]
    else:
        lines = ["上面几个事项分别是："]
        for n, (item, varies) in enumerate(zip(items, local), 1):
            value = VARIES + "请告诉我您所在的城市或区县。" if varies else field_value(item, field)
            value = value if len(value) <= FACT_OF_EACH_CHARS else value[:FACT_OF_EACH_CHARS] + "…（选择后查看全部）"
            lines.append(f"{n}. {item.name}：{value}")
        lines.append("请回复序号选择您要办的事项，我再详细告诉您。")
    # The cards were shown with the list just above: the text and the buttons again, not the cards.
    return {"text": "\n".join(lines), "buttons": choice_buttons(items), "json_message": {"field": field}}


def suggestion_message(items: list[ServiceItem]) -> dict[str, Any]:
    """No item clearly fits, but some are close: say so, offer them and a human."""
    message = choice_message(items, "没有找到与您描述完全相符的事项。以下事项可能相关，请选择；都不是的话可以转人工或拨打12345：")
    message["buttons"].append(HANDOFF_BUTTON)
    message["json_message"]["suggested"] = True  # not an answer: channels and evaluation tell them apart
    message["json_message"]["outcome"] = "suggestion"  # for analytics (catalogue gaps)
    return message


def sure_of_nothing(reply: dict[str, Any] | None) -> bool:
    """Whether a reply answers with nothing sure: none at all, or "maybe" items (`suggestion_message`)."""
    return reply is None or bool((reply.get("json_message") or {}).get("suggested"))


def outside_message(place: str, province: str, item: ServiceItem | None) -> dict[str, Any]:
    """A place outside the portal's province: whose services it cannot say."""
    text = f"我能查询的是{province}的政务服务事项，{place}的办理地点、材料和电话请咨询当地政务服务中心或当地的12345热线。"
    if item is not None:
        text += f"\n如果您在{province}办理【{item.name}】，告诉我所在的城市或区县，我告诉您当地怎么办。"
    return {"text": text, "buttons": [HANDOFF_BUTTON], "json_message": {"outcome": "outside_province"}}


def area_message(area: str, cities: list[Region], item: ServiceItem | None) -> dict[str, Any]:
    """A part of the province spanning several cities: which one?"""
    what = f"【{item.name}】的" if item is not None else ""
    names = "、".join(city.name for city in cities)
    return {"text": f"{area}包括{names}，{what}办理地点和电话因市而异。请问您在哪个市？", "json_message": {"outcome": "ask_city"}}


def rejected_again_message(rejected: ServiceItem) -> dict[str, Any]:
    """The words still find what the user said was wrong: say so, rather than "nothing found"."""
    text = f"除了您说不对的【{rejected.name}】，事项目录中没有找到其他相符的事项。您可以换个说法，或拨打12345政务服务便民热线咨询，也可以转人工客服。"
    return {"text": text, "buttons": [FILE_BUTTON, HANDOFF_BUTTON], "json_message": {"outcome": "no_match"}}


def which_service_message() -> dict[str, Any]:
    """A fact asked with no service under discussion ("要多久" as the first words, or after "不对")."""
    return {"text": "请先说说您要办的是什么事（比如“营业执照丢了怎么补办”），我再告诉您。", "buttons": [HANDOFF_BUTTON]}


def which_to_apply_message(items: list[ServiceItem]) -> dict[str, Any]:
    """"我现在就申请" while choices stand: which of them. A click applies for that one at once
    (so does its number typed on WeChat, which maps it to the button; typed in the widget,
    a number is a plain pick, answered with the item)."""
    return choice_message(items, "请问您要申请的是哪一个？请先选择：", intent="start_application")


def choices_gone_message() -> dict[str, Any]:
    """A choice clicked in an old message whose choices no longer stand."""
    return {"text": "这些选项已经过期了。请直接说说您要申请办理的事项，比如“营业执照补领”。", "buttons": [HANDOFF_BUTTON]}


def what_to_apply_message() -> dict[str, Any]:
    """"我现在就申请" with nothing under discussion."""
    return {"text": "请问您要申请办理什么事项？直接说事项就可以，比如“营业执照补领”“办理居住证”。", "buttons": [HANDOFF_BUTTON]}


def aside_message(topic: ServiceItem) -> dict[str, Any]:
    """Words during a service's conversation that may be a complaint, and no item answers: the
    work order is a click away, the service a question away."""
    text = f"如果这是您想向12345反映的问题，可以点“登记12345工单”，我帮您登记转相关部门；关于【{topic.name}】还有什么想问的，也可以接着问我。"
    return {"text": text, "buttons": [FILE_BUTTON, HANDOFF_BUTTON], "json_message": {"outcome": "aside"}}


def acknowledged_message(topic: ServiceItem | None) -> dict[str, Any]:
    """An answer taken and the user's next step told: more questions welcome, a person a click or 12345 away."""
    about = f"关于【{topic.name}】" if topic is not None else ""
    text = f"好的。{about}还有什么想问的，可以接着问我；需要人工帮助可以点“转人工客服”，或拨打12345政务服务便民热线。"
    return {"text": text, "buttons": [HANDOFF_BUTTON], "json_message": {"outcome": "acknowledged"}}


def no_match_message() -> dict[str, Any]:
    return {"text": NO_MATCH, "buttons": [FILE_BUTTON, HANDOFF_BUTTON], "json_message": {"outcome": "no_match"}}  # for analytics


def answers_with_a_service(messages: list[dict[str, Any]]) -> bool:
    """Whether replies name services surely, items or a theme service (not items offered as maybe;
    "not found" names none)."""
    return any((p.get("items") or p.get("themes")) and not p.get("suggested") for p in (m.get("custom") or {} for m in messages))
