"""Homophone slips in the words of the catalogue: "残疾症" for 残疾证, "通行正" for 通行证.

Chinese is typed by sound, so a slip picks another character of the same sound, and the
slipped word matches nothing the search knows (a dense model reads it as something else
too: "残疾症" found 低收入家庭业务申请预约). A run of three or four characters that no
dictionary knows, whose sound is that of a catalogue word differing from it only at one
end, where the rest of the run is a word and the slipped character makes no word with its
neighbour outside the run, is read as that word ("导游正在" is left alone: 正在). Runs of
two are not corrected: on the Guangdong development questions they turned 我是 into 我市
and 想看 into 相看 dozens of times (README, Retrieval).
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from pypinyin import lazy_pinyin

LENGTHS = (4, 3)  # longest first: "残疾人症" is one slip, not two
HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+")


class Homophones:
    def __init__(self, words: Iterable[str], is_word: Callable[[str], bool]) -> None:
        """`words`: the catalogue's words (what a slip is corrected to); `is_word`: whether a
        run is a word at all (the catalogue's, or the tokenizer's dictionary)."""
        self._is_word = is_word
        self._by_sound: dict[tuple[str, ...], list[str]] = {}
        for word in sorted(set(words)):
            if len(word) in LENGTHS and HAN_ONLY.fullmatch(word):
                self._by_sound.setdefault(tuple(lazy_pinyin(word)), []).append(word)

    def correct(self, text: str) -> str:
        for length in LENGTHS:
            start = 0
            while start + length <= len(text):
                word = self._word_for(text, start, length)
                if word is not None:
                    text = text[:start] + word + text[start + length :]
                start += 1
        return text

    def _word_for(self, text: str, start: int, length: int) -> str | None:
        run = text[start : start + length]
        if not HAN_ONLY.fullmatch(run) or self._is_word(run):
            return None
        # Which end may have slipped: the rest of the run must be a word, and the slipped
        # character with its outside neighbour must not be one.
        last_slipped = self._is_word(run[:-1]) and not self._is_word(text[start + length - 1 : start + length + 1])
        first_slipped = self._is_word(run[1:]) and not self._is_word(text[max(start - 1, 0) : start + 1])
        if not (last_slipped or first_slipped):
            return None
        for word in self._by_sound.get(tuple(lazy_pinyin(run)), ()):
            if (last_slipped and word[:-1] == run[:-1]) or (first_slipped and word[1:] == run[1:]):
                return word
        return None
