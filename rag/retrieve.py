"""Hybrid retrieval: dense (FAISS) and BM25 ranks fused by weighted reciprocal rank fusion."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.types import Chunk, Hit

_CJK = re.compile(r"[\u3400-\u9fff]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def fuse(
    dense: list[tuple[Chunk, float]],
    lexical: list[tuple[Chunk, float]],
    dense_weight: float,
    lexical_weight: float,
    rrf_k: int = 60,
) -> list[Hit]:
    """Weighted reciprocal rank fusion; the score is scaled so that first in both lists is 1.0."""
    hits: dict[str, Hit] = {}
    for rank, (chunk, score) in enumerate(dense, start=1):
        h = hits.setdefault(chunk.chunk_id, Hit(chunk=chunk, score=0.0))
        h.dense_rank, h.dense_score = rank, score
        h.score += dense_weight / (rrf_k + rank)
    for rank, (chunk, score) in enumerate(lexical, start=1):
        h = hits.setdefault(chunk.chunk_id, Hit(chunk=chunk, score=0.0))
        h.lexical_rank, h.lexical_score = rank, score
        h.score += lexical_weight / (rrf_k + rank)
    best = (dense_weight + lexical_weight) / (rrf_k + 1) or 1.0
    ranked = sorted(hits.values(), key=lambda h: (-h.score, h.chunk.chunk_id))
    for h in ranked:
        h.score = h.score / best
    return ranked


def hit_to_document(hit: Hit) -> Document:
    meta = hit.chunk.to_dict()
    meta.update(score=hit.score, dense_rank=hit.dense_rank, lexical_rank=hit.lexical_rank,
                dense_score=hit.dense_score, lexical_score=hit.lexical_score)
    return Document(page_content=hit.chunk.text, metadata=meta, id=hit.chunk.chunk_id)


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over a newsqa index. ``search`` returns typed hits; ``invoke`` Documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    encoder: Any
    k: int = 5
    candidates: int = 50
    rrf_k: int = 60
    dense_weight: float = 0.7
    lexical_weight: float = 1.0
    lexical_weight_non_cjk: float = 0.1
    mode: str = "hybrid"  # or "dense" / "bm25" alone, for baselines

    @classmethod
    def from_settings(cls, index: Any, encoder: Any, settings: Any, **kw: Any) -> HybridRetriever:
        return cls(
            index=index, encoder=encoder, k=kw.pop("k", settings.top_k), candidates=settings.candidates,
            rrf_k=settings.rrf_k, dense_weight=settings.dense_weight, lexical_weight=settings.lexical_weight,
            lexical_weight_non_cjk=settings.lexical_weight_non_cjk, mode=settings.retrieval_mode, **kw,
        )

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        k = k or self.k
        n = max(self.candidates, k)
        dense, lexical = [], []
        if self.mode != "bm25":
            dense = self.index.search_dense(self.encoder.encode_queries([query])[0], n)
        if self.mode != "dense":
            lexical = self.index.search_lexical(query, n)
        if self.mode == "dense":
            return fuse(dense, [], 1.0, 0.0, self.rrf_k)[:k]
        if self.mode == "bm25":
            return fuse([], lexical, 0.0, 1.0, self.rrf_k)[:k]
        lw = self.lexical_weight if has_cjk(query) else self.lexical_weight_non_cjk
        return fuse(dense, lexical, self.dense_weight, lw, self.rrf_k)[:k]

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [hit_to_document(h) for h in self.search(query)]
