"""The dashboard's figures as a table (CSV) or a workbook (XLSX, one sheet per table)."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

SUMMARY = (
    ("conversations", "会话数"), ("questions", "提问数"), ("self_service_rate", "自助服务率"),
    ("handoffs", "转人工会话数"), ("handoff_rate", "转人工率"), ("no_match_questions", "未找到答案的提问数"),
    ("no_match_rate", "未找到率"), ("rated", "评价数"), ("satisfaction_rate", "满意率"),
    ("tickets_open", "待办整改工单"), ("tickets_overdue", "超期整改工单"),
)


def summary_rows(figures: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [["指标", "数值"]]
    rows += [[label, "" if figures[key] is None else figures[key]] for key, label in SUMMARY]
    rows += [[f"答复时延 {p}（毫秒）", "" if v is None else v] for p, v in figures["latency_ms"].items()]
    rows += [[f"评价：{level}", n] for level, n in figures["ratings"].items()]
    rows += [[f"差评原因：{kind}", n] for kind, n in figures["bad_reason_types"].items()]
    return rows


def tables(figures: dict[str, Any]) -> dict[str, list[list[Any]]]:
    return {
        "概览": summary_rows(figures),
        "每日": [["日期", "会话数", "消息数", "未找到"]] + [[d["day"], d["conversations"], d["messages"], d["no_match"]] for d in figures["by_day"]],
        "热门事项": [["事项编码", "事项名称", "部门", "次数"]] + [[i["code"], i["name"], i["department"], i["count"]] for i in figures["top_items"]],
        "部门": [["部门", "会话数", "消息数"]] + [[d["department"], d["conversations"], d["messages"]] for d in figures["by_department"]],
        "地区": [["地区", "会话数", "消息数"]] + [[d["region"], d["conversations"], d["messages"]] for d in figures["by_region"]],
    }


def xlsx_bytes(figures: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True}) as book:
        bold = book.add_format({"bold": True})
        for name, rows in tables(figures).items():
            sheet = book.add_worksheet(name)
            sheet.set_column(0, 0, 28)
            sheet.set_column(1, 3, 16)
            for r, row in enumerate(rows):
                sheet.write_row(r, 0, row, bold if r == 0 else None)
    return out.getvalue()
