"""Profile facts from what people say: "我们公司在济南，做制造业", "80人", "2019年成立".

`read_answer` reads the answer to one question (the fact asked); `read_mentions` picks up
facts volunteered in a free sentence ("我刚毕业在济南找工作"). Words come from the same
dictionaries as portrait extraction (data/policies/vocabulary.yml) and the gazetteer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from catalogue.gazetteer import Gazetteer
from policies.extract import normalise, vocabulary
from policies.model import FLAGS

NONE_WORDS = re.compile(r"^(无|没有|都没有|没|否|不是|暂无|都无|都不是|没有的)[。！!.]*$|没有|无$")
SKIP_WORDS = re.compile(r"不知道|不(太|怎么)?清楚|不确定|跳过|不方便|不想说|算了")
JOBLESS = re.compile(r"找工作|待业|没工作|没有工作|无业|还没就业|未就业")
KIND_WORDS = [("个体工商户", r"个体"), ("社会组织", r"社会组织|协会|商会|基金会|社会团体|民办非企业"),
              ("企业", r"公司|企业|单位|厂"), ("个人", r"个人|本人|我自己|自然人|毕业生|求职|找工作|上班")]
HUKOU_WORDS = [("省外", r"外省|省外|不是山东"), ("本省其他市", r"外市|本省其他|省内其他|其他市|省内"),
               ("本市", r"本市|本地|本市户口|是的|是")]
EDUCATION_WORDS = [("博士", r"博士"), ("硕士", r"硕士|研究生"), ("本科", r"本科|学士"), ("大专", r"大专|专科|高职"),
                   ("中专", r"中专|技校"), ("高中", r"高中"), ("初中", r"初中|小学")]
EMPLOYMENT_EXTRA = [("在职", r"上班|在职|工作|就业|签了合同|单位"), ("失业登记", r"失业"),
                    ("自主创业", r"创业|开店|做生意"), ("灵活就业", r"灵活|打零工|自由职业|网约车|外卖"),
                    ("退役军人", r"退役|转业|复员|当过兵")]


def _number(text: str) -> float | None:
    m = re.search(r"\d+(?:\.\d+)?", normalise(text))
    return float(m.group()) if m else None


def _amount_wan(text: str) -> float | None:
    """An amount in 万元: "3000万" / "1.2亿" / "500" (万元 assumed) / "80万元"."""
    text = normalise(text)
    m = re.search(r"(\d+(?:\.\d+)?)\s*(亿|万|千万|元)?", text)
    if not m:
        return None
    value, unit = float(m.group(1)), m.group(2) or "万"
    return value * {"亿": 10000, "千万": 1000, "万": 1, "元": 0.0001}[unit]


def _region(text: str, gazetteer: Gazetteer) -> str | None:
    region = gazetteer.resolve(text)
    return region.code if region else None


def read_answer(fact: str, text: str, gazetteer: Gazetteer, today: dt.date | None = None) -> tuple[str, Any] | None:
    """(fact, value) read from an answer to the question about `fact`; ("skip", None) when
    the person cannot say; None when the answer cannot be read."""
    today = today or dt.date.today()
    text = text.strip()
    if SKIP_WORDS.search(text):
        return "skip", None
    vocab = vocabulary()
    none = bool(NONE_WORDS.search(text))
    value: Any = None
    if fact == "kind":
        value = next((k for k, pattern in KIND_WORDS if re.search(pattern, text)), None)
    elif fact == "region":
        value = _region(text, gazetteer)
    elif fact == "industry":
        found = [letter for letter, entry in vocab["industries"].items()
                 if any(w in text for w in entry["words"] + [entry["name"]])]
        short = {"制造": "C", "工厂": "C", "批发": "F", "零售": "F", "卖": "F", "商贸": "F", "餐饮": "H", "饭店": "H",
                 "酒店": "H", "住宿": "H", "软件": "I", "互联网": "I", "信息技术": "I", "农业": "A", "种植": "A",
                 "养殖": "A", "建筑": "E", "物流": "G", "运输": "G", "科研": "M", "研发服务": "M", "家政": "O"}
        found += [letter for word, letter in short.items() if word in text and letter not in found]
        value = found[0] if found else None
    elif fact == "size":
        value = next((s for s in ("大型", "中型", "小型", "微型") if s in text or s[0] + "企" in text), None)
    elif fact == "established_date":
        normal = normalise(text)
        date = re.search(r"((?:19|20)\d{2})\s*[年./-]\s*(\d{1,2})?", normal)
        years = re.search(r"(\d+)\s*年(?!\d)", normal)
        if date and 1 <= int(date.group(2) or 1) <= 12 and int(date.group(1)) <= today.year:
            return "established_date", dt.date(int(date.group(1)), int(date.group(2) or 1), 1).isoformat()
        if years:
            return "established_years", int(years.group(1))
    elif fact in ("employees", "new_hires", "hires_graduates", "age"):
        number = 0.0 if none else _number(text)
        value = int(number) if number is not None else None
    elif fact == "revenue":
        value = 0.0 if none else _amount_wan(text)
    elif fact == "rd_ratio":
        value = 0.0 if none else _number(text)
        value = value if value is None or value <= 100 else None
    elif fact == "certifications":
        value = [c for c, words in vocab["certifications"].items() if any(w in text for w in words)]
        if not value and not none:
            value = None
    elif fact == "hukou":
        value = next((h for h, pattern in HUKOU_WORDS if re.search(pattern, text)), None)
    elif fact == "education":
        value = next((e for e, pattern in EDUCATION_WORDS if re.search(pattern, text)), None)
    elif fact == "employment_status":
        value = [s for s, words in vocab["employment_status"].items() if any(w in text for w in words)]
        value += [s for s, pattern in EMPLOYMENT_EXTRA if re.search(pattern, text) and s not in value]
        if JOBLESS.search(text):  # "还在找工作": known, and none of the statuses
            value = [s for s in value if s not in ("在职",)]
        elif not value:
            value = None
    elif fact == "graduated_year":
        year = re.search(r"(?:19|20)\d{2}", normalise(text))
        if year:
            value = int(year.group())
        elif re.search(r"今年|刚毕业|应届", text):
            value = today.year
        elif "去年" in text:
            value = today.year - 1
        elif "前年" in text:
            value = today.year - 2
    elif fact == "flags":
        if none:
            value = {f: False for f in FLAGS}
        else:
            value = {f: any(w in text for w in vocabulary()["exclusions"][f]) for f in FLAGS}
            value = value if any(value.values()) else None
    return (fact, value) if value is not None else None


def read_mentions(text: str, gazetteer: Gazetteer, today: dt.date | None = None) -> dict[str, Any]:
    """Facts a free sentence volunteers: who is asking, where, education, graduation, work."""
    today = today or dt.date.today()
    facts: dict[str, Any] = {}
    for fact in ("kind", "region", "education"):
        read = read_answer(fact, text, gazetteer, today)
        if read and read[0] == fact:
            facts[fact] = read[1]
    if re.search(r"刚毕业|应届|今年毕业", text):
        facts["graduated_year"] = today.year
    statuses = [s for s, pattern in EMPLOYMENT_EXTRA[1:] if re.search(pattern, text)]
    if statuses:
        facts["employment_status"] = statuses
    return facts
