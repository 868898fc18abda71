"""An article continued on another page (转第N版 / 下转A2版 … 上接第1版) is read as one article, each
paragraph citing the page it is printed on. The pages here are invented for the test."""

from pathlib import Path

from rag.index import Index, update_index
from rag.ingest import parse_file


def _page(path: Path, masthead: str, articles: list[tuple[str, list[str]]]) -> Path:
    lines = [masthead, ""]
    for title, paras in articles:
        lines += [title, ""] + [p + "\n" for p in paras]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _archive(tmp_path: Path, first: bool = True) -> list[Path]:
    a1 = _page(tmp_path / "evening-2024-03-05-A1.txt", "某市晚报 2024年3月5日 星期二 第A1版", [
        ("老城区改造惠及十万居民", ["本报讯（记者周岩）老城区改造工程昨日全面完工，惠及居民十万人。",
                            "改造涉及街巷八十条，新建停车位两千个。（下转A2版）"]),
        ("春季招聘会提供岗位六千个", ["本报讯 市人社局昨日举办春季招聘会，提供岗位六千个。"]),
    ])
    a2 = _page(tmp_path / "evening-2024-03-05-A2.txt", "某市晚报 2024年3月5日 星期二 第A2版", [
        ("老城区改造惠及十万居民", ["（上接A1版）改造后的街巷铺设了透水砖，新增绿地三万平方米。",
                            "市住建局表示，明年将启动新城区的改造规划。"]),
        ("图书馆延长开放时间", ["本报讯 市图书馆自本周起每天开放至晚上九点。"]),
    ])
    return [a1, a2] if first else [a2, a1]


def test_the_parts_are_marked_where_they_are_printed(tmp_path):
    a1, a2 = (parse_file(p) for p in _archive(tmp_path))
    first, rest = a1.articles[0], a2.articles[0]
    assert first.continued_to == "A2" and rest.continued_from == "A1"
    assert "下转" not in first.paragraphs[-1].text and "上接" not in rest.paragraphs[0].text


def test_a_continued_article_reads_as_one_whatever_order_its_pages_come_in(tmp_path, fake_encoder):
    for first in (True, False):
        root = tmp_path / f"idx-{first}"
        update_index(root, [parse_file(p) for p in _archive(tmp_path, first)], fake_encoder)
        index = Index.open(root)
        start = next(c for c, _ in index.search_lexical("停车位", 5))
        assert start.page == "A1"
        whole = index.article_text(start.paragraph_id)
        assert "新建停车位两千个" in whole and "新增绿地三万平方米" in whole and "图书馆" not in whole
        parts = index.article_chunks(start.paragraph_id)
        assert [(c.page, c.text[:6]) for c in parts] == [
            ("A1", "本报讯（记者"), ("A1", "改造涉及街巷"), ("A2", "改造后的街巷"), ("A2", "市住建局表示")]
        # From the continuation's side the article is the same, read from its start.
        rest = next(c for c, _ in index.search_lexical("透水砖", 5))
        assert rest.page == "A2" and index.article_chunks(rest.paragraph_id) == parts
        context = index.context(rest.chunk_id)
        assert [p["page"] for p in context["paragraphs"]] == ["A1", "A1", "A2", "A2"]


def test_the_source_page_shows_where_the_article_goes_on(tmp_path, fake_encoder):
    from rag.app.api import render_source_page

    root = tmp_path / "idx"
    update_index(root, [parse_file(p) for p in _archive(tmp_path)], fake_encoder)
    index = Index.open(root)
    rest = next(c for c, _ in index.search_lexical("透水砖", 5))
    html = render_source_page(index.context(rest.chunk_id), None, None)
    assert html.index("新建停车位两千个") < html.index('<p class="page">A2</p>') < html.index("透水砖")
    assert html.count('class="current"') == 1 and 'class="current">改造后的街巷' in html
