"""Chinese text handling for retrieval: normalisation, jieba tokens, synonyms.

The government user dictionary, the stopwords and the synonym groups are data files in
`data/dict/`; this module only loads them (once per process) and applies them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import jieba

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

# Longest query we look at: more is noise for a service question and costs time.
MAX_QUERY_CHARS = 512
HAN = re.compile(r"[\u3400-\u9fff]")
PUNCT_OR_SPACE = re.compile(r"^[\W_]+$", re.UNICODE)


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, control characters dropped, length capped."""
    text = unicodedata.normalize("NFKC", text or "")[: MAX_QUERY_CHARS * 4]
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip().lower()[:MAX_QUERY_CHARS]


def has_han(text: str) -> bool:
    return bool(HAN.search(text))


@dataclass(frozen=True)
class Reworded:
    """A text in the catalogue's terms (`Lexicon.reword`), with the spans of the terms swapped in."""

    text: str
    swapped: tuple[tuple[int, int], ...] = ()

    def says(self, run: str) -> bool:
        """Whether `run` is in the text taking in most of each swapped-in term it overlaps: 教师 of
        "中学老师" is said, and 居民身份 of 居民身份证 (for "身份证"); 个人 of 个人所得税, swapped in for
        "个税", is not."""
        at = self.text.find(run)
        while at >= 0:
            end = at + len(run)
            if all(2 * (min(stop, end) - max(start, at)) > stop - start for start, stop in self.swapped if start < end and at < stop):
                return True
            at = self.text.find(run, at + 1)
        return False


@dataclass(frozen=True)
class Lexicon:
    """jieba with the government dictionary, stopwords and synonym groups."""

    tokenizer: jieba.Tokenizer
    stopwords: frozenset[str]
    canonical: dict[str, str]  # every synonym -> its group's canonical term

    def tokens(self, text: str) -> list[str]:
        """Content tokens of `text`, each synonym replaced by its canonical term."""
        out = []
        # HMM off: its new-word guessing glues filler to one-character verbs (想换, 哪办).
        for token in self.tokenizer.lcut(normalise(text), HMM=False):
            token = token.strip()
            if not token or token in self.stopwords or PUNCT_OR_SPACE.match(token):
                continue
            out.append(self.canonical.get(token, token))
        return out

    def reword(self, text: str, keep: frozenset[str] = frozenset()) -> Reworded:
        """`text` with each synonym swapped for its group's canonical term, all else kept ("中学老师"
        -> "中学教师"): where a question's words are compared with names. Terms in `keep` are not
        swapped in ("办" stays: 办理 would say the 办理 of names). A synonym inside a longer word
        counts when two characters or more ("改" of "改革" would not)."""
        out, swapped = "", []
        for token in self.tokenizer.lcut(normalise(text), HMM=False):
            for said, term in [(token, self.canonical[token])] if token in self.canonical else self._synonyms_inside(token):
                if term is None or term in keep:
                    out += said
                else:
                    swapped.append((len(out), len(out) + len(term)))
                    out += term
        return Reworded(out, tuple(swapped))

    def _synonyms_inside(self, word: str) -> list[tuple[str, str | None]]:
        """`word` in runs, each with the canonical term it stands for when it is a synonym."""
        runs, at = [], 0
        for found in self._terms_inside.finditer(word):
            runs += [(word[at:found.start()], None), (found.group(), self.canonical.get(found.group()))]
            at = found.end()
        return [*runs, (word[at:], None)]

    @cached_property
    def _terms_inside(self) -> re.Pattern[str]:
        # Canonical terms match as themselves first: 身份证 inside 居民身份证 is no synonym to swap.
        terms = {term for term in (*self.canonical, *self.canonical.values()) if len(term) >= 2}
        return re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))) or "(?!)")

    def is_word(self, text: str) -> bool:
        """Whether jieba's dictionaries (its own and the government one) hold `text` as a word."""
        return self.frequency(text) > 0

    def frequency(self, text: str) -> int:
        """How often jieba's dictionaries count `text` as a word (0: not a word)."""
        self.tokenizer.check_initialized()
        return self.tokenizer.FREQ.get(text, 0) or 0

    def search_tokens(self, text: str) -> list[str]:
        """`tokens`, plus the character bigrams of long words (matches partial names)."""
        return [t for token in self.tokens(text) for t in (token, *bigrams(token))]


def bigrams(token: str) -> list[str]:
    """The character bigrams a long Chinese word is also searched by (none for short ones)."""
    return [token[i : i + 2] for i in range(len(token) - 1)] if len(token) >= 3 and has_han(token) else []


def _read_lines(path: Path) -> list[str]:
    if not path.exists():
        log.warning("dictionary file %s is missing", path)
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def lexicon_files(dict_dir: Path) -> list[Path]:
    """The files `load_lexicon` reads: the words an index stores are split by them."""
    return [*sorted((dict_dir / "jieba").glob("*.txt")), dict_dir / "synonyms.txt", dict_dir / "stopwords.txt"]


def lexicon_fingerprint(dict_dir: Path) -> str:
    """A content hash of the lexicon's files: an index's stored words are valid while it matches."""
    digest = hashlib.sha256()
    for path in lexicon_files(dict_dir):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:12]


@lru_cache(maxsize=4)
def load_lexicon(dict_dir: Path) -> Lexicon:
    tokenizer = jieba.Tokenizer()
    # The same folder Rasa's JiebaTokenizer loads (`dictionary_path`), so both split alike.
    for userdict in sorted((dict_dir / "jieba").glob("*.txt")):
        tokenizer.load_userdict(str(userdict))
    canonical: dict[str, str] = {}
    for line in _read_lines(dict_dir / "synonyms.txt"):
        terms = [t.strip().lower() for t in line.split("\t") if t.strip()]
        for term in terms[1:]:
            canonical.setdefault(term, terms[0])
    stopwords = frozenset(w.lower() for w in _read_lines(dict_dir / "stopwords.txt"))
    return Lexicon(tokenizer, stopwords, canonical)


def load_word_pattern(path: Path) -> re.Pattern[str] | None:
    """Any of the words of a dictionary file, one a line (data/dict/progress_words.txt: what asks
    how far an application has got; lookup_words.txt: what asks to look something up; each
    file says how `retrieval/search.py` uses it). None without any: an empty pattern would
    match every question."""
    words = _read_lines(path)
    return re.compile("|".join(map(word_pattern, words))) if words else None


# What may close a clause after a word asking it ("批了没有？", "好咗未呀"): 有, a particle, then a stop or the end.
AT_CLAUSE_END = r"(?=有?[吗呀啊呢嘛吖喇啦]?(?:[\s，,。.？?！!；;]|$))"


def word_pattern(word: str) -> str:
    """A word of a dictionary file as a pattern; a word ending in "$" only at a clause's end ("批了没$":
    not "护照批了没几天就…", "办好未满16岁嘅护照")."""
    return re.escape(word[:-1]) + AT_CLAUSE_END if word.endswith("$") else re.escape(word)


def load_doing_words(path: Path) -> frozenset[str]:
    """Words that say a thing is done, not which service (办理, 弄…; data/dialogue/doing_words.txt:
    the dialogue state's actions read them from the searcher too)."""
    return frozenset(_read_lines(path))


def load_acts(dict_dir: Path) -> re.Pattern[str]:
    """What one does with a thing (设立/变更/注销/补领…): items differing only by it are siblings."""
    acts = sorted(map(re.escape, _read_lines(dict_dir / "acts.txt")), key=len, reverse=True)
    return re.compile("|".join(acts) or r"(?!)")  # no acts: a pattern that matches nothing, not everything
