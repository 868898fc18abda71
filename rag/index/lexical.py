"""BM25 (bm25s) over token lists, saved as plain numpy arrays and JSON."""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Iterable
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
    def build(cls, documents: Callable[[], Iterable[list[str]]]) -> LexicalIndex:
        """Index documents given as token lists; ``documents()`` yields them afresh for each pass.

        The BM25 matrix is computed here with numpy, in bm25s's own layout and with its
        defaults (Lucene BM25, k1=1.5, b=0.75), so that bm25s loads and searches it. Two
        passes over the documents keep memory at the size of the result: the first counts
        each token's documents, the second writes every posting into its place. Holding the
        documents' tokens, or sorting all postings at once, ran a 1M-paragraph build out of 24 GB.
        """
        vocab: dict[str, int] = {"": 0}  # "" stands in for a document with no tokens
        df = np.zeros(1024, dtype=np.int64)
        doc_lens = array("f")
        for toks in documents():
            ids = np.unique(_ids(toks, vocab, grow=True))
            if len(vocab) > len(df):
                df = np.concatenate([df, np.zeros(max(len(vocab), 2 * len(df)) - len(df), dtype=np.int64)])
            df[ids] += 1
            doc_lens.append(max(len(toks), 1))
        n_docs, n_vocab = len(doc_lens), len(vocab)
        if not n_docs:
            return cls._from_arrays(np.ones(1, np.float32), np.zeros(1, np.int32), np.array([0, 1]), 1, vocab)
        df = df[:n_vocab]
        lens = np.frombuffer(doc_lens, dtype=np.float32)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        k1, b = 1.5, 0.75
        norm = k1 * ((1 - b) + b * lens / np.float32(lens.mean()))
        nnz = int(df.sum())
        indptr = np.zeros(n_vocab + 1, dtype=np.int32 if nnz < 2**31 else np.int64)
        np.cumsum(df, out=indptr[1:])
        data = np.empty(nnz, dtype=np.float32)
        indices = np.empty(nnz, dtype=np.int32)
        cursor = indptr[:-1].astype(np.int64)
        seen = 0
        for d, toks in enumerate(documents()):
            ids, counts = np.unique(_ids(toks, vocab, grow=False), return_counts=True)
            tf = counts.astype(np.float32)
            at = cursor[ids]
            data[at] = tf / (tf + norm[d]) * idf[ids]
            indices[at] = d  # documents come in ascending order, so each token's list stays sorted
            cursor[ids] += 1
            seen += 1
        if seen != n_docs:
            raise RuntimeError(f"documents changed between passes ({n_docs} then {seen})")
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


def _ids(tokens: list[str], vocab: dict[str, int], *, grow: bool) -> np.ndarray:
    """Token ids of one document (the empty token for a document without any)."""
    if not tokens:
        return np.zeros(1, dtype=np.int32)
    get = vocab.setdefault if grow else vocab.__getitem__
    if grow:
        return np.fromiter((get(t, len(vocab)) for t in tokens), dtype=np.int32, count=len(tokens))
    return np.fromiter((get(t) for t in tokens), dtype=np.int32, count=len(tokens))
