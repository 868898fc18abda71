from rag.answer import NOT_FOUND_ZH, ExtractiveAnswerer
from rag.answer.evidence import has_fact_of_type
from rag.answer.extractive import coverage
from rag.answer.question import DATE, NUMBER, PERSON, PLACE, analyse
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


def test_extractive_picks_the_sentence_with_the_number():
    hits = [_hit("该县加快构筑全民免疫屏障。截至12月2日17时,该县3周岁以上人群已接种39.93万人。")]
    text, answerable, cites = ExtractiveAnswerer(lambda pid: "整段").__call__("景县3周岁以上人群已接种多少人？", hits)
    assert answerable and "39.93万人" in text and text.endswith("[1]")
    assert cites[0].n == 1 and cites[0].text == "整段"


def test_extractive_abstains_when_the_question_is_not_covered():
    hits = [_hit("截至12月2日17时,该县3周岁以上人群已接种39.93万人。")]
    text, answerable, cites = ExtractiveAnswerer(lambda pid: "")("衡水市的GDP是多少？", hits)
    assert not answerable and text == NOT_FOUND_ZH and cites  # closest paragraphs still listed
