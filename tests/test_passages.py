import json

import pytest

from rag.chunking import chunk_issue
from rag.eval import load_qa
from rag.ingest import UnreadableFile, parse_file


def test_passages_file_becomes_articles_with_their_ids(tmp_path):
    f = tmp_path / "bench.jsonl"
    rows = [{"id": "DEV_0", "title": "战国无双3", "text": "《战国无双3》是由光荣和ω-force开发的。"},
            {"id": "a/b", "title": "", "text": "第一段。\n第二段 with  spaces。"}]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    parsed = parse_file(f)
    assert [a.passage_id for a in parsed.articles] == ["DEV_0", "a/b"]
    assert parsed.articles[1].title == "a/b" and len(parsed.articles[1].paragraphs) == 2
    assert parsed.articles[1].paragraphs[1].text == "第二段 with  spaces。"  # clean text is kept as given
    chunks = chunk_issue(parsed)
    assert [c.chunk_id for c in chunks] == ["bench/DEV_0/p01", "bench/a_b/p01", "bench/a_b/p02"]
    assert [c.source_id for c in chunks] == ["DEV_0", "a/b", "a/b"]


@pytest.mark.parametrize("line, needle", [
    ('{"title": "x", "text": "y"}', "not a passage line"),
    ("not json", "not a passage line"),
])
def test_bad_passage_lines_name_the_line(tmp_path, line, needle):
    f = tmp_path / "p.jsonl"
    f.write_text('{"id": "1", "title": "t", "text": "ok"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match=rf"p.jsonl:2: {needle}"):
        parse_file(f)


def test_duplicate_passage_ids_are_refused(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text('{"id": "1", "text": "a"}\n{"id": "1", "text": "b"}\n', encoding="utf-8")
    with pytest.raises(UnreadableFile, match="appears twice"):
        parse_file(f)


def test_qa_file_loading(tmp_path):
    f = tmp_path / "qa.jsonl"
    f.write_text(
        '{"id": "q1", "question": "多少人？", "answers": ["5人"], "evidence": "共5人", "type": "plain"}\n'
        '{"id": "q2", "question": "谁？", "answers": [], "answerable": false}\n'
        '{"id": "q3", "question": "哪里？", "answers": ["北京"], "passage_id": "DEV_1"}\n', encoding="utf-8")
    items = load_qa(f)
    assert [i.id for i in items] == ["q1", "q2", "q3"] and items[1].answerable is False
    assert items[2].passage_id == "DEV_1" and items[0].type == "plain"
    assert len(load_qa(f, limit=2)) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "无证据？", "answers": ["a"]}\n', encoding="utf-8")
    with pytest.raises(UnreadableFile, match="needs \"evidence\" or \"passage_id\""):
        load_qa(bad)
