"""Embedding speed and what it costs in retrieval, models side by side in one run.

    .venv/bin/python benchmarks/embedding_speed.py --texts PATH/TO/people-daily/2019-02/20190215 \
        --qa data/qa/hengshui-daily-2021-12-03-A1.qa.jsonl --corpus data/hengshui-daily-2021-12-03-A1.txt \
        --qa PATH/TO/cmrc2018-dev/qa.jsonl --corpus PATH/TO/cmrc2018-dev/passages.jsonl

For each model (default: multilingual-e5-small on torch, multilingual-e5-small-int8 on onnxruntime):
chunks a second over the chunks of the --texts issue files (as ingest makes them), questions a
second, the cosine of each chunk's vector to the first model's, and hybrid retrieval recall@1 / @5
on each QA file over an index of its corpus built with that model. Prints one JSON object.
A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embeddings import load_encoder  # noqa: E402
from rag.app.archive import ingest_files, issue_files  # noqa: E402
from rag.chunking import chunk_issue  # noqa: E402
from rag.config import go_offline, load_settings  # noqa: E402
from rag.eval import load_qa  # noqa: E402
from rag.eval.run import gold_rank  # noqa: E402
from rag.index import open_index  # noqa: E402
from rag.ingest import parse_file  # noqa: E402
from rag.retrieve import HybridRetriever  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=["multilingual-e5-small", "multilingual-e5-small-int8"])
    ap.add_argument("--texts", required=True, help="issue files or a folder of them, chunked as ingest does")
    ap.add_argument("--limit", type=int, default=600, help="chunks to embed for the speed figure")
    ap.add_argument("--qa", action="append", default=[], help="QA file (give --corpus after each)")
    ap.add_argument("--corpus", action="append", default=[], help="the corpus of the --qa before it")
    args = ap.parse_args()
    go_offline()
    settings = load_settings()
    files, _ = issue_files([args.texts])
    chunks = [c.embed_text for f in files for c in chunk_issue(parse_file(f))][: args.limit]
    out: dict = {"chunks": len(chunks), "mean_chars": round(float(np.mean([len(c) for c in chunks])), 1)}
    reference = None
    for name in args.models:
        enc = load_encoder(name, settings.model_cache, settings.embed_batch_size)
        enc.encode_passages(chunks[:16], progress=False)  # warm up
        t = time.perf_counter()
        vecs = enc.encode_passages(chunks, progress=False)
        passage_s = time.perf_counter() - t
        questions = [f"{c[:30]}是什么？" for c in chunks[:200]]
        t = time.perf_counter()
        for q in questions:
            enc.encode_queries([q])
        query_s = time.perf_counter() - t
        row = {"chunks_per_second": round(len(chunks) / passage_s, 1),
               "questions_per_second": round(len(questions) / query_s, 1)}
        if reference is None:
            reference = vecs
        else:
            cos = (vecs * reference).sum(1)
            row["cosine_to_first"] = {"min": round(float(cos.min()), 4), "mean": round(float(cos.mean()), 4)}
        for qa_path, corpus in zip(args.qa, args.corpus, strict=True):
            index_dir = Path(tempfile.mkdtemp(prefix="embedding-speed-")) / "idx"
            s = settings.updated(index_dir=index_dir, model=name)
            ingest_files(s, issue_files([corpus])[0], log=lambda m: None, encoder=enc)
            index = open_index(s)
            retriever = HybridRetriever(index=index, encoder=enc, settings=s.retrieval)
            items = [it for it in load_qa(Path(qa_path)) if it.answerable]
            ranks = [gold_rank(it, retriever.search(it.question, 30), index.paragraph_text) for it in items]
            row[Path(qa_path).parent.name + "/" + Path(qa_path).name] = {
                "questions": len(items),
                "recall@1": round(sum(r == 1 for r in ranks) / len(ranks), 4),
                "recall@5": round(sum(r is not None and r <= 5 for r in ranks) / len(ranks), 4)}
        out[name] = row
        print(json.dumps({name: row}, ensure_ascii=False), file=sys.stderr, flush=True)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
