"""When should the extractive answerer say "the issues do not say"? The trade-off curve.

    .venv/bin/python benchmarks/abstention.py --index DIR --qa QA.jsonl [QA2.jsonl …] [--out DIR]

Every answerable question is asked twice: once with what retrieval found, and once
with its gold paragraph (or passage) left out of every retrieval signal before
fusion, as if the archive did not hold it; there the only right answer is to abstain. Questions marked
unanswerable are asked once. For each confidence threshold the script counts
answered-and-right, answered-wrongly (a wrong fact, or any answer where there is
none) and abstained-wrongly, separately for Chinese and English questions, and
names two thresholds: the one that maximises right − 2 × wrong (a wrong answer stated
with a citation costs a reader more than an honest "not found"), and the one that
best tells "the paragraph is there" from "it is not" (answered-with-gold − 2 ×
answered-without), which does not blame the threshold for a wrong span inside the
right paragraph. This is a measurement,
not a test. (Leaving the gold chunks out of the candidates stands in for an index
without them; scores are min-max scaled over what is left, as they would be; only
BM25's IDF still counts them. Taking them out of the fused hits afterwards, as a
first version did, left every other hit's score scaled against the gold one's,
which made "not there" look far easier to tell than it is.)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def trials(qa, items, depth: int) -> list[dict]:
    from rag.answer import ExtractiveAnswerer
    from rag.eval.metrics import answer_hit
    from rag.eval.run import _relevant
    from rag.text.cjk import has_cjk
    from rag.types import Hit

    answerer = ExtractiveAnswerer(qa.index.paragraph_text, qa.encoder, article_text=qa.index.article_text,
                                  min_confidence=float("-inf"), min_confidence_en=float("-inf"))
    out = []
    for it in tqdm(items, desc="abstention", unit="q", disable=not sys.stderr.isatty()):
        hits = qa.retriever.search(it.question, depth)
        lang = "zh" if has_cjk(it.question) else "en"
        runs = [("asked", hits, it.answerable)]
        if it.answerable:
            # Re-retrieved without the gold chunks in any signal's candidates: the fused scores come out
            # as from an index that lacks them (only BM25's IDF still counts them).
            gone = qa.retriever.search(it.question, depth,
                                       exclude=lambda c, it=it: _relevant(it, Hit(chunk=c, score=0.0), qa.index.paragraph_text))
            runs.append(("gold removed", gone, False))
        for kind, hs, answerable in runs:
            d = answerer(it.question, hs[: qa.settings.top_k])
            right = bool(answerable and d.answerable and it.answers and answer_hit(d.short_answer, it.answers))
            out.append({"id": it.id, "lang": lang, "kind": kind, "gold_answerable": answerable,
                        "confidence": d.confidence, "offers_answer": d.answerable, "right": right,
                        "features": d.features})
    return out


def curve(rows: list[dict], thresholds: np.ndarray) -> list[dict]:
    out = []
    pos = [r for r in rows if r["gold_answerable"]]
    neg = [r for r in rows if not r["gold_answerable"]]
    for t in thresholds:
        def answers(r, t=t):
            return r["offers_answer"] and r["confidence"] >= t
        right = int(sum(answers(r) and r["right"] for r in pos))
        wrong = int(sum(answers(r) and not r["right"] for r in pos) + sum(answers(r) for r in neg))
        missed = int(sum(not answers(r) for r in pos))
        out.append({"threshold": round(float(t), 3), "answered_right": right, "answered_wrong": wrong,
                    "abstained_wrongly": missed, "abstained_rightly": int(sum(not answers(r) for r in neg)),
                    "n_answerable": len(pos), "n_unanswerable": len(neg), "utility": right - 2 * wrong,
                    "answered_with_gold": int(sum(answers(r) for r in pos)),
                    "answered_without_gold": int(sum(answers(r) for r in neg))})
        out[-1]["evidence_utility"] = out[-1]["answered_with_gold"] - 2 * out[-1]["answered_without_gold"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path)
    ap.add_argument("--qa", type=Path, nargs="+", required=True, help="one or more QA files, asked together")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--name", default=None)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--trials", type=Path, help="re-score saved trials (a .trials.jsonl) instead of asking again")
    args = ap.parse_args()

    from rag.chain import NewsQA
    from rag.config import load_settings
    from rag.eval import load_qa

    if args.trials:
        rows = [json.loads(line) for line in args.trials.read_text(encoding="utf-8").splitlines()]
    else:
        qa = NewsQA.load(load_settings(None, {"index_dir": str(args.index)}))
        items = [item for path in args.qa for item in load_qa(path, args.limit)]
        rows = trials(qa, items, depth=30)
    thresholds = np.round(np.arange(0.0, 1.31, 0.025), 3)
    report = {"qa": [str(p) for p in args.qa], "trials": len(rows), "by_lang": {}}
    for lang in ("zh", "en"):
        sub = [r for r in rows if r["lang"] == lang]
        if not sub:
            continue
        c = curve(sub, thresholds)
        best = max(c, key=lambda x: (x["utility"], -x["threshold"]))
        best_evidence = max(c, key=lambda x: (x["evidence_utility"], -x["threshold"]))
        report["by_lang"][lang] = {"best": best, "best_evidence": best_evidence, "curve": c}
        print(f"{lang}: {len(sub)} trials; best threshold by answers {best['threshold']}, "
              f"by evidence {best_evidence['threshold']}")
        print("  t     right  wrong  missed  | with-gold  without-gold")
        for x in c:
            print(f"  {x['threshold']:.3f} {x['answered_right']:5d}  {x['answered_wrong']:5d}  {x['abstained_wrongly']:6d}"
                  f"  | {x['answered_with_gold']:9d}  {x['answered_without_gold']:12d}")
    name = args.name or "+".join(p.stem for p in args.qa)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"abstention-{name}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.trials:
        return
    (args.out / f"abstention-{name}.trials.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
