"""The default answerer: no LLM, it quotes the sentence(s) that answer the question.

Each sentence (or, in a long sentence, each clause) of the top retrieved chunks
is scored by how much of the question's key terms it covers (with its
article's headline as context), whether it holds the kind of fact the question
asks for (a number with its unit for 多少, a person for 谁…), and how highly
retrieval ranked its chunk. When no sentence covers enough of the question, the
answer says the issues do not say, with ``answerable`` false.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rag.answer.evidence import has_fact_of_type
from rag.answer.question import Question, analyse
from rag.chunking import split_sentences
from rag.retrieve import has_cjk
from rag.types import Citation, Hit

NOT_FOUND_ZH = "这几期报纸没有提到这个问题的答案。"
NOT_FOUND_EN = "These issues do not say."
_CLAUSE = re.compile(r"[^；;]+[；;]?")
_LONG_SENTENCE = 80


@dataclass
class Unit:
    text: str
    hit: Hit
    rank: int
    coverage: float = 0.0
    own_coverage: float = 0.0  # of the sentence and its headline alone
    type_ok: bool = False
    score: float = 0.0


def units_of(hits: list[Hit]) -> list[Unit]:
    """Sentences of the hits' chunks; a long sentence is cut into its ；-separated clauses."""
    out = []
    for rank, hit in enumerate(hits):
        for sentence in split_sentences(hit.chunk.text):
            parts = _CLAUSE.findall(sentence) if len(sentence) > _LONG_SENTENCE else [sentence]
            out += [Unit(p.strip(), hit, rank) for p in parts if len(p.strip()) >= 4]
    return out


def coverage(terms: tuple[str, ...], context: str, wider: str = "") -> float:
    """Share of the question's key terms found in ``context``, longer terms weighing more.

    A term found only in ``wider`` (the rest of the article: a report names its
    subject once, then says 该县) earns most of its weight; a term not there
    whole earns half credit for the share of its characters that are (so
    接种人数 still partly matches 已接种).
    """
    if not terms:
        return 0.0
    ctx, wide = context.lower(), wider.lower()
    got = total = 0.0
    for t in terms:
        w = min(len(t), 4)
        total += w
        if t in ctx:
            got += w
        elif t in wide:
            got += 0.8 * w
        else:
            got += w * 0.5 * sum(ch in ctx for ch in t) / len(t)
    return got / total


class ExtractiveAnswerer:
    def __init__(
        self,
        paragraph_text: Callable[[str], str],
        encoder=None,
        *,
        article_text: Callable[[str], str] | None = None,
        min_coverage: float = 0.75,
        min_similarity: float = 0.80,
        max_sentences: int = 2,
    ):
        self.paragraph_text = paragraph_text
        self.article_text = article_text or (lambda _pid: "")
        self.encoder = encoder
        self.min_coverage = min_coverage
        self.min_similarity = min_similarity
        self.max_sentences = max_sentences

    def _score_lexical(self, q: Question, units: list[Unit]) -> None:
        for u in units:
            heading = u.hit.chunk.embed_text.split("\n", 1)[0] if "\n" in u.hit.chunk.embed_text else ""
            # The headline names the subject for every sentence under it, so it
            # counts as near context, not as the sentence's own words.
            u.own_coverage = coverage(q.terms, u.text, heading)
            u.coverage = coverage(q.terms, u.text, f"{heading}\n{self.article_text(u.hit.chunk.paragraph_id)}")
            u.type_ok = has_fact_of_type(u.text, q.qtype)
            u.score = (0.3 * u.coverage + 0.3 * u.own_coverage + 0.25 * u.type_ok + 0.15 * u.hit.score
                       - 0.02 * u.rank - 0.0002 * len(u.text))

    def _score_dense(self, q: Question, units: list[Unit]) -> None:
        """For questions with no Chinese words to match (English), compare meanings instead."""
        qv = self.encoder.encode_queries([q.text])[0]
        sv = self.encoder.encode_passages([f"{u.hit.chunk.article}\n{u.text}" for u in units], progress=False)
        sims = sv @ qv
        for u, s in zip(units, np.asarray(sims, dtype=float), strict=True):
            u.type_ok = has_fact_of_type(u.text, q.qtype)
            u.coverage = u.own_coverage = float(s)
            u.score = float(s) + 0.05 * u.type_ok + 0.03 * u.hit.score - 0.01 * u.rank

    def __call__(self, question: str, hits: list[Hit]) -> tuple[str, bool, list[Citation]]:
        q = analyse(question)
        lexical = has_cjk(question) or self.encoder is None
        units = units_of(hits if lexical else hits[:3])
        if units:
            (self._score_lexical if lexical else self._score_dense)(q, units)
        threshold = self.min_coverage if lexical else self.min_similarity
        good = sorted(
            (u for u in units if u.coverage >= threshold and u.type_ok and (not lexical or u.own_coverage >= 0.5)),
            key=lambda u: -u.score,
        )
        if not good:
            closest = self._citations([h for h in hits[:3]])
            return (NOT_FOUND_ZH if has_cjk(question) else NOT_FOUND_EN), False, closest

        chosen = [good[0]]
        for u in good[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if u.score >= 0.98 * good[0].score and u.hit.chunk.paragraph_id not in {c.hit.chunk.paragraph_id for c in chosen}:
                chosen.append(u)
        citations = self._citations([u.hit for u in chosen])
        number = {c.chunk_id: c.n for c in citations}
        parts = [f"{u.text}[{number[u.hit.chunk.chunk_id]}]" for u in chosen]
        text = "".join(parts) if lexical else "The issues say: " + " ".join(parts)
        return text, True, citations

    def _citations(self, hits: list[Hit]) -> list[Citation]:
        out: list[Citation] = []
        seen: set[str] = set()
        for h in hits:
            c = h.chunk
            if c.chunk_id in seen:
                continue
            seen.add(c.chunk_id)
            out.append(Citation(
                n=len(out) + 1, chunk_id=c.chunk_id, newspaper=c.newspaper, date=c.date, page=c.page,
                article=c.article, paragraph=c.paragraph, text=self.paragraph_text(c.paragraph_id) or c.text,
                score=round(h.score, 4),
            ))
        return out
