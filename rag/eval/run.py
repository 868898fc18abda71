"""Run every question of a QA file through retrieval and the answer chain, and score it."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from tqdm import tqdm

from rag.answer.kinds import kind_of
from rag.answer.question import question_type
from rag.eval import metrics as m
from rag.eval.qafile import QAItem
from rag.types import Hit

RECALL_KS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
EVAL_DEPTH = 10  # distinct paragraphs (or passages) ranked per question


def _unit_key(item: QAItem, hit: Hit) -> str:
    return hit.chunk.source_id if item.passage_id else hit.chunk.paragraph_id


def _relevant(item: QAItem, hit: Hit, paragraph_text: Callable[[str], str]) -> bool:
    if item.passage_id:
        return hit.chunk.source_id == item.passage_id
    return bool(item.evidence) and _norm_space(item.evidence) in _norm_space(paragraph_text(hit.chunk.paragraph_id))


def _norm_space(text: str) -> str:
    return "".join(text.split())


def rank_units(item: QAItem, hits: list[Hit]) -> list[Hit]:
    """Hits collapsed to distinct paragraphs (or passages), best first."""
    seen, out = set(), []
    for h in hits:
        key = _unit_key(item, h)
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out


def gold_rank(item: QAItem, hits: list[Hit], paragraph_text: Callable[[str], str]) -> int | None:
    """1-based rank of the gold paragraph (or passage) among the distinct ones retrieved; None if absent."""
    units = rank_units(item, hits)[:EVAL_DEPTH]
    return m.first_relevant_rank([_relevant(item, h, paragraph_text) for h in units])


def score_question(item: QAItem, qa, search_depth: int) -> dict:
    paragraph_text = qa.index.paragraph_text
    t0 = time.perf_counter()
    hits = qa.retriever.search(item.question, search_depth)
    t1 = time.perf_counter()
    answer = qa.chain.invoke({"question": item.question, "hits": hits[: qa.settings.top_k]})
    t2 = time.perf_counter()

    units = rank_units(item, hits)[:EVAL_DEPTH]
    rank = gold_rank(item, hits, paragraph_text) if item.answerable else None
    cited_relevant = []
    if answer.answerable:
        by_id = {h.chunk.chunk_id: h for h in hits}
        for c in answer.citations:
            h = by_id.get(c.chunk_id)
            cited_relevant.append(h is not None and _relevant(item, h, paragraph_text))
    cite_p, cite_r = m.citation_scores(cited_relevant)
    rec = {
        "id": item.id, "question": item.question, "type": item.type or question_type(item.question),
        "qtype": question_type(item.question), "kind": kind_of(item.question), "gold_answerable": item.answerable, "answers": list(item.answers),
        "answerable": answer.answerable, "answer": answer.answer, "short_answer": answer.short_answer,
        "confidence": round(answer.confidence, 4),
        "citations": [{"n": c.n, "chunk_id": c.chunk_id, "paragraph": c.paragraph, "article": c.article}
                      for c in answer.citations],
        "retrieved": [h.chunk.chunk_id for h in units],
        "retrieve_ms": (t1 - t0) * 1000, "total_ms": (t2 - t0) * 1000,
    }
    if item.answerable:
        rec["rank"] = rank
        rec.update({f"recall@{k}": m.recall_at(rank, k) for k in RECALL_KS})
        rec["rr@10"] = m.reciprocal_rank(rank, 10)
        if item.answers:
            text = answer.answer if answer.answerable else ""
            short = answer.short_answer if answer.answerable else ""
            rec["answer_hit"] = m.answer_hit(text, item.answers)
            rec["answer_coverage"] = m.answer_coverage(text, item.answers)
            # Stricter: the short fact itself, not the quoted sentence, holds a gold answer.
            rec["short_hit"] = m.answer_hit(short, item.answers)
            # Span EM/F1 score the short answer alone, the way CMRC 2018 scores a span.
            rec["span_em"] = m.span_em(short, item.answers)
            rec["span_f1"] = m.span_f1(short, item.answers)
        rec["citation_precision"] = cite_p
        rec["citation_recall"] = cite_r
        rec["abstained"] = not answer.answerable
    else:
        rec["abstained"] = not answer.answerable
    return rec


def aggregate(records: list[dict]) -> dict:
    ans = [r for r in records if r["gold_answerable"]]
    unans = [r for r in records if not r["gold_answerable"]]
    out: dict = {"n": len(records), "n_answerable": len(ans), "n_unanswerable": len(unans)}
    for k in RECALL_KS:
        out[f"recall@{k}"] = m.mean([r[f"recall@{k}"] for r in ans])
    out["mrr@10"] = m.mean([r["rr@10"] for r in ans])
    for key in ("answer_hit", "answer_coverage", "short_hit", "span_em", "span_f1", "citation_precision", "citation_recall"):
        out[key] = m.mean([r.get(key) for r in ans])
    out["answered_rate"] = m.mean([float(not r["abstained"]) for r in ans])
    out["abstention_accuracy"] = m.mean([float(r["abstained"]) for r in unans])
    for key in ("retrieve_ms", "total_ms"):
        vals = [r[key] for r in records]
        out[f"{key}_p50"] = m.percentile(vals, 50)
        out[f"{key}_p95"] = m.percentile(vals, 95)
    return out


def evaluate(qa, items: Iterable[QAItem], progress: bool | None = None) -> tuple[dict, list[dict]]:
    items = list(items)
    depth = max(qa.settings.top_k, EVAL_DEPTH * 3)  # long paragraphs come as several chunks
    show = sys.stderr.isatty() if progress is None else progress
    records = [score_question(it, qa, depth) for it in tqdm(items, desc="eval", unit="q", disable=not show)]
    metrics = {"overall": aggregate(records)}
    for field in ("type", "qtype", "kind"):
        groups: dict[str, list[dict]] = defaultdict(list)
        for r in records:
            groups[r[field]].append(r)
        metrics[f"by_{field}"] = {g: aggregate(rs) for g, rs in sorted(groups.items())}
    return metrics, records
