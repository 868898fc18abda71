import dataclasses

import pytest

from rag.answer import NOT_FOUND_ZH, ExtractiveAnswerer
from rag.answer.evidence import has_fact_of_type
from rag.answer.extractive import coverage, in_own_words
from rag.answer.question import DATE, NUMBER, PERSON, PLACE, analyse, english_asked, english_counted
from rag.answer.spans import Span, bylines, find_span, names_counted, names_kind
from rag.text.dates import days_named, resolve_relative, years_named
from rag.text.names import home_place
from rag.types import Chunk, Hit


def test_question_types():
    assert analyse("景县3周岁以上人群已接种多少人？").qtype == NUMBER
    assert analyse("冀州区委书记是谁？").qtype == PERSON
    assert analyse("活动在哪里举办？").qtype == PLACE
    assert analyse("发布会是什么时候召开的？").qtype == DATE
    assert analyse("How many people were vaccinated?").qtype == NUMBER


def test_key_terms_drop_question_words_and_keep_local_names():
    assert analyse("景县3周岁以上人群已接种多少人？").terms == ("景县", "3", "周岁", "以上", "人群", "接种")
    assert "衡水湖" in analyse("衡水湖的面积有多大？").terms
    # a preposition after a name is not part of it (jieba splits 饶阳|给)
    q = analyse("饶阳给组工干部发了几套党史读物？")
    assert "饶阳" in q.terms and "饶阳给" not in q.terms and q.entities == ("饶阳",)


def test_the_focus_is_the_term_nearest_the_question_word_and_locatives_stay_apart():
    q = analyse("孩子们在学校打疫苗，学校里设了多少个点？")
    # 学校 is said twice; its second mention is next to 多少. jieba's lone 打 and 里 join nothing.
    assert q.focus[0] == "学校" and "学校里" not in q.terms and "学校打" not in q.terms


def test_fact_types():
    assert has_fact_of_type("已接种39.93万人。", NUMBER)
    assert not has_fact_of_type("全力推进疫苗接种工作。", NUMBER)
    assert has_fact_of_type("截至12月2日17时", DATE)
    assert has_fact_of_type("冀州区委书记张洪涛表示", PERSON)


def test_coverage_weights():
    assert coverage(("景县", "接种"), "景县接种") == 1.0
    assert coverage(("景县", "接种"), "接种") == 0.5
    assert coverage(("景县", "接种"), "接种", wider="景县") == (2 + 0.8 * 2) / 4


def test_coverage_credits_a_piece_of_a_compound_and_numerals_as_digits():
    # 百亿 of 百亿级: the longest piece, 2 of 3 characters, earns 0.8 of that share.
    assert coverage(("百亿级",), "三大百亿主导产业") == pytest.approx(0.8 * 2 / 3)
    assert coverage(("三岁以上",), "3岁以上人群") == 1.0
    assert coverage(("三岁以上",), "三十岁以上") < 1.0


def test_a_local_paper_says_our_city_for_its_own_place():
    assert home_place("衡水日报") == "衡水" and home_place("人民日报") == ""
    assert coverage(("衡水", "低保"), in_own_words("我市低保兜底保障实现15年连增", "衡水日报")) == 1.0
    assert in_own_words("我市低保兜底保障实现15年连增", "人民日报") == "我市低保兜底保障实现15年连增"


def _hit(text: str, article: str = "景县全力以赴推进疫苗接种工作", pid: str = "x/a01/p01") -> Hit:
    c = Chunk(pid, pid, "s", "衡水日报", "2021-12-03", "A1", article, 1, 1, text, f"{article}\n{text}")
    return Hit(chunk=c, score=0.9)


def _answer(question: str, hits: list[Hit]):
    """The answerer over just these hits (each its own paragraph), with no confidence threshold."""
    texts = {h.chunk.paragraph_id: h.chunk.text for h in hits}
    return ExtractiveAnswerer(texts.get, min_confidence=0.0, min_confidence_en=0.0)(question, hits)


PARAGRAPH = "该县加快构筑全民免疫屏障。截至昨日17时,该县3周岁以上人群已接种39.93万人。"


def test_extractive_leads_with_the_short_answer_and_gives_its_offsets():
    hits = [_hit(PARAGRAPH)]
    a = ExtractiveAnswerer(lambda pid: PARAGRAPH)("景县3周岁以上人群已接种多少人？", hits)
    assert a.answerable and a.short_answer == "39.93万人"
    assert a.text.startswith("39.93万人。") and a.text.endswith("[1]")
    c = a.citations[0]
    assert c.n == 1 and c.text == PARAGRAPH
    assert c.text[c.span["start"] : c.span["end"]] == "39.93万人" == c.span["text"]
    assert c.text[c.quote["start"] : c.quote["end"]].startswith("截至昨日17时")


def test_extractive_abstains_when_the_question_is_not_covered():
    hits = [_hit("截至12月2日17时,该县3周岁以上人群已接种39.93万人。")]
    a = ExtractiveAnswerer(lambda pid: "")("衡水市的GDP是多少？", hits)
    assert not a.answerable and a.text == NOT_FOUND_ZH and a.citations  # closest paragraphs still listed
    assert a.short_answer == ""


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("饶阳县委组织部发放党史学习资料多少套？", "发放党史学习资料128套、征订学习书籍37篇。", "128套"),
    ("设镇比例提高到了多少？", "设镇比例由69.3%提高到73.7%。", "73.7%"),
    ("冀州区委书记是谁？", "日前,冀州区委书记张洪涛在接受记者采访时表示。", "张洪涛"),
    ("冀州区培育哪三大百亿主导产业？", "一是抓规划、育产业,培育大健康、新材料、装备制造三大百亿主导产业,深化合作。",
     "大健康、新材料、装备制造"),
    ("北京市民政局同衡水市政府签订了什么协议？", "北京市民政局同衡水市政府签订了《推动京衡合作协议》,搭建平台。", "推动京衡合作协议"),
    ("昨天是第几个全国交通安全日？", "昨天是第十个\"全国交通安全日\",市公安局开展活动。", "第十个"),
    ("交警支队在哪里开展了主题宣传活动？", "市公安局交警支队在市区人民广场开展了主题宣传活动。", "市区人民广场"),
    ("谁带领小学生参与货车盲区体验活动？", "活动中,民警带领小学生参与货车盲区体验活动。", "民警"),
])
def test_short_span_by_question_type(question, sentence, expected):
    span = find_span(analyse(question), sentence)
    assert span is not None and span.text == expected
    assert sentence[span.start : span.end] == expected


def test_english_question_span_uses_unit_and_nearness_to_translated_terms():
    q = analyse("How many Party history study kits did Raoyang hand out?")
    assert q.unit == "套"
    sentence = "发放党史学习资料128套、征订学习书籍37篇。"
    span = find_span(q, sentence, [(2, 4)])  # 党史
    assert span is not None and span.text == "128套"


def test_relative_dates_resolve_against_the_issue_date():
    assert resolve_relative("截至昨日17时", "2021-12-03") == "截至2021年12月2日17时"
    assert resolve_relative("今年", "2021-12-03") == "2021年" and resolve_relative("去年以来", "2021-01-05") == "2020年以来"
    assert resolve_relative("昨日", "") == "昨日"
    assert days_named("12月2日的衡水日报", "2021-12-03") == {"2021-12-02"}
    assert days_named("昨天发生了什么", "2021-12-03") == {"2021-12-02"}


def test_a_sentence_whose_span_contradicts_the_question_does_not_shadow_one_that_answers():
    # The first sentence covers the question's words better, but its number counts people, not points.
    hits = [_hit("景县新冠疫苗接种点已为群众接种3万人。", pid="x/a01/p01"),
            _hit("该县共设置接种点26个，分布在各乡镇。", pid="x/a01/p02")]
    d = _answer("景县设置了多少个新冠疫苗接种点？", hits)
    assert d.answerable and d.short_answer == "26个"


def test_a_sentence_about_another_year_does_not_answer_for_the_asked_one():
    # Both sentences count 技术需求 in 项; only the first speaks of 去年以来 (2020 in a 2021 issue).
    hits = [_hit("今年第六届中国创新挑战赛启动以来,我市挖掘技术需求208项。", article="科技", pid="x/a02/p01"),
            _hit("去年以来,我市通过中国创新挑战赛大赛,挖掘技术需求189项,开展对接洽谈活动120场次。", article="科技", pid="x/a02/p02")]
    # Named as a year, not in the paper's words: only resolving 去年 against the issue date tells them apart.
    assert _answer("2020年以来我市挖掘技术需求多少项？", hits).short_answer == "189项"
    assert _answer("2021年以来我市挖掘技术需求多少项？", hits).short_answer == "208项"
    assert years_named("How many needs since last year?", "2021-12-03") == {2020}
    assert years_named("2019年和今年", "2021-12-03") == {2019, 2021}
    assert years_named("今年", "") == set()  # no issue date: a relative year means nothing


def test_an_english_count_prefers_the_number_followed_by_what_it_counts():
    # "21个乡镇" counts townships; "848个村" counts villages (village -> 村 in the lexicon).
    hits = [_hit("景县完成了21个乡镇农村公墓建设。", pid="x/a01/p01"),
            _hit("景县全县848个村落实包联干部。", pid="x/a01/p02")]
    d = _answer("How many villages are there in Jing County?", hits)
    assert d.answerable and d.short_answer == "848个"


def test_what_is_counted_may_stand_after_the_number_or_before_it():
    def span_of(sentence: str, number: str):
        at = sentence.index(number)
        return Span(at, at + len(number), number, 1.0)

    s = "全市89家养老机构被省评定为星级养老机构"
    assert names_counted(s, span_of(s, "89家"), (("机构",),)) == 1.0  # the head of 养老机构
    s = "完成了21个乡镇中心型农村公益性公墓建设"
    assert names_counted(s, span_of(s, "21个"), (("农村",),)) == 0.0  # a modifier of 公墓, not what is counted
    s = "发放党史学习资料128套"
    assert names_counted(s, span_of(s, "128套"), (("党",), ("资料",))) == 1.0
    s = "开展对接洽谈活动,发放128套"
    assert names_counted(s, span_of(s, "128套"), (("活动",),)) == 0.0  # another clause
    # Of two numbers in one sentence, the one whose noun phrase has the counted phrase's head.
    s = "我市挖掘技术需求208项,征集技术解决方案157项"
    counted = (("技术",), ("解决方案",))  # "technology solutions"
    assert names_counted(s, span_of(s, "208项"), counted) == 0.5
    assert find_span(analyse("How many technology solutions were collected?"), s, [], counted).text == "157项"
    assert find_span(analyse("How many technology solutions were collected?"), s, [], ()).text == "208项"
    assert english_counted("How many elderly care institutions were rated as star-level?") == "elderly care institutions"
    assert english_counted("How many villages are there in Jing County?") == "villages"
    assert english_counted("How many of the villages are there?") == "villages"
    assert analyse("How many Party history study kits did Raoyang hand out?").unit == "套"


def test_a_sum_of_money_is_asked_in_yuan():
    assert analyse("企业与科研院所签订技术合同的交易额是多少？").unit == "元"
    assert analyse("What was the value of the technology contracts signed?").unit == "元"
    assert analyse("景县设置了多少个接种点？").unit == "个"
    sentence = "预计签订技术合同30项,合同交易额达到4000万元左右。"
    assert find_span(analyse("合同交易额是多少？"), sentence).text == "4000万元"


def test_a_list_of_places_ends_with_the_last_place_name():
    q = analyse("Which counties adopted the funeral policy?")
    span = find_span(q, "冀州区、武邑县、深州市实行了全民惠民殡葬政策,其中,武邑县")
    assert span is not None and span.text == "冀州区、武邑县、深州市"


def test_which_counties_wants_counties_not_what_they_own():
    # 冀州区、饶阳县、景县殡仪馆 are funeral homes (the places say whose); 武邑县 is a county.
    homes = "市殡仪馆和冀州区、饶阳县、景县殡仪馆开通了免费网上祭扫通道,代市民表达对故人的哀思。"
    policy = "冀州区、武邑县、深州市实行了全民惠民殡葬政策。"
    assert english_asked("Which counties adopted the free funeral policy for all residents?") == "counties"
    assert english_asked("Which county hospital was rebuilt?") == "county hospital"

    def at(sentence: str, text: str) -> Span:
        return Span(sentence.index(text), sentence.index(text) + len(text), text, 1.0)

    counties = (("县",),)
    assert names_kind(homes, at(homes, "饶阳县"), counties) == 0.0
    assert names_kind(homes, at(homes, "市殡仪馆和冀州区、饶阳县、景县殡仪馆"), counties) == 0.0
    assert names_kind(policy, at(policy, "武邑县"), counties) == 1.0
    # The phrase after a list names its items, past a count: 三大百亿主导产业 are industries.
    plan = "一是抓规划、育产业,培育大健康、新材料、装备制造三大百亿主导产业,深化合作"
    industries = (("主导",), ("产业",))
    assert names_kind(plan, at(plan, "大健康、新材料、装备制造"), industries) == 1.0
    q = analyse("Which three leading industries is Jizhou District developing?")
    assert q.wh_count == 3 and find_span(q, plan, [], industries).text == "大健康、新材料、装备制造"
    # The free-of-charge sentence is the closer in meaning and words; the counties' one answers.
    d = _answer("Which counties adopted the free funeral policy for all residents?",
                [_hit(homes, pid="x/a01/p01"), _hit(policy, pid="x/a01/p02")])
    assert d.answerable and "武邑县" in d.short_answer and d.citations[0].text == policy


def test_which_association_takes_the_whole_name_ending_in_it():
    s = "市民政局与北京老年福利智能服务应用协会签订了合作协议,共建养老服务平台。"
    q = analyse("Which association signed the cooperation agreement with the civil affairs bureau?")
    span = find_span(q, s, [], (("协会",),))
    assert span is not None and span.text == "北京老年福利智能服务应用协会"
    assert find_span(q, s, [], ()).text != span.text  # without what is asked for, a shorter place wins


def test_a_share_is_asked_in_per_cent():
    assert analyse("What share of villages have been renovated?").unit == "%"
    assert analyse("设镇比例提高到了多少？").unit == "%"
    assert analyse("特困失能人员集中供养率达到多少？").unit == "%"
    s = "全县40个村完成了改造,占全部村的35.5％。"
    q = analyse("What share of villages have been renovated?")
    near = [(s.index("村"), s.index("村") + 1), (s.index("改造"), s.index("改造") + 2)]  # village, renovate
    assert find_span(q, s, near).text == "35.5％"
    assert find_span(dataclasses.replace(q, unit=""), s, near).text == "40个"  # the count nearer the words


def test_a_long_sentence_is_also_compared_by_the_clauses_around_its_answer():
    from rag.answer.extractive import Unit, _window

    s = "去年以来,我市通过创新挑战赛,挖掘技术需求189项,开展对接洽谈活动120场次,对接科研机构63家,征集技术解决方案132项"
    u = Unit(s, _hit(s), 0, span=Span(s.index("63家"), s.index("63家") + 3, "63家", 1.0))
    assert _window(u) == "开展对接洽谈活动120场次,对接科研机构63家,"
    short = Unit("对接科研机构63家。", _hit(s), 0, span=Span(6, 9, "63家", 1.0))
    assert _window(short) == short.text


def test_an_english_question_naming_a_place_wants_an_article_about_it():
    # "Raoyang County" is a name (capitalised, CC-CEDICT's 饶阳县): a Jing County report does not answer
    # for it, however well its sentence matches, as 景县 in a Chinese question would not be answered by 饶阳.
    sentence = "该县设置了26个新冠疫苗接种点。"
    question = "How many vaccination sites does Raoyang County have?"
    other = _answer(question, [_hit(sentence, article="景县全力以赴推进疫苗接种工作")])
    named = _answer(question, [_hit(sentence, article="饶阳县全力以赴推进疫苗接种工作")])
    assert other.features["entities"] == 0.0 and named.features["entities"] == 1.0
    assert named.confidence - other.confidence >= 0.4  # the entity weight, and 饶阳 counts as context
    # A city-wide report names counties in passing: its paragraph saying 景县殡仪馆 does not make the
    # city's 62万 volunteers Jing County's (half), its sentence or headline naming 景县 would (whole).
    sentence = "全市志愿者注册总数达到62万人。"
    paragraph = "市殡仪馆和冀州区、饶阳县、景县殡仪馆开通了免费网上祭扫通道;" + sentence
    question = "How many volunteers are registered in Jing County?"

    def entities(headline: str) -> float:
        hit = _hit(sentence, article=headline)
        answerer = ExtractiveAnswerer({hit.chunk.paragraph_id: paragraph}.get, min_confidence=0.0, min_confidence_en=0.0)
        return answerer(question, [hit]).features["entities"]

    assert entities("我市筑牢民生保障体系") == 0.5
    assert entities("景县志愿服务工作纪实") == 1.0


def test_a_title_a_frequency_and_a_reporter_are_found_when_asked_for():
    tv = "同时,举办了全国民政救助认亲会,中央电视台《等着我》栏目进行了专门报道。"
    q = analyse("Which TV programme reported on the national civil affairs family reunion event?")
    assert q.wants == "title" and find_span(q, tv, []).text == "等着我"
    assert find_span(dataclasses.replace(q, wants=""), tv, []).text == "中央电视台"  # a place, without the rule
    assert analyse("中央电视台哪个栏目进行了专门报道？").wants == "title"
    assert analyse("北京市民政局同衡水市政府签订了什么协议？").wants == "title"

    duty = "坚持每周开展1次常规督查、每月参加1次支委会。"
    q = analyse("How often do Raoyang's organisation cadres carry out routine inspections?")
    near = [(duty.index("督查"), duty.index("督查") + 2)]  # inspection
    assert q.wants == "frequency" and find_span(q, duty, near).text == "每周"
    assert find_span(dataclasses.replace(q, wants=""), duty, near).text == "1次"
    assert analyse("饶阳县组工干部多久参加一次支委会？").qtype == NUMBER

    lead = "本报讯(记者冯丽娜)近年来,我市以项目建设补齐基础设施短板,逐年加大民生保障领域投入。"
    for question in ("Who reported on the city's social security system?", "这篇报道的记者是谁？"):
        q = analyse(question)
        assert q.wants == "byline" and find_span(q, lead, []).text == "冯丽娜", question
    two = "本报讯 (范慧乔、纪京京) 近期,饶阳县委组织部以党史学习教育为契机。"
    assert [two[s:e] for s, e, _ in bylines(two)] == ["范慧乔", "纪京京"]
    # a question about someone else, or about a book's author, is not asking for the reporter
    assert analyse("景县县长是谁？").wants == ""
    assert analyse("九命奇冤的作者是谁？").wants == "" and analyse("Who wrote the novel?").wants == ""

    q = analyse("Which anniversary of the founding of the Communist Party of China is this year?")
    assert q.qtype == NUMBER and q.unit == "周年"
    assert find_span(q, "今年是中国共产党成立100周年,也是第十个交通安全日。", []).text == "100周年"


def test_a_count_is_not_answered_by_a_year_and_a_plan_not_by_what_was_done():
    q = analyse("长江江豚种群数量是多少？")
    s = "2022年长江江豚科学考察结果显示，长江江豚种群数量为1249头，比2017年增加237头。"
    assert find_span(q, s).text == "1249头"  # 头 counts animals; 2017年 is when, not how many
    done_and_planned = "活动现场签约技术合同36项，预计全年签约技术合同30项以上。"
    assert find_span(analyse("签约了多少项技术合同？"), done_and_planned).text == "36项"
    assert find_span(analyse("预计签约多少项技术合同？"), done_and_planned).text == "30项"
    # 科技计划 names a programme: "the science and technology plan" does not ask for a plan
    programme = "市级科技计划对25个项目给予财政资金支持493万元,撬动社会资金5176万元。"
    assert find_span(analyse("市级科技计划撬动社会资金多少万元？"), programme).text == "5176万元"


def test_a_quote_is_said_by_the_speaker_named_after_it():
    quote = ('"我们将实施\'产业强区、农业富区、商贸活区、文化兴区、生态立区\'五大战略,为打造幸福之城贡献力量。"'
             "日前,冀州区委书记张洪涛在接受记者采访时表示。")
    question = "张洪涛提出了哪五大战略？"
    d = _answer(question, [_hit(quote, pid="x/a07/p01")])
    assert d.answerable and d.short_answer == "产业强区、农业富区、商贸活区、文化兴区、生态立区"
    unattributed = _answer(question, [_hit(quote.split("日前")[0], pid="x/a07/p01")])
    assert d.confidence > unattributed.confidence + 0.05  # the speaker's name counts as said in the quote


def test_another_year_or_edition_than_asked_does_not_answer():
    def confidence(question: str, text: str, date: str = "2019-02-15") -> float:
        c = Chunk("x/a01/p01", "x/a01/p01", "s", "人民日报", date, "1", "外贸", 1, 1, text, text)
        return ExtractiveAnswerer(lambda pid: text, min_confidence=0.0)(question, [Hit(chunk=c, score=0.9)]).confidence

    trade = "1月份，我国货物贸易进出口总值2.73万亿元人民币，同比增长8.7%。"
    # A February 2019 issue's 1月份 is 2019's January (or 2018's), not 2020's.
    assert confidence("2020年1月我国货物贸易进出口总值是多少？", trade) < confidence("2019年1月我国货物贸易进出口总值是多少？", trade) - 0.1
    games = "第七届世界军人运动会开幕式10月18日晚20时在武汉体育中心举行。"
    assert confidence("第八届世界军人运动会在哪里举行？", games) < confidence("第七届世界军人运动会在哪里举行？", games) - 0.2
    forum = "2019中关村论坛于10月16日至18日在北京举行，共邀请国内外业界嘉宾约1200人与会。"
    assert confidence("2018年中关村论坛共有多少嘉宾与会？", forum, "2019-10-18") < \
        confidence("2019年中关村论坛共有多少嘉宾与会？", forum, "2019-10-18") - 0.1


def test_a_sum_of_money_is_not_answered_by_an_ordinal():
    q = analyse("杨鼎新夺得LG杯冠军获得了多少奖金？")
    assert q.unit == "元"
    span = find_span(q, "2019年2月，杨鼎新夺得第二十三届LG杯世界围棋棋王战冠军，终于梦想成真。")
    assert span is None or not span.fits


@pytest.mark.parametrize("question, english", [
    ("How many people in Jing County had been vaccinated?", True),
    ("Which articles dealt with media convergence (媒体融合)?", True),  # a Chinese term quoted in English
    ("What did 习近平 say in his letter to 北京大学?", True),
    ("iPhone 13发布会在哪里举行？", False),  # a product name opening a Chinese question
    ("COVID-19疫苗接种了多少人？", False),
    ("景县3周岁以上人群已接种多少人？", False),
])
def test_one_definition_of_a_question_asked_in_english(question, english):
    from rag.text.cjk import asked_in_english

    assert asked_in_english(question) is english


def test_a_question_for_a_sum_of_money_is_not_answered_with_a_time_or_a_rank():
    rank = _hit("2018年我国服务出口额继续保持世界第二位。", "服务贸易")
    d = _answer("2018年我国服务出口额是多少？", [rank])
    assert not d.answerable and d.features["not_kind_asked"] == "第二位"
    paid = _hit("苏炳添以6秒49夺得男子60米冠军，获得奖金1万美元。", "苏炳添夺冠")
    d = _answer("苏炳添夺得男子60米冠军，获得了多少奖金？", [paid])
    assert d.answerable and "1万美元" in d.short_answer
    from rag.answer.evidence import asks_for_money, names_money
    assert asks_for_money("2018年我国服务出口额是多少？") and not asks_for_money("2018年我国有多少人出境旅游？")
    assert names_money("17658亿元") and names_money("约4亿元人民币") and names_money("22.1万亿元")
    assert names_money("数亿元") and names_money("人民币5000万")
    assert not names_money("第二位") and not names_money("6秒49")
    # Shares, quotas and investors are not sums of money.
    assert not any(asks_for_money(q) for q in ("市场份额是多少？", "招生名额有多少？", "有多少投资者参会？", "投资多少个项目？"))
