"""BM25 over jieba tokens (bm25s), saved as plain numpy arrays and JSON."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_jieba = None


def _bm25s():
    import bm25s

    # bm25s sets its own logger to DEBUG when imported, so each build would log; keep the CLI quiet.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def jieba_tokenizer():
    """The jieba module with its dictionary loaded (once per process); quiet."""
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens (words and their sub-words), lower-cased, punctuation dropped."""
    return [t for t in jieba_tokenizer().lcut_for_search(text.lower()) if _WORDLIKE.search(t)]


def bigram_tokens(text: str) -> list[str]:
    """Single characters and character pairs of the text's letters and digits.

    A second lexical signal beside jieba's words: it still matches where word
    segmentation splits a name differently in the question and in the paper.
    """
    t = "".join(ch for ch in text.lower() if ch.isalnum())
    return list(t) + [t[i : i + 2] for i in range(len(t) - 1)]


def tokenize_many(texts: list[str], workers: int | None = None) -> list[list[str]]:
    """Tokenise a batch; large batches are spread over processes (jieba is pure Python, ~100 KB/s a core)."""
    import os

    workers = workers or os.cpu_count() or 1
    if len(texts) < 20_000 or workers < 2:
        return [tokenize(t) for t in texts]
    import multiprocessing as mp

    jieba_tokenizer()  # load the dictionary once; forked workers inherit it
    with mp.get_context("fork").Pool(workers) as pool:
        return pool.map(tokenize, texts, chunksize=2_000)


class LexicalIndex:
    def __init__(self, bm25):
        self._bm25 = bm25

    @classmethod
    def build(cls, token_lists: Iterable[list[str]]) -> LexicalIndex:
        """Index documents given as token lists (any iterable, consumed once).

        Tokens become integer ids as they stream in, so the corpus is held as lists of
        shared small ints instead of millions of token strings.
        """
        vocab: dict[str, int] = {"": 0}  # "" stands in for a document with no tokens
        ids = [[vocab.setdefault(t, len(vocab)) for t in toks] or [0] for toks in token_lists] or [[0]]
        bm25 = _bm25s().BM25()
        bm25.index((ids, vocab), show_progress=False)
        return cls(bm25)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        return cls(_bm25s().BM25.load(str(folder), allow_pickle=False, mmap=False))

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
