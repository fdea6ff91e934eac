"""Propose a policy's portrait (conditions) from its text, for staff to review.

Only the sections that say whom a policy is for (对象 / 条件 / 范围 …) are read; benefit,
procedure and materials are not conditions. Within them each condition is found by its
cue words (data/policies/vocabulary.yml) and a number with its comparator, read the way
the 民法典 (第1259条) reads them: 以上、以下、以内、届满 include the number; 不满、超过、
以外 (and 不足、未满) do not. Chinese numerals go through cn2an; places through the
gazetteer; industries, certifications and the rest through the dictionaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cn2an
import yaml
from pydantic import ValidationError

from catalogue.gazetteer import Gazetteer, Region, load_gazetteer
from policies.model import EDUCATION_RANK, Conditions
from settings import get_settings

NUMERAL = "零〇一二两三四五六七八九十百千万"
UNITS = "年|人|名|周岁|岁|个月|万元|亿元|元|%|家"
RANGE = "至|到|-|—|～|~"  # "十六至六十周岁": the first number of a range has no unit
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|(第[一二三四五六七八九十百]+条)\s*)")
CLAUSE_SPLIT = re.compile(r"[。；;，,\n：:]")
HIRING = re.compile(r"招用|新招|新增|吸纳|招聘|录用|聘用[^合]")
NUM = r"(\d+(?:\.\d+)?)"
PRE_WORDS = "不低于|不少于|不超过|不高于|不多于|不足|不满|未满|超过|高于|多于|大于|低于|少于|小于|达到|达|至少|至多|年满|满|在|为"
POST_WORDS = "及以上|以上|及以下|以下|以内|之内|内|之间"
AT_LEAST = {"不低于", "不少于", "达到", "达", "至少", "满", "年满", "及以上", "以上"}
MORE_THAN = {"超过", "高于", "多于", "大于"}
AT_MOST = {"不超过", "不高于", "不多于", "至多", "及以下", "以下", "以内", "之内", "内"}
LESS_THAN = {"不足", "不满", "未满", "低于", "少于", "小于"}


@lru_cache(maxsize=1)
def vocabulary(path: Path | None = None) -> dict[str, Any]:
    path = path or get_settings().data_dir / "policies" / "vocabulary.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- text
def normalise(text: str) -> str:
    """Full-width digits and signs to ASCII, Chinese numerals before a unit to digits."""
    text = text.translate(str.maketrans("０１２３４５６７８９％．（）", "0123456789%.()"))
    text = re.sub(r"\((?:含|包含|含本数)\)", "", text)  # "40周岁(含)以下": the bound is included anyway
    text = re.sub(rf"百分之([\d.]+|[{NUMERAL}点]+)", lambda m: f"{_number(m.group(1))}%", text)
    # Lazy, so "两千万元" keeps its 万元 unit: 2000万元.
    return re.sub(rf"(?<![\d.{NUMERAL}])([{NUMERAL}][{NUMERAL}点]*?)(?=\s*(?:{UNITS}|{RANGE}))",
                  lambda m: str(_number(m.group(1))), text)


def _number(numeral: str) -> int | float:
    try:
        value = cn2an.cn2an(numeral, "smart")
    except Exception:  # cn2an raises several kinds on odd numerals; a number is then not read
        return 0
    return int(value) if float(value).is_integer() else value


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """(title, lines) per numbered section; a "第X条" article is its own title and text."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        heading = HEADING.match(line)
        if not heading:
            sections[-1][1].append(line)
        elif heading.group(1):  # 第X条: no title; its opening words say what it is about
            sections.append((line[heading.end() : heading.end() + 14], [line[heading.end() :]]))
        else:
            sections.append((line[heading.end() : heading.end() + 14], []))
    return sections


def _title_kind(title: str) -> str:
    words = vocabulary()["sections"]
    if any(w in title for w in words["skip"]):
        return "skip"
    return "eligible" if any(w in title for w in words["eligible"]) else "other"


def _plain_lines(lines: list[str]) -> list[str]:
    """Lines of a text without headings, less its addressee, purpose and labelled
    benefit / procedure paragraphs ("办理方式：…")."""
    skip = vocabulary()["sections"]["skip"]
    kept = []
    for line in lines:
        label = line.split("：", 1)[0] if "：" in line[:10] else ""
        if label and any(w in label for w in skip):
            continue
        if line.rstrip().endswith("：") and len(line) < 40:  # 各市人力资源和社会保障局：
            continue
        if line.startswith("为") and re.search(r"制定|如下|现就", line):
            continue
        kept.append(line)
    return kept


def eligibility_text(text: str) -> str:
    """The sections that state whom the policy is for; the whole text less benefit,
    procedure and other sections when no heading names them."""
    sections = _sections(text)
    chosen = [lines for title, lines in sections[1:] if _title_kind(title) == "eligible"]
    if not chosen:
        chosen = [lines for title, lines in sections[1:] if _title_kind(title) != "skip"]
    if not chosen:
        chosen = [_plain_lines(sections[0][1])]
    return "\n".join(line for lines in chosen for line in lines)


def subject_text(text: str) -> str:
    """The 对象 / 范围 sections (whom it is for), else the eligibility text."""
    return "\n".join(
        line for title, lines in _sections(text)[1:]
        if any(w in title for w in ("对象", "范围", "适用", "主体")) for line in lines
    )


def clauses(text: str) -> list[str]:
    return [c.strip() for c in CLAUSE_SPLIT.split(text) if c.strip()]


# --------------------------------------------------------------------------- numbers
@dataclass
class Bound:
    side: str  # "min" or "max"
    value: float
    strict: bool = False  # 超过 / 不满: the number itself is excluded


def bounds(clause: str, units: str) -> list[Bound]:
    """Every number with one of `units` in the clause, with what its words make of it."""
    found: list[Bound] = []
    ranged = re.search(rf"{NUM}\s*(?:{units})?\s*(?:{RANGE})\s*{NUM}\s*(?:{units})", clause)
    if ranged:
        found += [Bound("min", float(ranged.group(1))), Bound("max", float(ranged.group(2)))]
        clause = clause[: ranged.start()] + clause[ranged.end() :]
    for m in re.finditer(rf"({PRE_WORDS})?\s*{NUM}\s*({units})\s*({POST_WORDS})?", clause):
        pre, value, unit, post = m.group(1) or "", float(m.group(2)), m.group(3), m.group(4) or ""
        if unit == "亿元":
            value *= 10000
        elif unit == "元":
            value /= 10000
        if pre in LESS_THAN:
            found.append(Bound("max", value, strict=True))
        elif pre in MORE_THAN:
            found.append(Bound("min", value, strict=True))
        elif pre in AT_MOST or post in AT_MOST:
            found.append(Bound("max", value))
        else:  # 以上, 不低于, 满 … and a bare number ("招用高校毕业生1人")
            found.append(Bound("min", value))
    return found


def _integer(bound: Bound) -> int:
    value = int(bound.value)
    if bound.strict:
        return value + 1 if bound.side == "min" else value - 1
    return value


def _real(bound: Bound) -> float | int:
    return int(bound.value) if float(bound.value).is_integer() else round(bound.value, 4)


# --------------------------------------------------------------------------- fields
def _any(text: str, words: list[str]) -> bool:
    return any(w in text for w in words)


def applicant_kinds(subjects: str) -> list[str]:
    """Kinds named by the head nouns of the listed subjects."""
    heads = vocabulary()["applicant_heads"]
    self_employed = vocabulary()["self_employed_cue"]
    subjects = re.sub(r"\([^)]*\)|（[^）]*）", "", subjects)
    kinds: list[str] = []
    for member in re.split(r"[、，,；;。\n和与及或]|以及", subjects):
        member = member.strip().rstrip("等们")
        for kind, words in heads.items():
            if not any(member.endswith(w) for w in words):
                continue
            if kind == "用人单位":
                found = ["企业", "个体工商户", "社会组织"]
            elif kind == "个人" and _any(member, self_employed):
                found = ["个体工商户"]
            else:
                found = [kind]
            kinds += [k for k in found if k not in kinds]
            break
    return kinds


class RegionReader:
    """Places a text names, and the issuer's own place for 本市 / 本省 / 本区."""

    def __init__(self, gazetteer: Gazetteer, stoplist: list[str]) -> None:
        self.gazetteer = Gazetteer(gazetteer.province)
        for region in gazetteer.regions.values():
            aliases = tuple(a for a in region.aliases if a not in stoplist and len(a) >= 2)
            self.gazetteer.add(Region(region.code, region.name, region.level, region.parent, aliases))

    def issuer_region(self, issuer: str) -> Region:
        return self.gazetteer.resolve(issuer) or self.gazetteer.province

    def regions(self, text: str, issuer: str) -> list[str]:
        mentioned = self.gazetteer.find(text)
        if mentioned:
            codes = {r.code for r in mentioned}
            ancestors = {a.code for r in mentioned for a in self.gazetteer.chain(r.code)[1:]}
            return sorted(codes - ancestors)
        own = self.issuer_region(issuer)
        chain = {r.level: r for r in self.gazetteer.chain(own.code)}
        for level in ("县", "市", "省"):
            if _any(text, vocabulary()["own_region"][level]) and level in chain:
                return [chain[level].code]
        return [own.code]


@lru_cache(maxsize=4)
def region_reader(gazetteer_path: Path) -> RegionReader:
    return RegionReader(load_gazetteer(gazetteer_path), vocabulary()["region_alias_stoplist"])


def extract(text: str, issuer: str = "", title: str = "") -> Conditions:
    """The proposed portrait of one policy."""
    vocab = vocabulary()
    text = normalise(text)
    body = eligibility_text(text)
    parts = clauses(body)
    out: dict[str, Any] = {}

    kinds = applicant_kinds(subject_text(text)) or applicant_kinds(body)
    if kinds:
        out["applicant_kind"] = kinds
    for_persons = bool(kinds) and not {"企业", "社会组织"} & set(kinds)
    out["region"] = region_reader(get_settings().gazetteer_path).regions(body, issuer)

    industries = [letter for letter, entry in vocab["industries"].items() if _any(body, entry["words"])]
    if industries:
        out["industry"] = industries
    sizes = [s for s, words in vocab["sizes"].items() if _any(body, words)]
    for group, members in vocab["size_groups"].items():
        if re.search(rf"{group}(?!企业划型)(?:企业|市场主体|型)", body.replace("中小企业划型", "")):
            sizes += [m for m in members if m not in sizes]
    if sizes:
        out["enterprise_size"] = [s for s in vocab["sizes"] if s in sizes]
    certs = [c for c, words in vocab["certifications"].items() if _any(body, words)]
    if certs:
        out["certifications_any"] = certs

    def numeric(name: str, units: str, cue: str, integer: bool, avoid: str | None = None) -> None:
        for clause in parts:
            if not re.search(cue, clause) or (avoid and re.search(avoid, clause)):
                continue
            for bound in bounds(clause, units):
                key = f"{name}_{bound.side}"
                if key in Conditions.model_fields and key not in out:
                    out[key] = _integer(bound) if integer else _real(bound)

    numeric("revenue", "亿元|万元|元", r"营业收入|营收|销售收入|销售额|主营业务收入", integer=False)
    numeric("rd_ratio", "%", r"研发.*(?:占|比例|比重|强度)", integer=False)
    numeric("employees", "人|名", r"从业人|职工|员工|工作人员|专职|用工|在岗|人数", integer=True, avoid=HIRING.pattern)
    numeric("established_years", "年", r"成立|注册|登记|设立|经营|开业", integer=True,
            avoid=r"毕业|离校|有效期|事故|近\d|贷款|期限|补贴|发放|施行|执行|培训|失信")
    for clause in parts:
        if HIRING.search(clause):
            key = "hires_graduates_min" if "毕业生" in clause else "new_hires_min"
            for bound in bounds(clause, "人|名"):
                if bound.side == "min":
                    out.setdefault(key, _integer(bound))

    # Facts about a person (age, 户籍, education, employment) bind only applicants who are
    # persons or a 个体工商户's operator; "招用…" clauses describe employees, not applicants.
    persons = not kinds or bool({"个人", "个体工商户"} & set(kinds))
    person_parts = [c for c in parts if not HIRING.search(c)] if persons else []
    for clause in person_parts:
        if re.search(r"周岁|岁|年龄", clause):
            for bound in bounds(clause, "周岁|岁"):
                out.setdefault(f"person_age_{bound.side}", _integer(bound))
    graduated = []
    for clause in person_parts:
        if re.search(r"毕业|离校", clause):
            graduated += [_integer(b) for b in bounds(clause, "年") if b.side == "max"]
            if re.search(r"毕业年度|当年毕业|应届|当年度毕业", clause):
                graduated.append(0)
    if graduated:
        out["graduated_within_years"] = max(graduated)

    person_text = "\n".join(person_parts)
    for level in ("不限", "本省", "本市"):
        if _any(person_text, vocab["hukou"][level]):
            out["hukou"] = level
            break
    if "hukou" not in out:  # "具有济宁市户籍": the policy's own city
        if re.search(r"(?:市|[^省])户籍", person_text) and re.search(r"具有[^，。；]{1,8}户籍", person_text):
            out["hukou"] = "本市"
    levels = [
        level for clause in person_parts if re.search(r"学历|学位|及以上", clause)
        for level, words in vocab["education"].items() if _any(clause, words)
    ]
    if levels:
        out["education_min"] = min(levels, key=EDUCATION_RANK.__getitem__)
    if for_persons:
        statuses = [s for s, words in vocab["employment_status"].items() if _any(person_text, words)]
        if "灵活就业" in statuses and "在职" in statuses and not _any(person_text, ["劳动合同", "聘用合同", "全职"]):
            statuses.remove("在职")  # "以灵活就业人员身份缴纳社会保险" is not employment
        if statuses:
            out["employment_status"] = statuses
    flags = [f for f, words in vocab["exclusions"].items() if _any(body, words)]
    if flags:
        out["exclusions"] = flags
    return _valid(_consistent(out))


def _valid(out: dict[str, Any]) -> Conditions:
    """The proposal without values the vocabulary refuses (a 500% R&D ratio read from a typo)."""
    while True:
        try:
            return Conditions.model_validate(out)
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if not bad & set(out):
                return Conditions()
            out = {k: v for k, v in out.items() if k not in bad}


def _consistent(out: dict[str, Any]) -> dict[str, Any]:
    """Drop a pair of bounds read the wrong way round rather than propose an impossible portrait."""
    for low, high in [("established_years_min", "established_years_max"), ("employees_min", "employees_max"),
                      ("revenue_min", "revenue_max"), ("person_age_min", "person_age_max")]:
        if low in out and high in out and out[low] > out[high]:
            del out[low], out[high]
    return {k: v for k, v in out.items() if not (isinstance(v, (int, float)) and v < 0)}
