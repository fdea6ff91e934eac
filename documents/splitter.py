"""Structure-aware passages: split at 章/节/条, 一、/（一）/1./（1） and paragraphs, never
blindly by a fixed window, and keep each passage's heading path for its citation.

A document becomes units (the text from one structural marker or paragraph to the next,
with the stack of headings above it); units are then packed into passages: a child stays
with its parent and short siblings share a passage while they fit `MAX_CHARS`; a new
section (条, or 一、 and above) starts a new passage once the current one says enough
(`MIN_CHARS`). A plain paragraph stays with the heading above it. A unit longer than `MAX_CHARS` is cut
at sentence ends; a bare heading or lead-in before it is never a passage of its own, but goes
with its first sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from documents.model import Document, Passage

MIN_CHARS = 100
MAX_CHARS = 360
CN_NUM = "一二三四五六七八九十百零〇"
# (level, pattern) — lower levels hold higher ones; 条 is numbered through the whole document.
MARKERS = [
    (1, rf"第[{CN_NUM}\d]+章"),
    (2, rf"第[{CN_NUM}\d]+节"),
    (3, rf"第[{CN_NUM}\d]+条"),
    (4, rf"[{CN_NUM}]+、"),
    (5, rf"[（(][{CN_NUM}]+[）)]"),
    (6, r"\d{1,2}[.、．](?![\d%])"),
    (7, r"[（(]\d{1,2}[）)]"),
]
SECTION_LEVEL = 4  # 一、 and above start a new passage once the current one is long enough
ARTICLE_LEVEL = 3
# A marker counts only where a line or sentence starts (not "根据第三条规定", "1、2月").
BOUNDARY = r"(?:(?<=^)|(?<=[\s。；！？：:]))"
MARKER = re.compile(BOUNDARY + "(" + "|".join(f"(?P<l{level}>{p})" for level, p in MARKERS) + ")")
SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
HEADING_TAIL = re.compile(r"^[^。：；，\s]{1,24}(?=[。：\s]|$)")


@dataclass
class Unit:
    text: str
    level: int  # 0: no marker (preamble or a plain paragraph)
    path: list[tuple[int, str, str]]  # (level, marker, heading) from the top


def _units(text: str) -> list[Unit]:
    units: list[Unit] = []
    stack: list[tuple[int, str, str]] = []
    for paragraph in re.split(r"\n+", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        starts = [m for m in MARKER.finditer(paragraph)]
        if not starts or starts[0].start() > 0:
            head = paragraph[: starts[0].start()] if starts else paragraph
            if head.strip():
                units.append(Unit(head.strip(), 0, list(stack)))
        for i, match in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(paragraph)
            body = paragraph[match.start() : end].strip()
            level = next(int(name[1:]) for name, value in match.groupdict().items() if value)
            marker = match.group(0)
            rest = body[len(marker) :]
            tail = HEADING_TAIL.match(rest.lstrip())
            heading = (marker + rest[: len(rest) - len(rest.lstrip())] + tail.group(0)) if tail else marker
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, marker, heading))
            units.append(Unit(body, level, list(stack)))
    return units


def place_of(path: list[tuple[int, str, str]]) -> str:
    """'第五条', '二、（三）', '第二章' — from the article down if there is one."""
    levels = [level for level, _, _ in path]
    start = levels.index(ARTICLE_LEVEL) if ARTICLE_LEVEL in levels else 0
    markers = [marker for _, marker, _ in path[start:]]
    if markers and start == 0 and path[0][0] < ARTICLE_LEVEL and len(markers) > 1:
        markers = markers[1:] if path[1][0] == ARTICLE_LEVEL else markers
    return "".join(markers)


def _cut(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut after sentence ends."""
    pieces, current = [], ""
    for sentence in SENTENCE_END.split(text):
        while len(sentence) > limit:  # one sentence longer than a passage
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:limit])
            sentence = sentence[limit:]
        if len(current) + len(sentence) > limit and current:
            pieces.append(current)
            current = ""
        current += sentence
    if current.strip():
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def _bare_lead(units: list[Unit], min_chars: int) -> int:
    """How many of the first units are a bare heading or lead-in ("六、照顾子女入学",
    "现就有关事项通知如下："): together under `min_chars`, and no sentence end."""
    size = 0
    for count, unit in enumerate(units):
        size += len(unit.text) + 1
        if size >= min_chars or SENTENCE_END.search(unit.text):
            return count
    return len(units)


def split(document: Document, min_chars: int = MIN_CHARS, max_chars: int = MAX_CHARS) -> list[Passage]:
    passages: list[Passage] = []
    current: list[Unit] = []

    def flush() -> None:
        if not current:
            return
        text = " ".join(u.text for u in current)
        # Cited by its first article (第六条) when it holds one, else by its first heading;
        # a bare heading joined to a long unit (the one way a passage outgrows `max_chars`
        # before the cut, beside a long unit alone) is cited by that unit ("六、（十四）", not "六、").
        body = current[_bare_lead(current, min_chars) if len(text) > max_chars else 0 :] or current
        first = next((u for u in body if any(level == ARTICLE_LEVEL for level, _, _ in u.path)), None)
        first = first or next((u for u in body if u.path), body[0])
        headings = [heading for _, _, heading in first.path]
        place = place_of(first.path)
        siblings = [u for u in body if u.level and first.path and u.level == first.path[-1][0]]
        if len(siblings) > 1 and place:  # short sections sharing a passage: 第二条至第三条
            place = f"{place}至{place_of(siblings[-1].path)}"
        anchors, offset = [], 0
        for unit in current:
            if unit.path:
                anchors.append((offset, place_of(unit.path)))
            offset += len(unit.text) + 1
        cursor = 0
        for piece in _cut(text, max_chars):
            start = text.find(piece, cursor)
            cursor = start + len(piece)
            own = [[a - start, p] for a, p in anchors if start <= a < cursor]
            before = [p for a, p in anchors if a < start]
            if before and (not own or own[0][0] > 0):  # a piece cut from inside an element
                own.insert(0, [0, before[-1]])
            passages.append(Passage(document.docid, len(passages), piece, headings, place, own))
        current.clear()

    for unit in _units(document.text):
        size = sum(len(u.text) + 1 for u in current)
        # The passage's level: that of the heading its first unit sits under (0: preamble).
        anchor = current[0].path[-1][0] if current and current[0].path else 0
        # A plain paragraph stays with the heading above it; a heading as high as the
        # passage's own (or a section) starts a new passage once this one says enough.
        # A bare heading or lead-in ("六、照顾子女入学", "现就有关事项通知如下：") does not
        # stand alone even when the next unit is long: it goes with that unit's first sentences.
        bare = _bare_lead(current, min_chars) == len(current)
        if current and (
            (size + len(unit.text) > max_chars and not bare)
            or (size >= min_chars and unit.level and unit.level <= max(anchor, SECTION_LEVEL))
        ):
            flush()
        current.append(unit)
    flush()
    return passages
