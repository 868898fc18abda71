"""Scale benchmark: build indexes of synthetic paragraphs and time search at each size.

    .venv/bin/python benchmarks/scale.py --sizes 10000 100000 1000000 --out benchmarks/results

Paragraphs are random runs of real Chinese news sentences (from a JSON-lines corpus with a
"text" field, such as CRUD-RAG's news articles, or the bundled sample page when none is
given); vectors are random unit vectors, because the search part does not depend on what they
mean. Paragraphs are written 1,000 to a file, and the files stream through the index writer
one at a time, as `newsqa ingest` reads an archive. Each size runs in its own process so that
memory figures do not mix. The whole path is the real one: passages files -> rag.ingest ->
rag.index.update_index (SQLite store, BM25 over jieba tokens and bigrams, FAISS) ->
rag.retrieve.HybridRetriever. This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DIM = 384


class RandomEncoder:
    """Synthetic unit vectors: stands in for the model where only search speed is measured.

    Real sentence embeddings cluster by topic; uniform random vectors in 384 dimensions
    have no near neighbours at all, which no approximate index can be judged on. So
    vectors are drawn around 4,096 random topic centres.
    """

    name = "random-384"
    dim = DIM

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        centres = np.random.default_rng(42).standard_normal((4096, DIM), dtype=np.float32)
        self.centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)

    def _unit(self, n: int) -> np.ndarray:
        picks = self.rng.integers(0, len(self.centres), size=n)
        v = self.centres[picks] + self.rng.standard_normal((n, DIM), dtype=np.float32) * 0.06
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def encode_passages(self, texts, progress=None):
        return self._unit(len(texts))

    def encode_queries(self, texts):
        return self._unit(len(texts))


def sentences_from(corpus: Path | None, limit: int = 400_000) -> list[str]:
    if corpus is None:
        texts = [(ROOT / "data" / "hengshui-daily-2021-12-03-A1.txt").read_text(encoding="utf-8")]
    else:
        texts = []
        with open(corpus, encoding="utf-8") as f:
            for line in f:
                texts.append(json.loads(line)["text"])
    out = []
    for t in texts:
        out += [s for s in re.findall(r"[^。！？\n]{8,120}[。！？]", t)]
        if len(out) >= limit:
            break
    return out


def write_passages(folder: Path, n: int, sentences: list[str], seed: int = 0, per_file: int = 1000) -> list[Path]:
    """n passages in files of ``per_file`` each (an archive is many files; one is read at a time)."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, n, per_file):
        path = folder / f"part-{start // per_file:05d}.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for i in range(start, min(n, start + per_file)):
                text = "".join(rnd.choice(sentences) for _ in range(rnd.randint(2, 4)))
                f.write(json.dumps({"id": f"P{i}", "title": "", "text": text}, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _pct(vals: list[float], q: float) -> float:
    s = sorted(vals)
    return s[max(0, min(len(s) - 1, int(np.ceil(q / 100 * len(s))) - 1))]


def _settings(root: Path, backend: str):
    from rag.config import Settings

    return Settings().updated(index_backend=backend, index_dir=root, milvus_collection="scale")


def build(n: int, work: Path, corpus: Path | None, dense_kind: str, backend: str = "local") -> dict:
    from rag.index import Index, open_writer, update_index
    from rag.ingest import parse_file

    work.mkdir(parents=True, exist_ok=True)
    sentences = sentences_from(corpus)
    files = write_passages(work / f"synthetic-{n}", n, sentences)
    del sentences
    enc = RandomEncoder()
    root = work / f"index-{n}-{backend}"
    t0 = time.perf_counter()
    # Files stream through the writer as `newsqa ingest` streams them: parsed one at a time.
    stream = (parse_file(f) for f in files)
    if backend == "local":
        report = update_index(root, stream, enc, max_chunk_chars=10_000, progress=False, dense_kind=dense_kind)
    else:
        report = open_writer(_settings(root, backend).updated(max_chunk_chars=10_000)).update(stream, enc)
    t_build = time.perf_counter() - t0
    build_peak = _rss_mb()
    if backend != "local":
        size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) / 2**20
        return {"backend": backend, "paragraphs": n, "chunks": report.chunks_total, "files": len(files),
                "build_s": round(t_build, 1), "build_paragraphs_per_s": round(n / t_build, 1),
                "disk_mb_total": round(size, 1), "build_peak_rss_mb": round(build_peak)}
    gen = root / Index.current_generation(root)
    size_mb = {p.name: (p.stat().st_size if p.is_file() else sum(f.stat().st_size for f in p.rglob("*") if f.is_file()))
               / 2**20 for p in gen.iterdir()}
    return {
        "paragraphs": n, "chunks": report.chunks_total, "files": len(files), "build_s": round(t_build, 1),
        "build_paragraphs_per_s": round(n / t_build, 1), "disk_mb": {k: round(v, 1) for k, v in size_mb.items()},
        "disk_mb_total": round(sum(size_mb.values()), 1), "build_peak_rss_mb": round(build_peak),
    }


def query(n: int, work: Path, corpus: Path | None, queries: int, backend: str = "local") -> dict:
    from rag.config import Settings
    from rag.index import open_index
    from rag.retrieve import HybridRetriever

    root = work / f"index-{n}-{backend}"
    sentences = sentences_from(corpus, limit=20_000)
    enc = RandomEncoder(seed=3)
    before = _current_rss_mb()
    t = time.perf_counter()
    index = open_index(_settings(root, backend))
    t_load = time.perf_counter() - t
    loaded_rss = _current_rss_mb()

    rnd = random.Random(1)
    qtexts = ["".join(re.findall(r"[\u4e00-\u9fff]{2,6}", rnd.choice(sentences))[:3]) or "新闻" for _ in range(queries)]
    qvecs = enc.encode_queries(qtexts)
    settings = Settings()
    retriever = HybridRetriever(index=index, encoder=enc, settings=settings.retrieval, k=10)
    lat = {"dense": [], "bm25": [], "hybrid": []}
    for qt, qv in zip(qtexts, qvecs, strict=True):
        t = time.perf_counter()
        index.search_dense(qv, settings.candidates)
        lat["dense"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        index.search_lexical(qt, settings.candidates)
        lat["bm25"].append((time.perf_counter() - t) * 1000)
        retriever.encoder = _Fixed(qv)
        t = time.perf_counter()
        retriever.search(qt, 10)
        lat["hybrid"].append((time.perf_counter() - t) * 1000)

    # recall of the approximate index against exact search, on queries that have near neighbours
    recall = None
    if backend == "local" and index.manifest["dense"]["kind"] != "flat":
        vecs = index.dense.vectors()
        rng = np.random.default_rng(2)
        picks = rng.choice(len(vecs), size=min(200, len(vecs)), replace=False)
        q = vecs[picks] + rng.standard_normal((len(picks), DIM), dtype=np.float32) * 0.03
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        exact = np.argsort(-(vecs @ q.T), axis=0)[:10].T
        got = [[i for i, _ in index.dense.search(qq, 10)] for qq in q]
        recall = float(np.mean([len(set(g) & set(e)) / 10 for g, e in zip(got, exact, strict=True)]))

    return {
        "dense": index.manifest.get("dense", "HNSW (Milvus)"), "load_s": round(t_load, 2), "index_rss_mb": round(loaded_rss - before),
        **{f"{k}_ms_p50": round(_pct(v, 50), 2) for k, v in lat.items()},
        **{f"{k}_ms_p95": round(_pct(v, 95), 2) for k, v in lat.items()},
        "hnsw_recall@10_vs_exact": None if recall is None else round(recall, 4), "queries": queries,
    }


class _Fixed:
    """Hands the retriever a precomputed query vector."""

    def __init__(self, v):
        self.v = v

    def encode_queries(self, texts):
        return self.v[None, :]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--corpus", type=Path, help="JSON lines with a 'text' field to draw sentences from")
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsqa-scale"))
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--dense", default="auto", choices=["auto", "flat", "hnsw"])
    ap.add_argument("--backend", default="local", choices=["local", "milvus"], help="milvus: Milvus Lite in --work")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--phase", choices=["build", "query"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        if args.phase == "build":
            res = build(args.one, args.work, args.corpus, args.dense, args.backend)
        else:
            res = query(args.one, args.work, args.corpus, args.queries, args.backend)
        print(json.dumps(res))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        row: dict = {}
        for phase in ("build", "query"):  # separate processes: memory figures do not mix
            cmd = [sys.executable, __file__, "--one", str(n), "--phase", phase, "--work", str(args.work),
                   "--queries", str(args.queries), "--dense", args.dense, "--backend", args.backend]
            cmd += ["--corpus", str(args.corpus)] if args.corpus else []
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            row.update(json.loads(out))
        rows.append(row)
        print(json.dumps(row), flush=True)
    (args.out / ("scale.json" if args.backend == "local" else f"scale-{args.backend}.json")).write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
