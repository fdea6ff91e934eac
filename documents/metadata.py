"""Title, issuer, 文号, date and 废止/失效 status found in a document's own text.

Government documents put these in fixed places: the title (often "<issuer>关于…的通知")
opens the text, the 文号 sits near the top, the issuer and date sign it off at the end.
Fields a source gives explicitly (JSONL keys, HTML meta tags) win over these guesses.
"""

from __future__ import annotations

import re

# Kinds of government document: a title ends with one of these.
KINDS = (
    "通知|通告|公告|意见|办法|措施|规定|决定|方案|指南|细则|公示|解读|问答|批复|函|要点|条例|规则"
    "|倡议书|提示|指引|说明|决议|纪要|报告|计划|规划|答记者问|政策"
)
TITLE = re.compile(rf"^.{{4,80}}?(?:{KINDS})(?:（[^）]{{1,20}}）){{0,2}}$")
ORG_SUFFIX = r"(?:局|厅|委员会|委|人民政府|政府|办公室|办公厅|部|院|中心|指挥部|领导小组|工作组|会|署|银行|支行|分行|公司|集团|协会)"
ORG = re.compile(rf"^[\u4e00-\u9fff（）()]{{2,40}}?{ORG_SUFFIX}$")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【（(]\s*((?:19|20)\d{2})\s*[〕\]］】）)]\s*第?\s*\d{1,4}\s*号")
DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DATE = re.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")
CN_DIGITS = dict(zip("〇零一二三四五六七八九", [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
CN_DATE = re.compile(r"([〇零一二三四五六七八九]{4})年([〇一二三四五六七八九十]{1,2})月([〇一二三四五六七八九十]{1,3})日")
# Said of the document itself, in its title or opening: it no longer applies.
REPEALED = re.compile(r"(?:已|现已|予以)?(?:废止|失效|停止执行)")
STATUS_WORDS = {"废止": "repealed", "失效": "repealed", "已废止": "repealed", "已失效": "repealed", "repealed": "repealed"}


def segments(text: str, limit: int = 400) -> list[str]:
    """The opening's short pieces (lines, or runs between wide spaces in flattened text)."""
    return [s.strip() for s in re.split(r"[\n\r]+|\s{1,}", text[:limit]) if s.strip()]


def find_title(text: str) -> str:
    pieces = segments(text)
    for piece in pieces[:6]:
        if TITLE.match(piece) and not piece.endswith("："):
            return piece
    first = pieces[0] if pieces else ""
    return first if 4 <= len(first) <= 60 and not re.search(r"[，。：；]", first) else ""


def find_issuer(text: str, title: str) -> str:
    if "关于" in title:
        head = title.split("关于", 1)[0]
        if ORG.match(head):
            return head
    for piece in segments(text, 120)[:3]:
        if ORG.match(piece) and piece != title:
            return piece
    # The signature: an organisation's name just before the closing date.
    tail = text[-160:]
    dates = list(DATE.finditer(tail)) or list(CN_DATE.finditer(tail))
    if dates:
        before = re.split(r"[。；\n\s]+", tail[: dates[-1].start()].strip())
        for piece in reversed(before[-3:]):
            if ORG.match(piece.strip()):
                return piece.strip()
    return ""


def find_doc_number(text: str) -> str:
    match = DOC_NUMBER.search(text[:600])
    return re.sub(r"\s+", "", match.group(0)) if match else ""


def _iso(year: str, month: str, day: str) -> str:
    m, d = int(month), int(day)
    return f"{int(year):04d}-{m:02d}-{d:02d}" if 1 <= m <= 12 and 1 <= d <= 31 else ""


def _cn_number(text: str) -> int:
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)
    return int("".join(str(CN_DIGITS[c]) for c in text))


def normalise_date(value: str) -> str:
    """'2026年3月5日', '2026-3-5', '二〇二六年三月五日' → '2026-03-05'; '' if not a date."""
    value = value or ""
    if match := DATE.search(value) or ISO_DATE.search(value):
        return _iso(*match.groups())
    if match := CN_DATE.search(value):
        year = "".join(str(CN_DIGITS[c]) for c in match.group(1))
        return _iso(year, str(_cn_number(match.group(2))), str(_cn_number(match.group(3))))
    return ""


def find_date(text: str) -> str:
    """The signing date at the end, else the first date of the opening."""
    tail = text[-200:]
    for pattern in (DATE, CN_DATE):
        found = list(pattern.finditer(tail))
        if found:
            return normalise_date(found[-1].group(0))
    if match := DATE.search(text[:300]):
        return normalise_date(match.group(0))
    return ""


def find_status(title: str, text: str) -> str:
    """'repealed' when the title or the first line says the document itself is 废止/失效."""
    head = title + " " + (segments(text, 80)[0] if text.strip() else "")
    marker = re.search(r"[（(【\[][^（）()【】\[\]]{0,12}(?:废止|失效)\s*[）)】\]]", head)
    return "repealed" if marker else "in_force"


def status_of(value: str | None) -> str | None:
    """An explicit status field ('废止', '失效', 'repealed', '有效' …) → status, or None."""
    if not value:
        return None
    return STATUS_WORDS.get(value.strip().lower(), "in_force")
