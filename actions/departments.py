"""Which unit the user means by the department they name: "我们项目归空港经济区管委会管" on
建设工程规划类许可证核发, which both 广州市规划和自然资源局 and 广州空港经济区管理委员会 implement in
广州 — the region cannot tell them apart, the department's own words can."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from difflib import SequenceMatcher

from catalogue.model import ServiceItem
from catalogue.store import Catalogue
from retrieval.rerank import bigrams

# What many offices are called, which names none of them: 景区管委会, 物业管理中心, 集团公司.
OFFICE_WORDS = re.compile(r"管理委员会|委员会|管理中心|服务中心|中心|集团公司|公司|管理处")
# A pair of characters naming a department only when few departments' names hold it: 管理, 广州,
# 公安 name none of them alone.
RARE_IN_DEPARTMENTS = 3
# The run of a department's name the words must say: 空港经济区, 市规划和自然资源局; not the 委会 of
# 居委会, the 区管 of 小区管理处, the 自然 of "这个自然是要本人去吧".
NAMED_RUN = 4
# A shorter run names it when an office's word follows within a few characters, as people shorten
# a department's name ("找空港那个管委会办"; not "一样是空港那边的"), or when three characters end in the
# office's own word ("要去省公安厅办吗"; not 务局 of 人才服务局).
SHORT_RUN = 2
OFFICE_SAID = re.compile(r"管委会?|委员会|局|厅|中心|所(?!以|在|有|谓)|院|集团|公司")
OFFICE_AFTER = 4  # characters at most between the run and the office's word ("空港那个管委会")
# A department said not to be the user's, or another's, or the past, or what it said or where someone works:
# "我不是空港经济区的", "以前归空港管", "我邻居说他们是找空港经济区办的", "听说规划和自然资源局审批很慢",
# "空港管委会说要先去省里", "我老婆在空港管委会上班" (not "工作人员说找空港管委会", "区里让俺找空港经济区").
NOT_CHOSEN = re.compile(r"(?<![是归在])不(是|归|在)|(以前|原来|之前)(是|归|在|找|属)|听说|(他|她|邻居|朋友|亲戚|同事|人家|别人)[^，,。？?！!]{0,8}说"
                        r"|(局|厅|委|会|中心|所|院|公司)(的人|那边|那儿)?(说|讲|让|叫|要求)|在[^，,。？?！!]{0,10}(上班|工作)(?!日)")


_names: dict[tuple[str, str], str] = {}  # (portal, department): the name as the words may say it, read once
_holding: dict[str, Counter[str]] = {}  # portal: in how many departments' names each pair of characters is


def called(catalogue: Catalogue, department: str) -> str:
    """A department's name, the places and office words in it left out: 临沂市公安局兰山分局 says 兰山
    as a place, which the gazetteer reads (an origin, a region) before any department; 广州空港经济区管理
    委员会 is called by its 空港经济区."""
    key = (catalogue.portal, department)
    if key not in _names:
        _names[key] = OFFICE_WORDS.sub(" ", catalogue.gazetteer.without_regions(unicodedata.normalize("NFKC", department)))
    return _names[key]


def departments_holding(catalogue: Catalogue) -> Counter[str]:
    if catalogue.portal not in _holding:
        names = {item.department for item in catalogue.items.values()}
        _holding[catalogue.portal] = Counter(pair for name in names for pair in bigrams(called(catalogue, name)))
    return _holding[catalogue.portal]


def office_after(said: str, end: int) -> re.Match[str] | None:
    """An office's word said within a few characters after `end` ("空港那个管委会")."""
    office = OFFICE_SAID.search(said, end)
    return office if office is not None and office.start() - end <= OFFICE_AFTER else None


def said_run(said: str, name: str) -> str:
    """The longest run of the name's characters the words say, if long enough to name it."""
    match = SequenceMatcher(None, said, name, autojunk=False).find_longest_match(0, len(said), 0, len(name))
    run, end = name[match.b : match.b + match.size], match.a + match.size
    office_follows = office_after(said, end) is not None
    holds_office = len(run) > SHORT_RUN and OFFICE_SAID.fullmatch(run[-1])  # 公安厅, 司法局 (not 务局)
    return run if len(run) >= NAMED_RUN or (len(run) >= SHORT_RUN and office_follows) or holds_office else ""


def named_unit(catalogue: Catalogue, said: str, entries: Iterable[ServiceItem]) -> tuple[ServiceItem, str] | None:
    """The one implementation of `entries` whose department the words name, and the run of its name
    they say: a run (`said_run`, places and office words aside) holding a pair of characters no other
    candidate's department or service name holds and few departments do, and no other department
    named better; not one said not to be chosen (`NOT_CHOSEN`). None when none or several are named so."""
    candidates = {i.code: i for entry in entries if entry.code in catalogue.items for i in catalogue.implementations(entry)}  # (not themes)
    if len({i.department for i in candidates.values()}) < 2 or NOT_CHOSEN.search(said):
        return None
    said = catalogue.gazetteer.without_regions(unicodedata.normalize("NFKC", said))
    runs = {name: said_run(said, called(catalogue, name)) for name in {item.department for item in catalogue.items.values()}}
    longest = max(map(len, runs.values()), default=0)
    holding = departments_holding(catalogue)
    named = []
    for item in candidates.values():
        run = runs[item.department]
        if not run or len(run) < longest:  # ("珠江水产研究所" names that institute, not another's 研究所)
            continue
        others = set().union(*(bigrams(called(catalogue, o.department)) | bigrams(o.name) for o in candidates.values() if o.department != item.department))
        if any(holding[pair] <= RARE_IN_DEPARTMENTS for pair in bigrams(run) - others - bigrams(item.name)):
            named.append(item)
    return (named[0], runs[named[0].department]) if len(named) == 1 else None


def abbreviation_said(said: str, name: str) -> str:
    """A short form of the name the words say, as people shorten a department's: its first character, a
    character or two of its middle and its office's, in order ("农科院" for 农业科学院, "人社局" for 人力资源和
    社会保障局, "住建局" for 住房和城乡建设局); not a run of the name as it is (`said_run`)."""
    name = "".join(name.split())  # (`called` leaves a space where a place was)
    if len(name) < 4 or not OFFICE_SAID.fullmatch(name[-1]):
        return ""
    for size in (3, 4):
        for start in range(len(said) - size + 1):
            word = said[start : start + size]
            rest = iter(name)
            if word[0] == name[0] and word[-1] == name[-1] and word not in name and all(char in rest for char in word):
                return word
    return ""


def names_department_of(catalogue: Catalogue, said: str, item: ServiceItem) -> bool:
    """Whether the words name the item's own department ("我同事明天要去统计局当面问" on 涉外调查许可机构
    查询 of 广东省统计局): a run of its name (`said_run`) holding a pair of characters few departments'
    names hold — so they point at the service under discussion, however much else they tell. A short run
    only with the department's own office word in it or after it (统计局, 交通厅 for 交通运输厅; not the 体育
    of "今晚天河体育中心有冇波睇" on an item of 广东省体育局)."""
    said = catalogue.gazetteer.without_regions(unicodedata.normalize("NFKC", said))
    if abbreviation_said(said, called(catalogue, item.department)):  # ("农科院得多少天给回话" on 广东省农业科学院's)
        return True
    run = said_run(said, called(catalogue, item.department))
    office = office_after(said, said.find(run) + len(run)) if run else None
    own_office = len(run) >= NAMED_RUN or bool(run and OFFICE_SAID.fullmatch(run[-1])) or (office is not None and office.group(0) in item.department)
    holding = departments_holding(catalogue)
    return own_office and any(holding[pair] <= RARE_IN_DEPARTMENTS for pair in bigrams(run))
