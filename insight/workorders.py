"""12345 work orders filed in the conversation (portal/workorders.py) as hotline records, so
hot issues and trends see them beside the hotline's own stream: read from the portal's staff
API page by page, from just before the newest one already stored (the store skips repeats)."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timezone
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from insight.records import Record

PAGE = 1000
LOCAL = ZoneInfo("Asia/Shanghai")  # the hotline's records are in local time, without a zone
PREFIX = "WO"  # work-order numbers (portal/workorders.py); hotline records have other ids
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def as_record(order: dict) -> Record:
    """One work order of the staff API as a record: its content, category and place."""
    filed = datetime.fromisoformat(order["created_at"]).astimezone(LOCAL).replace(tzinfo=None)
    content = order.get("content") or ""
    return Record(
        id=order["number"], time=filed, title=content[:30], text=content,
        category=order.get("category") or "", place=f"{order.get('region_name') or ''}{order.get('place') or ''}",
    )


def fetch(portal_url: str, token: str, since: datetime | None) -> list[dict]:
    """Every work order filed after `since` (local time; None: all), oldest first."""
    after = since.replace(tzinfo=LOCAL).astimezone(timezone.utc) if since else EPOCH
    orders: list[dict] = []
    while True:
        query = {"limit": PAGE, "since": after.isoformat()}
        request = urllib.request.Request(f"{portal_url.rstrip('/')}/staff/work-orders?{urlencode(query)}",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            page = json.load(response)["work_orders"]
        orders += page
        if len(page) < PAGE:
            return orders
        after = datetime.fromisoformat(page[-1]["created_at"])
