from rag.ingest import parse_text
from rag.ingest.segment import opens_paragraph, split_headline

TITLES = [
    "增进福祉 补齐短板",
    "挖掘企业技术难题 推动成果转化落地",
    "景县全力以赴推进疫苗接种工作",
    "涵养底蕴 实战练兵 纾解民忧",
    "谱写富美冀州生态湖城建设新篇章",
]


def test_masthead(sample_parsed):
    issue = sample_parsed.issue
    assert (issue.newspaper, issue.date, issue.weekday, issue.page) == ("衡水日报", "2021-12-03", "星期五", "A1")
    assert issue.slug == "hengshui-daily"


def test_six_articles_and_one_photo(sample_parsed):
    arts = sample_parsed.articles
    assert [a.kind for a in arts].count("photo") == 1
    assert len([a for a in arts if a.kind == "article"]) == 6
    titles = [a.title for a in arts]
    for t in TITLES:
        assert t in titles
    assert "读懂中国" in arts[0].title  # Xinhua report: OCR lost its headline, the title comes from its lead
    assert "全国交通安全日" in arts[2].title and arts[2].kind == "photo"
    assert [a.order for a in arts] == list(range(1, 8))


def test_subtitles_bylines_columns_and_continuation(sample_parsed):
    by_title = {a.title: a for a in sample_parsed.articles}
    assert by_title["增进福祉 补齐短板"].subtitle == "我市筑牢民生保障体系绘就幸福底色"
    assert by_title["增进福祉 补齐短板"].byline == "本报讯(记者冯丽娜)"
    assert by_title["景县全力以赴推进疫苗接种工作"].subtitle.startswith("截至昨日17时")
    assert by_title["涵养底蕴 实战练兵 纾解民忧"].subtitle == "饶阳多措并举锻造过硬队伍"
    interview = by_title["谱写富美冀州生态湖城建设新篇章"]
    assert interview.subtitle == "访冀州区委书记张洪涛"
    assert interview.byline == "本报记者 王斌"
    assert interview.continued_to == "A2"
    assert interview.column == "县市区党政主要负责人访谈"
    assert "(下转A2版)" not in interview.text
    assert sample_parsed.articles[0].byline == "新华社北京12月2日电"
    assert sample_parsed.articles[2].byline == "陈康 摄"


def test_paragraphs_land_in_the_right_article(sample_parsed):
    def article_of(fragment):
        hits = [a.title for a in sample_parsed.articles for p in a.paragraphs if fragment in p.text]
        assert len(hits) == 1, (fragment, hits)
        return hits[0]

    assert article_of("3周岁以上人群已接种39.93万人") == "景县全力以赴推进疫苗接种工作"
    assert article_of("全市志愿者注册总数达到62万人") == "增进福祉 补齐短板"
    assert article_of("发放党史学习资料128套") == "涵养底蕴 实战练兵 纾解民忧"
    assert article_of("培育大健康、新材料、装备制造三大百亿主导产业") == "谱写富美冀州生态湖城建设新篇章"
    assert article_of("李存友介绍有关情况") == "挖掘企业技术难题 推动成果转化落地"
    assert "读懂中国" in article_of("读懂今天的中国,必须读懂中国共产党")
    assert "全国交通安全日" in article_of("图为民警带领小学生参与货车盲区体验")


def test_sentences_cut_by_columns_are_joined(sample_parsed):
    texts = [p.text for a in sample_parsed.articles for p in a.paragraphs]
    assert any("征集技术解决方案132项,共有36家企业与科研院所签订技术合同" in t for t in texts)
    assert any("累计筹集资金6000余万元;特困失能人员集中供养率达到54%" in t for t in texts)
    assert any("截至12月2日17时,该县3周岁以上人群已接种39.93万人" in t for t in texts)
    # ...but a new paragraph after a cut-off one is not glued to it
    assert not any("良好氛全员抓党建" in t for t in texts)


def test_paragraph_counts_and_offsets(sample_parsed):
    counts = {a.title: len(a.paragraphs) for a in sample_parsed.articles}
    assert counts["增进福祉 补齐短板"] == 8
    assert counts["景县全力以赴推进疫苗接种工作"] == 5
    assert counts["挖掘企业技术难题 推动成果转化落地"] == 6
    for a in sample_parsed.articles:
        assert [p.index for p in a.paragraphs] == list(range(1, len(a.paragraphs) + 1))
        for p in a.paragraphs:
            assert a.text[p.start : p.end] == p.text


def test_headline_split():
    assert split_headline("涵养底蕴 实战练兵 纾解民忧 饶阳多措并举锻造过硬队伍") == (
        "涵养底蕴 实战练兵 纾解民忧", "饶阳多措并举锻造过硬队伍")
    assert split_headline("增进福祉 补齐短板") == ("增进福祉 补齐短板", "")
    assert split_headline("景县全力以赴推进疫苗接种工作 截至昨日17时,3周岁以上人群已接种39.93万人")[0] == "景县全力以赴推进疫苗接种工作"


def test_paragraph_openers():
    assert opens_paragraph("全员抓党建,实战练兵提能力。他们聚焦能力提升")
    assert opens_paragraph("习近平指出,当前,世界百年未有之大变局")
    assert not opens_paragraph("力,推进产学研深度合作。")
    assert not opens_paragraph("企业与科研院所签订技术合同,交易额5572.4万元。")


def test_other_pages_and_overrides():
    text = "人民日报\n\n2022年3月5日 星期六\n\n标题一号 标题二号\n\n本报北京3月4日电 (记者张三) 今天,会议召开。\n\n第二段内容在此。"
    parsed = parse_text(text, "/x/renmin-2022-03-05-02.txt", page="2")
    assert parsed.issue.newspaper == "人民日报" and parsed.issue.date == "2022-03-05" and parsed.issue.page == "2"
    assert parsed.articles[0].title == "标题一号 标题二号"
    assert [p.text for p in parsed.articles[0].paragraphs] == ["本报北京3月4日电(记者张三)今天,会议召开。", "第二段内容在此。"]
    assert parse_text(text, "x.txt", newspaper="某报", date="2022-03-06").issue.newspaper == "某报"


def test_markdown_headings_are_headlines():
    md = "# 第一篇标题\n\n正文第一段。\n\n# 第二篇标题\n\n本报讯 正文另一段。"
    parsed = parse_text(md, "x.md", markdown=True)
    assert [a.title for a in parsed.articles] == ["第一篇标题", "第二篇标题"]


def test_a_date_line_ending_in_the_page_is_masthead_not_a_headline():
    from rag.ingest import parse_text

    text = "衡水晚报\n\n2021年12月4日 星期六 B3\n\n滏阳河湿地公园开园\n\n本报讯 滏阳河湿地公园昨日正式开园，园区面积达到1200亩。"
    parsed = parse_text(text, "upload.txt")
    assert (parsed.issue.newspaper, parsed.issue.date, parsed.issue.page) == ("衡水晚报", "2021-12-04", "B3")
    assert [a.title for a in parsed.articles] == ["滏阳河湿地公园开园"]
