"""Which items a reply offers as choices (actions/choices.py `close_alternatives`)."""

from __future__ import annotations

import pytest

from actions.choices import close_alternatives, says_what_sets_apart, theme_asked, theme_covering
from catalogue.model import ServiceItem
from retrieval.search import Filters, Hit, SearchResult


def hit(code: str, name: str, score: float) -> Hit:
    item = ServiceItem(code=code, name=name, department="广州市公安局", level="市", region_code="440100", region_name="广州市")
    return Hit(item=item, score=score)


def test_offered_variants_bring_the_general_item_their_names_extend(sd_searcher) -> None:
    """"还没有港澳通行证，在广州要怎么申请": the 签注 variants score above 办理往来港澳通行证 itself;
    when they are offered, the item every one of their names extends is offered too."""
    hits = [hit("a", "办理往来港澳通行证个人游签注", 0.90), hit("b", "办理往来港澳通行证团队游签注", 0.89),
            hit("c", "出入境证件进度查询", 0.60), hit("d", "办理往来港澳通行证", 0.70)]
    names = [i.name for i in close_alternatives(SearchResult("还没有港澳通行证，在广州要怎么申请", hits, confident=True), sd_searcher)]
    assert names == ["办理往来港澳通行证个人游签注", "办理往来港澳通行证", "办理往来港澳通行证团队游签注"]
    single = close_alternatives(SearchResult("个人游签注怎么办", [hits[0], hits[3]], confident=True, close_ratio=0.99), sd_searcher)
    assert [i.name for i in single] == ["办理往来港澳通行证个人游签注"]  # one answer stays one answer
    # Variants beyond the list's length: the general item scored among them still shows.
    many = [hit(str(n), f"港澳律所联营变更许可(变更审核{n})", 0.99 - n / 100) for n in range(6)]
    many.insert(5, hit("g", "港澳律所联营变更许可", 0.95))
    offered = [i.code for i in close_alternatives(SearchResult("港澳律所联营变更许可", many, confident=True), sd_searcher)]
    assert offered == ["0", "g", "1", "2", "3"]
    # ...and, among fewer, it moves up from where it scored; the best stays first.
    few = [hit("0", "港澳律所联营变更许可(变更审核0)", 0.99), hit("1", "港澳律所联营变更许可(变更审核1)", 0.98),
           hit("g", "港澳律所联营变更许可", 0.97)]
    assert [i.code for i in close_alternatives(SearchResult("港澳律所联营变更许可", few, confident=True), sd_searcher)] == ["0", "g", "1"]
    best_general = [hit("g", "港澳律所联营变更许可", 0.99), few[0], few[1]]
    assert [i.code for i in close_alternatives(SearchResult("港澳律所联营变更许可", best_general, confident=True), sd_searcher)] == ["g", "0", "1"]
    # A question that says which variant it means gets that one, the general item aside.
    said = close_alternatives(SearchResult("个人游签注在广州怎么办", hits, confident=True), sd_searcher)
    assert [i.name for i in said] == ["办理往来港澳通行证个人游签注"]


def test_a_question_that_says_what_sets_the_best_apart_gets_it_alone(sd_searcher) -> None:
    """Variants close in score: the one whose own words the question says, when it says
    none of the others' ("三类" among 一类 / 二类), is the answer; otherwise the user picks."""
    hits = [hit("c", "超限运输车辆跨省行驶公路审批(三类超限运输车辆跨省行驶公路)", 1.10),
            hit("b", "超限运输车辆跨省行驶公路审批(二类超限运输车辆跨省行驶公路)", 0.99),
            hit("a", "超限运输车辆跨省行驶公路审批(一类超限运输车辆跨省行驶公路)", 0.96)]

    def offered(question: str, said: str = "") -> list[str]:
        return [i.code for i in close_alternatives(SearchResult(question, hits, confident=True, said=said), sd_searcher)]

    assert offered("三类超限运输车辆跨省行驶公路审批怎么办") == ["c"]
    assert offered("超限运输车辆跨省行驶审批怎么办") == ["c", "b", "a"]  # says no variant
    assert offered("三类还是二类超限车辆跨省审批") == ["c", "b", "a"]  # says two of them
    # The whole message counts, not only the words searched (a field cue or a region stripped).
    assert offered("超限运输车辆跨省审批", said="三类超限运输车辆跨省审批打哪个电话") == ["c"]


def test_a_lower_choice_the_question_sets_apart_is_the_answer_and_synonyms_say_a_part(sd_searcher) -> None:
    """A choice ranked below the best is the answer when the question says its own part against
    every other one and no piece of theirs; a synonym says the catalogue's word (老师 of 教师),
    unless several things are asked."""

    def offered(question: str, *names: str) -> list[str]:
        hits = [hit(chr(ord("a") + n), name, 1.0 - n / 100) for n, name in enumerate(names)]
        return [i.code for i in close_alternatives(SearchResult(question, hits, confident=True), sd_searcher)]

    assert offered("上周去派出所换了新身份证，想查一下做好了没有", "换发普通护照办证进度查询", "居民身份证办理进度查询") == ["b"]
    # A piece of another's own part said ("变更"; "香港" beside a 内地 said by chance): the user picks.
    assert offered("兼职律师想转成专职，执业变更要准备哪些材料", "律师执业变更审核(（执业类别变更）)", "兼职律师执业许可") == ["a", "b"]
    assert offered("我系香港人，考咗内地注册会计师，想喺广东注册，点办？", "注册会计师注册(（香港澳门特别行政区居民）)", "注册会计师注册(（内地居民）)") == ["a", "b"]
    assert offered("上个月借出来的户口页用完了，要拿回去还", "户口页归还", "户口页借出") == ["a", "b"]  # 还, one of 归还
    teachers = ("对教师申诉作出处理", "对学生申诉的处理(职业教育学校学生申诉处理)")
    assert offered("我是中学老师，学校扣了我的绩效还给了处分，能向教育部门申诉吗", *teachers) == ["a"]
    assert offered("学生申诉和老师申诉分别找谁", *teachers) == ["a", "b"]


def test_progress_asked_keeps_only_the_lookups_of_progress_among_the_choices(sd_searcher) -> None:
    """How far an application has got, asked, and a lookup of progress leading: the application
    beside it is no answer; lookups of several stay a choice, and without the question both stay."""

    def offered(question: str, *names: str) -> list[str]:
        hits = [hit(chr(ord("a") + n), name, 1.0 - n / 100) for n, name in enumerate(names)]
        return [i.code for i in close_alternatives(SearchResult(question, hits, confident=True), sd_searcher)]

    study = ("往来台湾通行证学习签注办证进度查询", "办理往来台湾通行证学习签注")
    assert offered("申请去台湾交换学习的签注，交材料好几天了，怎么查办好了没有", *study) == ["a"]
    assert offered("我老婆上个礼拜续咗学习签注，想睇下批咗未", *study) == ["a"]  # (Cantonese: approved yet?)
    assert offered("台湾学习签注怎么查询", *study) == ["a", "b"]  # 查 alone asks no progress
    lookups = ("首次办理往来台湾通行证办证进度查询", "换发往来台湾通行证办证进度查询", "办理往来台湾通行证")
    assert offered("台湾通行证办好了没有", *lookups) == ["a", "b"]
    assert offered("台湾学习签注现在审到哪一步了，在哪能查", *study) == ["a"]  # and where to look it up
    # Progress asked with something else the application answers, or another service: the list stays.
    assert offered("台湾学习签注办好了没有？办好了去哪里拿", *study) == ["a", "b"]
    assert offered("台湾学习签注审批进度一般多久能出来", *study) == ["a", "b"]
    assert offered("学习签注批了没有？没批的话探亲签注能先申请吗", *study) == ["a", "b"]
    # A progress word inside another phrase asks none: "批了没几天", "办好未满16岁".
    assert offered("台湾学习签注批了没几天就发现名字错了，怎么改", *study) == ["a", "b"]


@pytest.mark.parametrize(
    ("question", "name", "other", "apart"),
    [
        ("拿到一级消防工程师证书了，怎么申请注册", "一级注册消防工程师注册审批", "二级注册消防工程师注册审批", True),
        ("实验动物生产许可证要注销，去哪里办", "实验动物生产许可(注销)", "实验动物使用许可(注销)", True),
        ("海洋工程项目的海洋环评报告表，审批要多长时间", "海洋工程建设项目海洋环境影响报告表审批", "海洋工程建设项目海洋环境影响报告书审批", True),
        # One differing character alone is said too often ("一" in 一次性): it needs a neighbour.
        ("一次性补缴的消防工程师注册", "一级注册消防工程师注册审批", "二级注册消防工程师注册审批", False),
        # A word of the best's own part is not enough: the question must say that part whole.
        ("工伤待遇收款账户变更要准备什么材料", "工伤保险待遇变更（工伤保险长期待遇停发/续发、工伤保险待遇重核）", "工伤保险个人基本信息变更", False),
        ("非法人组织资格公证去哪里办", "非法人组织经历公证指引", "非法人组织资格公证指引", False),  # says the other's
        # Neither longest part said: a word of three characters only one holds tells them apart.
        ("身份证下个月就到期了，想赶紧换张新的，怎么弄", "居民身份证换领", "机动车驾驶证有效期满换证", True),
        ("身份证下个月就到期了，想赶紧换张新的，怎么弄", "居民身份证换领", "居民身份证补领", False),
    ],
)
def test_says_what_sets_apart(question: str, name: str, other: str, apart: bool) -> None:
    assert says_what_sets_apart(question, name, other) is apart


@pytest.mark.parametrize(
    ("question", "theme"),
    [
        ("我家孩子刚出生，要办哪些手续", "theme-xinshenger-chusheng"),  # the theme's text ranks fifth, its parts first
        ("媳妇在历下生了个闺女，上户口、办医保这些一共要办哪些手续", "theme-xinshenger-chusheng"),  # not in the hits at all
        ("我下个月退休，要办哪些手续", "theme-tuixiu"),
        ("我现在是自由职业，想在济南自己交养老和医疗保险", "theme-linghuo-jiuye-canbao"),
        ("宝宝出生了，上户口和办医保要分别跑吗", "theme-xinshenger-chusheng"),  # each side names a part
        ("出生登记要办哪些手续", None),  # names the one item it asks of
        ("营业执照补领要办哪些手续", None),  # no theme holds the best hit
        ("出生医学证明怎么办", None),  # asks for one thing
        ("孩子的出生医学证明丢了怎么补，一共要跑几趟", None),  # of one service
        ("新生儿医保参保这些材料都要原件吗", None),
        ("退休申请需要身份证和社保卡吗", None),  # one side names no part
        ("企业简易注销和普通注销的区别", None),  # both sides the same part
        ("我刚退伍回济宁，要办哪些事", "theme-junren-tuiyi"),  # 退伍 reads as 退役
        ("我刚退伍回济南，要办哪些事", None),  # 济南 has no 军人退役 theme (济宁's units hold it)
        # A story before the question leaves retrieval unsure, the theme leading its "maybe" hits:
        ("我和表弟在青岛市南区盘了个门面，准备开家小饭馆，听人说要办的证一大堆，到底都得办啥", "theme-kaiban-canyindian"),
        ("我在工厂当了十年班组长，想在历下自己开个公司往厂里派工人，听说得先拿个许可", None),  # asks for one paper
        ("俺家厂子在胶州开不下去了，想关门，税务社保公积金挨个销户太麻烦，有没有一块儿办的", "theme-qiye-zhuxiao"),
        ("开个水果店要办啥手续", None),  # 开办餐饮店 leads its "maybe" hits, but no word of its event is said
        ("公司注销要交多少手续费", None),  # a fee, not several things
        # Two parts close behind the theme, asked for together in words (一块儿报) though the event is not named (面馆)
        ("我在青岛市南区盘了个门面准备开面馆，执照、吃食许可、消防这些能不能一块儿报上去？", "theme-kaiban-canyindian"),
    ],
)
def test_a_question_asking_what_a_life_event_needs_gets_its_theme(sd_searcher, sd_catalogue, question, theme) -> None:
    from actions.answer import strip_field_cues

    """On the Shandong sample: a question asking for several services' worth, whose best
    hits are a theme's parts, is answered with the theme (`theme_asked`); a question of one
    of them is not."""
    region = sd_catalogue.gazetteer.resolve(question)
    content = sd_catalogue.gazetteer.without_regions(strip_field_cues(question))  # as action_answer searches
    result = sd_searcher.search(content, Filters(region_code=region.code if region else None), k=10, said=question)
    assert [i.code for i in theme_asked(result, sd_catalogue, sd_searcher)] == ([theme] if theme else [])



def test_a_theme_close_behind_one_part_leaves_the_part_the_answer(sd_catalogue, sd_searcher) -> None:
    """A theme's text holds every part's name, so a question of one part finds the theme close
    behind it: the part is the answer. Two parts, or the theme leading, keep the theme."""
    theme = sd_catalogue.themes["theme-kaiban-canyindian"]
    entry = sd_catalogue.theme_entry(theme)
    fire, food = (sd_catalogue.items[c] for c in theme.item_codes if sd_catalogue.items[c].name.startswith(("公众聚集", "食品经营")))
    said = "想开个餐饮店，消防和食品许可怎么弄"
    assert theme_covering([fire, entry], sd_catalogue, said, sd_searcher) == [fire]
    assert theme_covering([entry, fire], sd_catalogue, said, sd_searcher) == [entry]
    assert theme_covering([fire, entry, food], sd_catalogue, said, sd_searcher) == [entry]
    assert theme_covering([fire, food], sd_catalogue, said, sd_searcher) == [entry]


def test_parts_fitting_without_the_theme_named_are_choices(sd_catalogue, sd_searcher) -> None:
    """Two parts of 开办劳务公司 fit "送外卖…想按职工医保自己交上" (单位 insurance items): the theme
    covers them, but the message names nothing of its event (开办, 劳务, 公司), so the parts are offered."""
    theme = sd_catalogue.themes["theme-kaiban-laowu-gongsi"]
    medical, social = (next(sd_catalogue.items[c] for c in theme.item_codes if sd_catalogue.items[c].name.startswith(start))
                       for start in ("单位职工基本医疗保险", "单位社会保险登记"))
    said = "俺在济南送外卖，没有单位给缴社保，想按职工医保自己交上，个人能参保吗，咋办理"
    assert theme_covering([medical, social], sd_catalogue, said, sd_searcher) == [medical, social]
    company = "和朋友开个劳务公司，单位社保和医保登记怎么办"
    assert theme_covering([medical, social], sd_catalogue, company, sd_searcher) == [sd_catalogue.theme_entry(theme)]


@pytest.mark.parametrize(
    "said, department",
    [
        ("我们项目归空港经济区管委会管", "广州空港经济区管理委员会"),
        ("我们在从化，找市规划和自然资源局", "广州市规划和自然资源局"),
        ("这个规划许可要多久", None),  # 规划 is the service's own word
        ("管理处在哪", None),  # 管理 is in many departments' names
        # (the review of 975844d) too short a run of the name, or said not to be the user's
        ("一样是空港那边的", None),
        ("业委会已经签字同意了，接下来去哪办", None),  # 委会 of 管委会
        ("这个自然是要本人去吧", None),
        ("我不是空港经济区的，找哪里", None),
        ("以前归空港经济区管，现在划回白云区了，找谁", None),
        ("景区管委会批了，还要去哪", None),  # office words name no department (the review of c2b1739)
        ("是不是找空港经济区管委会办", "广州空港经济区管理委员会"),  # (是不是 is no 不是)
        # a shorter run with an office's word after it (session 56)
        ("我们归空港那个管委会管", "广州空港经济区管理委员会"),
        ("空港管委会的窗口在哪", "广州空港经济区管理委员会"),
        ("空港那边的人说要先报规划", None),
        ("空港管委会说要先去省里", None),  # what it said, where someone works (the review of 9d2d33a)
        ("我老婆在空港管委会上班", None),
        ("我们是自然村，所以要先办这个吗", None),  # 所以 is no 研究所
        ("工作人员说找空港管委会", "广州空港经济区管理委员会"),  # a person's words, not the office's
        ("区里让俺找空港经济区", "广州空港经济区管理委员会"),
    ],
)
def test_a_unit_is_named_by_its_department(gd_catalogue, said: str, department: str | None) -> None:
    """Two departments implement 建设用地规划许可证核发 in 广州 (actions/departments.py): the words
    name one by its own name's rarer characters, or none."""
    from actions.departments import named_unit

    item = next(i for i in gd_catalogue.items.values() if i.name.endswith("(建设用地规划许可证核发及变更（集体建设用地）)"))
    named = named_unit(gd_catalogue, said, [item])
    assert (named[0].department if named else None) == department


@pytest.mark.parametrize(
    "said, department",
    [("要去省公安厅办吗", "广东省公安厅"), ("找市公安局就行吗", "广州市公安局"), ("公安局说这个要去省里办，在哪", None)],
)
def test_three_characters_ending_in_the_offices_word_name_it(gd_catalogue, said: str, department: str | None) -> None:
    """广东省公安厅 and 广州市公安局 both give 枪支(弹药)运输(携运）许可: 公安厅 names the province's; what an office
    said is no choice (the second review of session 56)."""
    from actions.departments import named_unit

    entries = [i for i in gd_catalogue.items.values() if i.name == "枪支(弹药)运输(携运）许可"]
    named = named_unit(gd_catalogue, said, entries)
    assert (named[0].department if named else None) == department


def test_an_institute_named_for_another_service_is_not_a_department_picked(gd_catalogue) -> None:
    """"珠江水产研究所" names that institute best, not 广东省生态环境技术研究所 by 研究所."""
    from actions.departments import named_unit

    entries = [i for i in gd_catalogue.items.values() if i.department == "广东省生态环境技术研究所"][:1]
    assert entries and named_unit(gd_catalogue, "我们给珠江水产研究所供过货", entries) is None


@pytest.mark.parametrize(
    "said, department, names",
    [("我同事明天要去统计局当面问，在哪栋楼哪个房间", "广东省统计局", True), ("统计局那边一般几个工作日给答复", "广东省统计局", True),
     ("想打去交通厅问清楚，佢哋个号码係几多？", "广东省交通运输厅", True),  # 交通运输厅 shortened, its own office word after
     ("今晚天河体育中心有冇波睇", "广东省体育局", False),  # another office's word after 体育
     ("这个统计数据在哪看", "广东省统计局", False)],  # no office said
)
def test_the_topics_own_department_named_points_at_the_topic(gd_catalogue, said: str, department: str, names: bool) -> None:
    """Naming the department of the one unit under discussion points at it, however much else the words tell
    (session 58)."""
    from actions.departments import names_department_of

    item = next(i for i in gd_catalogue.items.values() if i.department == department)
    assert names_department_of(gd_catalogue, said, item) is names


def test_a_place_in_a_departments_name_is_a_place_not_the_department(sd_catalogue) -> None:
    """临沂市公安局兰山分局 is named by a place the gazetteer reads first (an origin here)."""
    from actions.departments import named_unit

    item = next(i for i in sd_catalogue.items.values() if i.name == "居民身份证换领")
    assert named_unit(sd_catalogue, "户口还在老家兰山，在这边能换吗", [item]) is None


def test_a_theme_has_no_unit_to_name(sd_catalogue) -> None:
    """A theme's entry lists all its parts' departments in one name: no unit of it is named (it had
    raised a KeyError in the action)."""
    from actions.departments import named_unit

    offered = [sd_catalogue.entry("theme-canjiren"), next(i for i in sd_catalogue.items.values() if i.name == "居民身份证换领")]
    assert named_unit(sd_catalogue, "俺爹那个倔脾气，一听要上医院评定就跟俺杠赖", offered) is None


@pytest.mark.parametrize(
    "said, calls",
    [
        ("这么一块儿办，一共得交几样材料", True),
        ("走这一条龙的话，能少跑几个部门", True),
        ("里头一共牵扯几个部门", True),
        ("想和老公一起把公积金提出来买房", False),  # another service named (the review of 9d2d33a)
        ("第一次办营业执照要带啥", False),  # 第一次 is no 一次办
        ("社保那一块要跑几趟", False),  # 那一块: a part
        ("我跟老公一起去办行吗", True),  # (配偶 finds 结婚登记, not surely enough for a new service)
        ("俺第一次办，出生证明在哪领", False),
    ],
)
def test_a_theme_is_called_by_what_it_does_when_nothing_else_is_named(sd_catalogue, sd_searcher, said: str, calls: bool) -> None:
    """On 新生儿出生“一件事”, words of doing several together or asking of the several point at the theme."""
    from actions.answer import calls_the_theme
    from retrieval.search import Filters

    assert calls_the_theme(sd_searcher, sd_catalogue, "theme-xinshenger-chusheng", said, Filters()) is calls


@pytest.mark.parametrize(
    "said, theme",
    [
        ("退休要办的那几样，能一起弄了不", "theme-tuixiu"),
        ("这一摊子事能不能一回都给办利索了", "theme-tuixiu"),
        ("有没有一下子全办了的法子", "theme-tuixiu"),
        ("走一件事的话能少跑几趟", "theme-tuixiu"),
        ("跑一回就行吗", None),  # one service's visits
        ("我想跟老公一起去办，要带啥", None),  # together with a person
        ("这个能一起办吗", None),  # nothing said of several things
        ("营业执照和税务登记能一起办吗", None),  # services outside the theme named
        ("听说头一件事得先去报到，报到是咋个流程", None),  # the first thing, not a theme
    ],
)
def test_a_together_question_on_a_themes_part_calls_the_theme(sd_catalogue, sd_searcher, said: str, theme: str | None) -> None:
    """On 职工医保退休待遇核定, a part of 退休“一件事”, asking for several things together points at that theme."""
    from actions.answer import theme_of_a_part_called
    from actions.topic import Topic
    from retrieval.search import Filters

    part = next(i for i in sd_catalogue.items.values() if i.name.startswith("职工基本医疗保险退休人员待遇核定"))
    assert theme_of_a_part_called(sd_searcher, sd_catalogue, Topic(code=part.code), said, Filters()) == theme


def test_a_department_named_is_outweighed_only_by_what_the_rest_of_the_words_find_surely(gd_catalogue, gd_searcher) -> None:
    """"空港管委会那边审批要多久" on the 规划局's unit names the 空港 unit: without 空港 the words find 融资担保公司设立审批
    at 0.51, no sure other service (session 59); "我们给珠江水产研究所供过货，想查下供货企业项目业绩" on another of
    the institute's services still finds 生产供货企业项目业绩信息查询 surely without the institute's name."""
    from actions.answer import sure_of_other_than_named
    from retrieval.search import Filters

    unit = gd_catalogue.entry("11440100MB2C91103Q344011203500106")
    said = "空港管委会那边审批要多久"
    probe = gd_searcher.search(said, Filters(), k=10, said=said)
    assert not sure_of_other_than_named(gd_searcher, probe, [unit], said, "空港", Filters())
    institute = next(i for i in gd_catalogue.items.values() if "珠江水产研究所" in i.department and "业绩" not in i.name)
    said = "我们给珠江水产研究所供过货，想查下供货企业项目业绩"
    probe = gd_searcher.search(said, Filters(), k=10, said=said)
    assert sure_of_other_than_named(gd_searcher, probe, [institute], said, "珠江水产研究所", Filters())
