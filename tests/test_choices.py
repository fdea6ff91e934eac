"""Which items a reply offers as choices (actions/answer.py `close_alternatives`)."""

from __future__ import annotations

from actions.answer import close_alternatives
from catalogue.model import ServiceItem
from retrieval.search import Hit, SearchResult


def test_offered_variants_bring_the_general_item_their_names_extend() -> None:
    """"还没有港澳通行证，在广州要怎么申请": the 签注 variants score above 办理往来港澳通行证 itself;
    when they are offered, the item every one of their names extends is offered too."""
    def hit(code: str, name: str, score: float) -> Hit:
        item = ServiceItem(code=code, name=name, department="广州市公安局", level="市", region_code="440100", region_name="广州市")
        return Hit(item=item, score=score)

    hits = [hit("a", "办理往来港澳通行证个人游签注", 0.90), hit("b", "办理往来港澳通行证团队游签注", 0.89),
            hit("c", "出入境证件进度查询", 0.60), hit("d", "办理往来港澳通行证", 0.70)]
    names = [i.name for i in close_alternatives(SearchResult("还没有港澳通行证，在广州要怎么申请", hits, confident=True))]
    assert names == ["办理往来港澳通行证个人游签注", "办理往来港澳通行证", "办理往来港澳通行证团队游签注"]
    single = close_alternatives(SearchResult("个人游签注怎么办", [hits[0], hits[3]], confident=True, close_ratio=0.99))
    assert [i.name for i in single] == ["办理往来港澳通行证个人游签注"]  # one answer stays one answer
