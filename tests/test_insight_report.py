"""The daily hot-issue report: XLSX with its sheets and charts, and the HTML page drawn by
ECharts in Chromium (screenshot in var/test-artefacts/insight/)."""

from __future__ import annotations

from datetime import date, timedelta

from openpyxl import load_workbook
from playwright.sync_api import sync_playwright

from insight.pipeline import embedder, place_finder
from insight.records import read_records
from insight.report import daily_report, write_report
from settings import ROOT

SAMPLE = ROOT / "data" / "insight" / "sample_stream.jsonl"
ARTEFACTS = ROOT / "var" / "test-artefacts" / "insight"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_daily_report_xlsx_and_html_with_charts(tmp_path):
    records, _ = read_records(SAMPLE)  # every sample record has its category: no classifier needed
    issues, table = daily_report(records, date(2026, 6, 14), timedelta(days=14), embedder(), place_finder())
    assert [len(i.message_ids) for i in issues[:2]] == [8, 6]
    assert table.days[0] == "2026-06-01" and table.days[-1] == "2026-06-14"
    assert sum(table.by_category["城乡建设"]) == sum(1 for r in records if r.category == "城乡建设" and r.time.date() <= date(2026, 6, 14))
    assert table.by_region["历城区"][1] == 2 and "市中区" in table.by_region  # 06-02: two 历城区 messages
    xlsx, page = write_report(tmp_path, date(2026, 6, 14), issues, table)

    book = load_workbook(xlsx)
    assert book.sheetnames == ["热点问题", "留言", "分类趋势", "地区趋势"]
    assert book["热点问题"]["B2"].value.startswith("历城区鲁能领秀城") and book["热点问题"]["C2"].value == 8
    assert book["留言"].max_row == 1 + 8 + 6
    assert all(len(book[name]._charts) == 1 for name in ("热点问题", "分类趋势", "地区趋势"))

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            view = browser.new_page(viewport={"width": 1280, "height": 1000})
            errors: list[str] = []
            view.on("pageerror", lambda error: errors.append(str(error)))
            view.goto(page.as_uri())
            view.wait_for_function("document.querySelectorAll('.chart canvas').length === 3")
            assert errors == []
            assert "历城区鲁能领秀城" in view.inner_text("table")
            # ECharts drew the bars: the heat chart's canvas is not blank.
            painted = view.evaluate("""() => {
                const c = document.querySelector('#heat canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 3] && (d[i] < 200 || d[i + 1] < 200)) n++; return n; }""")
            assert painted > 1000
            view.screenshot(path=str(ARTEFACTS / "daily-report.png"), full_page=True)
        finally:
            browser.close()
