"""Where a message is about: its district (from the gazetteer or an anonymised code such as
A6区) and the named places in it — compounds, roads, schools, markets, companies.

A named place is found by what ends it (小区, 花园, 路, 学校, 公司 …) and the few characters
before it, cut after the last word that cannot be part of a name (的, 在, 我们 …). Its key
drops generic words (安置, 小区 …) so "丰和安置小区" and "丰和小区" are one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jieba

from catalogue.gazetteer import Gazetteer

# What ends a named place. Longer endings first, so 幼儿园 wins over 园.
SUFFIXES = sorted(
    """小区 花园 家园 公寓 新城 新村 山庄 华府 名苑 雅苑 苑 园 城 湾 庭 广场 大厦 公馆
    社区 村 镇 乡 街道 路 街 大道 大街 巷 立交 隧道 码头 机场
    学校 学院 大学 中学 小学 幼儿园 医院 卫生院 市场 商场 酒店 宾馆 公园 景区 广场
    公司 集团 工厂 银行 车贷 驾校""".split(),
    key=len,
    reverse=True,
)
# A name never runs across these; the name starts after the last of them.
BOUNDARY = re.compile(
    r".*(?:[的在是了我你他她们这那该某本个于对到从向给住买为被把约近旁边内外省市区县号栋单元层室期]|[A-Za-z]\d*|\d+)"
)
# Names that say nothing about which place: a key made only of these is dropped.
GENERIC = set(
    """周边 附近 安置 还建 拆迁 老旧 高层 商品 商业 新建 整个 所在 各个 一些 这些 有些 所有 全市 全区 全县 城区
    城市 农村 乡村 小区 社区 物业 公司 学校 医院 市场 道路 马路 公路 街道 公园 广场 门口 楼下 周围 当地 本地
    民办 公办 私立 公立 重点 附属 第一 第二 人民 中心 农贸 菜 停车 垃圾 中转 公交 地铁 火车 汽车 高铁 加油 收费
    培训 教育 职业 技术 师范 开发 房地产 置业 建设 投资 管理 服务 科技 贸易 实业 发展 有限 责任 股份 幼儿 维保
    自来水 供水 供电 电力 燃气 天然气 热力 供暖 供热 移动 联通 电信 公交 出租车 快递 外卖 网约车""".split()
)
# jieba's dictionary frequency above which a word (a single character) is too common to be
# part of a place's name; jieba's HMM keeps an unknown name such as 丰和 in one piece.
COMMON_WORD, COMMON_CHAR = 300, 20000
GENERIC_PARTS = re.compile(r"安置|还建|拆迁|小区|社区|片区|新区|二期|一期|三期|四期|[一二三四五六七八九十\d]+期")
NAMED = re.compile(r"([\u4e00-\u9fff]{1,8}?)(" + "|".join(SUFFIXES) + ")")
# Anonymised districts of the message-board data (A6区, A7县, A9市); real ones come from
# the portal's gazetteer (历下区, 历城 → 历城区).
CODED_DISTRICT = re.compile(r"[A-Z]\d{1,2}[区县市]")
HEAD_CHARS = 400  # places are named early: the title and the opening say where


@dataclass(frozen=True)
class Places:
    districts: tuple[str, ...]  # e.g. ("A6区",)
    keys: tuple[str, ...]  # e.g. ("丰和",): comparable names of specific places
    names: tuple[str, ...]  # the places as written, e.g. ("丰和安置小区",), for labels


def _rare_tail(words: list[str]) -> str:
    """The last run of words too rare to be ordinary vocabulary: the proper name."""
    frequency = jieba.dt.FREQ
    tail: list[str] = []
    for word in reversed(words):
        if frequency.get(word, 0) >= (COMMON_WORD if len(word) > 1 else COMMON_CHAR) or word in GENERIC:
            break
        tail.insert(0, word)
    return "".join(tail)


def place_key(name: str) -> str | None:
    """"丰和安置小区" → "丰和": the name without its kind and generic words, or None."""
    core = name
    for suffix in SUFFIXES:
        if core.endswith(suffix):
            core = core[: -len(suffix)]
            break
    core = _rare_tail(jieba.lcut(GENERIC_PARTS.sub("", core)))
    if len(core) < 2 or core in GENERIC:
        return None
    return core


class PlaceFinder:
    """Finds districts (by the gazetteer's county-level names and aliases) and named places."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.district_of: dict[str, str] = {}
        if gazetteer is not None:
            for region in gazetteer.regions.values():
                if region.level == "县":  # a city is too wide to tell two problems apart
                    for name in (region.name, *region.aliases):
                        if len(name) >= 2:
                            self.district_of.setdefault(name, region.name)
        names = sorted(self.district_of, key=len, reverse=True)
        self.pattern = re.compile("|".join([CODED_DISTRICT.pattern, *map(re.escape, names)]))

    def extract(self, title: str, text: str, given: str = "") -> Places:
        return extract(title, text, given, self)


def extract(title: str, text: str, given: str = "", finder: PlaceFinder | None = None) -> Places:
    """The places of a message; `given` is an address the source recorded with it."""
    head = f"{given}。{title}。{text[:HEAD_CHARS]}" if given else f"{title}。{text[:HEAD_CHARS]}"
    if finder is None:
        districts = CODED_DISTRICT.findall(head)
    else:
        districts = [finder.district_of.get(m, m) for m in finder.pattern.findall(head)]
    names: list[str] = []
    keys: list[str] = []
    for match in NAMED.finditer(head):
        prefix, suffix = match.group(1), match.group(2)
        cut = BOUNDARY.match(prefix)
        prefix = prefix[cut.end() :] if cut else prefix
        key = place_key(prefix + suffix)
        if key and key not in keys:
            keys.append(key)
            name = prefix + suffix
            names.append(name[name.find(key) :] if key in name else name)  # "能否设立南塘城" → "南塘城"
    return Places(tuple(dict.fromkeys(districts)), tuple(keys), tuple(names))
