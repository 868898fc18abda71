import json
from pathlib import Path

import pytest

from rag.index import Index, update_index
from rag.ingest import parse_text


def _issue(body: str, name: str = "demo-2021-12-03-A1.txt"):
    text = f"HENGSHUIRIBAO\n\n2021年12月3日\n\n测试标题 第二部分\n\n本报讯(记者甲){body}\n\n第二段说明情况。"
    return parse_text(text, name)


def test_ingest_twice_changes_nothing_and_a_second_file_adds(tmp_path, fake_encoder):
    root = tmp_path / "idx"
    r1 = update_index(root, [_issue("景县接种39.93万人。")], fake_encoder)
    assert r1.added == ["demo-2021-12-03-A1.txt"] and r1.chunks_total == 2
    gen1 = Index.current_generation(root)
    embedded = fake_encoder.embedded

    r2 = update_index(root, [_issue("景县接种39.93万人。")], fake_encoder)
    assert r2.unchanged == ["demo-2021-12-03-A1.txt"]
    assert fake_encoder.embedded == embedded  # no embedding work for an unchanged file
    assert Index.current_generation(root) == gen1

    other = _issue("冀州区委书记张洪涛。", "demo-2021-12-03-A2.txt")
    r3 = update_index(root, [other], fake_encoder)
    assert r3.added == ["demo-2021-12-03-A2.txt"] and r3.chunks_total == 4
    assert fake_encoder.embedded == embedded + 2
    index = Index.open(root)
    assert {s["source_id"] for s in index.issues()} == {"demo-2021-12-03-A1.txt", "demo-2021-12-03-A2.txt"}
    # chunks indexed before keep their BM25 terms (carried over from the store, not re-tokenised)
    assert [c.source_id for c, _ in index.search_lexical("景县", 5)] == ["demo-2021-12-03-A1.txt"]
    assert [c.source_id for c, _ in index.search_lexical("张洪涛", 5)] == ["demo-2021-12-03-A2.txt"]


def test_a_changed_file_replaces_its_old_chunks(tmp_path, fake_encoder):
    root = tmp_path / "idx"
    update_index(root, [_issue("旧的内容一百人。")], fake_encoder)
    r = update_index(root, [_issue("新的内容两百人。")], fake_encoder)
    assert r.replaced == ["demo-2021-12-03-A1.txt"] and r.chunks_total == 2
    index = Index.open(root)
    texts = [c.text for c, _ in index.search_lexical("内容", 10)]
    assert any("新的内容" in t for t in texts) and not any("旧的内容" in t for t in texts)
    # dense vectors and rows still line up after the replacement
    hit = index.search_dense(fake_encoder.encode_queries(["本报讯(记者甲)新的内容两百人。"])[0], 1)[0][0]
    assert "新的内容" in hit.text


def test_on_disk_format_has_no_pickle_and_a_current_pointer(tmp_path, fake_encoder):
    root = tmp_path / "idx"
    update_index(root, [_issue("内容。")], fake_encoder)
    current = json.loads((root / "CURRENT").read_text())
    gen = root / current["generation"]
    names = {p.name for p in gen.rglob("*")}
    assert {"manifest.json", "store.sqlite", "dense.faiss"} <= names
    for p in gen.rglob("*"):
        if p.is_file():
            assert not p.read_bytes().startswith(b"\x80"), f"{p} looks like a pickle"
    assert [p.name for p in root.iterdir() if p.name.startswith("gen-")] == [current["generation"]]


def test_a_crash_before_the_switch_leaves_the_old_index(tmp_path, fake_encoder, monkeypatch):
    root = tmp_path / "idx"
    update_index(root, [_issue("第一版内容。")], fake_encoder)
    import rag.index.writer as ri

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(ri.LexicalIndex, "save", boom)
    try:
        update_index(root, [_issue("第二版内容。", "other-2021-12-03-B1.txt")], fake_encoder)
    except OSError:
        pass
    index = Index.open(root)
    assert [s["source_id"] for s in index.issues()] == ["demo-2021-12-03-A1.txt"]


def test_context_shows_the_paragraph_in_its_article(tmp_path, fake_encoder):
    root = tmp_path / "idx"
    update_index(root, [_issue("景县接种39.93万人。")], fake_encoder)
    ctx = Index.open(root).context("hengshui-daily/2021-12-03/A1/a01/p02")
    assert ctx["article"]["title"] == "测试标题 第二部分"
    assert [p["idx"] for p in ctx["paragraphs"]] == [1, 2]
    assert ctx["chunk"]["text"] == "第二段说明情况。"
    assert Index.open(root).context("nope") is None


def test_missing_index_is_a_clear_error(tmp_path):
    import pytest

    from rag.index import IndexNotFound

    with pytest.raises(IndexNotFound, match="no index at"):
        Index.open(Path(tmp_path / "none"))


def test_dense_index_kind_follows_size_and_is_recorded(tmp_path, fake_encoder):
    import numpy as np
    import pytest

    from rag.index.dense import AUTO_HNSW_FROM, DenseIndex, choose_params

    assert choose_params(10).kind == "flat" and choose_params(AUTO_HNSW_FROM).kind == "hnsw"
    assert choose_params(10, "hnsw").kind == "hnsw"
    root = tmp_path / "idx"
    update_index(root, [_issue("景县接种39.93万人。")], fake_encoder, dense_kind="hnsw")
    index = Index.open(root)
    assert index.manifest["dense"]["kind"] == "hnsw" and index.dense.params.ef_search > 0
    # an HNSW index finds the same nearest neighbours as exact search on a small set
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(500, 32)).astype("float32")
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    flat, hnsw = DenseIndex.build(vecs, choose_params(500, "flat")), DenseIndex.build(vecs, choose_params(500, "hnsw"))
    hits = sum(flat.search(q, 5)[0][0] == hnsw.search(q, 5)[0][0] for q in vecs[:50])
    assert hits >= 48
    # both report cosine similarity
    q = vecs[7]
    assert hnsw.search(q, 1)[0][1] == pytest.approx(flat.search(q, 1)[0][1], abs=1e-4) == pytest.approx(1.0, abs=1e-4)
    assert np.allclose(hnsw.vectors(), vecs)


def test_an_older_index_is_upgraded_without_embedding_again(tmp_path, fake_encoder):
    import shutil

    root = tmp_path / "idx"
    update_index(root, [_issue("景县接种39.93万人。")], fake_encoder)
    gen = root / Index.current_generation(root)
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["format_version"] = 1
    (gen / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(gen / "bigrams")
    assert Index.open(root).search_bigrams("景县", 5) == []  # a format-1 index still opens and searches

    embedded = fake_encoder.embedded
    update_index(root, [_issue("景县接种39.93万人。")], fake_encoder)
    assert fake_encoder.embedded == embedded
    index = Index.open(root)
    assert index.manifest["format_version"] >= 2
    assert "景县" in index.search_bigrams("景县", 5)[0][0].text


@pytest.mark.parametrize("block", [4_000_000, 50])
def test_lexical_index_matches_bm25s_own_indexer(tmp_path, sample_parsed, block, monkeypatch):
    """Our numpy BM25 build gives bm25s's scores (built in one block or many), and bm25s saves and loads it."""
    import rag.index.lexical as lexical

    monkeypatch.setattr(lexical, "_BLOCK_POSTINGS", block)
    import bm25s
    import numpy as np

    from rag.chunking import chunk_issue
    from rag.index.lexical import LexicalIndex
    from rag.text.words import bigram_tokens, tokenize

    for tok in (tokenize, bigram_tokens):
        docs = [tok(c.embed_text) for c in chunk_issue(sample_parsed)] + [[]]
        ours = LexicalIndex.build(iter(docs))
        vocab = {"": 0}
        ids = [[vocab.setdefault(t, len(vocab)) for t in d] or [0] for d in docs]
        ref = bm25s.BM25()
        ref.index((ids, vocab), show_progress=False)
        ours.save(tmp_path / tok.__name__)
        loaded = LexicalIndex.load(tmp_path / tok.__name__)
        for q in ("景县疫苗接种", "冀州区委书记", "志愿者注册总数", "不存在的词"):
            qids = ref.get_tokens_ids(tok(q))
            if not qids:
                continue
            want = np.asarray(ref.get_scores_from_ids(qids))
            got = np.asarray(loaded._bm25.get_scores_from_ids(loaded._bm25.get_tokens_ids(tok(q))))
            assert np.allclose(got, want, rtol=1e-5, atol=1e-6)
            assert loaded.search(q, 3, len(docs)) == ours.search(q, 3, len(docs))


def _pages(n: int, tag: str = "") -> list:
    return [_issue(f"第{i}版{tag}内容{i * 7}人。", f"demo-2021-12-03-A{i}.txt") for i in range(1, n + 1)]


def _row_vectors_match(index, encoder) -> None:
    """Row number = vector number: each stored vector is its own chunk's."""
    import numpy as np

    rows = index.store.chunks_by_rows(list(range(index.size)))
    vecs = index.dense.vectors()
    want = encoder.encode_passages([rows[r].embed_text for r in range(index.size)])
    assert np.allclose(vecs, want, atol=1e-6)


def test_updates_stream_a_generator_and_keep_rows_and_vectors_in_step(tmp_path, fake_encoder):
    """Add (the graph grows in place), replace the middle page and remove one: the result is what
    indexing the final pages from scratch gives."""
    from rag.index import remove_sources

    root = tmp_path / "idx"
    update_index(root, (p for p in _pages(3)), fake_encoder)
    update_index(root, (p for p in _pages(5)[3:]), fake_encoder)  # a generator, consumed once
    _row_vectors_match(Index.open(root), fake_encoder)
    r = update_index(root, iter([_issue("第2版换了内容九十人。", "demo-2021-12-03-A2.txt")]), fake_encoder)
    assert r.replaced == ["demo-2021-12-03-A2.txt"]
    remove_sources(root, ["demo-2021-12-03-A4.txt"])
    index = Index.open(root)
    _row_vectors_match(index, fake_encoder)

    fresh = tmp_path / "fresh"
    pages = _pages(5)
    final = [pages[0], _issue("第2版换了内容九十人。", "demo-2021-12-03-A2.txt"), pages[2], pages[4]]
    update_index(fresh, final, fake_encoder)
    ref = Index.open(fresh)
    assert index.size == ref.size == 8
    for q in ("换了内容", "第5版", "内容", "九十人"):
        got = [(c.chunk_id, round(s, 5)) for c, s in index.search_lexical(q, 8)]
        want = [(c.chunk_id, round(s, 5)) for c, s in ref.search_lexical(q, 8)]
        assert sorted(got) == sorted(want)
        assert sorted((c.chunk_id, round(s, 5)) for c, s in index.search_bigrams(q, 8)) == \
            sorted((c.chunk_id, round(s, 5)) for c, s in ref.search_bigrams(q, 8))
    assert sorted(s["source_id"] for s in index.issues()) == sorted(p.issue.source for p in final)


def test_a_replacement_that_clashes_keeps_the_indexed_version(tmp_path, fake_encoder):
    from rag.ingest import parse_text

    root = tmp_path / "idx"
    text = "HENGSHUIRIBAO\n\n2021年12月3日\n\n测试标题 第二部分\n\n本报讯(记者甲){}\n\n第二段说明情况。"
    update_index(root, [parse_text(text.format("一版一百人。"), "a.txt", "h1", page="A1"),
                        parse_text(text.format("二版两百人。"), "b.txt", "h2", page="A2")], fake_encoder)
    # b.txt changes and now claims page A1, which a.txt holds: it is refused and its indexed version stays
    r = update_index(root, [parse_text(text.format("二版改了。"), "b.txt", "h3", page="A1")], fake_encoder)
    assert r.failed and r.failed[0].startswith("b.txt: same newspaper, date and page as already indexed a.txt")
    index = Index.open(root)
    assert sorted((s["source_id"], s["content_hash"]) for s in index.issues()) == [("a.txt", "h1"), ("b.txt", "h2")]
    assert "两百人" in index.search_lexical("两百人", 1)[0][0].text
    _row_vectors_match(index, fake_encoder)
