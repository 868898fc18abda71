"""BM25 (bm25s) over token lists, saved as plain numpy arrays and JSON."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np

from rag.text.words import tokenize

# bm25s sets its own logger to DEBUG when imported, so each build would log; keep the CLI quiet.
logging.getLogger("bm25s").setLevel(logging.WARNING)

class LexicalIndex:
    def __init__(self, bm25):
        self._bm25 = bm25

    @classmethod
    def build(cls, token_lists: Iterable[list[str]]) -> LexicalIndex:
        """Index documents given as token lists (any iterable, consumed once).

        The BM25 matrix is computed here with numpy, in bm25s's own layout and with its
        defaults (Lucene BM25, k1=1.5, b=0.75), so that bm25s loads and searches it. Each
        document becomes two small int32/float32 arrays (its distinct tokens and their
        counts) as it streams in: holding every document's tokens as Python lists, as
        bm25s's indexer needs, ran a 1M-paragraph build out of 24 GB.
        """
        vocab: dict[str, int] = {"": 0}  # "" stands in for a document with no tokens
        uniq_parts: list[np.ndarray] = []
        tf_parts: list[np.ndarray] = []
        doc_lens: list[int] = []
        for toks in token_lists:
            ids = np.fromiter((vocab.setdefault(t, len(vocab)) for t in toks), dtype=np.int32, count=len(toks))
            if not len(ids):
                ids = np.zeros(1, dtype=np.int32)
            u, c = np.unique(ids, return_counts=True)
            uniq_parts.append(u)
            tf_parts.append(c.astype(np.float32))
            doc_lens.append(len(ids))
        if not doc_lens:
            uniq_parts, tf_parts, doc_lens = [np.zeros(1, np.int32)], [np.ones(1, np.float32)], [1]
        n_docs, n_vocab = len(doc_lens), len(vocab)
        lens = np.asarray(doc_lens, dtype=np.float32)
        per_doc = np.fromiter((len(u) for u in uniq_parts), dtype=np.int64, count=n_docs)
        tok = np.concatenate(uniq_parts)
        del uniq_parts
        tf = np.concatenate(tf_parts)
        del tf_parts
        doc = np.repeat(np.arange(n_docs, dtype=np.int32), per_doc)
        df = np.bincount(tok, minlength=n_vocab)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        k1, b = 1.5, 0.75
        tf /= tf + k1 * ((1 - b) + b * lens[doc] / np.float32(lens.mean()))
        tf *= idf[tok]  # tf now holds the scores
        order = np.argsort(tok, kind="stable")  # by token, documents ascending within each
        del tok
        data, indices = tf[order], doc[order]
        del tf, doc, order
        int_dtype = np.int32 if len(data) < 2**31 else np.int64
        indptr = np.zeros(n_vocab + 1, dtype=int_dtype)
        np.cumsum(df, out=indptr[1:])
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
