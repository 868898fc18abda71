import pytest

from rag.answer import NOT_FOUND_ZH, ExtractiveAnswerer
from rag.answer.dates import days_named, resolve_relative
from rag.answer.evidence import has_fact_of_type
from rag.answer.extractive import coverage
from rag.answer.question import DATE, NUMBER, PERSON, PLACE, analyse
from rag.answer.spans import find_span
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


def test_fact_types():
    assert has_fact_of_type("已接种39.93万人。", NUMBER)
    assert not has_fact_of_type("全力推进疫苗接种工作。", NUMBER)
    assert has_fact_of_type("截至12月2日17时", DATE)
    assert has_fact_of_type("冀州区委书记张洪涛表示", PERSON)


def test_coverage_weights():
    assert coverage(("景县", "接种"), "景县接种") == 1.0
    assert coverage(("景县", "接种"), "接种") == 0.5
    assert coverage(("景县", "接种"), "接种", wider="景县") == (2 + 0.8 * 2) / 4


def _hit(text: str, article: str = "景县全力以赴推进疫苗接种工作", pid: str = "x/a01/p01") -> Hit:
    c = Chunk(pid, pid, "s", "衡水日报", "2021-12-03", "A1", article, 1, 1, text, f"{article}\n{text}")
    return Hit(chunk=c, score=0.9)


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
    texts = {h.chunk.paragraph_id: h.chunk.text for h in hits}
    d = ExtractiveAnswerer(texts.get, min_confidence=0.0)("景县设置了多少个新冠疫苗接种点？", hits)
    assert d.answerable and d.short_answer == "26个"
