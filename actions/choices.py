"""Which items a reply offers: the best hit alone, or the close fits for the user to pick
from, or the theme service that covers them (`close_alternatives`, `theme_covering`,
`theme_asked`)."""

from __future__ import annotations

import re
from collections.abc import Container
from difflib import SequenceMatcher
from functools import lru_cache

from actions.topic import dialogue_words, thresholds
from catalogue.model import ServiceItem
from catalogue.store import THEME_LABEL, THEME_TYPE, Catalogue
from retrieval.fields import asks_or_cues_a_field, cues_a_field
from retrieval.search import LOOKING_UP, PROGRESS_LOOKUP, Filters, Searcher, SearchResult, asks_progress, clauses_of
from retrieval.text import Reworded, load_acts, normalise
from settings import get_settings

# A question naming a thing but not what to do with it: items differing only by that
# are offered when they score at least this share of what a close alternative needs.
VAGUE_SHARE = 0.57
MAX_CHOICES = 5
# A question asking for the several things a life event needs: the hits looked at for the
# theme's parts, and the share of the best hit's score they must reach.
PARTS_SPAN = 8
PARTS_SHARE = 0.5
# What joins two services in one question ("养老和医疗保险", "上户口、办医保").
JOINER = re.compile("[和跟、]|以及")
# One part of a theme asked alone: "单说办残疾证那一项", "只问上户口这一项".
ONE_PART_ASKED = re.compile(r"(单|只|光|就)(说|问|办|讲)[^，,。？?！!]{0,12}[那这]一?项")


@lru_cache(maxsize=1)
def act_words() -> re.Pattern[str]:
    return load_acts(get_settings().dict_dir)


def close_alternatives(result: SearchResult, searcher: Searcher) -> list[ServiceItem]:
    """The best hit and those nearly as good: when there are several, the user picks.

    A question that names a thing but not what to do with it ("营业执照") also gets the
    items that differ from the best only by that (设立 / 变更 / 注销 / 补领). One that says
    what sets one apart from each other one ("三类超限…" among 一类 / 二类) gets it alone.
    """
    if not result.confident or not result.hits:
        return []
    acts = act_words()
    top = result.hits[0]
    thing = acts.sub("", top.item.name)
    vague = not acts.search(result.query) and thing != top.item.name
    # Hits are one per service already (retrieval collapses implementations).
    choices = [
        hit.item
        for hit in result.hits
        if hit.score >= result.close_ratio * top.score
        or (vague and hit.score >= VAGUE_SHARE * result.close_ratio * top.score and acts.sub("", hit.item.name) == thing)
    ]
    if len(choices) > 1 and PROGRESS_LOOKUP in top.item.name and asks_only_progress(searcher, result.message):
        # A lookup of progress leads a question asking how far an application has got ("申请去台湾交换学习的
        # 签注，交材料好几天了，怎么查办好了没有"): the applications beside it are no answer to that.
        choices = [item for item in choices if PROGRESS_LOOKUP in item.name]
    if len(choices) < 2:
        return choices
    # (A theme is told apart from its parts by what else the question asks, not by a word: "想办个残疾证，
    # 顺便那个护理补贴能不能一起申请上" says 护理补贴 of one part, and asks for the theme.)
    by_word = all(c.type != THEME_TYPE for c in choices)
    # Synonyms count as the catalogue's words ("中学老师…申诉" says 教师 of 对教师申诉作出处理), unless
    # several things are asked: "退休金和医保待遇这些要办哪些手续" names both choices, for their theme.
    reworded = None if asks_for_several(result.message) else searcher.index.lexicon.reword(result.message, keep=searcher.doing_words)
    if all(says_what_sets_apart(result.message, top.item.name, other.name, by_word, reworded) for other in choices[1:]):
        return [top.item]
    # One ranked lower is the answer when the question says its own part against each other one and
    # nothing of theirs ("换了新身份证，想查一下做好了没有": 居民身份证办理进度查询 behind 换发普通护照办证进度查询).
    # Not by a paper named, nor when a piece of another's own part is said: "兼职律师想转成专职，执业变更…"
    # says 兼职律师执业许可's part and 变更 of 律师执业变更审核; "我系香港人，考咗内地注册会计师" 内地 by chance.
    said = Said(result.message, reworded)
    for choice in choices[1:]:
        others = [other for other in choices if other is not choice]
        if all(
            says_what_sets_apart(result.message, choice.name, other.name, False, reworded) and not says_a_piece_of_own_part(said, other.name, choice.name)
            for other in others
        ):
            return [choice]
    # Variants offered ("办理往来港澳通行证个人游签注", "…团队游签注"): the general item their
    # names extend ("办理往来港澳通行证") is a choice too, right after the best — also when it
    # scored among the variants, which may be more than the list shows.
    general = next(
        (hit.item for hit in result.hits[1:]
         if hit.score >= VAGUE_SHARE * result.close_ratio * top.score
         and sum(hit.item.name in c.name for c in choices if c is not hit.item) >= 2),
        None,
    )
    if general is not None:
        choices = [top.item, general, *(c for c in choices[1:] if c is not general)]
    return choices[:MAX_CHOICES]


def asks_only_progress(searcher: Searcher, message: str) -> bool:
    """Whether the message ends asking how far an application has got, or that and where or how to
    look it up ("现在审到哪一步了，在哪能查"), and nothing else: not "港澳通行证办好了没有？办好了去哪里拿"
    (the place, the application's), "低保批了没有？没批的话临时救助能先申请吗" (another service),
    "审批进度一般多久能出来" (the time limit)."""
    progress = searcher.progress_words
    if progress is None:
        return False
    clauses = clauses_of(message)
    asking = [n for n, clause in enumerate(clauses) if asks_progress(progress, clause)]
    if not asking or cues_a_field(clauses[asking[-1]]):
        return False
    return all(LOOKING_UP in clause for clause in clauses[asking[-1] + 1:])  # (then only where to look it up)


def says_what_sets_apart(question: str, name: str, other: str, by_word: bool = True, reworded: Reworded | None = None) -> bool:
    """Whether the question says `name`'s own part against `other` and not `other`'s own
    part against `name`: "三类超限运输车辆…" among the 一类 / 二类 variants, "实验动物生产许可证
    要注销" beside 实验动物使用许可(注销). The whole message counts, field and place words
    included: "网上…" picks a name's (网上办理) over its (窗口办理). `reworded`: the question in the
    catalogue's words, for the parts. Where neither longest part is said, `by_word`, a paper only
    one name names in the user's own words (`says_own_word`; "出院时医院给了个出生证明，接下来给孩子
    上户口" names no 出生医学证明)."""
    said, name, other = Said(question, reworded), normalise(name), normalise(other)
    own, others = says_own_part(said, name, other), says_own_part(said, other, name)
    if by_word and not own and not others:  # (neither longest run said: "身份证…换张新的" of 居民身份证换领 / 机动车驾驶证有效期满换证)
        own, others = says_own_word(said.own, name, other), says_own_word(said.own, other, name)
    return own and not others


class Said:
    """What a question says of names' parts: in its own words, or in the catalogue's (`Reworded`)."""

    def __init__(self, question: str, reworded: Reworded | None = None) -> None:
        self.own, self.reworded = normalise(question), reworded

    def __contains__(self, run: str) -> bool:
        return run in self.own or (self.reworded is not None and self.reworded.says(run))


# A paper named: two characters or more before 证 / 照 / 卡 (a shorter run or any other word is said of too
# many names alike: "申请", "强制隔离戒毒", "养老保险").
PAPER = re.compile(r"(?=(\w{2,4}[证照卡]))")


def says_own_word(question: str, name: str, other: str) -> bool:
    """Whether the question names a paper `name` names and `other` does not ("身份证" of 居民身份证
    换领 against 机动车驾驶证有效期满换证)."""
    return any(
        paper[start:] in name and paper[start:] not in other
        for paper in PAPER.findall(question) for start in range(len(paper) - 2)
    )


def says_a_piece_of_own_part(said: Said, name: str, other: str) -> bool:
    """Whether the question says a piece of any part of `name` that `other` lacks: two characters
    running, or either character of a two-character part ("上个月借出来的户口页用完了，要拿回去还"
    says 还 of 户口页归还 against 户口页借出). A part of one character has no piece: too common."""
    name, other = normalise(name), normalise(other)
    own_parts = [name[start:end] for start, end in own_spans(name, other)]
    pieces = [piece for part in own_parts for piece in (list(part) if len(part) == 2 else (part[at:at + 2] for at in range(len(part) - 1)))]
    return any(piece in said for piece in pieces)


def own_spans(name: str, other: str) -> list[tuple[int, int]]:
    """The runs of `name` that `other` lacks, as (start, end)."""
    opcodes = SequenceMatcher(None, name, other, autojunk=False).get_opcodes()
    return [(start, end) for tag, start, end, _, _ in opcodes if tag in ("replace", "delete")]


def says_own_part(question: Container[str], name: str, other: str) -> bool:
    """Whether the question holds the longest run of `name` that `other` lacks (the first,
    if several are as long). A single differing character ("一级" / "二级") counts only with
    a neighbour: alone it is said too often ("一次性")."""
    differing = own_spans(name, other)
    if not differing:
        return False
    start, end = max(differing, key=lambda span: span[1] - span[0])
    if end - start >= 2:
        return name[start:end] in question
    with_neighbour = (name[start - 1:end] if start else "", name[start:end + 1] if end < len(name) else "")
    return any(text in question for text in with_neighbour if text)


def theme_covering(choices: list[ServiceItem], catalogue: Catalogue, message: str, searcher: Searcher) -> list[ServiceItem]:
    """Several close fits that one theme service covers, in a message naming its event ("孩子出生
    了，出生证和户口咋办" fits 出生医学证明 and 出生登记; not "送外卖…想按职工医保自己交上", which fits
    two 单位 items of 开办劳务公司): the theme is the answer. A theme among the fits with only its own
    items beside it likewise, unless one part alone leads it: the theme's text holds every part's
    name, so a question of one part finds the theme close behind it ("…开业前消防上还得过一道检查，
    这个找谁弄": 营业前消防安全检查, then 开办餐饮店)."""
    if len(choices) < 2:
        return choices
    for theme in catalogue.themes.values():
        covered = catalogue.theme_parts(theme)
        if all(c.code == theme.id or c.service_key in covered for c in choices):
            listed = any(c.code == theme.id for c in choices)
            if not listed and not names_the_event(searcher, message, theme.name):
                continue
            if choices[0].code != theme.id and len({c.service_key for c in choices if c.code != theme.id}) == 1:
                return [choices[0]]  # one part leading, the theme close behind it
            return [catalogue.theme_entry(theme)]
    return choices


def names_the_event(searcher: Searcher, message: str, theme_name: str) -> bool:
    """Whether the message shares a word with the theme's name beyond words of doing and its label
    (“一件事”): 出生 of 新生儿出生“一件事”, 公司 of 开办劳务公司."""
    event = theme_name.replace(THEME_LABEL, "")
    return bool(content_words(searcher, message) & (set(searcher.index.lexicon.tokens(event)) - searcher.doing_words))


@lru_cache(maxsize=1)
def several_cues() -> tuple[str, ...]:
    return dialogue_words("several_services_words.txt")


def says_several(message: str) -> bool:
    """Whether a message asks for several things in so many words ("要办哪些手续")."""
    return any(cue in message for cue in several_cues())


def asks_for_several(message: str) -> bool:
    """Whether a message asks for several things, in so many words or by joining two."""
    return says_several(message) or bool(JOINER.search(message))


# What a theme service is called, not which ("这个一链办", "这一件事"); and where those words ask of
# another or are everyday speech ("还有一件事想问", "除了这个一件事还有别的吗").
THEME_CALLED = re.compile(r"一链办|(?<![头第])一件事|主题服务|一条龙")  # (not "回来头一件事得先去报到")
NOT_THIS_THEME = re.compile(r"(还有|再问|问(你|您|下|一下)?|请教|说|有)一件事|别的|其他|其它|还有(哪些|啥|什么)|除了")
# ...but "this" one is the theme under discussion ("这一件事都管哪几样", "这个一件事里头…", "那个一件事呢"), not one the
# hits find; "…一块参的那个一件事" describes the one meant.
THIS_ONE = re.compile(r"[这呢](个|一)?$|^\s*那(个|一)?$")
# How far down the hits a theme called so is looked for: its own text may rank below a part's.
CALLED_SPAN = 3


def theme_called_among(result: SearchResult, searcher: Searcher) -> ServiceItem | None:
    """The theme among the first hits, when the message calls what it asks of a theme service ("…社保医保一块参的
    那个一件事咋办", "开饭店那个一链办是怎么回事"): the user asks for the theme, whatever its parts score."""
    called = THEME_CALLED.search(result.message)
    if not called or NOT_THIS_THEME.search(result.message) or THIS_ONE.search(result.message, 0, called.start()):
        return None
    themes = (hit.item for hit in result.hits[:CALLED_SPAN] if hit.item.type == THEME_TYPE)
    return next((theme for theme in themes if theme.service_key not in result.left_out and searcher.serves(theme, result.region_code)), None)


def theme_asked(result: SearchResult, catalogue: Catalogue, searcher: Searcher) -> list[ServiceItem]:
    """A question asking for the several things one life event needs is answered with the
    theme service (一链办) whose parts retrieval finds among its close hits, even when the
    theme's own text ranks lower than its parts. It asks for several in so many words
    ("孩子刚出生，要办哪些手续"; data/dialogue/several_services_words.txt), or joins two
    of the theme's parts ("自己交养老和医疗保险", each side naming a different one; not
    "企业简易注销和普通注销的区别", both sides one part). Only when retrieval is sure (or, asked
    in so many words, the theme leads the hits, however unsure, and its event is named: a story
    dilutes sureness, "…开家小饭馆，听说要办一堆证，到底都得办啥" 0.24, "…税务、社保、公积金都得销户，
    一家一家跑太折腾了" 0.13), the best hit is not named in full
    ("出生登记要跑几趟" stays an item) and is the theme or one of its parts, the hits show at
    least two of theme and parts, and the theme serves the user's region. A theme the user
    rejected stays out (`left_out`). Of two such themes, the one with more parts found."""
    called = theme_called_among(result, searcher)
    if called is not None:
        return [called]
    message = result.message
    asks_several = says_several(message)
    if not (asks_several or JOINER.search(message)) or not result.hits:
        return []
    if asks_several and told_beside_a_service_asked(message, result, searcher):
        return []
    top = result.hits[0]
    close = [hit.item for hit in result.hits[:PARTS_SPAN] if hit.score >= PARTS_SHARE * top.score]
    # (The event named: 开办餐饮店, the only theme opening a shop, leads the hits of any shop's
    # question, "开个水果店要办啥手续"; or two of its parts close by, one of them may lead it: "…开面馆，
    # 执照、吃食许可、消防这些能不能一块儿报上去".)
    leading = next((hit.item for hit in result.hits[:2] if hit.item.type == THEME_TYPE), None)
    theme_leads = asks_several and leading is not None and (
        (leading is top.item and names_the_event(searcher, message, top.item.name))
        or parts_among(close, catalogue.theme_parts(catalogue.themes[leading.code])) >= 2
    )
    if not (result.confident or theme_leads):
        return []
    if top.item.name in message:
        return []
    found: list[tuple[int, ServiceItem]] = []
    for theme in catalogue.themes.values():
        entry = catalogue.theme_entry(theme)
        parts = catalogue.theme_parts(theme)
        if entry.service_key in result.left_out or not searcher.serves(entry, result.region_code):
            continue  # rejected, or its units are elsewhere ("我刚退伍回济南" with 济宁's theme)
        if top.item.code != theme.id and top.item.service_key not in parts:
            continue
        shown = parts_among(close, parts) + any(i.code == theme.id for i in close)
        codes = tuple(c for c in theme.item_codes if c in catalogue.items)
        if shown >= 2 and (asks_several or len(parts_joined(result.query, codes, catalogue, searcher)) >= 2):
            found.append((shown, entry))
    best = max(found, key=lambda f: f[0], default=None)  # (ties: the catalogue's first)
    return [best[1]] if best else []


def parts_among(items: list[ServiceItem], parts: set[tuple[str, str]]) -> int:
    """How many of a theme's parts (`Catalogue.theme_parts`) are among the items."""
    return len({i.service_key for i in items if i.service_key in parts})


def told_beside_a_service_asked(message: str, result: SearchResult, searcher: Searcher) -> bool:
    """Whether the words asking for several only tell the user's situation, in clauses that ask
    nothing, beside a clause asking of one service retrieval is sure of: "孩子出生以后一大摊事，出生医学证明在
    哪开" asks of 出生医学证明; "…都得销户，一家一家跑太折腾了，有没有省事的法子" asks for the several."""
    clauses = clauses_of(message)
    telling = [clause for clause in clauses if says_several(clause)]
    if any(map(asks_or_cues_a_field, telling)):
        return False
    for clause in clauses:
        if clause not in telling and asks_or_cues_a_field(clause):
            best = searcher.search(clause, Filters(region_code=result.region_code), k=1).best
            if best is not None and best.item.type != THEME_TYPE:
                return True
    return False


def parts_joined(words: str, codes: tuple[str, ...], catalogue: Catalogue, searcher: Searcher) -> set[str]:
    """The theme's parts (`codes`) that the sides of "A和B" / "A、B" each name (in the words
    searched: the field asked left out), each side searched among the parts alone:
    "医疗保险" of "自己交养老和医疗保险" says which part it is, though searched alone it
    finds any 医疗保险 item. A side names the part that leads the others clearly and shares
    a word with it; unlike `pick_in_words`, the side need not be mostly its words ("办医保要
    分别跑吗")."""
    named = set()
    for side in JOINER.split(catalogue.gazetteer.without_regions(words)):
        if not content_words(searcher, side):
            continue
        hits = searcher.search(side, Filters(codes=frozenset(codes)), k=2).hits
        clear = len(hits) == 1 or (len(hits) > 1 and hits[1].score < thresholds().pick_ratio * hits[0].score)
        if hits and clear and searcher.coverage(side, hits[0].item) > 0:
            named.add(hits[0].item.code)
    return named


def content_words(searcher: Searcher, content: str) -> set[str]:
    """The words beyond doing ones ("办理", "弄"): "要多久" with its field cue gone holds none."""
    return set(searcher.index.lexicon.tokens(content)) - searcher.doing_words


def pick_in_words(searcher: Searcher, content: str, offered: tuple[str, ...]) -> str | None:
    """The offered choice the words name, when one stands clearly above the others
    ("我要的是个人所得税那个" among several 纳税证明). Words of doing alone name none: "网上能办吗"
    would otherwise pick the choice whose name is shortest around 办理. A clause telling why
    ("先弄燃气那个吧，俺媳妇着急做饭") weighs the choice's share of the words down: then the one
    clause that picks a choice, when no other picks another, says which."""
    picked = pick_in_clause(searcher, content, offered)
    if picked is not None:
        return picked
    clauses = clauses_of(content)
    picks = {pick_in_clause(searcher, clause, offered) for clause in clauses} if len(clauses) > 1 else set()
    picks.discard(None)
    return picks.pop() if len(picks) == 1 else None


def pick_in_clause(searcher: Searcher, content: str, offered: tuple[str, ...]) -> str | None:
    if not content_words(searcher, content):
        return None
    result = searcher.search(content, Filters(codes=frozenset(offered)), k=len(offered))
    hits = [h for h in result.hits if searcher.coverage(content, h.item) >= thresholds().about_topic]
    if not hits:
        return None
    if len(hits) > 1 and hits[1].score >= thresholds().pick_ratio * hits[0].score:
        return None
    return hits[0].item.code
