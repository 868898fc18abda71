"""Answer kinds beyond one fact: recognised from the question, answered from a small archive built here."""

import pytest

from rag.answer.kinds import KindAnswerer, kind_of
from rag.config import Settings
from rag.index import Index, update_index
from rag.ingest import parse_file, parse_text
from rag.retrieve import HybridRetriever
from rag.retrieve.scope import filters_from_question


@pytest.mark.parametrize("question, kind", [
    ("2019年2月1日人民日报头版有哪些新闻？", "overview"),
    ("10月9日人民日报第3版报道了什么？", "overview"),
    ("今天的报纸讲了什么？", "overview"),
    ("这期报纸有哪些新闻", "overview"),
    ("What was on the front page of People's Daily on January 20?", "overview"),
    ("What did page 15 of People's Daily report on February 26, 2019?", "overview"),
    ("关于中缅关系的那篇时评主要讲了什么？", "gist"),
    ("概括一下关于新一届国乒教练组的报道。", "gist"),
    ("Summarize the article about the opening of the Games.", "gist"),
    ("最近关于脱贫攻坚的报道有哪些？", "reports"),
    ("1月有哪些关于春运的文章？", "reports"),
    ("最近人民日报“权威发布”栏目刊登了哪些文章？", "reports"),
    ("Which articles belonged to the “新春走基层” (grassroots) series?", "reports"),
    ("Which articles dealt with media convergence?", "reports"),
    ("习近平在贺电中指出了什么？", "said"),
    ("What did the spokesman say in his statement?", "said"),
    ("What did Xi Jinping say about understanding today's China?", "fact"),
    ("衡水湖的候鸟为什么增多？", "why"),
    ("网络支付快速增长背后的原因是什么？", "why"),
    ("黄坤明把媒体融合称为什么？", "fact"),  # 称为 + 什么, not 为什么
    # facts stay facts
    ("景县3周岁以上人群接种了多少剂次疫苗？", "fact"),
    ("冀州区委书记是谁？", "fact"),
    ("习近平在会见巴赫时强调，要为世界呈现一届怎样的冬奥会？", "fact"),
    ("头版那篇报道里，景县接种了多少人？", "fact"),
    ("How many volunteers registered in Hengshui?", "fact"),
])
def test_each_question_goes_to_its_kind(question, kind):
    assert kind_of(question) == kind


def _page(date: str, page: str, articles: list[tuple[str, list[str]]]) -> str:
    y, m, d = date.split("-")
    lines = [f"衡水日报 {int(y)}年{int(m)}月{int(d)}日 星期五 第{page}版", ""]
    for title, paras in articles:
        lines += [title, ""] + [p + "\n" for p in paras]
    return "\n".join(lines)


PAGES = {
    ("2021-12-03", "1"): [
        ("全市疫苗接种工作稳步推进", ["本报讯（记者王明）全市新冠疫苗接种工作稳步推进，已累计接种三百万剂次。",
                                 "各县市区设立临时接种点一百二十个，方便群众就近接种。"]),
        ("冀州区召开经济工作会议", ["本报讯（记者李华）冀州区委书记张洪涛在会上提出实施五大战略。",
                                "他表示，要把产业强区放在首位，推动经济高质量发展。"]),
    ],
    ("2021-12-03", "2"): [
        ("衡水湖湿地迎来越冬候鸟", ["本报讯（记者赵雪）入冬以来，衡水湖湿地迎来大批越冬候鸟，数量超过两万只。",
                                "保护区工作人员每天巡护，监测候鸟的种类和数量。",
                                "专家指出，湿地生态持续向好是候鸟增多的主要原因。",
                                "今年保护区新建观鸟平台三处，吸引了众多市民前来观赏。",
                                "保护区还开展了候鸟保护宣传进社区活动，发放宣传材料五千份。",
                                "市民李先生说，每年冬天都会带孩子来看候鸟。"]),
    ],
    ("2021-12-10", "1"): [
        ("衡水湖候鸟数量创新高", ["本报讯（记者赵雪）衡水湖湿地越冬候鸟数量创下新高，达到三万只。",
                               "专家表示，候鸟保护成效显著。"]),
    ],
    ("2021-12-03", "3"): [
        ("企业用工需求旺盛（权威发布）", ["本报讯 市人社局发布数据，前三季度全市新增就业岗位两万个。"]),
        ("群众办事更方便了", ["本报讯 全市政务服务大厅推行一窗通办，权威发布的数据显示办件时间缩短一半。"]),
    ],
    ("2021-12-10", "2"): [
        ("全市粮食产量再创新高（权威发布）", ["本报讯 市统计局发布数据，今年全市粮食总产量达到九十亿斤。"]),
    ],
}


@pytest.fixture
def archive(tmp_path, fake_encoder):
    issues = [parse_text(_page(date, page, arts), f"hengshui-{date}-{page}.txt", f"h-{date}-{page}")
              for (date, page), arts in PAGES.items()]
    update_index(tmp_path / "idx", issues, fake_encoder)
    index = Index.open(tmp_path / "idx")
    retriever = HybridRetriever(index=index, encoder=fake_encoder, settings=Settings().retrieval, k=10)
    kinds = KindAnswerer(index, retriever.search, fake_encoder)

    def ask(question: str):
        filters = filters_from_question(question, index.issues())
        return kinds(question, retriever.search(question, 10, filters or None), filters)

    return index, ask


def test_a_page_overview_lists_every_article_of_that_page_with_its_citation(archive):
    index, ask = archive
    d = ask("2021年12月3日衡水日报头版有哪些新闻？")
    assert d.answerable and d.features["kind"] == "overview"
    assert "全市疫苗接种工作稳步推进" in d.text and "冀州区召开经济工作会议" in d.text
    assert "衡水湖湿地迎来越冬候鸟" not in d.text  # page 2
    assert [(c.date, c.page, c.article) for c in d.citations] == [
        ("2021-12-03", "1", "全市疫苗接种工作稳步推进"), ("2021-12-03", "1", "冀州区召开经济工作会议")]
    assert "已累计接种三百万剂次" in d.text  # each with a line of its lead, without the dateline
    assert "本报讯" not in d.text


def test_an_issue_overview_without_a_date_takes_the_newest_issue_page_by_page(archive):
    index, ask = archive
    d = ask("这期报纸有哪些新闻？")
    assert "2021年12月10日" in d.text and "衡水湖候鸟数量创新高" in d.text
    assert "全市疫苗接种" not in d.text
    d = ask("What was on page 2 of Hengshui Daily on December 3, 2021?")
    assert d.answerable and [c.article for c in d.citations] == ["衡水湖湿地迎来越冬候鸟"]
    assert "page 2" in d.text


def test_a_page_that_is_not_indexed_is_said_so(archive):
    _, ask = archive
    d = ask("2021年12月3日衡水日报第9版报道了什么？")
    assert not d.answerable and not d.citations


def test_reports_on_a_topic_come_newest_first_and_hold_the_topic(archive):
    _, ask = archive
    d = ask("关于衡水湖候鸟的报道有哪些？")
    assert d.features["kind"] == "reports"
    assert [(c.date, c.article) for c in d.citations] == [
        ("2021-12-10", "衡水湖候鸟数量创新高"), ("2021-12-03", "衡水湖湿地迎来越冬候鸟")]
    assert "疫苗" not in d.text


def test_a_columns_articles_are_those_its_tag_heads_newest_first(archive):
    _, ask = archive
    d = ask("最近衡水日报“权威发布”栏目刊登了哪些文章？")
    assert d.features["kind"] == "reports" and d.features["column"] == "权威发布"
    # The article that only mentions the words is not the column's.
    assert [(c.date, c.article.split("（")[0]) for c in d.citations] == [
        ("2021-12-10", "全市粮食产量再创新高"), ("2021-12-03", "企业用工需求旺盛")]
    assert "《全市粮食产量再创新高（权威发布）》" in d.text and "群众办事" not in d.text
    assert ask("最近衡水日报“今日谈”栏目有哪些文章？") is None  # no such column: left to the fact answerer


def test_a_gist_is_a_few_cited_sentences_of_one_article_in_its_order(archive):
    index, ask = archive
    d = ask("关于衡水湖湿地越冬候鸟的那篇报道主要讲了什么？")
    assert d.features["kind"] == "gist"
    assert {c.article for c in d.citations} == {"衡水湖湿地迎来越冬候鸟"}
    body = d.text.split("主要讲：", 1)[1]
    sentences = [s for s in body.replace("]", "]\n").splitlines() if s.strip()]
    assert 3 <= len(sentences) <= 5
    article = index.article_text(d.citations[0].chunk_id)
    positions = [article.find(s.rsplit("[", 1)[0]) for s in sentences]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert all(c.quote and c.quote["text"] in c.text for c in d.citations)


def test_what_someone_said_quotes_their_attributed_sentences(archive):
    _, ask = archive
    d = ask("张洪涛在经济工作会议上表示了什么？")
    assert d.features["kind"] == "said"
    assert "产业强区" in d.text or "五大战略" in d.text
    assert d.citations[0].article == "冀州区召开经济工作会议"


def test_why_is_answered_with_the_sentence_that_gives_the_reason(archive):
    _, ask = archive
    d = ask("衡水湖湿地的越冬候鸟为什么增多？")
    assert d.answerable and d.features["kind"] == "why"
    assert "湿地生态持续向好" in d.text and "湿地生态持续向好" in d.short_answer
    assert d.citations[0].article == "衡水湖湿地迎来越冬候鸟"
    assert d.citations[0].quote["text"] in d.citations[0].text


def test_why_about_something_the_issues_do_not_hold_is_left_to_the_fact_answerer(archive):
    _, ask = archive
    assert ask("衡水湖为什么禁止夜间钓鱼？") is None


def test_facts_are_left_to_the_fact_answerer(archive):
    _, ask = archive
    assert ask("衡水湖湿地的候鸟数量超过多少只？") is None


def test_an_overview_cites_the_paragraph_its_lead_line_quotes(tmp_path, fake_encoder):
    """A first paragraph too short to read as a lead (a label) is passed over, and the citation goes
    with the line shown."""
    f = tmp_path / "people-daily" / "20211217" / "20211217-03-01.txt"  # one article a file, as crawls keep them
    f.parent.mkdir(parents=True)
    f.write_text("\r\n冬季长跑活动启动\r\n\r\n\u3000\u3000图为起跑现场。\r\n"
                 "\u3000\u3000本报讯（记者孙悦）全市冬季长跑活动昨日启动，两万人参加。\r\n", encoding="utf-8")
    update_index(tmp_path / "idx", [parse_file(f)], fake_encoder)
    index = Index.open(tmp_path / "idx")
    retriever = HybridRetriever(index=index, encoder=fake_encoder, settings=Settings().retrieval, k=10)
    question = "2021年12月17日人民日报第3版报道了什么？"
    filters = filters_from_question(question, index.issues())
    d = KindAnswerer(index, retriever.search, fake_encoder)(question, [], filters)
    assert "全市冬季长跑活动昨日启动" in d.text
    (cite,) = d.citations
    assert cite.paragraph == 2 and cite.quote and cite.quote["text"] == "全市冬季长跑活动昨日启动，两万人参加。"


def test_an_overview_prints_a_headline_with_its_column_tag(tmp_path, fake_encoder):
    """The headline as the page prints it: 冬训见闻（新春走基层）, not the headline without its series."""
    day = tmp_path / "people-daily" / "20211218"
    day.mkdir(parents=True)
    (day / "20211218-04-01.txt").write_text("\r\n冬训场上的年轻人（新春走基层）\r\n\r\n"
                                            "\u3000\u3000本报记者孙悦走访了三支冬训队伍，听队员讲训练。\r\n", encoding="utf-8")
    (day / "20211218-04-02.txt").write_text("\r\n河道治理见成效\r\n\r\n"
                                            "\u3000\u3000全市今年治理河道一百二十公里，水质持续好转。\r\n", encoding="utf-8")
    update_index(tmp_path / "idx", [parse_file(f) for f in sorted(day.iterdir())], fake_encoder)
    index = Index.open(tmp_path / "idx")
    retriever = HybridRetriever(index=index, encoder=fake_encoder, settings=Settings().retrieval, k=10)
    question = "2021年12月18日人民日报第4版报道了什么？"
    d = KindAnswerer(index, retriever.search, fake_encoder)(question, [], filters_from_question(question, index.issues()))
    assert "[1] 冬训场上的年轻人（新春走基层）" in d.text
    assert "[2] 河道治理见成效 —" in d.text
    assert [c.article for c in d.citations] == ["冬训场上的年轻人", "河道治理见成效"]


def test_a_reason_told_in_the_next_sentences_comes_with_the_sentence_it_explains(tmp_path, fake_encoder):
    f = tmp_path / "people-daily" / "20211217" / "20211217-05-01.txt"
    f.parent.mkdir(parents=True)
    f.write_text("\r\n老果农的新账本\r\n\r\n"
                 "\u3000\u30002015年，王大山带着合作社的苹果去省城参加展销会。苹果很受欢迎，订单却没敢接。"
                 "“那年冰雹多，产量跟不上，怕误了人家的事。”如今果园装上了防雹网。\r\n", encoding="utf-8")
    update_index(tmp_path / "idx", [parse_file(f)], fake_encoder)
    index = Index.open(tmp_path / "idx")
    retriever = HybridRetriever(index=index, encoder=fake_encoder, settings=Settings().retrieval, k=10)
    question = "王大山的苹果在展销会上很受欢迎，为什么订单却没敢接？"
    d = KindAnswerer(index, retriever.search, fake_encoder)(question, retriever.search(question, 10), None)
    assert d.features["kind"] == "why"
    assert "订单却没敢接" in d.text and "产量跟不上" in d.text  # the sentence asked about, then its reason
    assert "防雹网" not in d.text
    (cite,) = d.citations
    assert cite.quote["text"] == "苹果很受欢迎，订单却没敢接。“那年冰雹多，产量跟不上，怕误了人家的事。”"


class _Words:
    """An encoder that sees only which of a few words a text holds: enough to tell articles apart."""

    WORDS = ("黄河", "泥沙", "治理", "速览", "春运", "铁路")

    def _vec(self, text):
        import numpy as np
        v = np.array([float(w in text) for w in self.WORDS]) + 1e-3
        return v / np.linalg.norm(v)

    def encode_queries(self, texts):
        return [self._vec(t) for t in texts]

    def encode_passages(self, texts, progress=False):
        return [self._vec(t) for t in texts]


def test_a_gists_article_is_the_one_whose_headline_and_lead_match_not_a_passing_mention():
    from rag.answer.kinds.context import Context
    from rag.answer.kinds.gist import the_article
    from rag.types import Chunk, Hit

    def chunk(src, order, article, text):
        return Chunk(f"{src}/p01", f"{src}/p01", src, "人民日报", "2019-10-18", "2", article, order, 1, text, text)

    brief = chunk("a", 1, "速览", "春运铁路售票开始。黄河泥沙治理取得进展。")
    report = chunk("b", 2, "黄河泥沙治理见成效", "本报讯 黄河泥沙治理见成效，入黄泥沙明显减少。")
    articles = {c.paragraph_id: [c] for c in (brief, report)}

    class _Index:
        def article_chunks(self, pid):
            return articles[pid]

    hits = [Hit(brief, 0.9), Hit(report, 0.8)]
    ctx = Context(index=_Index(), search=lambda *a: hits, encoder=_Words(), hits=hits)
    assert the_article("黄河泥沙治理", hits, ctx) is report
    # Without an encoder, the article retrieval ranks first.
    assert the_article("黄河泥沙治理", hits, Context(index=_Index(), search=lambda *a: hits, encoder=None, hits=hits)) is brief


def test_a_longer_article_gives_a_longer_gist():
    from rag.answer.kinds.gist import how_many
    assert [how_many(n) for n in (3, 5, 6, 12, 13, 40)] == [3, 3, 4, 4, 5, 5]

