"""Tune retrieval fusion offline: fetch each signal's candidates once, then score variants in seconds.

    .venv/bin/python benchmarks/fusion_tuning.py collect --index IDX --qa QA.jsonl --out cands.json
    .venv/bin/python benchmarks/fusion_tuning.py score cands-cmrc.json cands-sample.json

`collect` stores, per question, the top 50 of the dense, BM25-words and BM25-bigrams signals
(row numbers and raw scores) and which rows are relevant; `score` prints recall@1/@5 and MRR for
a grid of RRF and score-fusion variants, per question set. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def collect(index_dir: Path, qa_path: Path, out: Path) -> None:
    from embeddings import load_encoder
    from rag.config import load_settings
    from rag.eval import load_qa
    from rag.index import Index

    index = Index.open(index_dir)
    encoder = load_encoder(index.model, load_settings().model_cache)
    items = load_qa(qa_path)
    rows = index.store.all_rows("chunks")
    vecs = encoder.encode_queries([it.question for it in items])
    data = []
    for it, v in zip(items, vecs, strict=True):
        if not it.answerable:
            continue
        signals = {
            "dense": [(c.chunk_id, s) for c, s in index.search_dense(v, 50)],
            "words": [(c.chunk_id, s) for c, s in index.search_lexical(it.question, 50)],
            "bigrams": [(c.chunk_id, s) for c, s in index.search_bigrams(it.question, 50)],
        }
        ids = {cid for sig in signals.values() for cid, _ in sig}
        by_id = {r["chunk_id"]: r for r in rows if r["chunk_id"] in ids}
        ev = "".join(it.evidence.split())
        unit = {cid: (by_id[cid]["source_id"] if it.passage_id else by_id[cid]["paragraph_id"]) for cid in ids}
        relevant = [cid for cid in ids if (by_id[cid]["source_id"] == it.passage_id if it.passage_id
                                           else ev in "".join(index.paragraph_text(by_id[cid]["paragraph_id"]).split()))]
        data.append({"q": it.question, "type": it.type or "all", "signals": signals, "unit": unit,
                     "relevant": relevant})
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(f"{len(data)} questions -> {out}")


def _fused(q: dict, weights: dict[str, float], method: str, k: int = 60) -> list[str]:
    score: dict[str, float] = {}
    for name, w in weights.items():
        pairs = q["signals"][name]
        if not pairs or w <= 0:
            continue
        vals = [s for _, s in pairs]
        lo, hi = min(vals), max(vals)
        for r, (cid, s) in enumerate(pairs, 1):
            part = ((s - lo) / (hi - lo) if hi > lo else 1.0) if method == "score" else 1 / (k + r)
            score[cid] = score.get(cid, 0.0) + w * part
    return sorted(score, key=lambda c: -score[c])


def _metrics(data: list[dict], weights: dict, method: str, k: int = 60) -> dict:
    r1 = r5 = mrr = 0.0
    for q in data:
        seen: list[str] = []
        rank = None
        for cid in _fused(q, weights, method, k):
            u = q["unit"][cid]
            if u in seen:
                continue
            seen.append(u)
            if cid in q["relevant"]:
                rank = len(seen)
                break
            if len(seen) >= 10:
                break
        r1 += rank == 1
        r5 += rank is not None and rank <= 5
        mrr += 1 / rank if rank else 0
    n = len(data) or 1
    return {"r1": round(r1 / n, 4), "r5": round(r5 / n, 4), "mrr": round(mrr / n, 4)}


VARIANTS = [
    ("bm25 words", {"words": 1}, "score"), ("bm25 bigrams", {"bigrams": 1}, "score"), ("dense", {"dense": 1}, "score"),
    ("rrf d.7 w1", {"dense": .7, "words": 1}, "rrf"), ("rrf d.5 w1 k10", {"dense": .5, "words": 1}, "rrf10"),
    ("rrf d.7 w1 b1", {"dense": .7, "words": 1, "bigrams": 1}, "rrf"),
    ("score d.5 w.5", {"dense": .5, "words": .5}, "score"),
    ("score d.3 w.35 b.35", {"dense": .3, "words": .35, "bigrams": .35}, "score"),
    ("score d.5 w.35 b.15", {"dense": .5, "words": .35, "bigrams": .15}, "score"),
    ("score d.5 w.25 b.25", {"dense": .5, "words": .25, "bigrams": .25}, "score"),
    ("score d.7 w.15 b.15", {"dense": .7, "words": .15, "bigrams": .15}, "score"),
]


def score(paths: list[Path]) -> None:
    sets = {}
    for p in paths:
        for q in json.loads(p.read_text(encoding="utf-8")):
            sets.setdefault(f"{p.stem}:{q['type']}", []).append(q)
    for name, weights, method in VARIANTS:
        k = 10 if method == "rrf10" else 60
        m = "rrf" if method.startswith("rrf") else "score"
        print(f"{name:<22}", "  ".join(f"{s}={_metrics(d, weights, m, k)}" for s, d in sets.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--index", type=Path, required=True)
    c.add_argument("--qa", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("score")
    s.add_argument("files", type=Path, nargs="+")
    a = ap.parse_args()
    collect(a.index, a.qa, a.out) if a.cmd == "collect" else score(a.files)


if __name__ == "__main__":
    main()
