"""`python -m insight report STREAM --day YYYY-MM-DD --out DIR`: the daily hot-issue report.

Trends per category, region (district) and day over the window before the day, and the
top issues of that window with their messages: `DIR/report-DAY.xlsx` (openpyxl, with
native Excel charts) and `DIR/report-DAY.html` (ECharts, vendored beside it as
`echarts.min.js`, Apache-2.0, from npm `echarts` 6.1.0; no build step, no network).
"""

from __future__ import annotations

import html
import json
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from insight.hot import Issue, prepare, rank_issues
from insight.records import Record

STATIC = Path(__file__).parent / "static"
TOP = 10
UNKNOWN = "未注明"


@dataclass
class Trends:
    days: list[str]
    by_category: dict[str, list[int]]  # category → count per day
    by_region: dict[str, list[int]]


def trends(records: list[Record], categories: list[str], regions: list[str], days: list[date]) -> Trends:
    labels = [d.isoformat() for d in days]
    position = {d: k for k, d in enumerate(labels)}
    by_category: dict[str, list[int]] = {}
    by_region: dict[str, list[int]] = {}
    for record, category, region in zip(records, categories, regions):
        k = position.get(record.time.date().isoformat())
        if k is None:
            continue
        by_category.setdefault(category or UNKNOWN, [0] * len(labels))[k] += 1
        by_region.setdefault(region or UNKNOWN, [0] * len(labels))[k] += 1
    order = lambda table: dict(sorted(table.items(), key=lambda kv: -sum(kv[1])))  # noqa: E731
    return Trends(labels, order(by_category), order(by_region))


def daily_report(records: list[Record], day: date, window: timedelta, embedder, finder, classifier=None) -> tuple[list[Issue], Trends]:
    end = datetime.combine(day, datetime.max.time())
    chosen = sorted((r for r in records if end - window < r.time <= end), key=lambda r: (r.time, r.id))
    prepared = prepare(chosen, embedder, finder)
    categories = [r.category for r in chosen]
    missing = [i for i, c in enumerate(categories) if not c]
    if classifier is not None and missing:
        from assist.classifier import message_text

        texts = [message_text({"title": chosen[i].title, "text": chosen[i].text}) for i in missing]
        for i, label in zip(missing, classifier.predict(texts, prepared.vectors[missing])):
            categories[i] = label
    regions = [p.districts[0] if p.districts else "" for p in prepared.places]
    days = [day - timedelta(days=n) for n in range(max(window.days, 1) - 1, -1, -1)]
    return rank_issues(chosen, prepared, window)[:TOP], trends(chosen, categories, regions, days)


def write_xlsx(path: Path, day: date, issues: list[Issue], table: Trends) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference

    book = Workbook()
    top = book.active
    top.title = "热点问题"
    top.append(["排名", "热点问题", "留言数", "热度", "突发", "开始", "结束"])
    for issue in issues:
        top.append([issue.rank, issue.label, len(issue.message_ids), issue.heat, "是" if issue.burst else "", issue.window_start, issue.window_end])
    if issues:
        chart = BarChart()
        chart.title, chart.y_axis.title = f"{day} 热点问题热度", "热度"
        chart.add_data(Reference(top, min_col=4, min_row=1, max_row=len(issues) + 1), titles_from_data=True)
        chart.set_categories(Reference(top, min_col=2, min_row=2, max_row=len(issues) + 1))
        top.add_chart(chart, "I2")
    messages = book.create_sheet("留言")
    messages.append(["排名", "热点问题", "留言编号", "时间", "标题", "内容", "点赞"])
    for issue in issues:
        for record in issue.members:
            messages.append([issue.rank, issue.label, record.id, record.time.isoformat(sep=" "), record.title, record.text[:500], record.likes])
    for title, rows in (("分类趋势", table.by_category), ("地区趋势", table.by_region)):
        sheet = book.create_sheet(title)
        sheet.append(["日期", *rows.keys()])
        for k, label in enumerate(table.days):
            sheet.append([label, *(counts[k] for counts in rows.values())])
        if rows:
            chart = LineChart()
            chart.title, chart.y_axis.title = f"每日留言数（{title[:2]}）", "条"
            chart.add_data(Reference(sheet, min_col=2, max_col=min(len(rows), 8) + 1, min_row=1, max_row=len(table.days) + 1), titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(table.days) + 1))
            sheet.add_chart(chart, "K2")
    book.save(path)


def write_html(path: Path, day: date, issues: list[Issue], table: Trends) -> None:
    shutil.copyfile(STATIC / "echarts.min.js", path.parent / "echarts.min.js")
    rows = "".join(
        f"<tr><td>{i.rank}</td><td>{html.escape(i.label)}{' <b class=burst>突发</b>' if i.burst else ''}</td><td>{len(i.message_ids)}</td>"
        f"<td>{i.heat}</td><td>{i.window_start[:16].replace('T', ' ')} — {i.window_end[:16].replace('T', ' ')}</td></tr>"
        f"<tr class=msgs><td></td><td colspan=4>{'<br>'.join(html.escape(f'{r.time:%m-%d %H:%M} {r.title}') for r in i.members[:8])}</td></tr>"
        for i in issues
    )
    data = json.dumps(
        {"issues": [{"label": i.label, "heat": i.heat} for i in issues], "days": table.days,
         "category": dict(list(table.by_category.items())[:8]), "region": dict(list(table.by_region.items())[:8])},
        ensure_ascii=False,
    ).replace("</", "<\\/")
    path.write_text(
        f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>12345热线日报 {day}</title>
<style>body{{font-family:sans-serif;margin:24px;color:#222}}table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}}
.msgs td{{color:#666;font-size:13px}}.burst{{color:#c00}}.charts{{display:flex;flex-wrap:wrap;gap:16px}}.chart{{width:560px;height:320px}}</style>
<script src="echarts.min.js"></script></head><body>
<h1>12345热线日报 {day}</h1>
<div class="charts"><div id="heat" class="chart"></div><div id="category" class="chart"></div><div id="region" class="chart"></div></div>
<h2>热点问题</h2><table><tr><th>排名</th><th>热点问题</th><th>留言数</th><th>热度</th><th>时间</th></tr>{rows}</table>
<script>
const data = {data};
function lines(id, title, table) {{
  echarts.init(document.getElementById(id)).setOption({{title: {{text: title}}, tooltip: {{trigger: 'axis'}}, legend: {{bottom: 0, type: 'scroll'}},
    grid: {{top: 50, bottom: 60}}, xAxis: {{type: 'category', data: data.days}}, yAxis: {{type: 'value', name: '条'}},
    series: Object.entries(table).map(([name, counts]) => ({{name, type: 'line', data: counts}}))}});
}}
echarts.init(document.getElementById('heat')).setOption({{title: {{text: '热点问题热度'}}, tooltip: {{}}, grid: {{left: 200}},
  xAxis: {{type: 'value'}}, yAxis: {{type: 'category', inverse: true, data: data.issues.map(i => i.label)}},
  series: [{{type: 'bar', data: data.issues.map(i => i.heat)}}]}});
lines('category', '每日留言数（分类）', data.category);
lines('region', '每日留言数（地区）', data.region);
</script></body></html>
""",
        encoding="utf-8",
    )


def write_report(out: Path, day: date, issues: list[Issue], table: Trends) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    xlsx, page = out / f"report-{day}.xlsx", out / f"report-{day}.html"
    write_xlsx(xlsx, day, issues, table)
    write_html(page, day, issues, table)
    return xlsx, page
