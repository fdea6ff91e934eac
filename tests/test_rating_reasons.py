"""差评 reasons typed by the phrases of data/ratings/reason_types.yml: the buttons' titles,
typed reasons, the order of types, and the dashboard's counts."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from actions.rating import REASONS_BAD
from analytics import evaluation
from analytics.measures import Filters, measure
from analytics.reasons import count_types, reason_type, reason_types
from analytics.store import create_tables, engine_for
from settings import Settings

TYPES = ("系统故障", "办理太慢", "流程繁琐", "态度", "答非所问", "其他")


def test_the_types_are_the_documented_six():
    assert reason_types()[0] == TYPES


def test_every_reason_button_has_its_type():
    assert {title: reason_type(title) for title in REASONS_BAD} == {
        "答复不准确": "答非所问", "没找到要办的事项": "答非所问", "材料或流程太复杂": "流程繁琐",
        "办理时间太长": "办理太慢", "工作人员服务不好": "态度", "其他": "其他",
    }


@pytest.mark.parametrize("reason, kind", [
    ("问的是居住证，回答的是身份证，答非所问", "答非所问"),
    ("机器人根本没回答我的问题", "答非所问"),
    ("材料太多了，要跑好几个部门开证明", "流程繁琐"),
    ("等了二十天还没办好", "办理太慢"),
    ("窗口工作人员很不耐烦", "态度"),
    ("网上提交的时候一直报错，页面打不开", "系统故障"),
    ("系统太慢", "系统故障"),  # the system's fault, not the department's pace: the earlier type wins
    ("上传材料失败，上传不了", "系统故障"),
    ("  ", "其他"),
    ("还行吧", "其他"),
])
def test_typed_reasons(reason, kind):
    assert reason_type(reason) == kind


def test_counts_cover_every_type():
    assert count_types([("办理时间太长", 2), ("等太久", 1), ("随便", 4)]) == {
        "系统故障": 0, "办理太慢": 3, "流程繁琐": 0, "态度": 0, "答非所问": 0, "其他": 4}


def test_the_dashboard_counts_the_types_of_bad_ratings_only(tmp_path):
    async def go():
        engine = engine_for(replace(Settings(), var_dir=tmp_path))
        await create_tables(engine)
        item = {"item_code": "A1", "item_name": "居住证申领", "department": "济南市公安局", "region": "济南市"}
        for sender, level, reason in (("a", "不满意", "办理时间太长"), ("b", "非常不满意", "页面打不开"), ("c", "满意", "办理方便快捷"),
                                      ("d", "不满意", "")):
            await evaluation.rate(engine, sender, "rest", "item:A1", "item", level, item)
            if reason:
                await evaluation.add_reason(engine, sender, "item:A1", reason)
        figures = await measure(engine, Filters())
        await engine.dispose()
        return figures["bad_reason_types"]

    assert asyncio.run(go()) == {"系统故障": 1, "办理太慢": 1, "流程繁琐": 0, "态度": 0, "答非所问": 0, "其他": 0}
