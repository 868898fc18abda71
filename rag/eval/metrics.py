"""Scoring functions, each small enough to check by hand.

Span EM and F1 follow the CMRC 2018 evaluation script: text is lower-cased,
punctuation and spaces are removed, and F1 is computed over characters (Chinese
has no spaces to split words on); a prediction is scored against each gold
answer and the best score counts.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence

_CN_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】『』「」﹃﹄〔〕…—～·￥﹏．"
_PUNCT = set(_CN_PUNCT) | set(string.punctuation) | set("－")
_MARKER = re.compile(r"\[\d+\]")


def normalize_answer(text: str) -> str:
    text = unicodedata.normalize("NFKC", _MARKER.sub("", text)).lower()
    return "".join(ch for ch in text if ch not in _PUNCT and not ch.isspace())


def span_em(prediction: str, answers: Sequence[str]) -> float:
    p = normalize_answer(prediction)
    return float(any(p == normalize_answer(a) for a in answers)) if answers else 0.0


def char_f1(prediction: str, gold: str) -> float:
    p, g = normalize_answer(prediction), normalize_answer(gold)
    if not p or not g:
        return 0.0
    common = sum((Counter(p) & Counter(g)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def span_f1(prediction: str, answers: Sequence[str]) -> float:
    return max((char_f1(prediction, a) for a in answers), default=0.0)


def answer_hit(answer_text: str, answers: Sequence[str]) -> float:
    """Does the answer contain one of the gold answers (both normalised)?"""
    text = normalize_answer(answer_text)
    return float(any(normalize_answer(a) and normalize_answer(a) in text for a in answers))


def answer_coverage(answer_text: str, answers: Sequence[str]) -> float:
    """The share of the gold answers the answer holds: headline recall for a page's overview,
    key-fact coverage for an article's gist, articles found for reports on a topic."""
    text = normalize_answer(answer_text)
    gold = [normalize_answer(a) for a in answers if normalize_answer(a)]
    return sum(g in text for g in gold) / len(gold) if gold else 0.0


def first_relevant_rank(relevant: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant unit, or None."""
    for i, r in enumerate(relevant, start=1):
        if r:
            return i
    return None


def recall_at(rank: int | None, k: int) -> float:
    """Single-gold recall: 1 if the gold unit is within the top k."""
    return float(rank is not None and rank <= k)


def reciprocal_rank(rank: int | None, k: int = 10) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def citation_scores(cited_relevant: Sequence[bool]) -> tuple[float | None, float]:
    """(precision, recall) of one answer's citations.

    Precision is the share of cited paragraphs that hold the evidence (None when
    nothing is cited); recall is 1 when at least one cited paragraph holds it
    (each question has one gold paragraph).
    """
    if not cited_relevant:
        return None, 0.0
    return sum(cited_relevant) / len(cited_relevant), float(any(cited_relevant))


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[k - 1]


def mean(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None
