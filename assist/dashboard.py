"""The hot-issue dashboard of the agent console: `/dashboard` (charts by ECharts, vendored
in insight/static/) over `/api/insight`, filterable by date, category and region, from the
messages ingested into var/insight.sqlite (`python -m insight ingest FILE`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from aiohttp import web

from insight.hot import Prepared, rank_issues
from insight.report import trends
from insight.store import InsightStore

STATIC = Path(__file__).parent / "static"
ECHARTS = Path(__file__).resolve().parents[1] / "insight" / "static" / "echarts.min.js"
WINDOW = timedelta(days=7)
MAX_DAYS = 92
TOP = 10


async def dashboard_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "dashboard.html")


async def echarts(request: web.Request) -> web.FileResponse:
    return web.FileResponse(ECHARTS, headers={"Cache-Control": "max-age=86400"})


def _day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise web.HTTPBadRequest(text='{"message": "日期格式应为 YYYY-MM-DD"}', content_type="application/json") from None


def summary(path: Path, start: date | None, end: date | None, category: str, region: str) -> dict:
    store = InsightStore(path)  # its own connection: this runs in a worker thread
    latest = store.latest()
    end = end or (latest.date() if latest else date.today())
    start = start or end - timedelta(days=13)
    if start > end or (end - start).days > MAX_DAYS:
        raise web.HTTPBadRequest(text=f'{{"message": "起止日期不对，最多查 {MAX_DAYS} 天"}}', content_type="application/json")
    records, prepared = store.window(datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.max.time()))
    categories = sorted({r.category for r in records if r.category})
    regions = sorted({p.districts[0] for p in prepared.places if p.districts})
    keep = [
        i for i, (r, p) in enumerate(zip(records, prepared.places))
        if (not category or r.category == category) and (not region or region in p.districts)
    ]
    chosen = [records[i] for i in keep]
    subset = Prepared([prepared.places[i] for i in keep], [prepared.texts[i] for i in keep], [prepared.tokens[i] for i in keep], prepared.vectors[keep])
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    table = trends(chosen, [r.category for r in chosen], [p.districts[0] if p.districts else "" for p in subset.places], days)
    issues = rank_issues(chosen, subset, WINDOW)[:TOP] if chosen else []
    return {
        "from": start.isoformat(), "to": end.isoformat(), "messages": len(chosen),
        "categories": categories, "regions": regions,
        "days": table.days, "by_category": table.by_category, "by_region": table.by_region,
        "issues": [
            {**issue.as_json(), "messages": [{"id": r.id, "time": r.time.isoformat(sep=" ", timespec="minutes"), "title": r.title} for r in issue.members[:20]]}
            for issue in issues
        ],
    }


async def insight_api(request: web.Request) -> web.Response:
    from assist.views import off_loop

    query = request.query
    path = request.app["settings"].var_dir / "insight.sqlite"
    start, end = _day(query.get("from"), None), _day(query.get("to"), None)
    result = await off_loop(request, summary, path, start, end, query.get("category", "")[:50], query.get("region", "")[:50])
    return web.json_response(result)
