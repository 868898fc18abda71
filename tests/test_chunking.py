from conftest import SAMPLE

from rag.chunking import chunk_issue, pack_sentences, split_sentences


def test_ids_are_stable_and_readable(sample_parsed):
    from rag.ingest import parse_file

    a = chunk_issue(sample_parsed)
    b = chunk_issue(parse_file(SAMPLE))
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b]
    assert len({c.chunk_id for c in a}) == len(a)
    ids = {c.chunk_id for c in a}
    assert "hengshui-daily/2021-12-03/A1/a05/p01" in ids


def test_long_paragraphs_split_on_sentences_keep_paragraph_id(sample_parsed):
    chunks = chunk_issue(sample_parsed, max_chars=200)
    parts = [c for c in chunks if c.paragraph_id == "hengshui-daily/2021-12-03/A1/a01/p03"]
    assert len(parts) > 1
    assert [c.chunk_id for c in parts] == [f"hengshui-daily/2021-12-03/A1/a01/p03-{k}" for k in range(1, len(parts) + 1)]
    assert all(c.paragraph == 3 for c in parts)
    assert "".join(c.text for c in parts) == sample_parsed.articles[0].paragraphs[2].text
    assert all(c.text.endswith(("。", '"', "”")) for c in parts[:-1])


def test_embedded_text_carries_the_headline(sample_parsed):
    c = next(c for c in chunk_issue(sample_parsed) if "39.93万人" in c.text)
    assert c.embed_text.startswith("景县全力以赴推进疫苗接种工作")
    assert c.text.startswith("本报讯")


def test_sentence_helpers():
    assert split_sentences('他说:"好。"然后走了。还有') == ['他说:"好。"', "然后走了。", "还有"]
    assert pack_sentences(["一二三。", "四五六。", "七八九。"], 8) == ["一二三。四五六。", "七八九。"]
    assert pack_sentences(["很长的一句话超过了上限。"], 4) == ["很长的一句话超过了上限。"]
