import pytest

from catalogue.model import ServiceItem
from catalogue.store import load_catalogue
from retrieval.fields import ASKS_FOR_A_RECOMMENDATION, ASKS_HOW_TO_DO, asks_if_case_qualifies, detect_fact, detect_field, field_answer, field_asked, strip_field_cues
from retrieval.index import IndexUnavailable, RetrievalIndex
from retrieval.search import Filters, Searcher, asks_of_elsewhere, moved_for
from retrieval.service import ensure_index, load_index

TAX_CERT = "11440000006941354C244212402700101"  # 税务证件增补发


@pytest.mark.parametrize(
    "query",
    ["", "   ", "😀😀😀🎉", "？？？！！！……", "How do I renew my passport?", "Как получить паспорт", "\x00\x07\x1b[31m"],
)
def test_unanswerable_input_gets_no_match(gd_searcher, query):
    result = gd_searcher.search(query)
    assert not result.confident and result.best is None


def test_huge_input_gets_no_match_and_long_questions_are_cut(gd_searcher):
    assert not gd_searcher.search("税务证件丢了怎么补" + "啊" * 100_000).confident
    long_question = "公司的税务证件丢了要补办，" * 30  # 390 characters: still a question
    assert TAX_CERT in [h.item.code for h in gd_searcher.search(long_question).hits[:5]]


def test_off_topic_questions_are_not_presented_as_answers(gd_searcher):
    for query in ["今天天气怎么样", "讲个笑话吧", "红烧肉怎么做才好吃"]:
        assert not gd_searcher.search(query).confident, query


def test_a_best_hit_sharing_no_word_with_the_question_is_only_a_suggestion(gd_searcher):
    # The embeddings alone are sure enough of 申请取得校车驾驶资格 for "我想考驾照" (the
    # catalogue holds no driving test of its own), yet the item says none of its words.
    result = gd_searcher.search("我想考驾照")
    assert result.confidence >= gd_searcher.confidence.threshold and not result.hits[0].matched
    assert not result.confident and result.suggestible and result.best is None


def test_a_best_hit_sharing_only_generic_words_is_only_a_suggestion(sd_searcher):
    # The Shandong sample holds no public housing nor criminal-record certificate: the best
    # hits share only "申请" / "办理" with the questions, which name no service.
    for query, lone_word in [("怎么申请公租房", "申请"), ("我想办理无犯罪记录证明", "办理")]:
        result = sd_searcher.search(query)
        assert result.hits[0].matched == [lone_word] and result.confidence >= sd_searcher.confidence.threshold, query
        assert not result.confident and result.best is None, query
    # A place shared through the department's name (济南市公安局) names no service either.
    assert not sd_searcher.search("在济南市历下区办无犯罪记录证明").confident
    # A word that names the service is worth more, or is in its name: still the answer.
    assert sd_searcher.search("想在济南办居住证").best.item.name == "居住证申领"
    id_card = sd_searcher.search("身份证怎么办")  # 居民身份证 is worth 0.14: many items ask for it
    assert id_card.confident and id_card.hits[0].item.name.startswith("居民身份证"), id_card.hits[0].item.name


def test_an_item_that_only_reports_progress_answers_only_a_question_about_progress(gd_searcher):
    # 首次办理普通护照办证进度查询 used to be the sure answer to how to get a first passport.
    how = gd_searcher.search("第一次办护照", said="第一次办护照要带什么")
    assert how.confident and how.best.item.name == "办理及加注普通护照"
    assert not any("进度" in hit.item.name for hit in how.hits)
    progress = gd_searcher.search("首次办理护照的进度怎么查")
    assert progress.confident and progress.best.item.name == "首次办理普通护照办证进度查询"
    # The words asking it may be cut from what is searched ("到哪" asks a place too): the whole message counts.
    asked = gd_searcher.search("我的港澳通行证", said="我的港澳通行证办到哪了")
    assert any("进度" in hit.item.name for hit in asked.hits)
    # Asked in so many words, progress lookups come before the service itself (not on 查 alone).
    waiting = gd_searcher.search("我婆婆上个月申请了低保，一直没消息，想查下批到哪一步了")
    assert waiting.hits[0].item.name == "最低生活保障业务进度查询"
    passport = gd_searcher.search("护照办到哪一步了")
    assert all("进度" in hit.item.name for hit in passport.hits[:4])
    # The service's own lookup first, though the service scores far above it (1.076 against 0.817).
    applied = gd_searcher.search("低保申请了，现在办到哪一步了")
    assert [hit.item.name for hit in applied.hits[:2]] == ["最低生活保障业务进度查询", "最低生活保障业务申请预约"]
    # In Cantonese (边 for 哪), not where 边 says which ("护照边一步要本人去").
    renewed = gd_searcher.search("我张港澳通行证到期，上个礼拜去换咗本新嘅，想知而家办到边一步")
    assert "进度" in renewed.hits[0].item.name, [hit.item.name for hit in renewed.hits[:3]]
    # Behind three variants of one service (团队游签注 for 广州市户籍居民, 广东省内户籍居民, …), its lookup is near.
    toured = gd_searcher.search("上礼拜给我妈办了去香港跟团的签注，到现在还没消息，想查查办到哪一步了")
    assert toured.hits[0].item.name == "办理往来港澳通行证团队游签注进度查询", [hit.item.name for hit in toured.hits[:4]]
    assert not any("进度" in hit.item.name for hit in gd_searcher.search("护照边一步要本人去").hits[:3])


def test_a_childhood_name_is_an_alias(gd_searcher):
    """小名 (乳名, 外号) is what the notaries call 别名."""
    found = gd_searcher.search("我爸房产证上写的是小名，要证明小名和身份证上的名字是同一个人")
    assert found.hits[0].item.name == "又名、别名、译名、笔名、网名等公证指引", [hit.item.name for hit in found.hits[:3]]


def test_things_to_apply_for_that_no_record_holds(gd_searcher):
    """狗证 (养犬登记) and 公积金 (住房公积金) by any of their names; not a paper the catalogue names
    (户口本: 户口簿), nor a word the dictionary does not know."""
    assert gd_searcher.absent_things("我还养了只柯基，小区说要办狗证，去哪里办") == ["养犬登记"]
    assert gd_searcher.absent_things("想把公积金取出来装修房子") == ["住房公积金"]
    assert gd_searcher.absent_things("要带户口本吗") == [] and gd_searcher.absent_things("迪士尼门票在哪买") == []
    # Not beside a text holding a word that says which thing (单身证明: 婚姻), nor beside one holding none.
    assert gd_searcher.absent_things("单身证明喺边度开", beside=["开具婚姻登记记录证明预约"]) == []
    assert gd_searcher.absent_things("小区说要办狗证", beside=["社会保障卡补领"]) == ["养犬登记"]


def test_a_residents_variant_answers_unless_the_user_says_they_are_from_outside_the_mainland(gd_searcher):
    # 注册会计师注册(（外国人）) scored above (（内地居民）) for questions saying nothing of either.
    for question in ("注册会计师注册", "注会注册在哪个系统申请"):
        found = gd_searcher.search(question)
        assert found.hits[0].item.name == "注册会计师注册(（内地居民）)", (question, [hit.item.name for hit in found.hits[:3]])
    hongkong = gd_searcher.search("我是香港人，注册会计师注册怎么办")
    assert hongkong.hits[0].item.name == "注册会计师注册(（香港澳门特别行政区居民）)"
    # Services only foreigners apply for give way to the residents' own (order only).
    passport = gd_searcher.search("护照过期了想换个新的")
    assert passport.hits[0].item.name == "办理及加注普通护照", [hit.item.name for hit in passport.hits[:3]]
    permit = gd_searcher.search("我是外国人，永久居留身份证过期了怎么换")
    assert permit.hits[0].item.name == "换发外国人永久居留身份证"
    foreigner = gd_searcher.search("我是美国人，在广州想考摩托车驾照，初次申领怎么办")
    assert foreigner.hits[0].item.name == "机动车驾驶证初次申领(外国人申领摩托车准驾车型)"


def test_a_place_outside_the_province_counts_against_an_answer_only_where_its_service_is_asked(gd_searcher):
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("北京小客车指标摇号怎么报名"))
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("我户口在湖南长沙，身份证快过期了，在老家哪里换"))
    # Gone to or come from for treatment, work or home: this province's service for it.
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("我辞职了要回武汉上班，这边的养老保险怎么转过去"))
    assert moved_for(gd_searcher.places_elsewhere("我辞职了要回武汉上班，这边的养老保险怎么转过去")) == "上班"
    # A place inside the one gone to is gone to as well; the reason is said in the place's clause.
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("冬天想去海南三亚看病住几个月，要先办什么"))
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("找到北京的工作了，落户咋办"))  # (found there: that place's service)
    assert moved_for(gd_searcher.places_elsewhere("去北京出差，工作日能办护照吗")) is None
    # The province's own offices serve travel to and residents of Hong Kong, Macao and Taiwan.
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("暑假想去澳门玩，签注怎么办"))
    assert moved_for(gd_searcher.places_elsewhere("暑假想去澳门读书，签注怎么办")) is None
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("我是台湾同胞，在广州怎么办居住证"))
    # ...but not that place's own papers.
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("香港身份证丢了怎么补"))
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("台湾的健保卡怎么办"))
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("我是香港人，香港身份证丢了怎么补"))  # (whoever asks)
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("香港身份证丢了，在内地能补吗"))
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("香港居民身份证丢了怎么补"))  # (居民 of the paper, not its people)
    # Come over from there: the user is here now, asking for this province's service.
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("俺是从河南过来的，外地人长住得办个证"))
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("我系从湖南过嚟嘅"))
    assert moved_for(gd_searcher.places_elsewhere("想去北京的大医院瞧瞧，医保咋弄")) == "医院瞧"  # (seen to at a hospital)
    assert moved_for(gd_searcher.places_elsewhere("俺想上天津看病，医保咋报销")) == "看病"  # (上天 is a word, 天津 a place)
    assert moved_for(gd_searcher.places_elsewhere("我调到北京一家医院工作，公积金咋办")) == "工作"
    # Two characters across a word's end and the next word's start are no place: 前天 + 水管子, 今天 + 津贴.
    assert gd_searcher.places_elsewhere("俺店里的执照前天水管子爆了给泡烂了") == []
    assert gd_searcher.places_elsewhere("今天津贴到账没") == []
    assert gd_searcher.places_elsewhere("我在内蒙古交了五年社保") == [("内蒙古", None)]
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("办回乡证要带香港居民身份证吗"))  # (a mainland paper asked for)
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("香港公司年审怎么弄"))
    # Their people are named many ways.
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("我老婆系澳门嘅，想喺广州登记结婚"))
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("嫁了个香港老公，想在广州登记结婚"))
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("台湾来的老师想在广州办居住证"))
    # Come back or moved here from it: this province's service too.
    assert not asks_of_elsewhere(gd_searcher.places_elsewhere("在湖南长沙干了六年，今年回广州了，那边交的养老保险能转过来吗"))
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("俺下个月搬到广州，北京的社保要先停吗"))  # (not done yet)
    assert asks_of_elsewhere(gd_searcher.places_elsewhere("搬来广州了，香港身份证过期了喺边度换"))  # (that place's papers)
    # Names never overlap: "上海口腔医院" names 上海 alone (not 海口), which is gone to for treatment.
    assert gd_searcher.places_elsewhere("下个月去上海口腔医院做手术，医保怎么备案") == [("上海", "手术")]


def test_getting_the_certificate_is_marriage_only_said_of_a_partner(sd_searcher):
    assert sd_searcher.search("我跟女朋友打算国庆去领证，要准备什么").hits[0].item.name == "内地居民结婚登记"
    assert all(hit.item.name != "内地居民结婚登记" for hit in sd_searcher.search("考完试在哪领证").hits[:3])


def test_a_lookup_gives_way_to_the_service_in_a_question_asking_to_get_it_done(gd_searcher):
    # 一级运动员等级信息查询 scored above 一级运动员授予 for a question asking to apply.
    apply = gd_searcher.search("孩子省运会拿了第二名，可以申请一级运动员，去哪里报")
    names = [hit.item.name for hit in apply.hits]
    assert names.index("一级运动员授予") < names.index("一级运动员等级信息查询"), names[:5]
    # Only the order changes: the lookup keeps its score, so it is still close enough to be offered.
    lookup_hit = apply.hits[names.index("一级运动员等级信息查询")]
    assert lookup_hit.score > apply.best.score
    # The same question saying a word of looking up keeps the fused order: the lookup leads.
    look = gd_searcher.search("孩子省运会拿了第二名，可以申请一级运动员，去哪里报，想先查一下")
    assert look.best.item.name == "一级运动员等级信息查询", [hit.item.name for hit in look.hits[:5]]


def test_official_name_and_colloquial_question_find_the_item(gd_searcher):
    result = gd_searcher.search("舱单通关状态查询")
    assert result.confident and result.best.item.name == "舱单通关状态查询"
    assert "舱单" in result.best.matched and "bm25" in result.best.signals
    codes = [hit.item.code for hit in gd_searcher.search("公司的税务证件丢了要补办").hits[:5]]
    assert TAX_CERT in codes


def test_item_code_finds_the_item(gd_searcher):
    assert gd_searcher.search(TAX_CERT.lower()).best.item.code == TAX_CERT


def test_filters(gd_searcher):
    hits = gd_searcher.search("外国人居留证件", Filters(region_code="440100")).hits
    assert hits and all(h.item.region_code in {"440100", "440000"} for h in hits)
    hits = gd_searcher.search("外国人居留证件", Filters(level="市")).hits
    assert hits and all(h.item.level == "市" for h in hits)
    hits = gd_searcher.search("证书查询", Filters(online_only=True)).hits
    assert hits and all(h.item.online for h in hits)
    hits = gd_searcher.search("登记", Filters(target="法人")).hits
    assert hits and all(h.item.for_enterprises for h in hits)
    hits = gd_searcher.search("外国人居留证件", Filters(region_code="440300")).hits  # 深圳: province only
    assert hits and all(h.item.region_code == "440000" for h in hits)


def test_region_filter_prefers_the_most_local_implementation(sd_searcher):
    by_service: dict[tuple, list[ServiceItem]] = {}
    for _, item in sd_searcher.index.live_items():
        by_service.setdefault(item.service_key, []).append(item)
    checked = 0
    for key, implementations in by_service.items():
        if len({i.level for i in implementations}) < 2:
            continue
        local = max(implementations, key=lambda i: len(i.region_code))
        result = sd_searcher.search(local.name, Filters(region_code=local.region_code))
        same = [h.item for h in result.hits if h.item.service_key == key]
        assert same == [local], (local.name, [i.region_name for i in same])
        checked += 1
    assert checked >= 3


def test_without_a_region_each_service_appears_once(sd_searcher):
    names = [h.item.name for h in sd_searcher.search("有限责任公司设立登记").hits]
    assert names.count("有限责任公司设立登记") == 1 and len(names) > 1


def test_field_answers_cite_code_and_source(gd_searcher):
    item = gd_searcher.search("税务证件增补发").best.item
    answer = field_answer(item, "materials")
    assert item.code in answer and (item.source_url or "") in answer
    assert f"共{len(item.materials)}项材料" in answer
    for field in ["time_limit", "location", "phone", "fee", "online", "visits", "hours", "conditions", "summary"]:
        assert item.code in field_answer(item, field)
    assert detect_field("要带什么材料") == "materials"
    assert detect_field("打哪个电话") == "phone"
    assert detect_field("要多久") == "time_limit"
    assert detect_field("能网上办吗") == "online"
    assert detect_field("要跑几次") == "visits"
    assert detect_field("在哪里办") == "location"
    assert detect_field("在那里办理") == "location"  # 那 typed for 哪
    assert detect_field("收费吗") == "fee"
    assert detect_field("营业执照") is None


@pytest.mark.parametrize(
    "question, field",
    [
        ("这个是不是只能转一次", "conditions"),  # how many times one may: a condition (NLU: ask_visits)
        ("一个月能去看几次", "conditions"),
        ("公积金一年能提3次吗", "conditions"),
        ("最多跑一次吗", "visits"),  # trips to the office
        ("要跑几次", "visits"),
        ("可以只去一次吗", None),
        ("可能得去两次吧", None),
        ("可以一次性补缴吗", None),
        ("什么样的人才可以约", "conditions"),  # who may
        ("我户口迁走了，还能约吗", "conditions"),
        ("我家就这一处宅基地，我这情况能办吗", "conditions"),
        ("公证要去那办", "location"),  # 那 for 哪
        ("去边度交", "location"),  # Cantonese on Guangdong's portal
        ("审批要几耐", "time_limit"),
        ("我这边的情况比较特殊", None),
    ],
)
def test_how_many_times_one_may_do_a_thing_asks_a_condition(question, field) -> None:
    assert detect_field(question) == field


def test_the_words_asking_how_long_leave_nothing_that_names_a_service() -> None:
    # "办下来" cued the field first and "多少时间" stayed, its 时间 weighing as a rare word: after
    # "对了，" the follow-up read as a new question and got "not found" (session 40).
    assert detect_field("办下来需要多少时间") == "time_limit"
    assert "时间" not in strip_field_cues("对了，办下来需要多少时间？")


@pytest.mark.parametrize(
    "said, asks_how",
    [
        ("对了，俺姐要开个饭馆，卖吃的那个许可咋办", True),  # NLU: complain 0.74, started a work order
        ("营业执照怎么办", True),
        ("居住证要怎么弄", True),
        ("社保卡被盗刷了怎么办", False),  # trouble with a card: a complaint's question
        ("营业执照被冒用了，这个证怎么办", False),  # trouble told with the licence (the review of b5dcffe)
        ("物业扣着我的房产证怎么办", False),
        ("爱山东APP老是卡怎么办", False),  # 卡: lag
        ("闯红灯被拍照怎么办", False),
        ("楼上漏水怎么办", False),
        ("我系香港人，想揸电单车返工，喺呢边考车牌要点搞", True),  # Cantonese: 点搞 (complain: a work order started)
        ("营业执照俾人冒用咗，点搞", False),
        ("驾照几点办", False),  # (几点: what time)
        ("哪里有登记点办", False),  # (登记点: an office)
        ("废水要往外排，环保那边得先拿个啥证", True),  # which licence first (session 56; complain: a work order started)
        ("开饭店需要办哪些许可", True),
        ("证拿到了吗", False),
        ("窗口说得先办个啥证，问了三遍都说不清楚，这不是折腾人吗", False),  # a complaint (the review of 9d2d33a)
        ("他们不是需要取得什么许可才能施工吗，怎么没人管", False),
        ("俺家门口要搭个棚子卖东西，得先办个啥证？急", True),
        ("开民宿要办哪些证件", True),
    ],
)
def test_a_licence_before_how_to_do_asks_how_to_get_it(said: str, asks_how: bool) -> None:
    assert bool(ASKS_HOW_TO_DO.search(said)) is asks_how


@pytest.mark.parametrize(
    "question, field",
    [
        ("那要拿些什么东西过去", "materials"),  # follow-ups in everyday words
        ("过去的时候证件得揣哪几样", "materials"),
        ("申报的时候图纸文件要交哪几样", "materials"),  # (session 55)
        ("养老保险能交哪几种险", None),  # a kind of insurance, not a paper (the review of 975844d)
        ("还要附上什么证明文件吗", "materials"),
        ("图纸还没画完，现在能先报吗", "conditions"),
        ("喺屋企上网睇得唔得", "online"),  # (session 56)
        ("能不能上网申请", "online"),
        ("我上网查了说要带户口本，对吗", None),  # 上网 told, not asked
        ("上网交的钱能退吗", None),
        ("能上网查的吧", "online"),
        ("需要具备哪些资格", "conditions"),  # 具备 is no 备
        ("除了图纸还得备齐啥", "materials"),
        ("办延续的话手头得备齐哪几份文件", "materials"),  # (session 57)
        ("图纸之外还得带齐哪些申报文件", "materials"),
        ("送件时要把哪些图纸文件带齐", "materials"),  # (session 59: which, before the papers)
        ("哪几种情况会被注销执业", "conditions"),
        ("俺这证从递上去到拿到手，前后得多少日子", "time_limit"),
        ("我们是家外资咨询公司，打算帮企业招人，这个许可咋办", None),  # (打算 is no 打: session 59)
        ("咁甲午展嘅资料我喺屋企上网睇都得，系咪", "online"),  # (session 60: looked at online, before 资料)
        ("回到评选结果那个，用手机就能查到吧", "online"),
        ("我主要是问多久能办好，网上能查进度吗", "time_limit"),  # (查 with an object: the online side question)
        ("材料能在网上交不，还是得往省城跑", "online"),
        ("咁到时要行几多趟美术馆先办得落手续？", "visits"),  # (办得落手续: done, no papers asked)
        ("签注这个人不用到场吧", "visits"),
        ("唔使去现场，喺屋企上网睇得唔得", "online"),  # (no going there told, looking online asked)
        ("办社保登记得自己去窗口跑吧", "visits"),
        ("他签证没丢也没坏，这种情况也能申请换发吗？", "conditions"),
        ("啥样的情况能走简易注销", "conditions"),
        ("我们是民营的电站，也能自己提申请吗", "conditions"),
        ("像俺们这样的小厂，也非得办这个证不可吗", "conditions"),
        ("自然资源厅在广州哪儿，俺得去交材料", "location"),  # (材料 handed in: what the user goes to do)
        ("在广州哪儿能查到这个", None),
        ("还是说回改地址那个，公司是在青岛胶州登记的，都得交些啥", "materials"),  # (改地址 names the service)
        ("除了方案报告书，还要附上什么", "materials"),
        ("佢阿妈想直接打去问训练安排，打几多号？", "phone"),
        ("注册要掏钱不，俺们手头紧", "fee"),
        ("开票额度那个，是不是当场就能定下来", "time_limit"),
        ("在外打工，想咨询下社保咋交", None),
        ("哪些单位或个人能申请咨询", "conditions"),
        ("人在外地，能不能先在网上递材料", "online"),  # papers handed in online
        ("网上交材料要交哪些", "materials"),  # which papers
        ("要不要专门派人去海关", "visits"),
        ("医院总机几多号，我打过去问清楚啲", "phone"),
        ("测体质要去边个场馆", "location"),
        ("我们这种执飞两岸航班的就可以办对吧", "conditions"),  # (a confirmation asked)
        ("我们公司这种情况能签吗", "conditions"),
        ("劳动合同我可以签吗", None),  # (a thing named before 签: not the user's case; the review of 8f7ca72)
        ("医院总机打不通", None),  # (总机 told, not asked)
        ("而家办到边个阶段", None),  # (边个: which, not where)
        ("年夜饭准备哪几样", None),
        ("带身份证就能办对吧", "materials"),
        ("需要开什么证明吗", "materials"),
        ("要不要照片啊", "materials"),
        ("有没有要填的单子", "materials"),
        ("要交多少钱", "fee"),  # 要交 with money is the fee
        ("烟台的海鲜贵不贵", None),  # a question about the place, not the fee
        ("济宁市政务服务中心中午休息吗", None),  # the hours (a fact), not the place
        ("使唔使俾钱", "fee"),
        ("交上去以后什么时候有结果", "time_limit"),
        ("最快多会儿能拿到", "time_limit"),
        ("得等一个月吗", "time_limit"),
        ("当天能拿吗", "time_limit"),
        ("钱转过来得等到啥时候", "time_limit"),
        ("这个批得快不", "time_limit"),
        ("俺俩得一块儿去民政局几回？", "visits"),  # the office between
        ("这个还用专门往税务局跑不", "visits"),
        ("去年去了几次都没办成", None),  # told, not asked
        ("那天俺俩都得揣着啥去", "materials"),  # 揣: carry, in Shandong
        ("政务中心几楼", "location"), ("这事得上啥地方办", "location"), ("他们承诺多快给批复", "time_limit"),
        ("离我近的能办的地方有吗", "location"),
        ("要不要亲自过去", "visits"),
        ("必须自己去吗", "visits"),
        ("一趟能搞定吗", "visits"),
        ("本人不去，能委托别人吗", None),  # who may go instead: the 代办 fact (FACT_CUES)
        ("啥样的能申请", "conditions"),
        ("无犯罪记录证明怎么开", None),  # names kept whole: 证明 alone asks nothing
        ("外商投资负面清单", None),
        ("要准备哪些证件", "materials"),  # 证件 beside an asking word...
        ("需要证件吗", "materials"),
        ("要俾边啲证件佢哋睇", "materials"),
        ("外国BB喺中国要办个停留嘅证件，点搞", None),  # ...not alone: 签发外国人停留证件
        ("几日搞得掂", "time_limit"),
        ("一般多久给答复", "time_limit"),  # 答复 of the time asked, not 建议提案答复查询
        ("再哪办", "location"),  # 在 typed as 再
        ("在那办", "location"),  # 哪 typed as 那
        ("他的也能查吗？", "conditions"),  # whether the user's case may too
        ("咩情况先可以申请？", "conditions"),  # Cantonese: 咩 for 什么, 先 for 才
        ("要是成绩一直显示不出来，打啥电话问？", "phone"),
        ("谁都能查吗", "conditions"),  # who may
        ("谁可以申请", "conditions"),
        ("谁能帮我看看", None),  # asks for help, not who may...
        ("找谁可以办", None),  # ...nor whom to ask...
        ("谁能约到号啊，天天约满", None),  # ...nor complains
        ("这种事谁都能碰上", None),
        ("她是大专学历能报不", "conditions"),  # whether the user's case qualifies
        ("那我老公能跟我一起办吗", "conditions"),
        ("读大专的也算吗", "conditions"),
        ("还有助学金可以领吗", None),  # whether there is something to be had: a service
        ("还有多久能办好", "time_limit"),  # ...which asks no other field
        ("有没有免费能办的证", None),  # its words name the service, no field
        ("他要本人亲自跑过去几回", "visits"),
        ("是不是要先停掉这边的社保才能开", "conditions"),  # a prerequisite
        ("使唔使有读者证先用得", "conditions"),
        ("是不是要先交材料才能拿证", "materials"),  # (the materials' own word first)
        ("还有什么手续能办", None),
        ("这边人太多了，有没有别的大厅能办", "location"),  # ...but other words of it may ask a fact
        ("有没有不用本人去也能办的", "visits"),
        ("有冇网上可以办嘅", "online"),
        ("还有几天能领", "time_limit"),
        ("还有多少补贴可以领吗", None),
        ("学校说得先有居住证才能给孩子报名，居住证咋办", None),  # a prerequisite told, not asked
        ("要拿到号才能进去吗", None),  # a number to queue with, not a thing to have
        ("是不是要拿到号才能进去", None),  # (the number however the prerequisite is asked)
        ("像我这样的能补办吗", "conditions"),  # the user's own case, however said
        ("我这种能补不", "conditions"),
        ("像我这样的能在网上办吗", "online"),
        ("办这个贵不贵", "fee"),
        ("招一个人给多少钱", "conditions"),  # money the service gives: its standard, in the conditions
        ("中级的能给多少钱", "conditions"),
        ("最多能贷多少", "conditions"),
        ("补一个证多少钱", "fee"),  # (a fee still, 补 not before 多少钱)
        ("补交多少钱", "fee"),
        ("补贴啥时候能打到卡上", "time_limit"),  # when the money arrives
        ("补贴哪天打钱", "time_limit"),
        ("能领几多钱", "conditions"),
        ("办居住证要给多少钱", "fee"),  # money the user pays...
        ("社保断了半年，要补多少钱", "fee"),
        ("被退好多次了", None),  # ...and a count are no amount given
        ("我听说要交好几百，真的假的", "fee"),
        ("哪些人不能办", "conditions"),
        ("边个可以申请？", "conditions"),
        ("要满多少岁才能办", "conditions"),
        ("是去公安局还是行政服务中心", "location"),
        ("要到区里办还是街道就行", "location"),
        ("是在政务服务中心吗", "location"),
        # an address restated to be confirmed (session 62)
        ("申请材料当面递的话，是送到海珠区怡乐路那边吧", "location"),
        ("资料是交到东风东路高教大厦吧", "location"),
        ("要当面咨询的话，是去下塘西路那个公共法律服务中心吗", "location"),
        ("是去北京吗", None), ("他是在广州那边上班吗", None), ("是在网上办吗", "online"),
        # ...in Cantonese, after the window's word or with the floor (session 63)
        ("图书馆系咪喺中山四路嗰边", "location"), ("想当面问，佢哋喺环市东路系咪", "location"),
        ("窗口是沿江中路298号那栋楼吧", "location"), ("税务局窗口在天河北路吧", "location"),
        ("现场交的话是去中信大厦5楼吧", "location"), ("我家在天河路那边吧", None),
        ("他们在东风东路开了家店吗", None), ("系咪喺屋企都得", None),
        # ...closed by the building pointed at, or where the papers are to be taken (session 64)
        ("要上门问的话，去越秀区北京路180号那栋吧", "location"), ("资料系咪要拎去环市东路省人社厅嗰度", "location"),
        ("是要拿去复印店吧", None), ("我得去北京那边吧", None),
        # ...or whether the case counts as what the service asks
        ("光说是抢修急用，算得上正当理由吗", "conditions"),
        ("他这个问题属于宗教业务吧，能在你们那咨询", "conditions"),
        ("这个属于哪个部门管", "location"),
        ("这个钱不用我跑腿去申请吧", "visits"),
        ("是在职的才能办吗", "conditions"),
        ("是在网上办还是线下办", "online"),  # (no office's word: not which office)
        ("是在粤省事办吗", "online"),
        ("在职的还是退休的可以办", None),
        ("公司要几百人以上才能申请吗", "conditions"),  # hundreds of people, not of yuan
        ("补交几千块社保怎么办", None),
        ("搵边个可以办", None),  # whom to ask (Cantonese 搵), not who may
        ("我想躺家里用电脑弄，行吗", "online"),
        ("还有，一次能办完吗", "visits"),
        ("多会儿开始能弄，截止到啥时候", "time_limit"),  # the dates it opens and closes
        ("报名什么时候截止", "time_limit"),
        ("镇上办这个的再哪", "location"),  # (再 typed for 在)
        ("一次性缴费怎么办", None),  # a service's word
        ("贵州的社保怎么转", None),
        ("要办的话先得干啥", None),
        ("必须先结婚才能办准生证吗", "conditions"),
        ("先得有居住证才行吧", "conditions"),
        ("要先办居住证才能办港澳通行证，对吧", "conditions"),  # (a tag question after it)
        ("学校说得先有居住证才能给孩子报名不然不让上，居住证咋办", None),
        ("有没有网上能申请的补贴", None),  # a subsidy to be had: a service
        ("俺家房产证丢了能补不", None),  # 补, 换, 约: the service's own act...
        ("驾驶证到期了能换吗", None),
        ("明天能约吗", None),
        ("这种也能约不", "conditions"),  # ...asked as also of the user's case
        ("没安排单位也能换不", "conditions"),
        ("家里没有啥收入能申请不", "conditions"),
        ("能不能报警", None),  # (报警, 考虑, 领养: not 报/考/领)
        ("你们服务还算不错", None),
        ("外国人可唔可以考？", "conditions"),  # Cantonese
        ("佢系临时工算唔算", "conditions"),
        ("能报销吗", None),
        # a fee by its kind, or "a sum" to pay (session 65)
        ("年检是不是还得交一笔钱", "fee"), ("复审另有评审费吗", "fee"), ("考试费咋交", "fee"),
        ("交一笔社保能补上不", None), ("审批要几天", "time_limit"),
        # a paper or the hall as the thing asked of: what is asked of it
        ("这几张表格网上能下载吧", "online"), ("办这个用不用本人去大厅", "visits"), ("去大厅要带什么", "materials"),
        ("这些材料要复印吗", "materials"), ("材料多久能审完", "time_limit"), ("大厅在哪", "location"),
        # whether what was told now qualifies; only one paper handed in, and enough
        ("证都拿到了，这样就能申请补贴了吧", "conditions"), ("只交一张申请表就行吧", "materials"), ("只交工本费就行吧", "fee"),
        # which of two places in any words; whether one must go to an office
        ("是搁社区办还是上街道", "location"), ("去区里交还是到市里交", "location"), ("到底要交钱还是不用", "fee"),
        ("领证用不用往派出所跑", "visits"),
        ("办证还得跑公安局吗", "visits"), ("要跑腿吗", None), ("去窗口得带上些啥", "materials"),
        # (session 66)
        ("证是不是立马就发", "time_limit"), ("是不是五个工作日就下来", "time_limit"), ("开学前就能拿到吗", "time_limit"),
        ("办的时候要带户口本不", "materials"), ("表上要盖章吗", "materials"), ("使唔使本人行过去", "visits"),
        ("是不是还得跑三趟", "visits"), ("可能得去两次吧", None), ("不用本人去窗口，是吗", "visits"),
    ],
)
def test_everyday_follow_ups_cue_their_field(question, field) -> None:
    assert detect_field(question) == field


@pytest.mark.parametrize(
    "question, qualifies",
    [
        ("读大专的也算吗", True),
        ("我同学是大专毕业的也能这样办吗", True),
        ("他是临时工能办吗？", True),
        ("那等孩子考上大学了，我们这种聚居区出来的还有助学金可以领吗", False),  # a service asked for
        ("能办吗，在哪办", False),  # the question goes on to another fact
        ("外地户口能办居住证吗", False),  # a service named after the verb
        ("那个低保我能领不", False),  # ...or just before it
        ("失业金我能领吗", False),
        ("家里没有啥收入能申请不", True),  # 没有啥 tells the case; it asks for nothing
        ("俺是灵活就业的能办不咧", True),  # a particle after it, as said in Shandong
        ("佢可唔可以同我一齐申请", True),  # Cantonese
        ("我有残疾证能办吗", True),  # a thing the user has, lacks or got tells the case
        ("我没有房能申请吗", True),
        ("我交了五年社保能领不", True),
        ("我领过补贴还能领吗", True),
        ("俺这情况算不算哈", True),  # the same particles end every such question
        ("俺六十了能不能领哈", True),
        ("我这种也算数吗", True),
        ("他说话还算数", False),
    ],
)
def test_a_question_whether_the_users_case_qualifies(question, qualifies) -> None:
    assert asks_if_case_qualifies(question) == qualifies


@pytest.mark.parametrize(
    "intent_field, question, field",
    [
        ("materials", "需要什么资格", "conditions"),  # NLU's field has no word here; the cue's has
        ("visits", "要跑到哪去办", "location"),
        ("time_limit", "交了材料以后多久能拿到证", "time_limit"),
        ("location", "交咗资料之后几耐先攞到", "time_limit"),  # materials handed in ask nothing of them
        ("materials", "交了材料以后多久能拿到证", "time_limit"),
        ("materials", "材料交去边度", "location"),
        ("materials", "材料交到哪里", "location"),
        ("materials", "资料要寄到哪", "location"),
        ("materials", "喺边度递材料", "location"),  # where they go, asked before them...
        ("materials", "在哪儿交申请材料", "location"),
        ("materials", "材料在哪交", "location"),  # ...or after
        ("materials", "交材料要去哪", "location"),
        ("materials", "啲材料要拎去增城边个窗口", "location"),  # (Cantonese: taken where)
        ("materials", "材料要带到现场吗", "materials"),
        (None, "这事背后是哪些单位在管", "location"),
        (None, "离婚后孩子归谁管", None),
        (None, "哪些单位可以申请", "conditions"),  # who may apply (session 59; was None: no cue)
        ("location", "要交哪几样东西", "materials"),
        ("materials", "要交哪些材料", "materials"),
        (None, "哪里提交材料", "location"),
        ("materials", "材料在哪下载", "materials"),  # not where they go: NLU's
        ("materials", "证明材料要去哪开", "materials"),
        ("materials", "那边交材料要排队吗", "materials"),  # (那边 is no where-word)
        (None, "我丢咗几样东西喺窗口", None),  # things told, not asked for
        (None, "得提供哪些人的信息", "materials"),
        (None, "能提供哪些服务", None),  # what is given, not what to hand in
        (None, "退役军人能拿哪些补贴", None),
        (None, "交了材料以后多久能拿到证", "time_limit"),  # no field intent: the words alone
        (None, "交咗资料之后几耐先攞到", "time_limit"),
        ("materials", "交了材料多久能拿到", "time_limit"),
        ("materials", "从递材料到发证要等多长", "time_limit"),
        ("materials", "材料都交齐了，几天能办好", "time_limit"),
        ("materials", "交了材料还要交什么", "materials"),
        ("location", "要交什么材料，在哪里交", "location"),  # both have words: NLU's
        ("materials", "要交什么材料，在哪里交", "materials"),
        ("online", "在家能办吗", "online"),  # 能办吗 alone cues nothing against NLU
        (None, "费用怎么算", "fee"),
        ("phone", "怎么联系他们", "phone"),
        ("materials", "材料交上去以后，几个工作日能换好", "time_limit"),
        ("time_limit", "还得准备些啥材料交上去", "materials"),  # materials asked for, not told as handed in
        ("materials", "那些材料交上去以后多久能批", "time_limit"),  # (那些 is no asking word)
        ("fee", "招一个人给多少钱", "conditions"),  # money the service gives, whatever NLU read
        (None, "如果网上不行，是不是还得专门回广东跑一趟", "visits"),  # a premise's words ask nothing...
        ("online", "如果网上不行，是不是还得专门回广东跑一趟", "visits"),
        (None, "要是去大厅交，地址在哪儿", "location"),
        (None, "如果网上不行，怎么办", "online"),  # ...unless nothing else does
        (None, "是不是得查实了才给", "conditions"),  # a step that must come first...
        (None, "等了三个月了才给我办，太慢了", None),  # ...not a complaint
        (None, "我主要是问多久能办好，网上能查进度吗", "time_limit"),  # 主要是 opens no premise
        ("fee", "补一本要几耐？下个月佢仲要攞嚟搭免费车㗎。", "time_limit"),  # a sentence that only tells cues nothing...
        (None, "有冇电话可以先问下？我唔想白行一趟广州。", "phone"),
        ("fee", "多少钱？要带什么材料", "fee"),  # ...but one that asks does, punctuated or not
        ("online", "我想了解一下办理地点。能告诉我吗？", "location"),  # a sentence that asks no field: the whole message
        ("online", "六十多岁了还能办吗", "conditions"),  # whether the case told may still: the conditions
        ("online", "我已经退休了还能申请吗", "conditions"),
        ("online", "在家还能办吗", "online"),  # (no case told)
        ("online", "放假了还能办吗", "online"),  # a fact's word (the hours, `fact_asked`), not the case
        (None, "资料交齐后一般几个工作日能批", "time_limit"),  # handed in, 后 straight after (session 64)
        ("online", "受理以后几天能在网上查到结果", "time_limit"),  # where the result is seen is no way of applying...
        ("online", "在网上能查到吗", "online"),  # ...unless nothing else is asked
        ("materials", "我打算把材料直接拿过去，是交到中山路88号那栋吧", "location"),  # papers taken there (session 65)
    ],
)
def test_nlu_field_gives_way_to_words_that_only_cue_another(intent_field, question, field) -> None:
    assert field_asked(intent_field, question) == field


def test_the_words_asking_a_field_leave_nothing_of_theirs_to_be_searched() -> None:
    """"统计局那边留个电话给我呗": 留 asks the phone, as "哪几样东西" asks the materials; left in the
    words, they read as words the catalogue never uses, as if another world's question."""
    from retrieval.fields import strip_field_cues

    assert strip_field_cues("统计局那边留个电话给我呗").split() == ["统计局那边"]
    assert strip_field_cues("升级要交哪几样东西").split() == ["升级"]
    assert strip_field_cues("申报要整定啲咩东西").split() == ["申报要"]
    assert strip_field_cues("申报要整定啲咩文件").split() == ["申报"]  # (Cantonese: what papers to get ready)
    from retrieval.fields import detect_fact

    assert detect_fact("晌午头过去有没有人接待")[0] == "hours"  # (Shandong: noon)
    assert strip_field_cues("从材料递上去到拿到结果，最长要等多少个工作日").split() == ["从", "递上去到拿到结果，"]
    assert strip_field_cues("顺便把体育场的联系电话也告诉我").split() == ["顺便把体育场的", "也告诉我"]
    assert strip_field_cues("他们办事的地方具体在哪条路哪个房间").split() == ["他们", "具体"]
    assert strip_field_cues("中间最长可能要等多少个工作日").split() == ["中间"]
    assert strip_field_cues("那个窗口到底在什么位置").split() == ["那个"]
    assert field_asked(None, "公章盖在什么位置") is None  # (a place on a paper, not the office's)
    assert field_asked(None, "得先把护照办下来吧") is None  # (done first, not when)
    assert field_asked(None, "多久能办下来") == "time_limit"
    assert field_asked(None, "俺想在历下办结婚登记") is None and field_asked(None, "几天能办结") == "time_limit"  # (办 + 结婚)
    assert field_asked(None, "能直接办结算不") is None and field_asked(None, "俺想办结业证书") is None  # (办结 done, not 结算, 结业)
    assert strip_field_cues("最快多会儿能拿着").split() == ["能拿着"]


def test_a_slip_by_sound_of_a_word_asking_a_fact_is_read_as_that_word() -> None:
    from retrieval.typos import AskingSlips

    frequency = {"电话": 8354, "几天": 4341, "多久": 2000, "电花": 3, "点化": 45, "很多": 5000, "茶几": 300}.get
    slips = AskingSlips(lambda word: frequency(word, 0))
    assert slips.mend("咨询电花多少") == "咨询电话多少"  # a dictionary word far rarer than the asking word
    assert slips.mend("名字核准大概要几填") == "名字核准大概要几天"
    assert slips.mend("这事需要高人点化") == "这事需要高人点化"  # a word of its own
    assert slips.mend("茶几填满了杂物") == "茶几填满了杂物"  # 几 belongs to 茶几
    assert slips.mend("钱多就多交一点吗") == "钱多就多交一点吗"  # a character of grammar is what was meant
    assert slips.mend("请问是先体检还是先报名") == "请问是先体检还是先报名"  # (时限: not an asking word here)
    with_neighbours = {**{"电话": 8354, "电化": 25, "咨询电话": 200, "电化教育": 30}}.get
    slips = AskingSlips(lambda word: with_neighbours(word, 0))
    assert slips.mend("有咨询电化吗") == "有咨询电话吗"  # a word of its own, but 咨询电话 is one and 咨询电化 none
    assert slips.mend("学校的电化教育") == "学校的电化教育"  # its own word around it


def test_numbers_are_no_words_of_another_world(sd_searcher) -> None:
    assert sd_searcher.word_profile("我今年五十八了")[1] == sd_searcher.word_profile("我今年了")[1]
    assert sd_searcher.word_profile("五十八岁 十五年 三千块 58")[1] == 0
    assert sd_searcher.word_profile("万一 一直")[1] == 2


@pytest.mark.parametrize(
    "said, age",
    [
        ("他今年72岁", "他今年72岁"),
        ("我妈都八十多岁了", "我妈都八十多岁了"),
        ("孩子刚满16周岁", "孩子刚满16周岁"),
        ("老人已经七十岁半了", "老人已经七十岁半了"),
        ("给孩子办护照，孩子5岁", "孩子5岁"),
        ("老年人优待证", None),
        ("72路公交", None),
    ],
)
def test_an_age_said_is_read_whole(said, age) -> None:
    from retrieval.fields import AGE_SAID

    found = AGE_SAID.search(said)
    assert (found.group(0) if found else None) == age


def test_office_hours_and_facts_without_a_field_are_answered_from_the_record(sd_catalogue) -> None:
    """"周末能办吗" was answered as whether it can be done online, "能找人代办吗" with the time
    limit, "可以加急吗" with the online link. The hours are each unit's (named with them); of
    代办, 异地, 邮寄, 加急 the record's own sentences are quoted, or "目录未载明" said."""
    assert detect_fact("周末能办吗")[0] == "hours" and detect_fact("下午几点下班")[0] == "hours"
    assert detect_fact("我在济南上班") is None  # where the user is, not the hours
    asked = ["能找人代办吗", "可以让家人代领吗", "可以异地办吗", "能邮寄吗", "可以寄到家吗", "能不能加急", "我替他去补行不行"]
    assert [detect_fact(q)[0] for q in asked] == ["proxy", "proxy", "remote", "mail", "mail", "expedite", "proxy"]
    item = next(i for i in sd_catalogue.items.values() if i.hours)
    hours = field_answer(item, "hours")
    assert item.hours in hours and item.department in hours and item.code in hours
    unstated = item.model_copy(update={"hours": None})
    assert "目录未载明办公时间" in field_answer(unstated, "hours") and item.phone in field_answer(unstated, "hours")
    licence = next(i for i in sd_catalogue.items.values() if i.name == "机动车驾驶证有效期满换证")
    assert "关于能否邮寄，目录载明：" in field_answer(licence, "mail") and "新证邮寄送达" in field_answer(licence, "mail")
    assert "目录未载明能否加急" in field_answer(licence, "expedite")
    urgent = licence.model_copy(update={"conditions": "符合条件的当场办结。因出国等急需用证的，可申请加急办理。"})
    assert field_answer(urgent, "expedite").count("目录载明：因出国等急需用证的，可申请加急办理") == 1
    proxy_elsewhere = licence.model_copy(update={"materials": ["遗失、灭失声明（登记机构代为公告）"]})
    assert "目录未载明能否委托他人代办" in field_answer(proxy_elsewhere, "proxy")  # 代为公告 is not applying by proxy
    point = licence.model_copy(update={"materials": ["申请表（代办点提供）"]})
    assert "目录未载明能否委托他人代办" in field_answer(point, "proxy")
    own_name = licence.model_copy(update={"name": "户口迁移跨省通办申请", "conditions": "迁入地受理户口迁移跨省通办申请。"})
    assert "目录未载明能否异地办理" in field_answer(own_name, "remote")  # the service's own name, not the fact


def test_add_update_remove_without_rebuilding(gd_settings, tmp_path):
    from dataclasses import replace

    settings = replace(gd_settings, var_dir=tmp_path)
    catalogue = load_catalogue(settings)
    index, what = ensure_index(catalogue, settings)
    assert what.startswith("built") and len(index) == 2262
    searcher = Searcher(index, catalogue.gazetteer)
    new = ServiceItem(
        code="TEST-0001", name="无人机飞行活动空域申请", department="广东省测试厅", level="省",
        region_code="440000", region_name="广东省", targets=["自然人"], materials=["飞行计划"],
    )
    index.upsert([new])
    assert searcher.search("无人机飞行活动空域申请").hits[0].item.code == "TEST-0001"
    index.upsert([new.model_copy(update={"name": "无人驾驶航空器飞行计划申报"})])
    assert searcher.search("无人驾驶航空器飞行计划申报").hits[0].item.code == "TEST-0001"
    assert len(index) == 2263
    assert index.remove(["TEST-0001"]) == 1
    assert all(h.item.code != "TEST-0001" for h in searcher.search("无人驾驶航空器飞行计划申报").hits)
    assert all(i.ntotal == 2262 for i in index.dense.values())
    # A changed catalogue is synced: only the difference is touched.
    changed = dict(catalogue.items)
    first = next(iter(changed))
    changed[first] = changed[first].model_copy(update={"phone": "020-00000000"})
    del changed[list(changed)[1]]
    assert index.sync(list(changed.values())) == (0, 1, 1)
    index.save(settings.index_dir)
    reloaded = load_index(settings)
    assert len(reloaded) == 2261 and reloaded.items[reloaded.slot_of(first)].phone == "020-00000000"


def test_missing_or_corrupt_index_names_the_rebuild_command(gd_settings, tmp_path):
    from dataclasses import replace

    settings = replace(gd_settings, var_dir=tmp_path)
    with pytest.raises(IndexUnavailable, match="make index"):
        load_index(settings)
    ensure_index(load_catalogue(settings), settings)
    next(settings.index_dir.glob("*.faiss")).write_bytes(b"garbage")
    with pytest.raises(IndexUnavailable, match="make index"):
        load_index(settings)
    (settings.index_dir / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="make index"):
        RetrievalIndex.load(settings.index_dir, [], None)


def test_a_catalogue_without_policies_finds_none(gd_searcher):
    from retrieval.policies import PolicySearcher

    searcher = PolicySearcher([], gd_searcher.index.embedders, gd_searcher.index.lexicon)
    assert searcher.search("小微企业有什么税收优惠") == []


def test_reranker_features_tell_siblings_apart_by_what_only_one_name_says():
    from retrieval.rerank import bigrams, distinct_bigrams

    to_taiwan, to_guangdong = "发往台湾地区使用的公证书查询", "发往广东使用的台湾地区公证书查询"
    distinct = distinct_bigrams([bigrams(to_taiwan), bigrams(to_guangdong)])
    assert "广东" in distinct[1] and "广东" not in distinct[0]
    question = bigrams("台湾亲戚寄来的公证书要在广东使用，怎么核验")
    assert len(distinct[1] & question) > len(distinct[0] & question)


def test_a_fitted_reranker_orders_hits_by_its_probability_and_sets_how_close_a_choice_is(gd_searcher):
    from retrieval.rerank import Reranker
    from retrieval.search import FUSED_CLOSE_RATIO

    question = "公司的税务证件丢了要补办"
    fused = gd_searcher.search(question)
    assert gd_searcher.reranker is None and fused.close_ratio == FUSED_CLOSE_RATIO  # none ships: it did not pay
    reranking = Searcher(gd_searcher.index, gd_searcher.gazetteer, gd_searcher.confidence, Reranker({"name_cover": 2.0}, choice_ratio=0.3), gd_searcher.acts)
    reranked = reranking.search(question)
    scores = [hit.score for hit in reranked.hits]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert reranked.close_ratio == 0.3 and "reranked" in reranked.evidence and "reranked" not in fused.evidence
    assert TAX_CERT in [h.item.code for h in reranked.hits[:5]]


def test_policy_search_offers_the_central_kitchens_policies_and_only_those_in_force(gd_searcher):
    import datetime as dt

    from catalogue.store import load_catalogue
    from policies.book import searchable_policies
    from retrieval.policies import PolicySearcher
    from settings import Settings

    shandong = Settings(portal="shandong")
    policies = searchable_policies(load_catalogue(shandong).policies.values(), shandong)
    searcher = PolicySearcher(policies, [], gd_searcher.index.lexicon)
    found = searcher.search("青岛小微企业贷款有什么贴息政策", on=dt.date(2026, 11, 29))
    assert found[0].policy.title == "青岛市小微企业首次贷款贴息（示例）" and found[0].policy.doc_number == "青金发〔2026〕5号"
    # the catalogue's 稳岗返还 ran to 2025-12-31; the book's 2026 one starts in 2026
    in_2025 = [h.policy.title for h in searcher.search("稳岗返还政策", on=dt.date(2025, 6, 1))]
    in_2026 = [h.policy.title for h in searcher.search("稳岗返还政策", on=dt.date(2026, 11, 29))]
    assert "失业保险稳岗返还政策" in in_2025 and "山东省2026年度失业保险稳岗返还（示例）" not in in_2025
    assert "失业保险稳岗返还政策" not in in_2026 and "山东省2026年度失业保险稳岗返还（示例）" in in_2026


def test_one_service_bracketed_two_ways_is_one_hit(gd_searcher):
    """Guangzhou's "律师执业变更审核(（执业类别变更）)" and the province's "律师执业变更审核(执业类别
    变更)" are one service (`ServiceItem.service_key`): a search offers it once."""
    result = gd_searcher.search("律师执业类别变更审核", k=10)
    keys = [h.item.service_key for h in result.hits]
    assert len(keys) == len(set(keys))
    assert sum("执业类别变更" in h.item.name and "转所" not in h.item.name for h in result.hits) == 1


def test_an_empty_acts_file_names_no_act(tmp_path):
    from retrieval.text import load_acts

    (tmp_path / "acts.txt").write_text("# none yet\n", encoding="utf-8")
    acts = load_acts(tmp_path)
    assert acts.findall("营业执照注销") == [] and acts.sub(" ", "注销") == "注销"


def test_a_changed_dictionary_splits_the_stored_words_again(sd_settings, tmp_path):
    """An index stores each item's words as the dictionary split them: a new synonym must
    reach them too, not only the questions (the embeddings come from the cache)."""
    import shutil
    from dataclasses import replace

    from retrieval.text import load_lexicon

    data = tmp_path / "data"
    for part in ("dict", "gazetteer", "catalogues/shandong"):
        shutil.copytree(sd_settings.data_dir / part, data / part)
    settings = replace(sd_settings, data_dir=data, var_dir=tmp_path / "var")
    catalogue = load_catalogue(settings)
    assert ensure_index(catalogue, settings)[1].startswith("built")
    assert ensure_index(catalogue, settings)[1] == "up to date"
    with open(data / "dict" / "synonyms.txt", "a", encoding="utf-8") as synonyms:
        synonyms.write("老人证\t老年人优待证\n")  # canonical first: the catalogue's word becomes 老人证
    load_lexicon.cache_clear()
    index, what = ensure_index(catalogue, settings)
    assert what.startswith("built from scratch")
    assert any("老人证" in tokens for tokens in index.tokens)
    load_lexicon.cache_clear()


def test_a_slip_of_one_character_by_sound_is_read_as_the_catalogue_word() -> None:
    from retrieval.typos import Homophones

    words = {"残疾证", "残疾", "通行证", "通行", "导游证", "导游", "正在", "我市", "想看", "相看", "医保码", "医保", "负责人", "负责", "不负责任",
             "社保卡", "社保", "失业金", "失业", "营业执照", "营业", "执照", "报卡", "领发票", "发票", "许可证", "许可", "证明", "结婚证", "结婚"}
    slips = Homophones(words, lambda run: run in words)
    assert slips.correct("社区说可以给他办个残疾症,能享受补贴") == "社区说可以给他办个残疾证,能享受补贴"
    assert slips.correct("还没有港澳通行正,在广州要怎么申请") == "还没有港澳通行证,在广州要怎么申请"
    # Inside the name too ("社宝卡"), unless the slipped character makes a word inside the run ("报卡").
    assert slips.correct("社宝卡进洗衣机了，芯片读不出来") == "社保卡进洗衣机了，芯片读不出来"
    assert slips.correct("湿业金多长时间能批下来") == "失业金多长时间能批下来"
    assert slips.correct("想给她办个残急证") == "想给她办个残疾证"
    assert slips.correct("营业直照叫耗子给啃了") == "营业执照叫耗子给啃了"
    assert slips.correct("社报卡") == "社报卡"
    # A count after it says how long (整, 近), not which thing (the review of a52ecf6).
    assert slips.correct("俺俩结婚整十年了") == "俺俩结婚整十年了" and slips.correct("俺失业近一年了") == "俺失业近一年了"
    # Nor when the rest is a word of its own, or the thing's end begins one past the run (a name).
    assert slips.correct("零发票申报怎么弄") == "零发票申报怎么弄"
    assert slips.correct("徐可证明了这个事") == "徐可证明了这个事"
    # The slipped character makes a word with the next one: not a slip.
    assert slips.correct("导游正在带团") == "导游正在带团"
    # Two characters alone are never corrected (我是 -> 我市), nor words the dictionary holds.
    assert slips.correct("我是想看看") == "我是想看看"
    assert slips.correct("残疾证怎么办") == "残疾证怎么办"
    # A character of grammar is what was meant; only names of things one holds are corrected to.
    assert slips.correct("看病能用医保吗？") == "看病能用医保吗？"
    assert slips.correct("本着负责任的态度") == "本着负责任的态度"


def test_two_characters_after_what_is_done_to_a_thing_are_read_as_the_thing_they_sound_like() -> None:
    from retrieval.typos import Homophones

    uses = {"护照": 200, "公证": 300, "公正": 3, "办法": 5, "译本": 1, "过户": 40, "正常": 20, "发证": 90, "扯证": 30, "车证": 0, "清单": 50}
    slips = Homophones(uses, lambda run: run in uses, lambda word: uses.get(word, 0))
    assert slips.correct("想办个户照，这玩意咋办") == "想办个护照，这玩意咋办"
    assert slips.correct("二手车办过户找哪个部门") == "二手车办过户找哪个部门"  # 过户, not 护照
    assert slips.correct("办车证需要什么材料") == "办车证需要什么材料"  # a thing already
    assert slips.correct("做清淡的菜") == "做清淡的菜"  # describing one
    assert slips.correct("听说要去做个公正，怎么弄") == "听说要去做个公证，怎么弄"
    assert slips.correct("处理得很公正") == "处理得很公正"  # nothing is done to it
    assert slips.correct("证书丢了，能补一本吗") == "证书丢了，能补一本吗"  # the count, not 译本
    assert slips.correct("没有办法正常做饭") == "没有办法正常做饭"  # 办法, 正常: words of their own


def test_two_characters_no_dictionary_knows_are_read_as_the_word_of_names_they_sound_like() -> None:
    from retrieval.typos import Homophones

    words = {"许可证", "规划", "登记", "使用", "补贴", "技能", "提升", "签注", "居住证", "续签", "调解", "人民", "等级", "重点", "我市"}
    names = [("规划", 3), ("登记", 40), ("补贴", 9), ("签注", 6), ("调解", 2), ("等级", 5), ("重点", 4), ("我市", 9), ("出生", 8)]
    written = {"出省"}
    slips = Homophones(words, lambda run: run in words, name_uses=names, written=written.__contains__)
    assert slips.correct("规化许可证得找谁批") == "规划许可证得找谁批"
    assert slips.correct("特种设备使用登计咋办") == "特种设备使用登记咋办"
    assert slips.correct("技能提升补帖咋领") == "技能提升补贴咋领"
    assert slips.correct("人民条解的电话") == "人民调解的电话"
    assert slips.correct("要等几耐") == "要等几耐"  # (Cantonese 几: grammar, no 等级)
    assert slips.correct("种点开花的") == "种点开花的"  # (点 of an amount)
    assert slips.correct("我是来办证的") == "我是来办证的"  # (是: grammar)
    assert slips.correct("续签住要带啥") == "续签住要带啥"  # (续签 holds 签 and reaches past the two)
    assert slips.correct("发货出省要办检疫证吗") == "发货出省要办检疫证吗"  # (the records write 出省)
    assert Homophones(words, lambda run: run in words, name_uses=[("调解", 1)]).correct("人民条解") == "人民条解"  # (one name only)


def test_runs_no_dictionary_knows_are_read_as_the_longer_words_of_names_they_sound_like() -> None:
    from retrieval.typos import Homophones

    # jieba keeps 消防验收 and 灵活就业 whole: their halves are no name words, the whole ones are.
    words = {"消防验收", "灵活就业", "广东省", "中医师", "再生育", "生源", "十几", "生育"}
    names = [("消防验收", 3), ("灵活就业", 4), ("广东省", 50), ("中医师", 3), ("再生育", 2)]
    slips = Homophones(words, lambda run: run in words, name_uses=names)
    assert slips.correct("商场的消防验手找谁办") == "商场的消防验收找谁办"
    assert slips.correct("灵活就叶的人咋交社保") == "灵活就业的人咋交社保"  # (就 of grammar, but not the slip)
    assert slips.correct("我是广东生源的学生") == "我是广东生源的学生"  # (生源 reaches past the run: no 广东省)
    assert slips.correct("当中医十几年了") == "当中医十几年了"  # (十几)
    assert slips.correct("我在生育期间能办吗") == "我在生育期间能办吗"  # (在, grammar, is what slipped: no 再生育)
    assert Homophones(words, lambda run: run in words, name_uses=[("消防验收", 1)]).correct("消防验手") == "消防验手"  # (one name only)


@pytest.mark.parametrize(
    "question, offered",
    [
        ("我跟老公在佛山开了家烘焙小店，自己起了个牌子，怕被别人抢注，想咨询下商标注册的事", True),  # the clause finds it
        ("我在佛山开了个小店，生意一直不好，想咨询一下", False),  # a generic word (咨询) shared: no second look
        ("想咨询下商标注册的事", True),  # no story: the question alone
    ],
)
def test_a_story_does_not_hide_the_question_its_clause_asks(gd_searcher, question, offered) -> None:
    from retrieval.search import Filters

    result = gd_searcher.search(question, Filters())
    assert result.suggestible == offered and not (result.confident and not offered), (result.confidence, result.hits[:1])
    if offered:
        assert result.hits[0].item.name == "商标注册咨询服务"


@pytest.mark.parametrize(
    "said, asks",
    [("能加急不", True), ("她还得上医院做鉴定不咧", True), ("网上能办吗？", True), ("开不开门", True),
     ("不客气，周末愉快", False), ("要带什么材料", False)],  # (什么 asks in words, not by the ending: fields cue it)
)
def test_a_message_ends_as_a_question_with_a_particle_or_mark(said, asks) -> None:
    from retrieval.fields import QUESTION

    assert bool(QUESTION.search(said)) is asks


@pytest.mark.parametrize(
    "said, more",
    [("今日热到爆，出门口都唔想。", False), ("最近单位搬到高新区，通勤每天两个小时，人都快废了。", False),
     ("我不想去现场，网上能办吗", True), ("想把户口迁过来", True), ("我的驾驶证扣满12分了", True),
     ("谁可以代领", True), ("使唔使本人去", True), ("搞掂未", True), ("我还未结婚", False),
     ("谁知道地铁又晚点了", False), ("今天热死了，谁都不想出门", False)],
)
def test_a_remark_neither_asks_nor_wants_and_not_wanting_is_no_wanting(said, more) -> None:
    from retrieval.fields import asks_or_wants

    assert asks_or_wants(said) is more


@pytest.mark.parametrize(
    "said, tells",
    [("她们学校就业办的电话一上午都占线", True), ("上回买设备开发票就跑了好几趟，可把俺折腾坏了", True),  # (session 57)
     ("财务说光准备申报材料就得熬一礼拜", True), ("我表哥话佢喺网上睇过，不过唔记得网址喇", True),
     ("材料清单", False),  # a fact's name asked
     ("在手机上能办不，俺现在人在外地", False), ("网上睇唔睇到", False), ("交上去以后多咱能拿到手", False),
     ("把电话发我一下", False), ("想先去窗口问问", False), ("可以去那里当面问", False), ("这个在那个窗口办", False),
     ("要跑几趟？我平时出差多。", False), ("是网上办还是去窗口", False),
     ("他们承诺多快给批复", False), ("我们选番禺那边收件的那个", False),  # (session 58: how soon; a choice made)
     ("人防设备维护的咨询热线给一个", False)],  # (session 59: asked for)
)
def test_a_remark_with_a_facts_word_only_tells(said, tells) -> None:
    from retrieval.fields import only_tells

    assert only_tells(said) is tells


@pytest.mark.parametrize(
    "said, fact",
    [("那就是说领执照不花钱对吧", "fee"), ("即系网上都可以直接查到，系咪", "online"), ("那就是说评残、领证前后得去两回是吧", "visits"),
     ("那就是说不用抱着孩子去窗口是吧", "visits"), ("即系一定要考核合格先可以申请，系咪", "conditions"),
     ("跑了两趟了", None), ("这天气真热是吧", None), ("就是说这个事", None)],
)
def test_a_confirmation_asks_the_fact_it_restates(said, fact) -> None:
    """What a confirmation restates is the fact it asks, in words that outside one tell a value (session 58)."""
    from retrieval.fields import confirmed_fact

    assert confirmed_fact(said) == fact


def test_a_long_name_said_whole_in_a_story_is_the_answer(gd_searcher) -> None:
    """The best hit's whole name (six characters or more, punctuation aside) said in a story says which service,
    though a sibling's words (the library's, from the story) score close (session 61)."""
    said = "备课要讲中山图书馆的百年变迁，中图与您时间轴在哪看"
    found = gd_searcher.search(said, said=said)
    assert found.confident and found.best.item.name == "中图与您--时间轴"


def test_being_recommended_for_something_asks_no_recommendation() -> None:
    from retrieval.fields import ASKS_FOR_A_RECOMMENDATION

    assert not ASKS_FOR_A_RECOMMENDATION.search("老师推荐我去报省里的创业大赛，怎么报名")
    assert ASKS_FOR_A_RECOMMENDATION.search("帮我推荐个代理记账公司")


@pytest.mark.parametrize(
    "said, field",
    [("审批要交什么费用", "fee"), ("交哪些费", "fee"), ("要交啥材料", "materials"), ("出这个证要花多少个工作日", "time_limit"),
     ("至少要来一次窗口吧", "visits"), ("去一次北京要办什么", None), ("申请材料放网上交行不", "online"),
     ("名单上网就查的到吧", "online"), ("用手机上网睇唔睇得到", "online"), ("要等多少个工做日", "time_limit"),
     ("护照办到边度", None)],  # (Cantonese: how far it has got, not where)
)
def test_colloquial_cues_of_session_61(said, field) -> None:
    """Fees asked with 交, days with 花多少, one trip, papers put online, looking up online in slips and X唔X (session 61)."""
    from retrieval.fields import field_cued

    assert field_cued(said) == field


@pytest.mark.parametrize(
    "said, field, other",
    [("要多久，收费吗", "time_limit", "fee"), ("在哪里办？电话多少", "location", "phone"), ("要跑几次？带什么材料？", "visits", "materials"),
     ("在哪办，几点上班", "location", "hours"), ("网上能办吗？不行的话去哪里办", "online", "location"),
     ("我在网上看到说要带身份证，到哪里交", "location", None), ("电话打不通，地址在哪", "location", None),  # (told, not asked)
     ("收费吗？要是收费，多少钱", "fee", None), ("多久能办好，我下周要用", "time_limit", None), ("要多久", "time_limit", None),
     ("收费吗", "time_limit", None)],  # (the field answered is not asked in a clause of its own: no second)
)
def test_a_second_fact_asked_in_a_clause_of_its_own(said, field, other) -> None:
    """Two facts asked in one message, each in its own asking clause, are both answered (session 61)."""
    from retrieval.fields import other_field_asked

    assert other_field_asked(said, field) == other


@pytest.mark.parametrize(
    "said, field",
    [("交申请这一步是个啥手续", None), ("跟俺们大人参保是一个手续不", None), ("这个手续叫啥", None),
     ("要办什么手续", "materials"), ("需要哪些手续", "materials")],
)
def test_which_procedure_it_is_asks_no_papers(said, field) -> None:
    from retrieval.fields import detect_field

    assert detect_field(said) == field


def test_odd_jobs_are_flexible_employment(sd_searcher) -> None:
    """打零工 / 打散工 is 灵活就业 in everyday speech (sd_dialogues_helper6: "俺以后在济南打零工，没单位了，
    社保咋自己交" got 单位社会保险登记 alone)."""
    assert sd_searcher.search("打零工的怎么交社保").hits[0].item.name == "灵活就业人员参保登记"



@pytest.mark.parametrize(
    ("said", "asks"),
    [
        ("办完想去拍个结婚纪念照，广州哪家影楼好", True),
        ("咁啱问埋，图书馆附近有冇好食嘅茶楼推介", True),
        ("想种番薯，省农业农村厅今年有推荐的主导品种吗", False),  # what an office recommends: its service
    ],
)
def test_a_recommendation_asked_of_a_business_or_pastime(said: str, asks: bool) -> None:
    assert bool(ASKS_FOR_A_RECOMMENDATION.search(said)) is asks


@pytest.mark.parametrize(
    ("said", "from_an_office"),
    [
        ("给我讲个故事吧", False),
        ("说个故事听听", False),
        ("现在买房划算吗", False),
        ("灵活就业人员社保按哪个档次交划算", True),  # a grade the office sets, not a purchase
        ("故事片拍摄许可怎么办", True),
    ],
)
def test_what_no_office_gives_is_a_story_or_a_purchase_not_a_word_anywhere(said: str, from_an_office: bool) -> None:
    from actions.fallback import NOT_FROM_AN_OFFICE

    assert (NOT_FROM_AN_OFFICE.search(said) is None) is from_an_office


def test_an_office_named_by_what_it_handles_is_the_office_of_a_record_holding_that(gd_searcher) -> None:
    """"公证处喺边" on 已婚（初婚）公证指引: 公证处 is the office of 公证, which the record holds."""
    item = next(i for i in gd_searcher.index.items if i.name.startswith("已婚（初婚）公证指引"))
    assert gd_searcher.coverage("公证处", item) == 1.0
    assert gd_searcher.coverage("派出所", item) == 0.0


def test_an_amount_given_keeps_the_subsidys_words_and_asks_a_document_only_alone() -> None:
    """"补贴几多钱一个月": the asking words go, 补贴 stays to be searched; "能领多少钱，要带啥材料" asks
    the materials too, so no document's cap alone answers it."""
    from actions.documents import asks_amount
    from retrieval.fields import strip_field_cues

    assert "补贴" in strip_field_cues("技能提升补贴多少钱") and "报销" in strip_field_cues("医保报销多少")
    assert asks_amount("每个月能领多少钱") and asks_amount("最多能贷多少")
    assert not asks_amount("能领多少钱，要带啥材料")


@pytest.mark.parametrize(
    ("text", "reworded", "says", "does_not_say"),
    [
        ("我是中学老师，能申诉吗", "我是中学教师,能申诉吗", "教师", ""),  # a synonym inside a longer word
        ("社保卡丢了咋补", "社会保障卡遗失了咋补", "保障卡遗失", "保障"),  # whole words, most of each taken in
        ("个税分期怎么报", "个人所得税分期怎么报", "个人所得税分期", "个人"),  # not a piece of a term swapped in
        ("改革", "改革", "改革", "变更"),  # one character inside a word is no synonym ("改" alone is 变更)
        ("居民身份证在哪办", "居民身份证在哪办", "居民身份证", ""),  # a catalogue term stays itself; 办 is kept
    ],
)
def test_a_text_in_the_catalogues_words_keeps_everything_else(sd_searcher, text, reworded, says, does_not_say) -> None:
    result = sd_searcher.index.lexicon.reword(text, keep=sd_searcher.doing_words)
    assert result.text == reworded
    assert result.says(says)
    assert not does_not_say or not result.says(does_not_say)


def test_a_dictionary_word_ending_in_a_dollar_is_said_only_at_a_clauses_end() -> None:
    """"批了没$" asks progress in "申请了两个星期，批了没有？", not in "护照批了没几天就发现名字错了"."""
    import re

    from retrieval.text import word_pattern

    asked = re.compile(word_pattern("批了没$"))
    assert asked.search("申请了两个星期，批了没有？") and asked.search("批了没呀") and asked.search("批了没")
    assert not asked.search("护照批了没几天就发现名字错了") and not asked.search("批了没多少钱")
    assert word_pattern("进度") == "进度"


def test_a_theme_called_a_one_thing_service_is_found_below_its_part(sd_searcher) -> None:
    """"…一块参保的那个一件事咋弄" asks for the theme, though a part of it leads the hits; "这个一件事…" is the theme under
    discussion, not one the hits find (session 61)."""
    from actions.choices import theme_called_among

    said = "我这算是灵活就业，社保和医保一块参保的那个一件事咋弄"
    found = sd_searcher.search(said, said=said)
    assert found.hits[0].item.type != "主题服务"
    assert theme_called_among(found, sd_searcher).code == "theme-linghuo-jiuye-canbao"
    this_one = sd_searcher.search("这个一件事都包括哪些", said="这个一件事都包括哪些")
    assert theme_called_among(this_one, sd_searcher) is None


@pytest.mark.parametrize("said, points", [("先说开店那个营业执照，要带什么", True), ("那先问问社保那边的事，多久能办好", True),
                                          ("先说一下，我要办那个证", False), ("先说清楚那个事，行吗", False)])
def test_a_matter_taken_up_first_points_back(said, points) -> None:
    """"先说X那个Y，…" takes up an earlier matter again, as "说回…" does (session 61)."""
    from actions.returning import return_pattern

    assert bool(return_pattern().search(said)) is points
