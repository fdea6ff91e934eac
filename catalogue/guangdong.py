"""Field mapping from the Guangdong portal's export to the product's `ServiceItem`."""

from __future__ import annotations

import re
from typing import Any

NONE_VALUES = {"", "无", "null", "None", "暂无", "/"}
LEVELS = {"省级": "省", "市级": "市", "县级": "县", "区级": "县", "镇级": "乡", "乡级": "乡", "村级": "村"}
WORKING_DAYS = re.compile(r"^\s*(\d+)\s*\(\s*工作日\s*\)\s*$")
LOCATION_PREFIX = re.compile(r"^\s*办理地点[:：]\s*")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text in NONE_VALUES else text


def _time_limit(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    match = WORKING_DAYS.match(text)
    return f"{match.group(1)}个工作日" if match else text


def _region_name(area_text: str | None) -> str:
    # "广东省广州市" -> "广州市"; "广东省" -> "广东省"
    text = area_text or "广东省"
    return text[3:] if text.startswith("广东省") and len(text) > 3 else text


def map_guangdong(raw: dict[str, Any]) -> dict[str, Any]:
    level = LEVELS.get(str(raw.get("district") or raw.get("matter_level") or ""), None)
    if level is None:
        raise ValueError(f"unknown level {raw.get('district')!r}")
    location = _text(raw.get("handle_location"))
    visits = _text(raw.get("visit_number"))
    return {
        "code": _text(raw.get("TASK_CODE")),
        "name": _text(raw.get("TASK_NAME")) or _text(raw.get("CATANAME")),
        "basic_code": _text(raw.get("parentCatalogId")),
        "basic_name": _text(raw.get("parentCatalogName")),
        "type": _text(raw.get("TASK_TYPE_TEXT")) or "公共服务",
        "department": _text(raw.get("DEPT_NAME")),
        "level": level,
        "region_code": _text(raw.get("AREACODE")),
        "region_name": _region_name(_text(raw.get("AREA_CODE_TEXT"))),
        "targets": list(raw.get("service_object_name") or []),
        "conditions": _text(raw.get("accept_standard")),
        "materials": [m.strip() for m in raw.get("material_intro") or [] if m and m.strip()],
        "statutory_limit": _time_limit(raw.get("handle_time")),
        "promised_limit": _time_limit(raw.get("handle_time_limit")),
        "visits": int(visits) if visits is not None else None,
        "online": str(raw.get("ONLINECHECK")) == "1",
        "online_url": _text(raw.get("URL")),
        "location": LOCATION_PREFIX.sub("", location) if location else None,
        "phone": _text(raw.get("consult_phone")),
        "complaint_phone": _text(raw.get("complain_phone")),
        "themes": [t for t in raw.get("theme_category") or [] if t and t != "其他"],
        "source_url": _text(raw.get("URL")),
    }
