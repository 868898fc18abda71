"""A running NewsQA picks up what another process indexed, without a restart."""

import json
import subprocess
import sys
import textwrap
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


CHILD = textwrap.dedent("""
    import json, sys, zlib
    from pathlib import Path
    import numpy as np
    sys.path.insert(0, {root!r})
    from rag.index import update_index
    from rag.ingest import parse_file

    class Encoder:  # the test's fake encoder's name and size, so the server accepts the index
        name, dim = "fake-chars", 64
        def encode_passages(self, texts, progress=None):
            out = np.zeros((len(texts), self.dim), np.float32)
            for i, t in enumerate(texts):
                for ch in t:
                    out[i, zlib.crc32(ch.encode()) % self.dim] += 1.0
            return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    root, folder = Path(sys.argv[1]), Path(sys.argv[2])
    for n in range(8):
        f = folder / f"batch-{{n}}.jsonl"
        f.write_text(json.dumps({{"id": f"N{{n}}", "title": "滏阳河", "text": f"滏阳河治理工程第{{n}}期完成投资{{n}}亿元。"}},
                                ensure_ascii=False) + "\\n", encoding="utf-8")
        update_index(root, [parse_file(f)], Encoder(), progress=False)
        print("generation", n, flush=True)
""")


def test_questions_keep_being_answered_while_another_process_ingests(tmp_path, sample_parsed, fake_encoder):
    settings = load_settings(overrides={"index_dir": tmp_path / "idx"})
    root = Path(settings.index_dir)
    update_index(root, [sample_parsed], fake_encoder, progress=False)
    qa = NewsQA.load(settings, encoder=fake_encoder)
    script = tmp_path / "ingest.py"
    script.write_text(CHILD.format(root=str(Path(__file__).resolve().parent.parent)), encoding="utf-8")
    (tmp_path / "batches").mkdir()
    child = subprocess.Popen([sys.executable, str(script), str(root), str(tmp_path / "batches")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen, errors, asked = set(), [], 0
    while child.poll() is None or asked < 5:
        try:
            a = qa.ask("滏阳河治理工程完成投资多少？")
            asked += 1
            seen.add(qa.index.generation)
            for c in a.citations:  # chunks are only ever added here: each cited one is still there
                assert qa.index.chunk(c.chunk_id) is not None, c.chunk_id
        except Exception as exc:  # noqa: BLE001 - any failure while the index changes is the finding
            errors.append(repr(exc))
        if asked > 5000:
            break
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert errors == []
    assert len(seen) >= 2  # it did move to newer generations while answering
    qa.refresh()
    assert {i["source_id"] for i in qa.index.issues()} >= {f"batch-{n}.jsonl" for n in range(8)} | {sample_parsed.issue.source}


def test_a_partial_or_unnamed_generation_is_never_opened(tmp_path, sample_parsed, fake_encoder):
    settings = load_settings(overrides={"index_dir": tmp_path / "idx"})
    root = Path(settings.index_dir)
    update_index(root, [sample_parsed], fake_encoder, progress=False)
    qa = NewsQA.load(settings, encoder=fake_encoder)
    gen = qa.index.generation
    (root / ".gen-000099.partial").mkdir()
    (root / ".gen-000099.partial" / "manifest.json").write_text("{half", encoding="utf-8")
    (root / "gen-000099").mkdir()  # written but never named by CURRENT (a crash before the switch)
    assert not qa.refresh() and qa.index.generation == gen
    assert qa.search("景县疫苗接种", 3)
