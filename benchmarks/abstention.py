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
    from rag.text.cjk import asked_in_english
    from rag.types import Hit

    never = float("-inf")
    # With the reader, the rules never answer alone here, so that every trial records both the rules'
    # view (rules_best, rules_answer) and the reader's candidates; ``choose`` replays the rules-first
    # decision at the configured thresholds.
    rules_gate = float("inf") if qa.reader is not None else never
    answerer = ExtractiveAnswerer(qa.index.paragraph_text, qa.encoder, article_text=qa.index.article_text,
                                  min_confidence=rules_gate, min_confidence_en=rules_gate, reader=qa.reader,
                                  reader_passages=qa.settings.reader_passages, min_reader_confidence=never,
                                  min_reader_confidence_en=never)
    out = []
    for it in tqdm(items, desc="abstention", unit="q", disable=not sys.stderr.isatty()):
        hits = qa.retriever.search(it.question, depth)
        lang = "en" if asked_in_english(it.question) else "zh"
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
                        "features": d.features, "answers": list(it.answers) if answerable else []})
    return out


ALWAYS = 9.0  # the confidence a trial the rules answer alone is given: over every threshold
BLEND_FEATURES = ("reader_margin", "rules_confidence", "agree")
CHOICE_GRID = {"rules": (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 20.0, 30.0, 50.0), "typed": (0.0, 0.5, 1.0, 2.0, 3.0)}


def _right(text: str, answers: list[str]) -> bool:
    from rag.eval.metrics import answer_hit

    return bool(answers) and bool(answer_hit(text, answers))


def rules_answer(r: dict, gate: dict[str, float]) -> bool:
    """Would the rules answer this trial alone (their confidence at or over the language's threshold)?"""
    f = r["features"]
    return bool(f.get("rules_usable")) and f.get("rules_best", float("-inf")) >= gate[r["lang"]]


def choose(rows: list[dict], rules: float, typed: float, gate: dict[str, float] | None = None) -> list[dict]:
    """The rows as the answerer would have answered with ChoiceWeights(rules, typed): the candidate it
    picks, whether that is right, and the features the confidence is blended from. With ``gate`` (the
    rules' thresholds), the trials the rules answer alone are left out: the reader never sees them."""
    out = []
    for r in rows:
        cands = r["features"].get("candidates")
        if not cands or (gate is not None and rules_answer(r, gate)):
            continue
        # source, reader score, null, rules score, typed, agree, text
        c = max(cands, key=lambda c: c[1] + rules * c[3] + typed * c[4])
        f = {**r["features"], "reader_margin": c[1] - c[2], "rules_confidence": c[3], "agree": c[5]}
        out.append({**r, "features": f, "right": r["gold_answerable"] and _right(c[6], r["answers"])})
    return out


def fit_choice(rows: list[dict]) -> dict:
    """The ChoiceWeights that pick a right candidate most often (a grid), on questions with the gold paragraph."""
    asked = [r for r in rows if r["kind"] == "asked" and r["gold_answerable"]]
    scores = {(a, b): sum(x["right"] for x in choose(asked, a, b)) for a in CHOICE_GRID["rules"] for b in CHOICE_GRID["typed"]}
    (a, b), n = max(scores.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
    return {"rules": a, "typed": b, "right": n, "of": len(asked),
            "reader_alone": scores.get((0.0, 0.0))}


def fit_blend(rows: list[dict], l2: float = 0.1) -> dict:
    """The logistic model of "the short answer is right" over the reader's margin, the rules' confidence
    and their agreement (rag.answer.extractive.ReaderBlend), by Newton's method with a little L2."""
    X = np.array([[1.0] + [float(r["features"][f]) for f in BLEND_FEATURES] for r in rows])
    y = np.array([float(r["right"]) for r in rows])
    w = np.zeros(X.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-X @ w))
        grad = X.T @ (p - y) + l2 * np.r_[0, w[1:]]
        hess = X.T @ (X * (p * (1 - p))[:, None]) + l2 * np.diag(np.r_[0, np.ones(len(w) - 1)])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return {"bias": round(float(w[0]), 3), "margin": round(float(w[1]), 3), "rules": round(float(w[2]), 3),
            "agree": round(float(w[3]), 3)}


def blended(rows: list[dict], blend: dict) -> list[dict]:
    """The rows with their confidence recomputed by ``blend``."""
    out = []
    for r in rows:
        f = r["features"]
        z = blend["bias"] + blend["margin"] * f["reader_margin"] + blend["rules"] * f["rules_confidence"] + blend["agree"] * f["agree"]
        out.append({**r, "confidence": float(1 / (1 + np.exp(-z)))})
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
    ap.add_argument("--qa", type=Path, nargs="+", default=[], help="one or more QA files, asked together")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--name", default=None)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--trials", type=Path, nargs="+", help="re-score saved trials (.trials.jsonl files) instead of asking again")
    ap.add_argument("--fit", action="store_true",
                    help="fit the reader's confidence blend (ReaderBlend) per language on these trials first")
    ap.add_argument("--choice", nargs="+", default=[], metavar="LANG=RULES,TYPED",
                    help="with --fit, keep these ChoiceWeights (zh=3,0.5) instead of the grid's best")
    args = ap.parse_args()
    fixed = {k: tuple(float(x) for x in v.split(",")) for k, v in (c.split("=") for c in args.choice)}

    from rag.chain import NewsQA
    from rag.config import AnswerSettings, load_settings
    from rag.eval import load_qa

    gate = {"zh": AnswerSettings.min_confidence, "en": AnswerSettings.min_confidence_en}

    if args.trials:
        rows = [json.loads(line) for path in args.trials for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        qa = NewsQA.load(load_settings(None, {"index_dir": str(args.index)}))
        from rag.answer.kinds import kind_of

        # Overviews, gists and reports are other kinds' answers, not the fact answerer's.
        items = [item for path in args.qa for item in load_qa(path, args.limit) if kind_of(item.question) == "fact"]
        rows = trials(qa, items, depth=30)
    thresholds = np.round(np.arange(0.0, 1.31, 0.025), 3)
    report = {"qa": [str(p) for p in args.qa], "trials": len(rows), "by_lang": {}}
    for lang in ("zh", "en"):
        sub = [r for r in rows if r["lang"] == lang]
        if not sub:
            continue
        if args.fit and all("candidates" in r["features"] for r in sub):
            # The rules answer alone at their own thresholds; the reader is fitted on what is left.
            alone = [{**r, "confidence": ALWAYS, "offers_answer": True,
                      "right": r["gold_answerable"] and _right(r["features"]["rules_answer"], r["answers"])}
                     for r in sub if rules_answer(r, gate)]
            rest = [r for r in sub if not rules_answer(r, gate)]
            choice = fit_choice(rest)
            if lang in fixed:
                choice["rules"], choice["typed"] = fixed[lang]
                choice["right"] = sum(x["right"] for x in choose(
                    [r for r in rest if r["kind"] == "asked" and r["gold_answerable"]], *fixed[lang]))
            rest = choose(rest, choice["rules"], choice["typed"])
            report.setdefault("choice", {})[lang] = choice
            print(f"{lang}: the rules answer {len(alone)} of {len(sub)} trials alone "
                  f"({sum(r['right'] for r in alone)} right); of the rest, ChoiceWeights(rules={choice['rules']}, "
                  f"typed={choice['typed']}): right {choice['right']} of {choice['of']} with gold "
                  f"(the reader's score alone: {choice['reader_alone']})")
            blend = fit_blend(rest)
            sub = alone + blended(rest, blend)
            report.setdefault("blend", {})[lang] = blend
            print(f"{lang}: ReaderBlend({', '.join(f'{k}={v}' for k, v in blend.items())})")
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
