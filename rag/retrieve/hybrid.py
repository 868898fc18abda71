"""Hybrid retrieval: dense (FAISS) and two BM25 signals (jieba words, character bigrams), fused."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from embeddings import Encoder
from rag.config import RetrievalSettings
from rag.index import IndexReader
from rag.text.cjk import has_cjk
from rag.text.lexicon import default_lexicon
from rag.types import Chunk, Filters, Hit

Candidates = list[tuple[Chunk, float]]


def _minmax(pairs: Candidates) -> list[float]:
    vals = [s for _, s in pairs]
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-9:
        return [1.0] * len(vals)
    return [(v - lo) / (hi - lo) for v in vals]


def fuse(signals: dict[str, tuple[Candidates, float]], method: str = "score", rrf_k: int = 60) -> list[Hit]:
    """Combine ranked candidate lists, each with a weight, into one ranking.

    ``score`` (the default): each list's scores are min-max scaled over its
    candidates and the weighted sum is taken; with weights summing to 1 the fused
    score lies in [0, 1]. ``rrf``: weighted reciprocal rank fusion, scaled so
    that first in every list scores 1. On CMRC 2018 and the sample issue score
    fusion ranked the gold passage first more often (README, Retrieval).
    """
    hits: dict[str, Hit] = {}
    total = sum(w for _, w in signals.values() if w > 0) or 1.0
    for name, (pairs, weight) in signals.items():
        if not pairs or weight <= 0:
            continue
        scaled = _minmax(pairs) if method == "score" else [1.0 / (rrf_k + r) for r in range(1, len(pairs) + 1)]
        norm = 1.0 if method == "score" else 1.0 / (rrf_k + 1)
        for rank, ((chunk, raw), part) in enumerate(zip(pairs, scaled, strict=True), start=1):
            h = hits.setdefault(chunk.chunk_id, Hit(chunk=chunk, score=0.0))
            h.ranks[name], h.scores[name] = rank, raw
            h.score += weight * part / norm
    ranked = sorted(hits.values(), key=lambda h: (-h.score, h.chunk.chunk_id))
    for h in ranked:
        h.score /= total
    return ranked


def hit_to_document(hit: Hit) -> Document:
    meta = hit.chunk.to_dict()
    meta.update(score=hit.score, ranks=dict(hit.ranks), scores=dict(hit.scores))
    return Document(page_content=hit.chunk.text, metadata=meta, id=hit.chunk.chunk_id)


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over a newsqa index. ``search`` returns typed hits; ``invoke`` Documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: IndexReader
    encoder: Encoder
    settings: RetrievalSettings = RetrievalSettings()  # weights, depths, fusion, mode
    k: int | None = None  # chunks a search returns; None: settings.top_k

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               exclude: Callable[[Chunk], bool] | None = None) -> list[Hit]:
        """The k best chunks; ``filters`` keeps only chunks of the issues it names.

        ``exclude`` drops chunks from every signal's candidates before fusion, so scores come out as
        if the index did not hold them (the abstention benchmark asks questions that way).
        """
        k = k or self.k or self.settings.top_k
        if not filters:
            return self._search(query, k, max(self.settings.candidates, k), exclude)
        # Filtering after fusion: look deeper so that k chunks of the wanted issue survive.
        n = max(self.settings.candidates, k)
        hits = [h for h in self._search(query, 10 * n, 4 * n, exclude)
                if filters.matches(h.chunk)]
        return hits[:k]

    def _search(self, query: str, k: int, n: int, exclude: Callable[[Chunk], bool] | None = None) -> list[Hit]:
        if exclude is not None:
            signals = self._signals(query, 2 * n)
            signals = {name: ([p for p in pairs if not exclude(p[0])][:n], w) for name, (pairs, w) in signals.items()}
        else:
            signals = self._signals(query, n)
        return fuse(signals, self.settings.fusion, self.settings.rrf_k)[:k]

    def _signals(self, query: str, n: int) -> dict[str, tuple[Candidates, float]]:
        s = self.settings
        if s.retrieval_mode == "bm25":
            return {"words": (self.index.search_lexical(query, n), 1.0)}
        dense = self.index.search_dense(self.encoder.encode_queries([query])[0], n)
        if s.retrieval_mode == "dense":
            return {"dense": (dense, 1.0)}
        # BM25 matches a question's own words; a question with no Chinese in it has
        # none to match in a Chinese paper, so lexical signals only add noise there.
        cjk = has_cjk(query)
        signals = {"dense": (dense, s.dense_weight)}
        lw = s.lexical_weight if cjk else s.lexical_weight_non_cjk
        if lw > 0:
            signals["words"] = (self.index.search_lexical(query, n), lw)
        bw = s.bigram_weight if cjk else s.lexical_weight_non_cjk
        if bw > 0:
            signals["bigrams"] = (self.index.search_bigrams(query, n), bw)
        if not cjk and s.translated_weight > 0:
            # An English question's words looked up in CC-CEDICT give Chinese terms BM25 can match.
            lexicon = default_lexicon()
            terms = lexicon.terms(query) if lexicon else []
            if terms:
                signals["translated"] = (self.index.search_lexical(" ".join(terms), n), s.translated_weight)
        return signals

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [hit_to_document(h) for h in self.search(query)]
