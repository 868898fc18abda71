"""Archive layouts: one article a file with date and page in the path, page files with mastheads.

Every archive here is made by the test with invented text (no newspaper's text is copied).
"""

from pathlib import Path

from rag.index import Index, update_index
from rag.ingest import parse_file
from rag.ingest.layout import read_path

IND = "\u3000\u3000"


def _write(path: Path, lines: list[str], eol: str = "\r\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(eol.join(lines).encode("utf-8"))
    return path


def test_a_crawled_article_file_takes_paper_date_page_and_order_from_its_path(tmp_path):
    f = _write(tmp_path / "people-daily" / "2024-03" / "20240305" / "20240305-04-02.txt", [
        "", "某市召开春季植树动员会", "全市今年计划新增绿地三百公顷", "",
        f"{IND}本报某市3月4日电\u00a0（记者张明）某市4日召开春季植树动员会。",
        f"{IND}会议提出，今年全市计划新增绿地三百公顷，新建口袋公园二十个。",
        f"{IND}", f"{IND}各区将在3月底前完成苗木采购。", ""])
    p = parse_file(f)
    i, a = p.issue, p.articles[0]
    assert (i.newspaper, i.slug, i.date, i.page, i.source) == ("人民日报", "people-daily", "2024-03-05", "4",
                                                               "20240305-04-02.txt")
    assert (a.order, a.kicker, a.title) == (2, "某市召开春季植树动员会", "全市今年计划新增绿地三百公顷")
    assert a.byline == "本报某市3月4日电\u00a0（记者张明）"
    # One paragraph a printed line, as printed: the indent and the line ending gone, the text kept.
    assert [q.text for q in a.paragraphs] == ["本报某市3月4日电\u00a0（记者张明）某市4日召开春季植树动员会。",
                                              "会议提出，今年全市计划新增绿地三百公顷，新建口袋公园二十个。",
                                              "各区将在3月底前完成苗木采购。"]


def test_headlines_sub_headlines_column_tags_salutations_and_headline_only_files(tmp_path):
    day = tmp_path / "20240306"
    sub = _write(day / "20240306-01-01.txt", [
        "河湖治理取得新进展", "今年以来，全省完成河道清淤一千二百公里，水质优良比例继续提高。",
        f"{IND}记者从省水利厅获悉，全省河湖治理取得新进展。"], eol="\n")
    a = parse_file(sub).articles[0]
    assert (a.kicker, a.title, a.subtitle) == ("", "河湖治理取得新进展", "今年以来，全省完成河道清淤一千二百公里，水质优良比例继续提高。")
    tagged = _write(day / "20240306-05-03.txt", ["", "小店里的大民生（走基层）", "", f"{IND}清晨六点，早点铺已经开门。"])
    a = parse_file(tagged).articles[0]
    assert (a.title, a.column) == ("小店里的大民生", "走基层")
    three = _write(day / "20240306-05-04.txt", ["春运第一天", "客流平稳有序（新春走基层）", "——来自某某车站的报道",
                                                 f"{IND}今天是春运第一天。"])
    a = parse_file(three).articles[0]
    assert (a.kicker, a.title, a.subtitle, a.column) == ("春运第一天", "客流平稳有序", "来自某某车站的报道", "新春走基层")
    # Two short lines, the first with the column tag: that one is the headline, the other its sub-headline.
    first = _write(day / "20240306-02-02.txt", ["", "前两月工业生产稳中有升(权威发布)", "新动能加快成长", "",
                                                 f"{IND}国家统计局今天发布数据。"])
    a = parse_file(first).articles[0]
    assert (a.kicker, a.title, a.subtitle, a.column) == ("", "前两月工业生产稳中有升", "新动能加快成长", "权威发布")
    speech = _write(day / "20240306-02-01.txt", [
        "在某某座谈会上的讲话", "（2024年3月5日，某市）", "各位代表，", "同志们：",
        f"{IND}今天我们在这里召开座谈会。", f"{IND}谢谢大家！"])
    a = parse_file(speech).articles[0]
    assert (a.title, a.subtitle) == ("在某某座谈会上的讲话", "（2024年3月5日，某市）")
    assert [q.text for q in a.paragraphs][:3] == ["各位代表，", "同志们：", "今天我们在这里召开座谈会。"]
    photo = _write(day / "20240306-08-01.txt", ["", "春到田间", "", ""])
    a = parse_file(photo).articles[0]
    assert (a.kind, a.title, [q.text for q in a.paragraphs]) == ("photo", "春到田间", ["春到田间"])


def test_other_layouts_name_date_page_and_a_source_unique_in_the_archive(tmp_path):
    assert read_path(Path("2020-01-19/01/03.txt")).source == "2020-01-19/01/03.txt"
    for path, want in (("2020-01-19/01/03.txt", ("2020-01-19", "1", 3)),
                       ("news/paper-2020-01-19-02-07.txt", ("2020-01-19", "2", 7)),
                       ("20211203/A02/12.txt", ("2021-12-03", "A2", 12)),
                       ("hengshui-daily-2021-12-03-A1.txt", ("2021-12-03", "A1", 0))):
        info = read_path(Path(path))
        assert (info.date, info.page, info.article) == want, path
    a = _write(tmp_path / "2020-01-19" / "01" / "03.txt", ["标题甲", "", f"{IND}正文甲。"])
    b = _write(tmp_path / "2020-01-20" / "01" / "03.txt", ["标题乙", "", f"{IND}正文乙。"])
    pa, pb = parse_file(a, default_newspaper="某某日报"), parse_file(b, newspaper="某某晚报")
    assert pa.issue.source != pb.issue.source
    assert (pa.issue.newspaper, pb.issue.newspaper) == ("某某日报", "某某晚报")
    assert pa.issue.slug != pb.issue.slug  # two papers never share chunk ids


def test_a_page_file_with_a_masthead_and_indented_paragraphs(tmp_path):
    f = _write(tmp_path / "page.txt", [
        "人民日报", "2024年3月5日 星期二", "第01版：要闻", "", "全市春耕生产有序开展", "",
        f"{IND}本报讯（记者王芳）连日来，各地抓住有利天气开展春耕。",
        f"{IND}农业部门组织专家下乡指导。", f"{IND}目前全市春播面积已过半。"])
    p = parse_file(f)
    assert (p.issue.newspaper, p.issue.slug, p.issue.date, p.issue.page) == ("人民日报", "people-daily", "2024-03-05", "1")
    a = p.articles[0]
    assert a.title == "全市春耕生产有序开展"
    assert [q.text for q in a.paragraphs] == ["本报讯（记者王芳）连日来，各地抓住有利天气开展春耕。",
                                              "农业部门组织专家下乡指导。", "目前全市春播面积已过半。"]


def test_several_files_of_one_page_are_one_page(tmp_path, fake_encoder):
    day = tmp_path / "people-daily" / "20240305"
    files = [_write(day / f"20240305-01-0{n}.txt", [f"第{n}条新闻标题", "", f"{IND}第{n}条新闻的正文。"])
             for n in (1, 2, 3)]
    report = update_index(tmp_path / "idx", [parse_file(f) for f in files], fake_encoder, progress=False)
    assert report.failed == [] and len(report.added) == 3
    index = Index.open(tmp_path / "idx")
    ids = sorted(index.store.chunk(f"people-daily/2024-03-05/1/a0{n}/p01").article for n in (1, 2, 3))
    assert ids == ["第1条新闻标题", "第2条新闻标题", "第3条新闻标题"]


def test_a_folder_walk_passes_over_readmes_and_qa_files_and_says_so_once(tmp_path):
    from rag.app.archive import issue_files, passed_over

    (tmp_path / "README.md").write_text("# 说明\n\n这是一个文件夹。\n", encoding="utf-8")
    (tmp_path / "qa.jsonl").write_text('{"id": "q1", "question": "谁？", "answers": ["他"]}\n', encoding="utf-8")
    (tmp_path / "passages.jsonl").write_text('{"id": "p1", "title": "标题", "text": "正文。"}\n', encoding="utf-8")
    issue = _write(tmp_path / "2024-03-05" / "01" / "01.txt", ["标题", "", f"{IND}正文。"])
    files, passed = issue_files([str(tmp_path)])
    assert set(files) == {issue, tmp_path / "passages.jsonl"}
    assert sorted(f.name for f in passed) == ["README.md", "qa.jsonl"]
    assert passed_over(passed) == "passed over 2 files that are no issues (README.md, qa.jsonl)"
    # Named on its own, a file is read as asked.
    assert issue_files([str(tmp_path / "README.md")]) == ([tmp_path / "README.md"], [])


def test_removing_a_day_restores_the_index_and_its_answers(tmp_path, fake_encoder):
    from rag.answer import ExtractiveAnswerer
    from rag.app.archive import remove_issues
    from rag.config import Settings
    from rag.retrieve import HybridRetriever

    root = tmp_path / "people-daily"
    day1 = [_write(root / "20240305" / f"20240305-01-0{n}.txt", [f"甲日第{n}篇", "", f"{IND}甲日第{n}篇说，全市新建公园{n}座。"])
            for n in (1, 2)]
    day2 = [_write(root / "20240306" / "20240306-01-01.txt", ["乙日头条", "", f"{IND}乙日说，全市新建公园9座，另有广场3处。"])]
    settings = Settings().updated(index_dir=tmp_path / "idx")
    question = "全市新建公园多少座？"

    def state():
        index = Index.open(settings.index_dir)
        hits = HybridRetriever(index=index, encoder=fake_encoder, settings=settings.retrieval).search(question, 5)
        answer = ExtractiveAnswerer(index.paragraph_text)(question, hits)
        rows = [(c["chunk_id"], c["text"]) for c in index.store.all_rows("chunks")]
        return rows, [(h.chunk.chunk_id, round(h.score, 6)) for h in hits], answer.text, sorted(
            i["source_id"] for i in index.issues())

    update_index(settings.index_dir, [parse_file(f) for f in day1], fake_encoder, progress=False)
    before = state()
    update_index(settings.index_dir, [parse_file(f) for f in day2], fake_encoder, progress=False)
    assert state()[3] == ["20240305-01-01.txt", "20240305-01-02.txt", "20240306-01-01.txt"]
    report = remove_issues(settings, [], date="2024-03-06")
    assert report.replaced == ["20240306-01-01.txt"] and report.failed == []
    assert state() == before  # chunks, retrieval scores and the answer: as before the day was added
    report = remove_issues(settings, ["nothing.txt"])
    assert report.failed == ["nothing.txt: not in the index"] and state() == before


def test_the_first_run_indexes_the_bundled_sample_issue_alone(tmp_path, fake_encoder, monkeypatch):
    import rag.app.archive as archive
    from rag.config import Settings

    monkeypatch.setattr(archive, "load_encoder", lambda *a, **k: fake_encoder)
    settings = Settings().updated(index_dir=tmp_path / "idx")
    assert archive.ensure_sample_index(settings) is fake_encoder
    index = Index.open(settings.index_dir)
    # Not the QA files, the benchmark slice or its README that share data/ with it.
    assert [i["source_id"] for i in index.issues()] == ["hengshui-daily-2021-12-03-A1.txt"]
    assert archive.ensure_sample_index(settings) is None  # an index is there: nothing to do


def test_ingest_follows_the_model_an_index_was_built_with_unless_one_is_set(tmp_path, fake_encoder, monkeypatch):
    import rag.app.archive as archive
    from rag.config import Settings

    asked: list[str] = []
    monkeypatch.setattr(archive, "load_encoder", lambda name, *a, **k: asked.append(name) or fake_encoder)
    f = _write(tmp_path / "20240305" / "20240305-01-01.txt", ["标题", "", f"{IND}正文。"])
    g = _write(tmp_path / "20240306" / "20240306-01-01.txt", ["标题二", "", f"{IND}正文二。"])
    settings = Settings().updated(index_dir=tmp_path / "idx")
    update_index(settings.index_dir, [parse_file(f)], fake_encoder, progress=False)  # built by "fake-chars"
    assert archive.ingest_files(settings, [g], log=lambda m: None) == 0
    assert asked == ["fake-chars"]  # the default model is not forced on an index of another
    archive.ingest_files(settings.updated(model="all-MiniLM-L6-v2"), [g], log=lambda m: None)
    assert asked[-1] == "all-MiniLM-L6-v2"  # a model the user sets is the one asked for
