"""Homophone slips in the names of documents and funds ("残疾症" for 残疾证, "通行正" for 通行证), in the
words services are called by ("规化许可证", "使用登计", "消防验手": `GRAMMAR_CHARS`) and in the words that ask for a fact
("咨询电花多少", "大概要几填": `AskingSlips`).

Chinese is typed by sound, so a slip picks another character of the same sound, and the
slipped word matches nothing the search knows (a dense model reads it as something else
too: "残疾症" found 低收入家庭业务申请预约). A run of three or four characters that no
dictionary knows, whose sound is that of a catalogue word naming a thing one holds (ending
in 证, 照, 卡, 金, 书 …) and which differs from it in one character, is read as that word —
when the slipped character is neither a character of grammar ("能用医保吗" is no 医保码) nor
part of a word reaching outside the run ("导游正在"); the last character slipped, the rest of
the run must be a word; another ("社宝卡", "湿业金"), the slip must make no word inside the run,
nor the rest one of its own (`_inner_slip_fits`). Wider, the rule "corrected" real text: 负责任 to 负责人, a company's 乾景 to 乾净,
岚山区 to 兰山区, and runs of two 我是 to 我市 (README, Retrieval).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Callable, Iterable

from pypinyin import lazy_pinyin

LENGTHS = (4, 3)  # longest first: "残疾人症" is one slip, not two
RARE_THING = 0.02  # a word the catalogue uses this much less than the thing it sounds like is a slip of it
THING_FLOOR = 20  # ...when the catalogue uses the thing this often (never used, neither wins: 补正 is no 补证)
THING_ENDS = frozenset("证照卡金书本册单票")  # what the words a slip is corrected to end in
HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+")
ASPECT = frozenset("了着过")  # after a verb, never after the names of things
NUMBER_NEXT = frozenset("一二两三四五六七八九十百千几半0123456789")  # a count follows an amount's word (整, 近), not a thing
# Characters of grammar, which sound like the ends of many words but are what was meant:
# "能用医保吗" is no 医保码, "我在生育期间" no 再生育, "为办理" no 未办理 (a review, session 30).
FUNCTION_CHARS = frozenset("吗呢吧啊呀哦嘛么的地得了着过在为和与及或是也又还都就才去来到把被给跟向从对而但等个能会要可")


# What is done to a thing, right before the thing's name ("办个", "做一个", "补张"): two
# characters there name what is done to, so a slip in either is read as the catalogue's thing
# ("做个公正": 公正 is a word, which the Guangdong catalogue uses 3 times to 公证's hundreds).
MEASURES = "个张份本"
COUNTING = "一两几" + MEASURES  # a count starting the two is no slip ("补一本" is no 译本)
BEFORE_A_THING = re.compile(rf"(?:办理|申请|办|做|补|换|领)(?:过|了)?(?:一?[{MEASURES}])?$")


def masks(word: str) -> set[str]:
    """The word with each of its characters in turn blanked: "社保卡" -> "?保卡", "社?卡", "社保?"."""
    return {word[:at] + "?" + word[at + 1 :] for at in range(len(word))}


# Two characters no dictionary knows, sounding like a word the catalogue's names use ("规化许可证", "使用登计",
# "高龄补帖", "人民条解", "报明"): that word, when neither character is one of grammar (Cantonese too: "等几耐" is no
# 等级, "长衫故事嘅展" no 开展; 点 and 几 of amounts: "种点地" no 重点) and no word holding either reaches past them.
# Not two characters the records write (出省, 户号: words the dictionary lacks). On the dialogue files' 5,071 says it
# read 31 slips and one word (钱出); names, not records, keep it to the words services are called by (README,
# Conversations, session 62).
GRAMMAR_CHARS = FUNCTION_CHARS | frozenset("几点嘅咗啲喺嗰佢冇系唔咁")
NAME_FLOOR = 2  # names of this many items use the word


def mended(text: str, length: int, slip_at: Callable[[str, int], str | None], past: bool = False) -> str:
    """`text` with each run of `length` characters that `slip_at` reads as a slip replaced by its word, left to
    right; the scan goes on past a word mended when `past`, else from the character after the run's start."""
    start = 0
    while start + length <= len(text):
        word = slip_at(text, start)
        if word is not None:
            text = text[:start] + word + text[start + length :]
        start += length if word is not None and past else 1
    return text


class Homophones:
    def __init__(
        self, words: Iterable[str], is_word: Callable[[str], bool], uses: Callable[[str], int] = lambda word: 0,
        name_uses: Iterable[tuple[str, int]] = (), written: Callable[[str], bool] = lambda run: False,
    ) -> None:
        """`words`: the catalogue's words (what a slip is corrected to); `is_word`: whether a
        run is a word at all (the catalogue's, or the tokenizer's dictionary); `uses`: how
        often the catalogue uses a word; `name_uses`: the words of its items' names, with how
        many names use each; `written`: whether its records write two characters together."""
        self._is_word = is_word
        self._written = written
        self._uses = uses
        self._named_by_sound: dict[tuple[str, ...], list[tuple[int, str]]] = {}  # two characters, three or four
        for word, count in name_uses:
            if 2 <= len(word) <= 4 and HAN_ONLY.fullmatch(word) and count >= NAME_FLOOR:
                self._named_by_sound.setdefault(tuple(lazy_pinyin(word)), []).append((count, word))
        self._by_sound: dict[tuple[str, ...], list[str]] = {}
        self._things_by_sound: dict[tuple[str, ...], list[str]] = {}  # two characters: 护照, 公证
        for word in sorted(set(words)):
            if HAN_ONLY.fullmatch(word) and word[-1] in THING_ENDS:
                if len(word) in LENGTHS:
                    self._by_sound.setdefault(tuple(lazy_pinyin(word)), []).append(word)
                elif len(word) == 2:
                    self._things_by_sound.setdefault(tuple(lazy_pinyin(word)), []).append(word)
        # Cheap first test: the run with one character blanked is a thing's so blanked ("社?卡").
        self._masks = frozenset(masked for words in self._by_sound.values() for word in words for masked in masks(word))

    def correct(self, text: str) -> str:
        for length in LENGTHS:
            text = mended(text, length, partial(self._word_for, length=length))
        for match in reversed(list(re.finditer(r"(?=[\u4e00-\u9fff]{2})", text))):
            start = match.start()
            word = self._thing_done_to(text, start)
            if word is not None:
                text = text[:start] + word + text[start + 2 :]
        for length in LENGTHS:
            text = mended(text, length, partial(self._long_name_word_for, length=length), past=True)
        # (Past a word mended: "签住要" mended to 签注 is no 主要.)
        return mended(text, 2, self._name_word_for, past=True)

    def _long_name_word_for(self, text: str, start: int, length: int) -> str | None:
        """The word of three or four characters of the catalogue's names that the run at `start` is a
        slip of ("消防验手" for 消防验收, "灵活就叶" for 灵活就业): one character differs, not one of grammar
        nor one in another word, inside the run or reaching past it ("负责任" is no 负责人, "广东生源" no 广东省,
        "中医十几年" no 中医师). (jieba keeps such words whole, so their halves are no name words of their own.)"""
        run, end = text[start : start + length], start + length
        if not HAN_ONLY.fullmatch(run) or self._is_word(run):
            return None
        for _, word in sorted(self._named_by_sound.get(tuple(lazy_pinyin(run)), ()), reverse=True):  # most used first
            changed = [start + i for i, (c, w) in enumerate(zip(run, word)) if c != w]
            if len(changed) != 1 or text[changed[0]] in GRAMMAR_CHARS:
                continue
            at = changed[0]
            spans = ((a, b) for a in range(max(at - 3, 0), at + 1) for b in range(at + 1, min(at + 4, len(text)) + 1) if b - a >= 2)
            if not any((a, b) != (start, end) and self._is_word(text[a:b]) for a, b in spans):
                return word
        return None

    def _name_word_for(self, text: str, start: int) -> str | None:
        """The word of the catalogue's names that the two characters at `start` are a slip of (`GRAMMAR_CHARS`)."""
        run = text[start : start + 2]
        if not HAN_ONLY.fullmatch(run) or GRAMMAR_CHARS.intersection(run) or self._is_word(run) or self._written(run):
            return None
        sounding = self._named_by_sound.get(tuple(lazy_pinyin(run)), ())  # (only two-character words sound as two)
        candidates = [(count, word) for count, word in sounding if sum(a != b for a, b in zip(run, word)) == 1]
        if not candidates:
            return None
        end = start + 2
        spans = ((a, b) for a in range(max(start - 3, 0), end) for b in range(max(a + 2, start + 1), min(a + 4, len(text)) + 1))
        if any((a < start or b > end) and self._is_word(text[a:b]) for a, b in spans):
            return None
        return max(candidates)[1]

    def _thing_done_to(self, text: str, start: int) -> str | None:
        """The catalogue's two-character thing that the two characters at `start`, right after
        what is done to a thing, sound like, when they are a slip of it: a word the catalogue
        uses far less, with no character of grammar changed."""
        run = text[start : start + 2]
        if run[0] in COUNTING or not BEFORE_A_THING.search(text, 0, start):
            return None
        # A thing already ("办车证", "做个见证"), a word describing one ("做清淡的菜"), or words the
        # two make with what is around them: "没有办法正常做饭" (办法, 正常) is no 办发证,
        # "二手车办过户找哪个部门" (过户) no 护照.
        if (run[-1] in THING_ENDS and self._is_word(run)) or text[start + 2 : start + 3] == "的" or self._is_word(text[start - 1 : start + 1]):
            return None
        if any(self._is_word(text[start + 1 : end]) for end in range(start + 3, min(start + 5, len(text)) + 1)):
            return None
        for word in self._things_by_sound.get(tuple(lazy_pinyin(run)), ()):
            changed = [c for c, w in zip(run, word) if c != w]
            common = self._uses(word) >= THING_FLOOR and self._uses(run) <= RARE_THING * self._uses(word)
            if changed and common and not FUNCTION_CHARS.intersection(changed):
                return word
        return None

    def _word_for(self, text: str, start: int, length: int) -> str | None:
        run = text[start : start + length]
        if self._masks.isdisjoint(masks(run)) or not HAN_ONLY.fullmatch(run) or self._is_word(run):
            return None
        for word in self._by_sound.get(tuple(lazy_pinyin(run)), ()):
            changed = [at for at in range(length) if run[at] != word[at]]
            if len(changed) != 1:
                continue
            at, end = start + changed[0], start + length
            # The last character slipped ("残疾症"): the rest of the run is a word.
            fits = self._is_word(run[:-1]) if at == end - 1 else self._inner_slip_fits(text, start, at, end)
            if fits and self._may_slip(text, at, end):
                return word
        return None

    def _inner_slip_fits(self, text: str, start: int, at: int, end: int) -> bool:
        """Whether a slip at `at`, inside the run from `start` to `end` ("社宝卡"), may be one: it
        makes no word inside the run or before it ("社报卡": 报卡), the rest of the run is no word of
        its own (待开票, 零发票, a name: 杨老金), and the thing's end begins none past the run (徐可证明)."""
        spans = ((a, b) for a in range(max(at - 3, 0), at + 1) for b in range(at + 1, min(at + 4, end) + 1) if 2 <= b - a <= 4)
        if any(self._is_word(text[a:b]) for a, b in spans if (a, b) != (start, end)):
            return False
        if at == start and self._is_word(text[start + 1 : end]):
            return False
        return not any(self._is_word(text[end - 1 : b]) for b in range(end + 1, min(end + 2, len(text)) + 1))

    def _may_slip(self, text: str, at: int, end: int) -> bool:
        """Whether the character at `at`, in a run ending at `end`, may be a slip."""
        if text[at] in FUNCTION_CHARS or (at == end - 1 and text[at + 1 : at + 2] in ASPECT):  # ("补偿进了谁的口袋": a verb)
            return False
        if at == end - 1 and text[at + 1 : at + 2] in NUMBER_NEXT:  # ("结婚整十年", "失业近一年": how long, no 证 or 金)
            return False
        # A word holding it and going on past the run: "导游正在", "不负责任" (a run's own words were looked up already).
        return not any(self._is_word(text[a:b]) for a in range(max(at - 3, 0), at + 1) for b in range(end + 1, min(at + 4, len(text)) + 1) if 2 <= b - a <= 4)


# Words that ask for a field (retrieval/fields.py, FIELD_CUES), as a slip by sound spells them
# in follow-ups ("咨询电花多少" read as the fee through 花多少, "名字核准大概要几填", "要准备哪些才料").
# Not words whose sound many common words share: 号码 (好吗, 限号吗), 时间 / 时限 / 期限 (市建, 是先: "是先
# 体检还是先报名"), 在线 (在县), 在哪 ("挂在那"), 费用 ("非用本地户口"), 地址 ("递至窗口"), 网上 (网商),
# 资格, 亲自 (names), found on the dev files', hotline messages and a review's sentences (README,
# Conversations, session 37).
ASKING_WORDS = ("电话", "热线", "材料", "资料", "多久", "几天", "条件", "收费", "手续", "几趟", "免费")
# A dictionary word this much rarer than the asking word it sounds like is a slip too: jieba holds
# 电花 3 times against 电话's 8,354; not 点化 (45).
RARE = 0.001


class AskingSlips:
    def __init__(self, frequency: Callable[[str], int]) -> None:
        """`frequency`: how often jieba's dictionaries hold a word (0: not a word)."""
        self._frequency = frequency
        self._by_sound = {tuple(lazy_pinyin(list(word))): word for word in ASKING_WORDS}
        self._first_sounds = frozenset(sound[0] for sound in self._by_sound)

    def mend(self, text: str) -> str:
        sounds = lazy_pinyin(list(text))  # one per character
        for start in range(len(text) - 1):
            if sounds[start] not in self._first_sounds:
                continue
            word = self._by_sound.get((sounds[start], sounds[start + 1]))
            run = text[start : start + 2]
            # (A character of grammar is what was meant: "钱多就多交一点吗" is no 多久.)
            if word is None or word == run or not HAN_ONLY.fullmatch(run) or any(c != w and c in FUNCTION_CHARS for c, w in zip(run, word)):
                continue
            slipped = self._frequency(run) <= RARE * self._frequency(word) or self._fits_beside(text, start, word)
            if slipped and not self._inside_word(text, start):
                text = text[:start] + word + text[start + 2 :]
        return text

    def _fits_beside(self, text: str, start: int, word: str) -> bool:
        """Whether the asking word makes a word with a neighbour that the two typed do not: "有咨询
        电化吗" (电化 is a word, 25 against 电话's 8,354, but 咨询电话 is one and 咨询电化 none)."""
        run, end = text[start : start + 2], start + 2
        for k in (1, 2):
            left, right = text[max(start - k, 0) : start], text[end : end + k]
            for before, after in ((left, ""), ("", right)):
                if len(before + after) == k and self._frequency(before + word + after) > 0 and self._frequency(before + run + after) == 0:
                    return True
        return False

    def _inside_word(self, text: str, start: int) -> bool:
        """Whether a word holding a character of the two at `start` reaches outside them: "很多就住"
        (很多) is no slip of 多久."""
        end = start + 2
        spans = ((a, b) for a in range(max(start - 3, 0), end) for b in range(max(a + 2, start + 1), min(a + 4, len(text)) + 1))
        return any((a < start or b > end) and self._frequency(text[a:b]) > 0 for a, b in spans)
