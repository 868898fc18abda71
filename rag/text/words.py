"""Words: jieba's segmentation and part-of-speech tags, BM25 tokens, character bigrams.

The index and the question are cut by the same functions, so a term matches on both sides.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import re
from functools import lru_cache

import jieba
import jieba.posseg as pseg

WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_ready = False


def jieba_tokenizer():
    """The jieba module with its dictionary loaded (once per process; about a second); quiet."""
    global _ready
    if not _ready:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _ready = True
    return jieba


def words(text: str) -> list[str]:
    """jieba's words of the text, as printed (no search-mode sub-words)."""
    return jieba_tokenizer().lcut(text)


def word_frequency(word: str) -> int:
    """How often jieba's dictionary has seen the word (0 when it does not know it)."""
    return jieba_tokenizer().dt.FREQ.get(word, 0)


def dictionary_tag(word: str) -> str:
    """The part-of-speech tag jieba's dictionary gives a word on its own ("x" when it has none)."""
    return pseg.dt.word_tag_tab.get(word, "x")


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens (words and their sub-words), lower-cased, punctuation dropped."""
    return [t for t in jieba_tokenizer().lcut_for_search(text.lower()) if WORDLIKE.search(t)]


def bigram_tokens(text: str) -> list[str]:
    """Single characters and character pairs of the text's letters and digits.

    A second lexical signal beside jieba's words: it still matches where word
    segmentation splits a name differently in the question and in the paper.
    """
    t = "".join(ch for ch in text.lower() if ch.isalnum())
    return list(t) + [t[i : i + 2] for i in range(len(t) - 1)]


def tokenize_many(texts: list[str], workers: int | None = None) -> list[list[str]]:
    """Tokenise a batch; large batches are spread over processes (jieba is pure Python, ~100 KB/s a core)."""
    workers = workers or os.cpu_count() or 1
    if len(texts) < 20_000 or workers < 2:
        return [tokenize(t) for t in texts]
    jieba_tokenizer()  # load the dictionary once; forked workers inherit it
    with mp.get_context("fork").Pool(workers) as pool:
        return pool.map(tokenize, texts, chunksize=2_000)


@lru_cache(maxsize=8192)
def tagged_words(text: str) -> tuple[tuple[int, int, str, str], ...]:
    """(start, end, word, part-of-speech flag) of jieba's tagging of ``text``.

    Tagging is the slow step of answering; the same sentence is asked about by the
    type check, the span finder and the follow-up rewriter, so it is tagged once.
    """
    out, pos = [], 0
    for word, flag in pseg.lcut(text):
        out.append((pos, pos + len(word), word, flag))
        pos += len(word)
    return tuple(out)
