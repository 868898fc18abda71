"""The span reader: windows and spans by hand, and the shipped weights reading known answers."""

import numpy as np
import pytest

from embeddings.reader import READER_WEIGHTS, ReaderConfig, Windows, best_spans
from rag.answer.reading import Reading, read_hits, sentence_around
from rag.types import Chunk, Hit


def test_the_best_span_is_the_highest_start_and_end_over_all_windows():
    text = "甲乙丙丁戊己"
    # Two windows of one paragraph: tokens 1-3 cover 甲乙丙 / 丙丁戊, token 0 is "no answer".
    wins = Windows(input_ids=[[0, 1, 2, 3], [0, 1, 2, 3]], passage_of=[0, 0],
                   offsets=[[None, (0, 1), (1, 2), (2, 3)], [None, (2, 3), (3, 4), (4, 5)]])
    start = np.array([[1.0, 0.0, 2.0, 0.0], [0.5, 0.0, 3.0, 0.0]])
    end = np.array([[1.0, 0.0, 0.0, 2.0], [0.5, 0.0, 0.0, 3.0]])
    (span,) = best_spans(start, end, wins, [text], max_answer=30)
    assert (span.text, span.start, span.end) == ("丁戊", 3, 5)
    assert span.score == 6.0 and span.null == 1.0 and span.margin == 5.0


def test_a_span_never_ends_before_it_starts_nor_runs_past_the_longest_answer():
    wins = Windows(input_ids=[[0, 1, 2, 3]], passage_of=[0], offsets=[[None, (0, 1), (1, 2), (2, 3)]])
    start = np.array([[0.0, 0.0, 0.0, 5.0]])
    end = np.array([[0.0, 4.0, 0.0, 0.0]])
    (span,) = best_spans(start, end, wins, ["甲乙丙"], max_answer=30)
    assert span.start <= span.end and span.text in ("丙", "甲", "甲乙丙")
    (short,) = best_spans(np.array([[0.0, 5.0, 0.0, 0.0]]), np.array([[0.0, 0.0, 0.0, 5.0]]), wins, ["甲乙丙"],
                          max_answer=2)
    assert len(short.text) <= 2


def test_the_sentence_around_a_span_is_the_one_that_holds_it():
    text = "全市召开会议。景县已接种39.93万人，进展顺利。下一步继续推进。"
    at = text.index("39.93万人")
    sentence, start = sentence_around(text, at, at + 7)
    assert sentence == "景县已接种39.93万人，进展顺利。" and text[start:].startswith(sentence)


class _Fixed:
    """A reader that reads the same span (by its text) in every paragraph that has it."""

    def __init__(self, answer: str, score: float):
        self.answer, self.score = answer, score

    def read(self, question, passages):
        from embeddings.reader import ReadSpan

        out = []
        for i, p in enumerate(passages):
            at = p.find(self.answer)
            out.append(ReadSpan(i, at, at + len(self.answer), self.answer, self.score + i, 0.0) if at >= 0 else None)
        return out


def _hit(text: str, n: int) -> Hit:
    c = Chunk(f"x/a0{n}/p01", f"x/a0{n}/p01", "x", "衡水日报", "2021-12-03", "A1", "标题", n, 1, text, text)
    return Hit(chunk=c, score=1.0 - 0.1 * n)


def test_readings_come_likeliest_first_with_their_sentence():
    hits = [_hit("甲地有一百人。", 1), _hit("乙地有一百人。另说二百人。", 2), _hit("丙地无数据。", 3)]
    readings, scored = read_hits(_Fixed("一百人", 1.0), "有多少人？", hits, k=3, also=[(2, 0, 2)])
    assert scored == [None]  # a reader that only reads has no score for other spans
    assert [r.rank for r in readings] == [1, 0]
    assert isinstance(readings[0], Reading) and readings[0].sentence == "乙地有一百人。"
    assert readings[0].span().start == readings[0].sentence.index("一百人")


@pytest.mark.slow
def test_the_shipped_reader_reads_known_answers(settings_e5):
    from embeddings import load_reader

    assert READER_WEIGHTS.is_file(), "the reader's weights ship with newsqa (embeddings/weights)"
    reader = load_reader(settings_e5.model_cache)
    assert reader.config == ReaderConfig.load()
    assert reader._opened is None, "the session opens on the first question that needs it, not at load"
    cases = [
        ("景县3周岁以上人群已接种多少人？", "本报讯(记者李晨阔)截至12月2日17时,景县3周岁以上人群已接种39.93万人。", "39.93万"),
        ("冀州区委书记是谁？", "冀州区委书记张洪涛在会上提出，要实施五大战略，推动经济高质量发展。", "张洪涛"),
        ("How many people in Jing County had been vaccinated?", "截至12月2日17时,景县3周岁以上人群已接种39.93万人。", "39.93万"),
    ]
    for question, passage, answer in cases:
        (span,) = reader.read(question, [passage])
        assert answer in span.text and len(span.text) <= len(answer) + 4, (question, span)
        assert span.margin > 0
    (none,) = reader.read("衡水湖的面积有多大？", ["冀州区委书记张洪涛在会上提出，要实施五大战略。"])
    assert none is None or none.margin < 0
    assert reader._opened is not None


class _Counting(_Fixed):
    """A fixed reader that counts how often it is asked."""

    calls = 0

    def read(self, question, passages):
        type(self).calls += 1
        return super().read(question, passages)


def test_the_rules_answer_alone_where_they_are_sure_and_the_reader_only_where_they_are_not():
    from rag.answer import ExtractiveAnswerer

    text = "截至12月2日17时，景县3周岁以上人群已接种39.93万人。"
    hits = [_hit(text, 1)]
    reader = _Counting("39.93万人", 20.0)
    sure = ExtractiveAnswerer(lambda pid: text, min_confidence=0.0, reader=reader)("景县3周岁以上人群已接种多少人？", hits)
    assert sure.answerable and sure.short_answer == "39.93万人" and reader.calls == 0
    assert "source" not in sure.features
    # The rules never sure: the reader's span answers, cited in its sentence, with the blend's confidence.
    unsure = ExtractiveAnswerer(lambda pid: text, min_confidence=9.0, min_reader_confidence=0.0,
                                reader=reader)("景县三岁以上打过疫苗的有多少人？", hits)
    assert reader.calls == 1
    assert unsure.answerable and unsure.short_answer == "39.93万人", unsure.answer
    assert unsure.citations[0].span["text"] == "39.93万人" and "rules_best" in unsure.features
    # Neither sure enough: an honest "not found".
    none = ExtractiveAnswerer(lambda pid: text, min_confidence=9.0, min_reader_confidence=1.0,
                              reader=reader)("景县三岁以上打过疫苗的有多少人？", hits)
    assert not none.answerable


def test_where_the_rules_are_sure_of_the_sentence_the_readers_span_in_it_is_the_short_answer():
    from rag.answer import ExtractiveAnswerer

    text = "2017年，长江江豚种群数量约为1012头，2022年为1249头。"
    question = "长江江豚种群数量是多少？"
    reader = _Counting("1249头", 20.0)

    def answer(**kw):
        return ExtractiveAnswerer(lambda pid: text, min_confidence=0.0, reader=reader, **kw)(question, [_hit(text, 1)])

    rules = answer(reader_spans=False)
    assert rules.short_answer == "1012头" and "reader_span" not in rules.features
    tightened = answer()
    assert tightened.short_answer == "1249头" and tightened.features["rules_span"] == "1012头"
    assert tightened.citations[0].span["text"] == "1249头"
    assert tightened.features["confidence"] == rules.features["confidence"], "the rules' confidence stands"
    # The reader reading the rules' own span, or one inside it: the rules' answer, unit and all.
    assert ExtractiveAnswerer(lambda pid: text, min_confidence=0.0, reader=_Fixed("1012", 20.0))(
        question, [_hit(text, 1)]).short_answer == "1012头"


@pytest.mark.parametrize("text, question, read, cut", [
    ("固始站位于河南省固始县段集镇，是京九铁路上的一个车站。", "固始站位于哪里？", "河南省固始县段集镇", "河南省固始县"),
    ("毒马案发生在1969年至1970年间，共有30匹马死亡。", "毒马案发生在什么时候？", "1969年至1970年间", "1969年"),
])
def test_a_readers_span_that_holds_the_rules_cut_short_span_is_the_short_answer(text, question, read, cut):
    from rag.answer import ExtractiveAnswerer

    def answer(**kw):
        return ExtractiveAnswerer(lambda pid: text, min_confidence=0.0, reader=_Fixed(read, 20.0), **kw)(
            question, [_hit(text, 1)])

    assert answer(reader_spans=False).short_answer == cut
    whole = answer()
    assert whole.short_answer == read and whole.features["rules_span"] == cut


def test_a_readers_span_that_runs_past_a_comma_keeps_the_rules_span():
    from rag.answer import ExtractiveAnswerer

    text = "江西公布第四批15个省级历史文化街区名单，目前全省共有65处省级历史文化街区。"
    reader = _Fixed("15个省级历史文化街区名单，目前全省共有65处", 20.0)
    assert ExtractiveAnswerer(lambda pid: text, min_confidence=0.0, reader=reader)(
        "江西全省共有多少处省级历史文化街区？", [_hit(text, 1)]).short_answer == "65处"


def test_a_rules_span_that_fills_the_questions_gap_and_unit_is_kept_without_asking_the_reader():
    from rag.answer import ExtractiveAnswerer

    text = "活动于2021年举行，共有300名志愿者和50名医生参加。"
    reader = _Counting("50名", 20.0)
    before = reader.calls
    sure = ExtractiveAnswerer(lambda pid: text, min_confidence=0.0, reader=reader)("这次活动有多少名志愿者参加？",
                                                                                    [_hit(text, 1)])
    assert sure.short_answer == "300名" and reader.calls == before
