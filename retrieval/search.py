"""Hybrid search: BM25 over jieba tokens fused with dense FAISS search, with filters.

Fusion: each signal's candidates are scored by a weighted reciprocal rank plus the
signal's min-max-normalised score, weighted and summed over signals. Whether the best
hit is a real answer is a separate, calibrated decision (`retrieval.confidence`).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Literal

import faiss
import numpy as np

from catalogue.gazetteer import Gazetteer, Region
from catalogue.model import LEVELS, ServiceItem
from retrieval.confidence import Confidence, features
from retrieval.documents import name_text, record_text
from retrieval.index import RetrievalIndex
from retrieval.rerank import DEPTH, QuestionView, Reranker, bigrams, distinct_bigrams, pair_features
from retrieval.text import has_han, normalise
from retrieval.typos import AskingSlips, Homophones

log = logging.getLogger(__name__)

# "hybrid": fused and reranked (the product); "fused": without the reranking stage.
Method = Literal["hybrid", "fused", "bm25", "dense"]
CANDIDATES = 100  # per signal
RRF_K = 10
MAX_QUESTION_CHARS = 5_000
DENSE_CHARS = 160  # the embedders' cost grows with length; a question's gist comes first
# A sure answer shares words with the question worth this much (rare words' worth, `Searcher.worth`),
# unless one of them is in its name (`Searcher.names_a_service`): words of doing ("办理" 0.10,
# "申请" 0.11 in the Shandong sample) name no service. Set at about twice theirs, so that two
# common words ("企业 办理" 0.25 of "想开个公司要办什么") still count.
SHARED_WORTH = 0.2
LOOKING_UP = "查"  # a progress word of data/dict/progress_words.txt that asks no progress by itself
PROGRESS_LOOKUP = "进度"  # in an item's name: it reports how far an application has got (data/dict/progress_words.txt)
# An item whose name says this only looks something up (普通话等级考试成绩查询); in a question
# saying no word of looking up (data/dict/lookup_words.txt) it is ordered as if it scored this
# much less (its score stays). Chosen over 0.1-0.5 on the 300 reranker training questions and
# the dev files (README, Retrieval).
LOOKUP = "查询"
LOOKUP_DISCOUNT = 0.2
# Progress asked and the best hit a service whose own progress lookup is this close behind (its
# rank): the lookup first (`Searcher._own_lookup_first`).
OWN_LOOKUP_SPAN = 3
CLAUSE_END = re.compile(r"[，,。！!？?；;]+")
# How the names of things one applies for end (`Searcher.absent_things`).
THING_NAMES = re.compile(r"(证|照|卡|金|书|册|票|证明|补贴|津贴|补助|保险|登记|许可|备案|贷款|鉴定|认定|报装)$")
# The words of such names that say what kind of thing, not which: many records hold them.
THING_WORDS = frozenset({"证明", "证书", "证件", "补贴", "津贴", "补助", "保险", "登记", "许可", "许可证", "备案", "贷款", "鉴定", "认定", "报装"})


def name_stem(name: str) -> str:
    """A name without its bracketed variant: "办理往来港澳通行证团队游签注(广州市户籍居民)" -> 办理往来港澳通行证团队游签注."""
    return re.split(r"[(（]", name, maxsplit=1)[0]


def clauses_of(text: str) -> list[str]:
    """The clauses of a message, empty ones left out."""
    return [clause for clause in CLAUSE_END.split(text) if clause.strip()]


# Variants of a service for applicants from outside the mainland ("注册会计师注册(（外国人）)" beside
# "(（内地居民）)", "机动车驾驶证初次申领(外国人申领摩托车准驾车型)" beside "(大陆居民申领…)"): the
# portal's users are mostly residents, so a question saying nothing of being foreign gets the
# residents' variant in the place and with the score of the other one first found, which takes the
# residents' score (a variant's record may share more of the question's words: "注会注册在哪个系统
# 申请" found 外国人 first). Only three families of the Guangdong catalogue have such variants.
OUTSIDE_MAINLAND = re.compile(r"外国人|外籍|境外人员|外交人员|港澳台居民|香港澳门特别行政区居民|台湾地区居民|华侨")
MAINLAND = ("内地居民", "大陆居民")
# Services only people from outside the mainland apply for (visas among them), ordered as if they
# scored this much less for a question saying nothing of being foreign (`SAYS_OUTSIDE_MAINLAND`).
FOR_OUTSIDERS = re.compile(OUTSIDE_MAINLAND.pattern + r"|台湾居民|外国专家|外国高端人才|[A-Z]\d?字签证|普通签证")
OUTSIDERS_DISCOUNT = 0.4
SAYS_OUTSIDE_MAINLAND = re.compile(
    r"外国|外籍|老外|国外|境外|外交|港澳|香港|澳门|台湾|台胞|华侨|侨胞|洋|美国|英国|法国|德国|日本|韩国|俄罗斯|加拿大|澳大利亚|新西兰"
    r"|意大利|西班牙|荷兰|瑞士|瑞典|新加坡|马来西亚|泰国|越南|印度|菲律宾|印尼|巴西|非洲|欧洲|美洲|国籍"
)
# A place outside the province named as where the user goes or comes from for treatment, work or
# home ("去北京协和看病", "从河南过来济南打工", "回长沙上班") asks this province's service for it (异地就医
# 备案, 居住证, 社保转出), not one of that place's. Nor does 香港/澳门/台湾 where the message goes there or
# comes from there, speaks of its people or names travel papers or the mainland ("去香港旅游要办什么",
# "台湾同胞在广州办居住证", "在香港有劳务收入，要内地的税收居民证明"): the province's own offices serve
# those. "香港身份证丢了怎么补" and "台湾的健保卡" ask for that place's (`asks_of_elsewhere`).
SERVED_HERE = ("香港", "澳门", "台湾")
THEIR_PEOPLE = re.compile(r"\s*([的嘅]?(居民|同胞|人(?!寿)|籍|朋友|亲戚|同事|股东|公司|企业|律所|律师|医生|牙医|老公|老婆|太太|丈夫"
                          r"|女|孩子|老师|员工)|[的嘅](?=[，,。！!？?\s]|$)|(来|嚟|过来)的)")  # ("我老婆系澳门嘅，想喺广州登记结婚")
# ...but papers or duties of the place itself are its own offices' ("我是香港人，香港身份证丢了怎么补",
# "他的香港驾照怎么续期", "香港公司年审怎么弄"), whatever else the message says.
THEIR_OWN = re.compile(r"\s*[的嘅]?(居民身份证|身份证|驾照|驾驶证|驾驶执照|健保卡|强积金|护照|公司年审|公司周年申报|商业登记)")
TRAVEL_PAPERS = "通行证|签注|台胞证|回乡证|旅行证"
SERVED_HERE_FOR = re.compile(rf"{TRAVEL_PAPERS}|港澳|往来|内地|大陆")
# A mainland paper asked for beside their own ("办回乡证要带香港居民身份证吗"): served here all the same.
MAINLAND_PAPERS = re.compile(rf"{TRAVEL_PAPERS}|居住证|定居证")
# The user come back or moved to a region of the province ("今年回济宁任城老家了", "搬到青岛了"): a place
# outside it not gone to is where they come from, and asks for this province's service (社保转入,
# "回济南了，北京的社保怎么转过来"), not that place's.
CAME_HERE = re.compile(r"(回到?|搬回|调回|搬到|(?<![原后本出起将看])来到?)了?\s*$")
GONE_OR_COME = re.compile(r"(?<![找收得网])(去|到|回|从|来自|赴|上)\s*$")  # (not 找到北京的工作, 收到)
# Come from the place (从, 来自 of GONE_OR_COME) to where the user is now ("俺是从河南过来的"): the
# service asked for is here.
COME_OVER = re.compile(r"\s*([过回返]?来|[过返]?嚟)")  # (Cantonese 过嚟)
FOR_TREATMENT = re.compile(r"看病|瞧病|看医生|看大夫|医院(看|瞧|治|查|住)|住院|就医|手术|治疗|复查")  # ("去北京的大医院瞧瞧"; not "调到北京一家医院工作")
MOVED_FOR = re.compile(rf"{FOR_TREATMENT.pattern}|上班|工作(?![日人证])|打工|定居|养老(?!保险|金)|读书|上学")
# How often jieba's dictionaries must count two characters as a word to read them as one across a place's
# start or end (`Searcher._inside_words`).
WORD_ACROSS = 50
MOVED_SPAN = 8  # characters after the place, in its clause, where the reason is said
# "领证" said of a partner is getting married ("跟对象打算下个月去领证", "俺跟对象处了三年了…把证领了");
# of anything else, picking up a certificate ("在哪考在哪领证").
PARTNER = re.compile(r"对象|女朋友|男朋友|女友|男友|未婚妻|未婚夫")
MARRYING = re.compile(r"领证|把证领|扯证")
# A number, alone or with its measure word as jieba keeps them ("五十八", "58", "五十八岁", "十五年",
# "三千块"), is no word of another world, though the catalogue never uses it. (Not 万一, 千万.)
NUMERAL = re.compile(r"[0-9０-９零〇一二两三四五六七八九十][0-9０-９零〇一二两三四五六七八九十百千万亿几]*(多|来)?(周岁|岁|年|个月|个|块|元|天|次|趟|号|位|名|口|套|张|家)?")
# A story's question is looked at again only for shared words worth this much (rare words' worth):
# 商标注册 1.0, not 咨询 0.45 ("生意一直不好，想咨询一下" is no 咨询投诉).
STORY_WORTH = 1.0


@dataclass(frozen=True)
class Filters:
    region_code: str | None = None  # this region, its parent or the province; or a unit inside it
    level: str | None = None
    target: Literal["自然人", "法人"] | None = None
    online_only: bool = False
    codes: frozenset[str] | None = None  # only these items (e.g. the choices just offered)


@dataclass
class Hit:
    item: ServiceItem
    score: float
    signals: dict[str, float] = field(default_factory=dict)  # signal -> raw score
    matched: list[str] = field(default_factory=list)  # query words found in the item


@dataclass
class Candidates:
    words: set[str]  # the question's content tokens
    ranked: list[int]  # slots, best fused first
    scores: dict[int, float]  # slot -> fused score
    signals: dict[str, dict[int, float]]  # signal -> slot -> raw score


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    confident: bool  # False: "no good match" — do not present hits as the answer
    confidence: float = 0.0
    evidence: dict[str, float] = field(default_factory=dict)  # what the confidence judged
    region_code: str | None = None  # the region the filter resolved to

    suggestible: bool = False  # not an answer, but close enough to offer as "maybe"
    said: str = ""  # the whole message, when `query` is only part of it
    # Hits scoring at least this share of the best one are about as likely: the user picks.
    close_ratio: float = 0.87
    # Services a caller took out of the hits (the user rejected them): not to come back
    # another way, as a theme service that covers others among the hits.
    left_out: frozenset = frozenset()

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.confident and self.hits else None

    @property
    def message(self) -> str:
        """What the user said: the whole message, else the query searched."""
        return self.said or self.query


# Fused scores within this share of the best are offered as choices (without a reranker;
# chosen on both Guangdong dev sets, as the bot's hit rate against single answers).
FUSED_CLOSE_RATIO = 0.87

# BM25's weight in the fusion; each dense signal ("<embedder>/<view>") weighs its
# embedder's `fusion_weight`. Chosen on both Guangdong dev sets together (180 questions).
BM25_WEIGHT = 1.5


def asks_progress(progress_words: re.Pattern[str], message: str) -> bool:
    """Whether a message asks how far an application has got in so many words (办到哪, 进度, 哪一步);
    查 alone, in the list so that lookups stay among the hits of a question that may look
    something up, does not say it."""
    return any(found.group(0) != LOOKING_UP for found in progress_words.finditer(message))


class Searcher:
    def __init__(
        self,
        index: RetrievalIndex,
        gazetteer: Gazetteer,
        confidence: Confidence | None = None,
        reranker: Reranker | None = None,
        acts: re.Pattern[str] | None = None,
        progress_words: re.Pattern[str] | None = None,
        doing_words: frozenset[str] = frozenset(),
        lookup_words: re.Pattern[str] | None = None,
    ) -> None:
        self.index = index
        self.gazetteer = gazetteer
        self.confidence = confidence or Confidence()
        self.reranker = reranker
        self.acts = acts  # what is done to a thing (设立/注销/补领…): the reranker compares them
        self.progress_words = progress_words  # what asks how far an application has got (进度, 办到哪…)
        self.doing_words = doing_words  # words that say a thing is done, not which (办理, 弄…)
        self.lookup_words = lookup_words  # what asks to look something up (查, 名单, 在哪…)
        self._name_words: dict[str, frozenset[str]] = {}  # name text -> its tokens
        self._record_words: dict[str, frozenset[str]] = {}  # record (or name) text -> its search tokens
        # Where the catalogue's units are: their regions, and every region holding one.
        self.unit_regions = {item.region_code for _, item in index.live_items()}
        self.regions_with_units = {code for region in self.unit_regions for code in gazetteer.chain_codes(region)}
        self.weights = {"bm25": BM25_WEIGHT}
        for embedder in index.embedders:
            self.weights.update({f"{embedder.name}/{view}": embedder.fusion_weight for view in embedder.views})

    @cached_property
    def homophones(self) -> Homophones:
        """What a slipped word is read as: the catalogue's words and synonyms (retrieval/typos.py)."""
        lexicon = self.index.lexicon
        uses = Counter(token for tokens in self.index.tokens for token in tokens)
        words = set(uses) | set(lexicon.canonical) | set(lexicon.canonical.values())
        items = [item for _, item in self.index.live_items()]
        named = Counter(token for item in items for token in set(lexicon.tokens(item.name)))
        # (Two characters the records write are no slip, though no dictionary knows them: 出省, 户号.)
        written = {text[at : at + 2] for text in map(record_text, items) for at in range(len(text) - 1)}
        return Homophones(words, lambda run: run in words or lexicon.is_word(run), lambda word: uses[word], named.items(), written.__contains__)

    @cached_property
    def asking_slips(self) -> AskingSlips:
        """What a slipped word asking for a fact is read as (retrieval/typos.py)."""
        return AskingSlips(self.index.lexicon.frequency)

    # ---- filters ----------------------------------------------------------------------

    def _allowed(self, filters: Filters) -> np.ndarray | None:
        """A boolean mask over slots, or None when nothing is filtered."""
        if filters == Filters():
            return None
        served = {code for code in self.unit_regions if self._unit_serves(code, filters.region_code)} if filters.region_code else None
        mask = np.zeros(len(self.index.items), dtype=bool)
        for slot, item in self.index.live_items():
            if served is not None and item.region_code not in served:
                continue
            if filters.level and item.level != filters.level:
                continue
            if filters.target == "自然人" and not item.for_citizens:
                continue
            if filters.target == "法人" and not item.for_enterprises:
                continue
            if filters.online_only and not item.online:
                continue
            if filters.codes is not None and item.code not in filters.codes:
                continue
            mask[slot] = True
        return mask

    def serves(self, item: ServiceItem, region_code: str | None) -> bool:
        """Whether the region filter lets `item` through (`_allowed`, for one item)."""
        return not region_code or self._unit_serves(item.region_code, region_code)

    def _unit_serves(self, unit_region: str, region_code: str) -> bool:
        """A unit serves a region when it is the region's or a parent's, or inside it: "在济南开个
        小饭馆" is 历下区's 食品经营许可 (the answer then asks which district,
        `local_implementations` in actions/answer.py)."""
        return unit_region in self.gazetteer.chain_codes(region_code) or region_code in self.gazetteer.chain_codes(unit_region)

    def _collapse(self, hits: list[Hit], region_code: str | None) -> list[Hit]:
        """One hit per service (`ServiceItem.service_key`): of its implementations by different
        units, keep the one nearest the user's region, else the best-scoring one."""
        rank = {code: depth for depth, code in enumerate(self.gazetteer.chain_codes(region_code))} if region_code else {}
        best: dict[tuple[str, str], Hit] = {}
        for hit in hits:  # in ranked order
            key = hit.item.service_key
            current = best.get(key)
            if current is None or rank.get(hit.item.region_code, 99) < rank.get(current.item.region_code, 99):
                best[key] = hit
        keep = {id(h) for h in best.values()}
        return [h for h in hits if id(h) in keep]

    # ---- signals ----------------------------------------------------------------------

    def _bm25(self, tokens: list[str], mask: np.ndarray | None) -> dict[int, float]:
        scores = self.index.bm25_scores(tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores)[:CANDIDATES]
        return {int(s): float(scores[s]) for s in top if scores[s] > 0}

    def _dense(self, query: str, mask: np.ndarray | None) -> dict[str, dict[int, float]]:
        params = None
        if mask is not None:
            selector = faiss.IDSelectorBatch(np.flatnonzero(mask).astype(np.int64))
            params = faiss.SearchParameters(sel=selector)
        out: dict[str, dict[int, float]] = {}
        for embedder in self.index.embedders:
            vector = embedder.encode_queries([query])
            for key, index in self.index.dense.items():
                if not key.startswith(embedder.name + "/"):
                    continue
                k = min(CANDIDATES, index.ntotal)
                if k == 0:
                    continue
                scores, ids = index.search(vector, k, params=params)
                out[key] = {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0}
        return out

    def uncovered(self, region: Region | None) -> bool:
        """The question names a region where no unit of the catalogue works: none there or
        below it, and none above it but the province."""
        if region is None or region.code == self.gazetteer.province.code or region.code in self.regions_with_units:
            return False
        above = set(self.gazetteer.chain_codes(region.code)) - {self.gazetteer.province.code}
        return not above & self.unit_regions

    def _inside_words(self, text: str, start: int, end: int) -> bool:
        """Whether a place's name in `text` is only the end of a word and the start of another ("前天水管子"
        is 前天 + 水管子, not 天水; "今天津贴", "不大同意"); its first character alone after a word
        that ends there is not enough ("上天津看病", "在内蒙古")."""
        begun = start > 0 and self.index.lexicon.frequency(text[start - 1 : start + 1]) >= WORD_ACROSS
        go_on = any(self.index.lexicon.frequency(text[end - 1 : end + n]) >= WORD_ACROSS for n in (1, 2) if end + n <= len(text))
        return begun and go_on

    def places_elsewhere(self, message: str) -> list[tuple[str, str | None]]:
        """Each place outside the province that the message names, with what the user goes
        there or comes from it for (`MOVED_FOR`), if it says so, or 回来 where the user has come to
        the province (`CAME_HERE`); 往来 for 香港/澳门/台湾 where the message asks what the
        province's offices do for them (`SERVED_HERE`)."""
        rest = self.gazetteer.without_regions(message)
        found = [(name, start) for name, start in self.gazetteer.outside_places(rest) if not self._inside_words(rest, start, start + len(name))]
        if not found:  # (most messages: no region mentions to read below)
            return []
        ends = {start + len(name): start for name, start in found}
        places, served_here, their_own = [], False, False
        # (done: "了" in the mention's clause; not "俺下个月搬到青岛，北京的社保要先停吗")
        came_here = any(
            CAME_HERE.search(message, 0, start) and "了" in CLAUSE_END.split(message[start:], maxsplit=1)[0]
            for start, _, _ in self.gazetteer.mentions(message)
        )
        for name, start in found:
            before = start
            while before in ends:  # a place inside the one before it ("去海南三亚") is gone to as that one is
                before = ends[before]
            clause_end = min(start + len(name) + MOVED_SPAN, len(rest))
            if (cut := CLAUSE_END.search(rest, start + len(name), clause_end)) is not None:
                clause_end = cut.start()
            way = GONE_OR_COME.search(rest, 0, before)
            gone_or_come = way is not None
            reason = MOVED_FOR.search(rest, start, clause_end) if gone_or_come else None
            if reason is None and way is not None and way.group(1) in ("从", "来自"):
                reason = COME_OVER.match(rest, start + len(name))  # ("从河南过来的": the reason is having come here)
            own_papers = name in SERVED_HERE and THEIR_OWN.match(rest, start + len(name)) is not None
            places.append((name, reason.group(0) if reason else "回来" if came_here and not gone_or_come and not own_papers else None))
            if own_papers:
                their_own = True
            elif name in SERVED_HERE and (gone_or_come or THEIR_PEOPLE.match(rest, start + len(name))):
                served_here = True
        their_own = their_own and not MAINLAND_PAPERS.search(rest)
        if not their_own and (served_here or SERVED_HERE_FOR.search(rest)):
            places = [(name, "往来" if name in SERVED_HERE and not reason else reason) for name, reason in places]
        return places

    def candidates(self, text: str, mask: np.ndarray | None, method: Method, depth: int) -> "Candidates":
        """The first stage: each signal's candidates, fused (`text` normalised)."""
        signals: dict[str, dict[int, float]] = {}
        if method in ("hybrid", "fused", "bm25"):
            signals["bm25"] = self._bm25(self.index.lexicon.search_tokens(text), mask)
        if method in ("hybrid", "fused", "dense"):
            signals.update(self._dense(text[:DENSE_CHARS], mask))
        fused = fuse(signals, self.weights)
        ranked = sorted(fused, key=fused.get, reverse=True)[:depth]
        return Candidates(set(self.index.lexicon.tokens(text)), ranked, fused, signals)

    # ---- second stage ---------------------------------------------------------------

    def question_view(self, text: str, words: set[str]) -> QuestionView:
        region = self.gazetteer.resolve(text)
        acts = self.acts.findall(text) if self.acts else []
        chain = self.gazetteer.chain_codes(region.code) if region else []
        return QuestionView(frozenset(words), frozenset(acts), frozenset(chain), bigrams(text))

    def candidate_features(self, question: QuestionView, slots: list[int], signals: dict[str, dict[int, float]]) -> list[dict[str, float]]:
        """The reranker's features of each candidate slot (see `retrieval.rerank`)."""
        placed: dict[str, dict[int, tuple[float, int]]] = {}
        for name, scores in signals.items():
            values = list(scores.values())
            low, spread = min(values, default=0.0), (max(values, default=0.0) - min(values, default=0.0)) or 1.0
            order = sorted(scores, key=scores.get, reverse=True)
            placed[name] = {slot: ((scores[slot] - low) / spread, rank) for rank, slot in enumerate(order)}
        names = sorted(self.weights)
        items = [self.index.items[slot] for slot in slots]
        name_bigrams = [bigrams(normalise(item.name)) for item in items]
        rows = []
        for slot, item, own, distinct in zip(slots, items, name_bigrams, distinct_bigrams(name_bigrams)):
            rows.append(
                pair_features(
                    question,
                    item,
                    set(self.name_words(item)),
                    set(self.index.tokens[slot]),
                    own,
                    distinct,
                    {name: placed[name][slot] for name in placed if slot in placed[name]},
                    names,
                    self.index.idf,
                    self.acts,
                )
            )
        return rows

    def _rerank(self, text: str, words: set[str], ranked: list[int], signals: dict[str, dict[int, float]]) -> dict[int, float]:
        """Each of the top candidates' probability of being the answer; deeper ones keep
        their order below them."""
        head = ranked[:DEPTH]
        rows = self.candidate_features(self.question_view(text, words), head, signals)
        scores = {slot: self.reranker.probability(row) for slot, row in zip(head, rows)}
        scores.update({slot: -float(n) for n, slot in enumerate(ranked[DEPTH:], 1)})
        return scores

    # ---- how much a question is about one item ---------------------------------------

    def coverage(self, query: str, item: ServiceItem) -> float:
        """The IDF-weighted share of the query's words found anywhere in the item's record.

        Rare words weigh most: "年龄学历" found in 保安员证's conditions says the question is
        about it; "申请" found there says little, since most items hold it.
        """
        return self.coverage_of(query, record_text(item))

    def coverage_of(self, query: str, text: str, cache: bool = True, inside_words: bool = False) -> float:
        """The IDF-weighted share of the query's words found in `text` (an item's record or
        name; a user's message is not cached: `cache=False`). `inside_words`: a word of one
        character counts inside a longer one of the text (捐 of 捐给)."""
        words = set(self.index.lexicon.tokens(query))
        if not words:
            return 0.0
        record = self.words_of(text) if cache else frozenset(self.index.lexicon.search_tokens(text))
        characters = set("".join(record)) if inside_words else set()
        weights = {word: self.index.idf(word) for word in words}

        def found(word: str) -> bool:
            return word in record or of_its_office(word, record) or (len(word) == 1 and word in characters)

        return sum(w for word, w in weights.items() if found(word)) / (sum(weights.values()) or 1.0)

    def words_of(self, text: str) -> frozenset[str]:
        """An item's record or name as searched words (with long words' character pairs)."""
        if text not in self._record_words:  # a follow-up is measured against the same record again and again
            self._record_words[text] = frozenset(self.index.lexicon.search_tokens(text))
        return self._record_words[text]

    def _told_around(self, query: str, hits: list[Hit], filters: Filters, said: str | None) -> bool:
        """Whether a story dilutes a question whose own clauses find its best hit: "我跟老公在佛山开了家
        烘焙小店，自己起了个牌子，怕被别人抢注，想咨询下商标注册的事" scores 0.05 whole, but the clause
        holding 商标注册咨询服务's words, searched alone, finds it at 0.98. Such a hit is offered as
        "maybe", never answered as sure (session 35: as sure answers, 9 right against 2 wrong; README)."""
        clauses = clauses_of(query)
        if not hits or len(clauses) < 2 or self.worth(hits[0].matched) < STORY_WORTH:
            return False
        held = [c for c in clauses if any(word in c for word in hits[0].matched)]
        if not held or len(held) == len(clauses):
            return False
        alone = self.search(" ".join(held), filters, k=1, said=said or query)  # (one clause: no look again)
        return bool(alone.hits) and alone.hits[0].item.code == hits[0].item.code and alone.confidence >= self.confidence.suggest_threshold

    def word_profile(self, query: str) -> tuple[float, int]:
        """How much the query says in the catalogue's words: the IDF mass of its words the
        catalogue knows, in rare words' worth (one word used by a single item counts 1), and
        how many of its words (two characters or more) it never uses. "咨询" says little (0.45
        in Guangdong's catalogue); "结婚" much (0.83 among the Shandong sample's 201 items);
        "迪士尼 门票" is not its world. In rare words' worth, not raw IDF, because IDF grows
        with the catalogue: 结婚 weighs 4.06 among 201 items, 结婚登记 6.81 among 2,262."""
        words = set(self.index.lexicon.tokens(query))
        unknown = sum(1 for word in words if len(word) >= 2 and not self.index.document_frequency(word) and not NUMERAL.fullmatch(word))
        return self.worth(words), unknown

    def known_words(self, text: str) -> list[str]:
        """The words of two characters or more that some record holds: the rest ("事儿" of "补执照的事儿")
        no record holds, and one character ("补", "先") stands for a word the records write whole (补领)."""
        return [word for word in self.index.lexicon.tokens(text) if len(word) >= 2 and self.index.document_frequency(word)]

    def absent_things(self, query: str, beside: Iterable[str] = ()) -> list[str]:
        """The things to apply for that the query names and no record holds by any of their names:
        a synonym group's term (data/dict/synonyms.txt) ending as a paper, a fund, a benefit, a
        registration or a permit does (`THING_NAMES`), that no item uses ("狗证": 养犬登记; "公积金"
        in Guangdong's catalogue). Not a word the dictionary does not know: that may be anything.
        Nor one whose words saying which thing (`stems_of`) a text `beside` holds (a topic's record,
        the hits' names): another name of what they are about ("单身证明" of 开具婚姻登记记录证明预约)."""
        held = frozenset().union(*(self.words_of(text) for text in beside))
        return [word for word in dict.fromkeys(self.index.lexicon.tokens(query))
                if word in self._synonym_groups and THING_NAMES.search(word) and not self.index.document_frequency(word) and not self.stems_of(word) & held]

    @cached_property
    def _synonym_groups(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for term, canonical in self.index.lexicon.canonical.items():
            groups.setdefault(canonical, [canonical]).append(term)
        return groups

    def stems_of(self, term: str) -> frozenset[str]:
        """The words of a synonym group's terms that say which thing it is (婚姻, 单身 of 婚姻状况证明 /
        单身证明), as records are searched: not what kind (`THING_WORDS`: 证明, 补贴…) nor what is done."""
        lexicon = self.index.lexicon
        # (jieba's search mode: the dictionary holds the names whole, 婚姻状况证明, and its words besides)
        tokens = (token for name in self._synonym_groups.get(term, [term]) for token in lexicon.tokenizer.lcut_for_search(normalise(name), HMM=False))
        return frozenset(
            lexicon.canonical.get(token, token) for token in tokens
            if len(token) >= 2 and token not in THING_WORDS and token not in lexicon.stopwords and token not in self.doing_words
        )

    def thing_of(self, item: ServiceItem) -> str:
        """The longest word of an item's name, words of doing aside: what it is about (往来台湾通行证
        of 办理往来台湾通行证商务签注, 最低生活保障 of 最低生活保障业务申请预约)."""
        return max(sorted(self.name_words(item) - self.doing_words), key=len, default="")

    def _own_lookup_first(self, ranked: list[int]) -> list[int]:
        """Progress asked ("低保申请了，现在办到哪一步了"), and the best hit a service whose own lookup
        follows close behind even after the discount (最低生活保障业务申请预约 1.076, its 进度查询
        0.817): the lookup first, its record holding the thing the service is about. Only the order."""
        if not ranked or PROGRESS_LOOKUP in self.index.items[ranked[0]].name:
            return ranked
        thing = self.thing_of(self.index.items[ranked[0]])
        # The span counts services, not a service's variants: 团队游签注 for 广州市户籍居民, 广东省内户籍居民
        # and 符合“全国通办”的户籍居民 are one service before 团队游签注进度查询.
        before = {name_stem(self.index.items[ranked[0]].name)}
        for slot in ranked[1:]:
            item = self.index.items[slot]
            if thing and PROGRESS_LOOKUP in item.name and thing in self.words_of(record_text(item)):
                return [slot, *(other for other in ranked if other != slot)]
            before.add(name_stem(item.name))
            if len(before) >= OWN_LOOKUP_SPAN:
                break
        return ranked

    @cached_property
    def _residents_variants(self) -> dict[int, int]:
        """slot of a variant for applicants from outside the mainland -> slot of the residents' one."""
        slot_of_name = {item.name: slot for slot, item in self.index.live_items()}
        variants = {}
        for slot, item in self.index.live_items():
            if (found := OUTSIDE_MAINLAND.search(item.name)) and "(" in item.name[: found.start()].replace("（", "("):
                residents = (slot_of_name.get(item.name.replace(found.group(0), word)) for word in MAINLAND)
                if (resident := next((r for r in residents if r is not None), None)) is not None:
                    variants[slot] = resident
        return variants

    def _residents_variant_first(self, ranked: list[int], fused: dict[int, float], allowed: np.ndarray | None) -> list[int]:
        """The residents' variant in the place of another's (OUTSIDE_MAINLAND), which follows it;
        only one the filters allow (`allowed`: the filters' mask, None when there are none)."""
        variants = self._residents_variants
        ordered: dict[int, None] = {}
        for slot in ranked:
            resident = variants.get(slot)
            if resident is not None and resident not in ordered and (allowed is None or allowed[resident]):
                fused[resident], fused[slot] = fused[slot], fused.get(resident, 0.0)  # (the scores swapped)
                ordered[resident] = None
            ordered[slot] = None
        return list(ordered)

    def name_words(self, item: ServiceItem) -> frozenset[str]:
        text = name_text(item)
        if text not in self._name_words:
            self._name_words[text] = frozenset(self.index.lexicon.tokens(text))
        return self._name_words[text]

    def names_a_service(self, hit: Hit) -> bool:
        """Whether the words a hit shares with the question say which service it is: worth
        enough together (`SHARED_WORTH`), or one of them, not a word of doing, in its name
        (居民身份证 is worth 0.14 in the Shandong sample, where many items ask for it, but it
        names 居民身份证补领). Place names say none: an item's record holds its department's
        (济南市公安局), so "在济南市历下区办无犯罪记录证明" shares 济南市 with 居住证申领."""
        words = [word for word in hit.matched if self.gazetteer.without_regions(word).strip()]
        named = self.name_words(hit.item)
        return self.worth(words) >= SHARED_WORTH or any(w in named and w not in self.doing_words for w in words)

    def worth(self, words: Iterable[str]) -> float:
        """The IDF mass of the words the catalogue knows, in rare words' worth (`word_profile`)."""
        mass = sum(self.index.idf(word) for word in set(words) if self.index.document_frequency(word))
        return round(mass / self.index.idf_of_one_item(), 2)

    # ---- search -----------------------------------------------------------------------

    def search(
        self, query: str, filters: Filters = Filters(), k: int = 10, method: Method = "hybrid", said: str | None = None
    ) -> SearchResult:
        """`said`: the whole message, when `query` is only part of it (the places it names
        weigh in the no-match decision even when their names are not searched for, its words
        can say which of close choices is meant, `actions/choices.py`, and whether it asks
        about progress)."""
        if len(query) > MAX_QUESTION_CHARS:  # a pasted document, not a question
            return SearchResult(query[:MAX_QUESTION_CHARS], [], confident=False)
        text = self.homophones.correct(normalise(query))  # "残疾症" -> 残疾证
        if filters.level and filters.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}")
        exact = self.index.slot_of(text.upper())  # an item code typed or pasted
        if exact is None and not has_han(text):  # empty, emoji, punctuation, foreign
            return SearchResult(query, [], confident=False)
        asked = text  # (what the message names, before words are added for it)
        elsewhere = self.places_elsewhere(asked)
        if (reason := moved_for(elsewhere)) and FOR_TREATMENT.fullmatch(reason):
            # The catalogue's word for it ("去北京协和看病" is 异地就医): the place is no service's word.
            # (Not for work or study: 异地 draws 异地就医 and 工伤异地 items to those.)
            text = f"{text} 异地就医"
        if PARTNER.search(text) and MARRYING.search(text):
            text = f"{text} 结婚登记"
        mask = self._allowed(filters)
        found = self.candidates(text, mask, method, max(k * 5, DEPTH))
        fused, ranked, signals, query_words = found.scores, found.ranked, found.signals, found.words
        close_ratio, reranked = FUSED_CLOSE_RATIO, False
        if method == "hybrid" and self.reranker and ranked:
            fused = self._rerank(text, query_words, ranked, signals)
            ranked = sorted(ranked, key=fused.get, reverse=True)
            close_ratio, reranked = self.reranker.choice_ratio, True
        message = normalise(said) if said else asked
        if self.progress_words is not None and filters.codes is None and not self.progress_words.search(message):
            # An item that only reports how far an application has got is no answer to how to
            # make one: "护照过期了想换个新的" got 换发普通护照办证进度查询 as its sure answer, and
            # 10 of 24 such authored questions one like it (README, Retrieval). Candidates the
            # caller chose (`filters.codes`: the choices offered) are all kept.
            ranked = [slot for slot in ranked if PROGRESS_LOOKUP not in self.index.items[slot].name]
        progress_asked = self.progress_words is not None and asks_progress(self.progress_words, message)
        lookup = self.lookup_words
        looks_nothing_up = lookup is not None and not (lookup.search(message) or lookup.search(text) or progress_asked)
        residents = not SAYS_OUTSIDE_MAINLAND.search(message)

        def ordered_as(slot: int) -> float:
            """The fused score weighed for the order alone (the scores stay: an item put second still
            counts as close to what now leads, so no list becomes a single answer)."""
            name, weight = self.index.items[slot].name, 1.0
            if progress_asked:
                # "想查下批到哪一步了" after applying for 低保: the item reporting how far it has got
                # comes before the service's own (最低生活保障业务申请预约 led 进度查询).
                weight *= 1 if PROGRESS_LOOKUP in name else 1 - LOOKUP_DISCOUNT
            elif looks_nothing_up and LOOKUP in name:
                # A question asking to get something done ("纸质的证到现在都没见着，要去哪拿") is not
                # answered by the lookup that shares its words (普通话等级考试成绩查询 over 证书核发).
                # The searched words count too: a follow-up ("广州的呢") searches an earlier question's.
                # Words that also ask a field count ("有哪些", "在哪"): a word read wrongly only keeps
                # the fused order, and leaving field words out lost a training question (README).
                # (With the scores discounted, 3 more of 80 unanswerable questions got one wrong item
                # as the answer.)
                weight *= 1 - LOOKUP_DISCOUNT
            if residents and FOR_OUTSIDERS.search(name):
                # "护照过期了想换个新的" is no 换发外国人永久居留身份证, whose record names 护照 often.
                weight *= 1 - OUTSIDERS_DISCOUNT
            return fused[slot] * weight

        if filters.codes is None:
            if residents:  # (first: the variants' scores swapped are then ordered as any)
                ranked = self._residents_variant_first(ranked, fused, mask)
            ranked = sorted(ranked, key=ordered_as, reverse=True)
            if progress_asked:
                ranked = self._own_lookup_first(ranked)
        typed = exact is not None and (mask is None or mask[exact])  # an item code the filters allow
        if typed:
            fused[exact] = max(fused.values(), default=0.0) + 1.0
            ranked = [exact, *(slot for slot in ranked if slot != exact)]
        hits = [
            Hit(
                item=self.index.items[slot],
                score=round(fused[slot], 4),
                signals={name: round(s[slot], 4) for name, s in signals.items() if slot in s},
                matched=sorted(query_words.intersection(self.index.tokens[slot])),
            )
            for slot in ranked
        ]
        hits = self._collapse(hits, filters.region_code)[:k]
        if said:  # (else the message is what was asked, whose places are known)
            elsewhere = self.places_elsewhere(message)
        uncovered = self.uncovered(self.gazetteer.resolve(message)) or asks_of_elsewhere(elsewhere)
        evidence = features(hits, signals, len(query_words), uncovered, reranked) if hits else {}
        confidence = self.confidence.probability(evidence) if hits else 0.0
        return SearchResult(
            query,
            hits,
            # A best hit that shares no whole word with the question (found by the embeddings
            # and by parts of long words: "我想考驾照" -> 申请取得校车驾驶资格, through 驾驶 of
            # 驾驶人考试) is offered as "maybe", never as the answer: such sure answers were
            # right 6 times of 16 (README, Retrieval, "No good match").
            # Nor when the words it shares say little ("申请" of "怎么申请公租房" ->
            # 租赁住房提取住房公积金, "办理" of "我想办理无犯罪记录证明" -> 居住证申领).
            confident=typed or named_whole(hits, text) or (confidence >= self.confidence.threshold and bool(hits) and self.names_a_service(hits[0])),
            suggestible=confidence >= self.confidence.suggest_threshold or self._told_around(text, hits, filters, said),
            confidence=round(confidence, 3),
            evidence=evidence,
            region_code=filters.region_code,
            close_ratio=close_ratio,
            said=said or "",
        )


# A name this long, said whole (its punctuation aside), says which service: "…听说有个中图与您时间轴" is 中图与您--时间轴,
# however close a sibling's words score (广东省立中山图书馆图书续借, through 中山图书馆 of the story).
WHOLE_NAME_CHARS = 6
NOT_OF_A_NAME = re.compile(r"[\W_]+")


def named_whole(hits: list[Hit], text: str) -> bool:
    """Whether the best hit's name, its bracketed variant aside, is said whole in the text."""
    stem = NOT_OF_A_NAME.sub("", name_stem(hits[0].item.name)) if hits else ""
    return len(stem) >= WHOLE_NAME_CHARS and stem in NOT_OF_A_NAME.sub("", text)


# An office named by what it handles ("公证处", "税务局", "档案馆"): the office of a record that holds that word
# ("公证处喺边" on 已婚（初婚）公证指引 asks where to go for it, not for 公证机构信息查询).
OFFICE_ENDS = "处所局站馆"


def of_its_office(word: str, record: frozenset[str]) -> bool:
    return len(word) >= 3 and word[-1] in OFFICE_ENDS and word[:-1] in record


def asks_of_elsewhere(places: list[tuple[str, str | None]]) -> bool:
    """Whether of the places outside the province a message names (`Searcher.places_elsewhere`)
    one is where its service is (`MOVED_FOR`, `SERVED_HERE`): the confidence's `uncovered_region`."""
    return any(reason is None for _, reason in places)


def moved_for(places: list[tuple[str, str | None]]) -> str | None:
    """What the user goes to or comes from a place outside the province for, if they say."""
    return next((reason for name, reason in places if name not in SERVED_HERE and reason), None)


def fuse(signals: dict[str, dict[int, float]], weights: dict[str, float]) -> dict[int, float]:
    """Weighted reciprocal-rank plus min-max score fusion over each signal's candidates."""
    fused: dict[int, float] = {}
    for name, scores in signals.items():
        weight = weights.get(name, 1.0)
        if not scores or not weight:
            continue
        values = np.fromiter(scores.values(), dtype=np.float32)
        high, low = float(values.max()), float(values.min())
        spread = high - low or 1.0
        for rank, (slot, score) in enumerate(sorted(scores.items(), key=lambda kv: -kv[1])):
            fused[slot] = fused.get(slot, 0.0) + weight * (1.0 / (RRF_K + rank) + 0.1 * (score - low) / spread)
    return fused
