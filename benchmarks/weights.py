"""What each weight of a sentence's score does: the fact answerer with one weight halved, dropped or
raised by half, against the weights as they are.

    .venv/bin/python benchmarks/weights.py --set sample:INDEX:QA.jsonl --set people-daily:INDEX2:QA2.jsonl

Retrieval runs once per question; for every weight and factor the answerer answers every factual
question again (overviews, gists and reports are other kinds, not scored by these weights) with the
abstention thresholds as set. Per set it counts answered-and-right, answered-wrongly (a wrong fact,
or any answer to an unanswerable question) and abstained, and the score right − 2 × wrong (a wrong
answer stated with a citation costs a reader more than an honest "not found"). Prints one JSON
object. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FACTORS = (0.0, 0.5, 1.5)
OTHER_KINDS = {"overview", "gist", "reports"}


def _load(index: str):
    from rag.chain import NewsQA
    from rag.config import go_offline, load_settings

    go_offline()
    return NewsQA.load(load_settings().updated(index_dir=index))


def _tally(answerer, cases) -> dict:
    from rag.eval.metrics import answer_hit

    right = wrong = abstained = 0
    for item, hits in cases:
        d = answerer(item.question, hits)
        if not d.answerable:
            abstained += 1
        elif item.answerable and answer_hit(d.text, item.answers):
            right += 1
        else:
            wrong += 1
    return {"right": right, "wrong": wrong, "abstained": abstained, "score": right - 2 * wrong}


def main() -> None:
    from rag.answer.extractive import UnitWeights
    from rag.eval.qafile import load_qa

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", action="append", required=True, help="NAME:INDEX_DIR:QA_FILE (repeatable)")
    args = ap.parse_args()
    sets = []
    for spec in args.set:
        name, index, qa_file = spec.split(":", 2)
        qa = _load(index)
        items = [it for it in load_qa(Path(qa_file)) if (it.type or "") not in OTHER_KINDS]
        cases = [(it, qa.retriever.search(it.question, qa.settings.top_k)) for it in items]
        sets.append((name, qa.answerer, cases))
    base = UnitWeights()
    out: dict = {"questions": {name: len(cases) for name, _, cases in sets}, "weights": {}}
    out["as_set"] = {name: _tally(a, cases) for name, a, cases in sets}
    for field in dataclasses.fields(UnitWeights):
        value = getattr(base, field.name)
        rows = {}
        for f in FACTORS:
            w = dataclasses.replace(base, **{field.name: value * f})
            for _, answerer, _ in sets:
                answerer.weights = w
            rows[f"x{f}"] = {name: _tally(a, cases) for name, a, cases in sets}
        for _, answerer, _ in sets:
            answerer.weights = base
        out["weights"][field.name] = {"value": value, **rows}
        print(json.dumps({field.name: out["weights"][field.name]}, ensure_ascii=False), file=sys.stderr, flush=True)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
