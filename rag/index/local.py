"""The local folder index: FAISS (dense) + BM25 (lexical) + a SQLite chunk store, the embedded default.

Layout of an index directory::

    CURRENT            {"generation": "gen-000002"} -- replaced atomically
    gen-000002/        one complete, immutable version of the index
        manifest.json  model, dimension, counts, sources and their hashes
        store.sqlite   issues, articles, paragraphs, chunks (row = vector number)
        dense.faiss    faiss.write_index, inner product on normalised vectors
        bm25/          bm25s arrays (numpy, no pickle) and vocabulary (JSON), jieba words
        bigrams/       the same over characters and character pairs

An update (rag.index.writer) writes the next generation beside the current one and
then switches CURRENT with an atomic rename, so a crash mid-ingest leaves the last
good index readable and nothing already indexed is lost.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path

import numpy as np

from embeddings import Encoder
from rag.chunking import article_key
from rag.index.dense import DenseIndex, DenseParams
from rag.index.lexical import LexicalIndex
from rag.index.protocol import IndexMismatch, IndexNotFound, IndexUnavailable
from rag.index.store import Store
from rag.text.words import bigram_tokens
from rag.types import Chunk

log = logging.getLogger(__name__)
FORMAT_VERSION = 2  # 2: adds bigrams/


def write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_model(root: Path, model: str, dim: int, encoder: Encoder) -> None:
    """IndexMismatch unless ``encoder`` is the model (and dimension) the index at ``root`` was built with."""
    if model != encoder.name or dim != encoder.dim:
        raise IndexMismatch(f"index {root} was built with model {model!r} (dim {dim}), not {encoder.name!r}; "
                            "use that model or re-ingest into a new index")


class Index:
    """One opened generation of an index directory (read-only)."""

    def __init__(self, root: Path, generation: str):
        self.root = root
        self.generation = generation
        gen = root / generation
        self.manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
        self.store = Store(gen / "store.sqlite")
        self.dense = DenseIndex.load(gen / "dense.faiss", DenseParams(**self.manifest.get("dense", {})))
        self.lexical = LexicalIndex.load(gen / "bm25")
        self.bigrams = LexicalIndex.load(gen / "bigrams") if (gen / "bigrams").is_dir() else None
        self.size = self.store.count()
        self._article_cache: dict[str, str] = {}

    @staticmethod
    def current_generation(root: Path) -> str | None:
        try:
            return json.loads((Path(root) / "CURRENT").read_text(encoding="utf-8"))["generation"]
        except FileNotFoundError:
            return None

    @staticmethod
    def model_of(root: Path) -> str | None:
        """The model the index at ``root`` was built with (None when there is no index), without opening it."""
        gen = Index.current_generation(root)
        if gen is None:
            return None
        return json.loads((Path(root) / gen / "manifest.json").read_text(encoding="utf-8"))["model"]

    @classmethod
    def open(cls, root: Path) -> Index:
        root = Path(root)
        gen = cls.current_generation(root)
        if gen is None:
            raise IndexNotFound(f"no index at {root} (run `newsqa ingest FILE... --index {root}` first)")
        return cls(root, gen)

    def close(self) -> None:
        self.store.close()

    @property
    def model(self) -> str:
        return self.manifest["model"]

    def changed(self) -> bool:
        """Has a writer switched the folder to another generation since this one was opened?"""
        try:
            current = self.current_generation(self.root)
        except (OSError, ValueError, KeyError):  # CURRENT unreadable: keep what we have
            return False
        return current is not None and current != self.generation

    def reopen(self) -> Index:
        """The folder's current generation, opened afresh."""
        try:
            return Index.open(self.root)
        except (OSError, ValueError, KeyError, RuntimeError, sqlite3.Error) as exc:
            # A still newer ingest switched CURRENT and removed the generation just named.
            raise IndexUnavailable(str(exc)) from exc

    def check_model(self, encoder: Encoder) -> None:
        check_model(self.root, self.manifest["model"], self.manifest["dim"], encoder)

    def _hits(self, pairs: list[tuple[int, float]]) -> list[tuple[Chunk, float]]:
        chunks = self.store.chunks_by_rows([r for r, _ in pairs])
        return [(chunks[r], s) for r, s in pairs if r in chunks]

    def search_dense(self, query_vec: np.ndarray, k: int) -> list[tuple[Chunk, float]]:
        return self._hits(self.dense.search(query_vec, k))

    def search_lexical(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        return self._hits(self.lexical.search(query, k, self.size))

    def search_bigrams(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        if self.bigrams is None:  # an index written before format 2
            return []
        return self._hits(self.bigrams.search_tokens(bigram_tokens(query), k, self.size))

    def chunk(self, chunk_id: str) -> Chunk | None:
        return self.store.chunk(chunk_id)

    def paragraph_text(self, paragraph_id: str) -> str:
        p = self.store.paragraph(paragraph_id)
        return p["text"] if p else ""

    def article_text(self, paragraph_id: str) -> str:
        """Headline, sub-headline and all paragraphs of the article a paragraph belongs to (with its
        parts printed on other pages)."""
        key = article_key(paragraph_id)
        if key not in self._article_cache:
            parts = self.store.article_parts(key)
            a = self.store.article(parts[0]) or {}
            paras = [p for part in parts for p in self.store.article_paragraphs(part)]
            self._article_cache[key] = "\n".join(
                [k for k in (a.get("kicker"),) if k] + [a.get("title", ""), a.get("subtitle", "")]
                + [p["text"] for p in paras]
            )
        return self._article_cache[key]

    def context(self, chunk_id: str) -> dict | None:
        """A chunk's paragraph inside its article: headline, metadata and every paragraph, each with the
        page it is printed on (an article continued on another page has paragraphs from both)."""
        chunk = self.chunk(chunk_id)
        if chunk is None:
            return None
        parts = self.store.article_parts(article_key(chunk.paragraph_id))
        article = self.store.article(parts[0]) or {}
        paragraphs = []
        for part in parts:
            page = (self.store.source_of_article(part) or {}).get("page", "")
            paragraphs += [{**p, "page": page} for p in self.store.article_paragraphs(part)]
        return {"chunk": chunk.to_dict(), "article": article, "paragraphs": paragraphs}

    def issues(self) -> list[dict]:
        return self.store.sources()

    def articles(self, newspaper: str = "", date: str = "", page: str = "") -> list[dict]:
        """Articles of the matching issues in print order (date, page, order on the page); each has
        article_key, newspaper, date, page, ord, title, subtitle, kicker, column and ``lead``, its first chunk."""
        rows = self.store.articles_of(newspaper, date, page)
        leads = self.store.chunks_by_rows([r["lead_row"] for r in rows if r["lead_row"] is not None])
        out = []
        for r in rows:
            lead = leads.get(r.pop("lead_row"))
            if lead is not None:
                out.append({**r, "lead": lead})
        return out

    def article_chunks(self, paragraph_id: str) -> list[Chunk]:
        """Every chunk of the article a paragraph belongs to, in reading order, its parts on other pages
        included (each chunk keeps the page it is printed on)."""
        return [c for part in self.store.article_parts(article_key(paragraph_id)) for c in self.store.article_chunks(part)]

    def headlines(self, limit: int = 8) -> list[str]:
        """Some article headlines, in index order (for example questions)."""
        return self.store.article_titles(limit)
