"""Fit the answerability model (is the answer in the retrieved paragraphs?) from abstention trials.

    .venv/bin/python benchmarks/fit_answerability.py --trials CMRC.trials.jsonl [--check SAMPLE.trials.jsonl]

The trials come from `benchmarks/abstention.py` on CMRC 2018 dev: each question asked once as
retrieved (label 1: the gold passage is among the hits) and once with its gold passage left out of
retrieval (label 0). Questions are split in two halves by id; a logistic regression (L2, Newton's
method, numpy) is fitted on the first half over the Chinese trials' features and checked on the
second, and on the sample issue's trials when given (a different corpus: an out-of-domain check).
The model fitted on the first half is written to rag/answer/answerability.json with those figures.
A measurement and a fit, not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rows_of(path: Path, lang: str = "zh") -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["lang"] == lang and r["offers_answer"] and "coverage" in r["features"]]


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> np.ndarray:
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) + l2 * np.r_[w[:-1], 0.0]
        hess = (xb.T * (p * (1 - p))) @ xb + l2 * np.diag(np.r_[np.ones(len(w) - 1), 0.0])
        w -= np.linalg.solve(hess, grad)
    return w


def table(model, rows: list[dict], thresholds=(0.5, 0.6, 0.667, 0.75, 0.8, 0.9)) -> list[dict]:
    p = np.array([model.probability(r["features"]) for r in rows])
    gold = np.array([r["gold_answerable"] for r in rows])
    right = np.array([r["right"] for r in rows])
    out = []
    for t in thresholds:
        a = p >= t
        out.append({"threshold": t, "answered_with_gold": int((a & gold).sum()),
                    "answered_without_gold": int((a & ~gold).sum()), "answered_right": int((a & right).sum()),
                    "answered_wrong": int((a & ~right).sum())})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=Path, required=True)
    ap.add_argument("--check", type=Path, help="another corpus's trials (the sample issue's)")
    ap.add_argument("--out", type=Path, default=ROOT / "rag" / "answer" / "answerability.json")
    ap.add_argument("--threshold", type=float, default=2 / 3,
                    help="answer when P(evidence present) is at least this; 2/3 = a wrong answer costs twice a miss")
    args = ap.parse_args()

    from rag.answer.answerability import FEATURES, Answerability, feature_vector

    rows = rows_of(args.trials)
    ids = sorted({r["id"] for r in rows})
    first = set(ids[: len(ids) // 2])
    train = [r for r in rows if r["id"] in first]
    held = [r for r in rows if r["id"] not in first]
    x = np.array([feature_vector(r["features"]) for r in train])
    y = np.array([float(r["gold_answerable"]) for r in train])
    w = fit_logistic(x, y)
    report = {"fitted_on": f"{args.trials.name}: {len(train)} Chinese trials of {len(first)} questions (first half by id)",
              "label": "1 = the gold passage was among the hits, 0 = it was left out of retrieval",
              "created": time.strftime("%Y-%m-%d"), "held_out": None, "check": None}
    model = Answerability(dict(zip(FEATURES, map(float, w[:-1]), strict=True)), float(w[-1]), args.threshold, report)
    report["held_out"] = {"trials": len(held), "table": table(model, held)}
    print(f"fitted on {len(train)} trials; weights:", {k: round(v, 2) for k, v in model.weights.items()},
          "bias", round(model.bias, 2))
    print(f"held-out half ({len(held)} trials):")
    for row in report["held_out"]["table"]:
        print("  ", row)
    base = np.array([r["confidence"] for r in held])
    gold = np.array([r["gold_answerable"] for r in held])
    for t in (0.75, 0.85, 0.9):
        a = base >= t
        print(f"   hand-weighted score >= {t}: with gold {int((a & gold).sum())}, without {int((a & ~gold).sum())}")
    if args.check:
        check = rows_of(args.check)
        report["check"] = {"trials": len(check), "corpus": args.check.name, "table": table(model, check)}
        print(f"check on {args.check.name} ({len(check)} Chinese trials):")
        for row in report["check"]["table"]:
            print("  ", row)
    args.out.write_text(json.dumps(model.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
