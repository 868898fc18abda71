"""A running NewsQA picks up what another process indexed, without a restart."""

import json
from pathlib import Path

from rag.chain import NewsQA
from rag.config import load_settings
from rag.index import Index, update_index
from rag.ingest import parse_file


def test_questions_see_a_new_generation_once_it_is_complete(tmp_path, sample_parsed, fake_encoder):
    settings = load_settings(overrides={"index_dir": tmp_path / "idx"})
    update_index(Path(settings.index_dir), [sample_parsed], fake_encoder, progress=False)
    qa = NewsQA.load(settings, encoder=fake_encoder)
    first = qa.index.generation
    assert not qa.refresh()

    passages = tmp_path / "more.jsonl"
    passages.write_text(json.dumps({"id": "P9", "title": "滏阳河", "text": "滏阳河治理工程今年完成投资八亿元。"},
                                   ensure_ascii=False) + "\n", encoding="utf-8")
    update_index(Path(settings.index_dir), [parse_file(passages)], fake_encoder, progress=False)
    assert Index.current_generation(Path(settings.index_dir)) != first

    hits = qa.search("滏阳河治理工程", 3)  # refreshes before searching
    assert qa.index.generation != first
    assert hits[0].chunk.source_id == "P9"
    assert any(i.get("newspaper") == "衡水日报" for i in qa.index.issues())  # the old issue is still there
