"""The index protocols, against both backends: the local folder and Milvus (Milvus Lite, in-process).

The same small archive (invented pages, an article continued on another page) goes into each; both
must find, list, join and replace the same things.
"""

from pathlib import Path

import pytest

from rag.config import Settings
from rag.index import IndexReader, IndexWriter, open_index, open_writer
from rag.ingest import parse_file, parse_text

pytest.importorskip("pymilvus", reason="the Milvus backend is an optional install: pip install 'newsqa[milvus]'")

HERE = Path(__file__).parent


def _pages(tmp: Path) -> list:
    from tests.test_continuations import _archive  # invented pages with a continued article

    tmp.mkdir(parents=True, exist_ok=True)
    return [parse_file(p) for p in _archive(tmp)]


@pytest.fixture(params=["local", "milvus"])
def backend(request, tmp_path, fake_encoder):
    settings = Settings().updated(index_backend=request.param, index_dir=tmp_path / "idx",
                                  milvus_collection=f"t{abs(hash(str(tmp_path))) % 10**6}")
    pages = _pages(tmp_path / "pages")
    report = open_writer(settings).update(iter(pages), fake_encoder)
    assert sorted(report.added) == sorted(p.issue.source for p in pages)
    return settings, open_index(settings)


def _ids(pairs) -> list[str]:
    return [c.chunk_id for c, _ in pairs]


def test_both_backends_fit_the_protocols(backend):
    settings, index = backend
    assert isinstance(index, IndexReader) and isinstance(open_writer(settings), IndexWriter)
    assert index.size == 6 and index.model == "fake-chars"


def test_search_finds_the_same_paragraph_by_words_pairs_and_meaning(backend, fake_encoder):
    _, index = backend
    for pairs in (index.search_lexical("透水砖", 3), index.search_bigrams("透水砖", 3),
                  index.search_dense(fake_encoder.encode_queries(["改造后的街巷铺设了透水砖，新增绿地三万平方米。"])[0], 3)):
        assert pairs and "透水砖" in pairs[0][0].text and pairs[0][0].page == "A2"
        assert all(s1 >= s2 for (_, s1), (_, s2) in zip(pairs, pairs[1:], strict=False))


def test_lookups_join_a_continued_article_and_list_a_page(backend):
    _, index = backend
    start = index.search_lexical("停车位", 1)[0][0]
    assert index.paragraph_text(start.paragraph_id) == "改造涉及街巷八十条，新建停车位两千个。"
    whole = index.article_text(start.paragraph_id)
    assert "新建停车位两千个" in whole and "新增绿地三万平方米" in whole
    assert [(c.page, c.paragraph) for c in index.article_chunks(start.paragraph_id)] == [
        ("A1", 1), ("A1", 2), ("A2", 1), ("A2", 2)]
    ctx = index.context(start.chunk_id)
    assert ctx["article"]["title"] == "老城区改造惠及十万居民" and [p["page"] for p in ctx["paragraphs"]] == ["A1", "A1", "A2", "A2"]
    front = index.articles(date="2024-03-05", page="A1")
    assert [a["title"] for a in front] == ["老城区改造惠及十万居民", "春季招聘会提供岗位六千个"]
    assert front[0]["lead"].paragraph == 1 and front[0]["lead"].page == "A1"
    assert sorted(i["page"] for i in index.issues()) == ["A1", "A2"]
    assert index.chunk("no-such-chunk") is None and index.context("no-such-chunk") is None


def test_an_update_is_seen_replaces_and_removes(backend, fake_encoder):
    settings, index = backend
    assert not index.changed()
    writer = open_writer(settings)
    again = writer.update(iter(_pages(settings.index_dir.parent / "pages")), fake_encoder)
    assert len(again.unchanged) == 2 and not again.added  # nothing to do, nothing embedded
    text = "某市晚报 2024年3月5日 星期二 第A1版\n\n春季招聘会提供岗位八千个\n\n本报讯 市人社局昨日举办春季招聘会，提供岗位八千个。\n"
    r = writer.update([parse_text(text, "evening-2024-03-05-A1.txt", "changed")], fake_encoder)
    assert r.replaced == ["evening-2024-03-05-A1.txt"]
    assert index.changed()
    fresh = index.reopen()
    assert fresh.size == 4 and not fresh.search_lexical("停车位", 3)  # the old version's chunks are gone
    assert "八千个" in fresh.search_lexical("招聘会", 1)[0][0].text
    writer.remove(["evening-2024-03-05-A2.txt"])
    fresh = fresh.reopen()
    assert [i["source_id"] for i in fresh.issues()] == ["evening-2024-03-05-A1.txt"] and fresh.size == 1


def test_an_update_cut_short_leaves_the_earlier_issues_answerable(backend, fake_encoder):
    settings, index = backend

    def pages():
        yield parse_text("某市晚报 2024年3月6日 星期三 第A1版\n\n新闻标题\n\n本报讯 某市新建公园三座。\n", "evening-2024-03-06-A1.txt", "x")
        raise OSError("disk full")

    with pytest.raises(OSError):
        open_writer(settings).update(pages(), fake_encoder)
    after = index.reopen()
    assert "透水砖" in after.search_lexical("透水砖", 1)[0][0].text
    assert {"evening-2024-03-05-A1.txt", "evening-2024-03-05-A2.txt"} <= {i["source_id"] for i in after.issues()}
