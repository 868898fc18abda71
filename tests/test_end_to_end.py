"""The sample issue in, cited answers out: the whole path with the built-in model, on each index backend."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

# (question, fact the answer must state)
ANSWERABLE = [
    ("景县3周岁以上人群已接种多少人？", "39.93万"),
    ("冀州区委书记是谁？", "张洪涛"),
    ("全市志愿者注册总数达到多少人？", "62万"),
    ("景县设置了多少个新冠疫苗接种点？", "26个"),
    ("市科学技术局新闻发言人是谁？", "李存友"),
    ("冀州区培育哪三大百亿主导产业？", "大健康、新材料、装备制造"),
    ("全市有多少家养老机构被省评定为星级养老机构？", "89家"),
    ("去年以来我市挖掘技术需求多少项？", "189项"),
    ("北京市民政局同衡水市政府签订了什么协议？", "推动京衡社会和民政事业高质量协同发展合作协议"),
    ("昨天是第几个全国交通安全日？", "第十个"),
    ("市公安局交警支队在哪里开展了主题宣传活动？", "人民广场"),
    ("饶阳县委组织部发放党史学习资料多少套？", "128套"),
    ("全市组建社会组织党组织多少家？", "490家"),
    ("设镇比例提高到了多少？", "73.7%"),
    ("景县在各级各类学校设立了多少个接种点？", "24个"),
    ("累计帮助多少名受助流浪乞讨人员回归家庭？", "642名"),
    ("全市多少名建档立卡贫困失能失养人员实现了集中供养？", "2211名"),
    ("市级科技计划对多少个项目给予财政资金支持？", "25个"),
    ("中国共产党成立多少周年？", "100周年"),
    ("景县全县有多少个村落实了乡镇包联干部？", "848个"),
]
UNANSWERABLE = [
    "衡水市的GDP是多少？",
    "景县县长叫什么名字？",
    "2022年北京冬奥会在哪里举办？",
    "衡水湖的面积有多大？",
]


@pytest.mark.parametrize("question, fact", ANSWERABLE)
def test_answers_state_the_fact_and_cite_it(qa_each_backend, question, fact):
    a = qa_each_backend.ask(question)
    assert a.answerable, a.answer
    assert fact in a.answer, a.answer
    assert "[1]" in a.answer
    assert any(fact in c.text for c in a.citations), [c.text[:40] for c in a.citations]


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_unanswerable_questions_say_so(qa_each_backend, question):
    a = qa_each_backend.ask(question)
    assert not a.answerable, a.answer
    assert "没有" in a.answer


def test_retriever_is_a_langchain_retriever(qa):
    from langchain_core.retrievers import BaseRetriever

    assert isinstance(qa.retriever, BaseRetriever)
    docs = qa.retriever.invoke("景县3周岁以上人群已接种多少人？")
    assert docs and docs[0].metadata["chunk_id"].startswith("hengshui-daily/2021-12-03/A1/a05/")


@pytest.fixture(autouse=True)
def _share_model_cache(settings_e5, monkeypatch):
    # CLI runs reuse the model folder the session built instead of building their own.
    monkeypatch.setenv("NEWSQA_MODEL_CACHE", str(settings_e5.model_cache))


def _cli(*args, stdin=None, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "rag.app.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=600)


def test_cli_ingest_then_ask_json_contract(tmp_path, sample_path):
    idx = str(tmp_path / "idx")
    r = _cli("ingest", str(sample_path), "--index", idx)
    assert r.returncode == 0, r.stderr
    assert "7 articles, 30 paragraphs" in r.stdout
    r = _cli("ingest", str(sample_path), "--index", idx)
    assert "unchanged" in r.stdout and "(0 embedded)" in r.stdout

    r = _cli("ask", "--json", "--index", idx, "-", stdin="景县3周岁以上人群已接种多少人？\n衡水市的GDP是多少？\n")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(lines) == 2
    first = lines[0]
    # The contract of docs/contracts.md: its fields are only ever added to.
    assert set(first) == {"question", "answer", "answerable", "citations", "timings_ms",
                          "short_answer", "confidence", "standalone_question", "filters"}
    assert first["short_answer"] == "39.93万人" and first["standalone_question"] == first["question"]
    assert first["answerable"] is True and "39.93万" in first["answer"]
    cite = first["citations"][0]
    assert set(cite) == {"n", "chunk_id", "newspaper", "date", "page", "article", "paragraph", "text", "score",
                         "quote", "span"}
    assert cite["text"][cite["span"]["start"] : cite["span"]["end"]] == "39.93万人"
    assert cite["n"] == 1 and cite["newspaper"] == "衡水日报" and cite["date"] == "2021-12-03" and cite["page"] == "A1"
    assert "39.93万" in cite["text"] and cite["article"] == "景县全力以赴推进疫苗接种工作"
    assert set(first["timings_ms"]) == {"retrieve", "answer", "total"}
    assert lines[1]["answerable"] is False

    r = _cli("ask", "--json", "--conversation", "--index", idx, "冀州区委书记是谁？", "他提出了哪五大战略？")
    second = json.loads(r.stdout.splitlines()[1])
    assert r.returncode == 0 and second["standalone_question"].startswith("张洪涛")
    assert second["answerable"] and second["short_answer"] == "产业强区、农业富区、商贸活区、文化兴区、生态立区"

    r = _cli("search", "--json", "-k", "3", "--index", idx, "冀州区委书记是谁？")
    res = json.loads(r.stdout)
    assert res["question"] == "冀州区委书记是谁？" and len(res["results"]) == 3
    assert set(res["results"][0]) == {"chunk_id", "source_id", "article", "paragraph", "text", "score"}
    assert res["results"][0]["source_id"] == "hengshui-daily-2021-12-03-A1.txt"

    r = _cli("show", "--index", idx, cite["chunk_id"])
    assert r.returncode == 0 and ">> [1]" in r.stdout and "景县全力以赴推进疫苗接种工作" in r.stdout


def test_cli_errors_are_one_clear_line(tmp_path):
    for args, needle in [
        (("ask", "--index", str(tmp_path / "none"), "问题"), "no index at"),
        (("ingest", str(tmp_path / "missing.txt"), "--index", str(tmp_path / "i")), "no such file"),
        (("show", "--index", str(tmp_path / "none"), "x"), "no index at"),
    ]:
        r = _cli(*args)
        assert r.returncode == 2
        assert r.stderr.strip().count("\n") == 0 and needle in r.stderr, r.stderr


def test_cli_rejects_an_empty_question(qa, settings_e5):
    r = _cli("ask", "--index", str(settings_e5.index_dir), "  ")
    assert r.returncode == 2 and "the question is empty" in r.stderr


def test_bad_file_is_reported_and_the_rest_ingested(tmp_path, sample_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    r = _cli("ingest", str(bad), str(sample_path), "--index", str(tmp_path / "idx"))
    assert r.returncode == 1
    assert "bad.txt" in r.stderr and "binary" in r.stderr
    assert "indexed: hengshui-daily-2021-12-03-A1.txt" in r.stdout


SHORT = [
    ("景县3周岁以上人群已接种多少人？", "39.93万人"),
    ("冀州区委书记是谁？", "张洪涛"),
    ("冀州区培育哪三大百亿主导产业？", "大健康、新材料、装备制造"),
    ("设镇比例提高到了多少？", "73.7%"),
]


@pytest.mark.parametrize("question, short", SHORT)
def test_answer_leads_with_the_short_fact_and_its_offsets(qa_each_backend, question, short):
    a = qa_each_backend.ask(question)
    assert a.short_answer == short and a.answer.startswith(short)
    spans = [c for c in a.citations if c.span]
    assert spans and spans[0].text[spans[0].span["start"] : spans[0].span["end"]] == short


def test_follow_up_question_carries_the_person_forward(qa_each_backend):
    first = qa_each_backend.ask("冀州区委书记是谁？")
    assert first.short_answer == "张洪涛"
    follow = qa_each_backend.ask("他提出了哪五大战略？", history=[{"question": first.question, "answer": first.short_answer}])
    assert "张洪涛" in follow.standalone_question
    # The interview's quote names the strategies; its speaker is named after the quote (“……”张洪涛表示).
    assert follow.answerable and follow.short_answer == "产业强区、农业富区、商贸活区、文化兴区、生态立区"
    assert "产业强区、农业富区、商贸活区、文化兴区、生态立区" in follow.citations[0].text


def test_follow_up_about_another_place_reuses_the_question(qa):
    follow = qa.ask("那饶阳呢？", history=[{"question": "景县3周岁以上人群已接种多少人？", "answer": "39.93万人"}])
    assert follow.standalone_question.startswith("饶阳")


def test_dates_resolve_against_the_issue_date(qa_each_backend):
    # The photo caption of the 2021-12-03 issue says 昨日,是第十个"全国交通安全日": that is 2021-12-02.
    a = qa_each_backend.ask("第十个全国交通安全日是哪一天？")
    assert a.answerable and a.short_answer == "2021年12月2日", a.answer
    # A month and day get the issue's year.
    assert qa_each_backend.ask("景县的疫苗接种数据截至什么时候？").short_answer == "2021年12月2日17时"
    # A question that names the date finds the paragraph that says 昨日.
    hits = qa_each_backend.search("12月2日是第几个全国交通安全日？", 3)
    assert "昨日" in hits[0].chunk.text


def test_question_naming_the_issue_is_filtered_to_it(qa_each_backend):
    a = qa_each_backend.ask("12月3日的衡水日报说景县3周岁以上人群已接种多少人？")
    assert a.filters == {"newspaper": "衡水日报", "date": "2021-12-03"}
    assert a.answerable and "39.93万" in a.answer
    other = qa_each_backend.ask("12月5日的衡水日报说景县3周岁以上人群已接种多少人？")
    assert not other.answerable and other.citations == []  # no such issue indexed: nothing to cite
    assert qa_each_backend.search("景县接种", 5, filters={"page": "B2"}) == []


def test_english_question_answers_with_the_chinese_evidence(qa_each_backend):
    a = qa_each_backend.ask("How many people over 3 in Jing County had been vaccinated?")
    assert a.answerable and a.short_answer == "39.93万人", a.answer
    assert "39.93万人" in a.citations[0].text and "the paper says" in a.answer


def test_the_cli_runs_on_milvus_lite_with_two_settings(tmp_path, sample_path):
    """NEWSQA_INDEX_BACKEND=milvus and NEWSQA_MILVUS_URI=FILE are all it takes: ingest, ask, search, show."""
    pytest.importorskip("pymilvus", reason="the Milvus backend is an optional install: pip install 'newsqa[milvus]'")
    env = {"NEWSQA_INDEX_BACKEND": "milvus", "NEWSQA_MILVUS_URI": str(tmp_path / "milvus" / "newsqa.db"),
           "NEWSQA_INDEX_DIR": str(tmp_path / "unused")}
    r = _cli("ingest", str(sample_path), env_extra=env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "milvus" / "newsqa.db").exists() and not (tmp_path / "unused").exists()
    r = _cli("ask", "--json", "景县3周岁以上人群已接种多少人？", env_extra=env)
    a = json.loads(r.stdout)
    assert r.returncode == 0 and a["short_answer"] == "39.93万人"
    assert a["citations"][0]["chunk_id"].startswith("hengshui-daily/2021-12-03/A1/a05/")
    r = _cli("search", "--json", "-k", "3", "冀州区委书记是谁？", env_extra=env)
    hits = json.loads(r.stdout)["results"]
    assert r.returncode == 0 and any("张洪涛" in h["text"] for h in hits)
    r = _cli("show", a["citations"][0]["chunk_id"], env_extra=env)
    assert r.returncode == 0 and "景县全力以赴推进疫苗接种工作" in r.stdout
