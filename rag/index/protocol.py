"""The storage seam: what retrieval, answering and the surfaces read from an index, and how issues get in.

The local folder (rag.index.local) is the embedded default; a distributed engine implements
the same two protocols. Nothing above this layer touches FAISS, BM25 files or SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from embeddings import Encoder
from rag.types import Chunk, ParsedIssue

Scored = list[tuple[Chunk, float]]  # best first


class IndexNotFound(FileNotFoundError):
    """There is no index where the settings point."""


class IndexMismatch(ValueError):
    """The index was built with another embedding model than the one configured."""


class IndexUnavailable(RuntimeError):
    """The index changed under a reader while it was being reopened; the one already open still answers."""


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line each: the file and why it was not indexed
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0


@runtime_checkable
class IndexReader(Protocol):
    size: int  # chunks

    @property
    def model(self) -> str:
        """The embedding model the index was built with."""
        ...

    def check_model(self, encoder: Encoder) -> None:
        """Raise IndexMismatch unless ``encoder`` is the model the index was built with."""
        ...

    def search_dense(self, query_vec: np.ndarray, k: int) -> Scored:
        """The k chunks nearest the query vector (cosine)."""
        ...

    def search_lexical(self, query: str, k: int) -> Scored:
        """BM25 over jieba words."""
        ...

    def search_bigrams(self, query: str, k: int) -> Scored:
        """BM25 over characters and character pairs."""
        ...

    def chunk(self, chunk_id: str) -> Chunk | None: ...

    def paragraph_text(self, paragraph_id: str) -> str:
        """The whole paragraph ("" when unknown)."""
        ...

    def article_text(self, paragraph_id: str) -> str:
        """Headline, sub-headline and every paragraph of the article a paragraph belongs to."""
        ...

    def context(self, chunk_id: str) -> dict | None:
        """{"chunk", "article", "paragraphs"}: a chunk's paragraph inside its article; None when unknown."""
        ...

    def issues(self) -> list[dict]:
        """One entry per indexed source: source_id, newspaper, date, page, weekday, content_hash…"""
        ...

    def articles(self, newspaper: str = "", date: str = "", page: str = "") -> list[dict]:
        """Articles of the issues matching the filters given ("" = any), in print order: date, page, place on
        the page. Each: article_key, newspaper, date, page, ord, title, subtitle, kicker, column (the column or series it
        runs in, "" when none), lead (its first Chunk)."""
        ...

    def article_chunks(self, paragraph_id: str) -> list[Chunk]:
        """Every chunk of the article a paragraph belongs to, in reading order."""
        ...

    def headlines(self, limit: int = 8) -> list[str]: ...

    def changed(self) -> bool:
        """Has a writer (perhaps in another process) changed the index since this reader opened it?"""
        ...

    def reopen(self) -> IndexReader:
        """A reader of the index as it is now; IndexUnavailable if it cannot be opened at this moment."""
        ...


@runtime_checkable
class IndexWriter(Protocol):
    def update(self, parsed_issues: Iterable[ParsedIssue], encoder: Encoder, *, progress: bool | None = None,
               on_wait: Callable[[str], None] | None = None,
               on_chunks: Callable[[int], None] | None = None) -> UpdateReport:
        """Add new issues and replace changed ones; unchanged ones cost nothing. ``parsed_issues`` may
        be a generator, consumed once; ``on_chunks`` hears each batch of chunks embedded. Crash-safe:
        a reader sees the index as it was before or after the whole update, never half of it."""
        ...

    def remove(self, sources: list[str], *, on_wait: Callable[[str], None] | None = None) -> UpdateReport:
        """Take these sources (files, by their source_id) out of the index, as crash-safe as update."""
        ...
