"""`newsqa eval` end to end on the shipped data: the three outputs, metrics, --compare, --mode."""

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow
SLICE = ROOT / "data" / "benchmarks" / "cmrc2018-dev-slice"
SAMPLE_QA = ROOT / "data" / "qa" / "hengshui-daily-2021-12-03-A1.qa.jsonl"


def _eval(*args, cache):
    env = dict(os.environ, NEWSQA_MODEL_CACHE=str(cache))
    return subprocess.run([sys.executable, "-m", "rag.app.cli", "eval", *args], capture_output=True, text=True,
                          env=env, timeout=900)


def test_eval_on_a_passages_corpus_writes_three_outputs_and_compares(tmp_path, settings_e5, e5_encoder):
    out1, out2 = tmp_path / "run1", tmp_path / "run2"
    r = _eval("--qa", str(SLICE / "qa.jsonl"), "--corpus", str(SLICE / "passages.jsonl"), "--out", str(out1),
              "--limit", "25", cache=settings_e5.model_cache)
    assert r.returncode == 0, r.stderr
    for name in ("metrics.json", "predictions.jsonl", "report.md", "report.html"):
        assert (out1 / name).is_file()
    metrics = json.loads((out1 / "metrics.json").read_text())
    o = metrics["overall"]
    assert o["n"] == 25 and o["recall@10"] >= o["recall@5"] >= o["recall@1"] > 0.5
    assert metrics["meta"]["mode"] == "hybrid"
    preds = [json.loads(line) for line in (out1 / "predictions.jsonl").read_text().splitlines()]
    assert len(preds) == 25 and {"question", "answer", "citations", "recall@1", "span_f1"} <= set(preds[0])
    assert "<svg" in (out1 / "report.html").read_text()

    # a BM25-only run over the same index, compared with the first
    r = _eval("--qa", str(SLICE / "qa.jsonl"), "--index", str(out1 / "index"), "--mode", "bm25",
              "--out", str(out2), "--limit", "25", "--compare", str(out1), cache=settings_e5.model_cache)
    assert r.returncode == 0, r.stderr
    assert json.loads((out2 / "metrics.json").read_text())["meta"]["mode"] == "bm25"
    assert "[overall]" in r.stdout and "recall@1" in r.stdout


def test_eval_on_the_sample_issue_groups_by_question_set(tmp_path, settings_e5, sample_index):
    out = tmp_path / "run"
    r = _eval("--qa", str(SAMPLE_QA), "--index", str(sample_index), "--out", str(out), cache=settings_e5.model_cache)
    assert r.returncode == 0, r.stderr
    m = json.loads((out / "metrics.json").read_text())
    assert set(m["by_type"]) == {"plain", "paraphrase", "english", "unanswerable"}
    assert m["by_type"]["unanswerable"]["abstention_accuracy"] is not None
    assert m["by_type"]["plain"]["n"] >= 40
    assert m["overall"]["citation_precision"] is not None
    # The short fact holding a gold answer is the stricter figure: never above the answer hit.
    assert 0 < m["overall"]["short_hit"] <= m["overall"]["answer_hit"]
