"""Metric functions against values worked out by hand."""

import pytest

from rag.eval import aggregate
from rag.eval import metrics as m


def test_normalisation_strips_punctuation_spaces_and_markers():
    assert m.normalize_answer("39.93 万人。[1]") == "3993万人"
    assert m.normalize_answer("「战史演武」&「争霸演武」") == "战史演武争霸演武"
    assert m.normalize_answer("Ｈｅｌｌｏ, World") == "helloworld"


def test_span_em_and_char_f1():
    assert m.span_em("光荣和ω-force", ["光荣和ω-force"]) == 1.0
    assert m.span_em("光荣", ["光荣和ω-force"]) == 0.0
    # pred 张洪涛表示 (5 chars), gold 张洪涛 (3): common 3, P=3/5, R=1, F1=2*0.6/1.6=0.75
    assert m.char_f1("张洪涛表示", "张洪涛") == pytest.approx(0.75)
    # best over golds
    assert m.span_f1("村雨城", ["任天堂游戏谜之村雨城", "村雨城"]) == 1.0
    assert m.span_f1("", ["x"]) == 0.0
    # repeated characters count once each side: pred 好好好, gold 好 -> common 1, P=1/3, R=1, F1=0.5
    assert m.char_f1("好好好", "好") == pytest.approx(0.5)


def test_answer_hit():
    assert m.answer_hit("截至12月2日17时,该县已接种39.93万人。[1]", ["39.93万人"]) == 1.0
    assert m.answer_hit("接种工作顺利", ["39.93万人"]) == 0.0


def test_ranks_recall_mrr():
    assert m.first_relevant_rank([False, False, True, True]) == 3
    assert m.first_relevant_rank([False]) is None
    assert m.recall_at(3, 1) == 0.0 and m.recall_at(3, 5) == 1.0 and m.recall_at(None, 10) == 0.0
    assert m.reciprocal_rank(4) == 0.25 and m.reciprocal_rank(11, 10) == 0.0


def test_citation_scores():
    assert m.citation_scores([True, False, False, True]) == (0.5, 1.0)
    assert m.citation_scores([False]) == (0.0, 0.0)
    assert m.citation_scores([]) == (None, 0.0)


def test_percentile_nearest_rank():
    vals = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]
    assert m.percentile(vals, 50) == 5 and m.percentile(vals, 95) == 10 and m.percentile(vals, 10) == 1
    assert m.percentile([], 50) is None


def _rec(rank, answerable=True, abstained=False, **kw):
    base = {"gold_answerable": answerable, "abstained": abstained, "retrieve_ms": 10.0, "total_ms": 20.0}
    if answerable:
        base.update({f"recall@{k}": m.recall_at(rank, k) for k in range(1, 11)}, **{"rr@10": m.reciprocal_rank(rank)})
    base.update(kw)
    return base


def test_aggregate_by_hand():
    recs = [
        _rec(1, answer_hit=1.0, short_hit=0.0, span_em=0.0, span_f1=0.5, citation_precision=1.0, citation_recall=1.0),
        _rec(2, answer_hit=0.0, short_hit=0.0, span_em=0.0, span_f1=0.0, citation_precision=0.5, citation_recall=1.0),
        _rec(None, abstained=True, answer_hit=0.0, short_hit=0.0, span_em=0.0, span_f1=0.0, citation_precision=None,
             citation_recall=0.0),
        _rec(None, answerable=False, abstained=True),
        _rec(None, answerable=False, abstained=False),
    ]
    a = aggregate(recs)
    assert (a["n"], a["n_answerable"], a["n_unanswerable"]) == (5, 3, 2)
    assert a["recall@1"] == pytest.approx(1 / 3) and a["recall@5"] == pytest.approx(2 / 3)
    assert a["mrr@10"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert a["answer_hit"] == pytest.approx(1 / 3) and a["span_f1"] == pytest.approx(0.5 / 3)
    assert a["short_hit"] == 0.0  # the first answer's sentence held the gold answer, its short fact did not
    assert a["citation_precision"] == pytest.approx(0.75)  # questions that cited nothing are left out
    assert a["citation_recall"] == pytest.approx(2 / 3)
    assert a["answered_rate"] == pytest.approx(2 / 3)
    assert a["abstention_accuracy"] == pytest.approx(0.5)
    assert a["total_ms_p95"] == 20.0


def test_the_html_report_lists_the_failed_questions_and_labels_its_bars():
    from rag.eval.report import failures, html_report
    from rag.eval.run import RECALL_KS

    def rec(id_, answerable, hit, abstained, short):
        r = {"id": id_, "question": f"问题{id_}<b>", "type": "plain", "qtype": "number", "gold_answerable": answerable,
             "answers": ["3个"] if answerable else [], "answerable": not abstained, "answer": short,
             "short_answer": short, "confidence": 0.7, "abstained": abstained, "retrieve_ms": 10.0, "total_ms": 20.0}
        if answerable:
            r.update({"rank": 1, "answer_hit": hit, **{f"recall@{k}": 1.0 for k in RECALL_KS}, "rr@10": 1.0})
        return r

    records = [rec("ok", True, 1.0, False, "3个"), rec("wrong", True, 0.0, False, "5个"),
               rec("missed", True, 0.0, True, ""), rec("abstained-well", False, None, True, ""),
               rec("answered-unanswerable", False, None, False, "7个")]
    assert [r["id"] for r in failures(records)] == ["wrong", "missed", "answered-unanswerable"]
    metrics = {"overall": aggregate(records), "by_type": {"plain": aggregate(records)},
               "by_qtype": {"number": aggregate(records)}}
    page = html_report(metrics, records, {"qa": "x"})
    table = page[page.index("Questions that failed"):]
    assert "(3 of 5)" in table and "wrong" in table and "(abstained)" in table and "ok</td>" not in table
    assert "问题wrong&lt;b&gt;" in table  # questions are escaped
    assert ">0.333</text>" in page  # answer hit 1 of 3 answerable, written on its bar
