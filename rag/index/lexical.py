"""BM25 (bm25s) over token lists, saved as plain numpy arrays and JSON."""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np

from rag.text.words import tokenize

_BLOCK_POSTINGS = 4_000_000  # postings sorted at once: ~100 MB of temporaries

# bm25s sets its own logger to DEBUG when imported, so each build would log; keep the CLI quiet.
logging.getLogger("bm25s").setLevel(logging.WARNING)

class LexicalIndex:
    def __init__(self, bm25):
        self._bm25 = bm25

    @classmethod
    def build(cls, documents: Iterable[list[str]]) -> LexicalIndex:
        """Index documents given as token lists (any iterable, consumed once).

        The BM25 matrix is computed here with numpy, in bm25s's own layout and with its
        defaults (Lucene BM25, k1=1.5, b=0.75), so that bm25s loads and searches it. Each
        document is kept only as its distinct token ids and their counts (6 bytes a posting);
        the matrix is then written a block of documents at a time. Holding the documents'
        tokens, or sorting all postings at once, ran a 1M-paragraph build out of 24 GB.
        """
        vocab: dict[str, int] = {"": 0}  # "" stands in for a document with no tokens
        ids, counts, distinct, doc_lens = array("i"), array("H"), array("i"), array("f")
        for toks in documents:
            u, c = np.unique(_ids(toks, vocab), return_counts=True)
            ids.frombytes(u.astype(np.int32).tobytes())
            counts.frombytes(np.minimum(c, 65535).astype(np.uint16).tobytes())
            distinct.append(len(u))
            doc_lens.append(max(len(toks), 1))
        n_docs, n_vocab = len(doc_lens), len(vocab)
        if not n_docs:
            return cls._from_arrays(np.ones(1, np.float32), np.zeros(1, np.int32), np.array([0, 1]), 1, vocab)
        tok = np.frombuffer(ids, dtype=np.int32)
        tf = np.frombuffer(counts, dtype=np.uint16)
        per_doc = np.frombuffer(distinct, dtype=np.int32)
        lens = np.frombuffer(doc_lens, dtype=np.float32)
        df = np.bincount(tok, minlength=n_vocab)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        k1, b = 1.5, 0.75
        norm = (k1 * ((1 - b) + b * lens / np.float32(lens.mean()))).astype(np.float32)
        nnz = len(tok)
        indptr = np.zeros(n_vocab + 1, dtype=np.int32 if nnz < 2**31 else np.int64)
        np.cumsum(df, out=indptr[1:])
        data = np.empty(nnz, dtype=np.float32)
        indices = np.empty(nnz, dtype=np.int32)
        cursor = indptr[:-1].astype(np.int64)
        starts = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(per_doc, out=starts[1:])
        step = max(1, _BLOCK_POSTINGS // max(1, int(per_doc.mean())))
        for d0 in range(0, n_docs, step):
            d1 = min(n_docs, d0 + step)
            p0, p1 = starts[d0], starts[d1]
            bt = tok[p0:p1]
            bd = np.repeat(np.arange(d0, d1, dtype=np.int32), per_doc[d0:d1])
            bf = tf[p0:p1].astype(np.float32)
            score = bf / (bf + norm[bd]) * idf[bt]
            # Stable by token: within a token the block's documents stay ascending, after earlier blocks'.
            order = np.argsort(bt, kind="stable")
            st = bt[order]
            first = np.flatnonzero(np.r_[True, st[1:] != st[:-1]])
            run = np.diff(np.r_[first, len(st)])
            within = np.arange(len(st)) - np.repeat(first, run)
            at = cursor[st] + within
            data[at] = score[order]
            indices[at] = bd[order]
            cursor[st[first]] += run
        return cls._from_arrays(data, indices, indptr, n_docs, vocab)

    @classmethod
    def _from_arrays(cls, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, n_docs: int,
                     vocab: dict[str, int]) -> LexicalIndex:
        bm25 = bm25s.BM25()
        bm25.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": n_docs}
        bm25.vocab_dict = vocab
        bm25.unique_token_ids_set = set(vocab.values())
        bm25.nonoccurrence_array = None
        return cls(bm25)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, mmap=False))

    def search(self, query: str, k: int, n_docs: int) -> list[tuple[int, float]]:
        return self.search_tokens(tokenize(query), k, n_docs)

    def search_tokens(self, tokens: list[str], k: int, n_docs: int) -> list[tuple[int, float]]:
        ids = self._bm25.get_tokens_ids(tokens)
        if not ids or n_docs == 0:
            return []
        scores = np.asarray(self._bm25.get_scores_from_ids(ids))[:n_docs]
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _ids(tokens: list[str], vocab: dict[str, int]) -> np.ndarray:
    """Token ids of one document (the empty token for a document without any); new tokens join the vocabulary."""
    if not tokens:
        return np.zeros(1, dtype=np.int32)
    get = vocab.setdefault
    return np.fromiter((get(t, len(vocab)) for t in tokens), dtype=np.int32, count=len(tokens))
