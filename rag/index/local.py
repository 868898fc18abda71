"""The local folder index: FAISS (dense) + BM25 (lexical) + a SQLite chunk store, the embedded default.

Layout of an index directory::

    CURRENT            {"generation": "gen-000002"} -- replaced atomically
    gen-000002/        one complete, immutable version of the index
        manifest.json  model, dimension, counts, sources and their hashes
        store.sqlite   issues, articles, paragraphs, chunks (row = vector number)
        dense.faiss    faiss.write_index, inner product on normalised vectors
        bm25/          bm25s arrays (numpy, no pickle) and vocabulary (JSON), jieba words
        bigrams/       the same over characters and character pairs

An update writes a whole new generation beside the current one and then
switches CURRENT with an atomic rename, so a crash mid-ingest leaves the last
good index readable and nothing already indexed is lost.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from embeddings import Encoder
from rag.chunking import chunk_issue
from rag.config import IndexSettings
from rag.index.dense import DenseIndex, DenseParams, choose_params
from rag.index.lexical import LexicalIndex
from rag.index.lock import writer_lock
from rag.index.protocol import IndexMismatch, IndexNotFound, IndexUnavailable, UpdateReport
from rag.index.store import Store, write_store
from rag.text.words import bigram_tokens, tokenize_many
from rag.types import Chunk, ParsedIssue

log = logging.getLogger(__name__)
FORMAT_VERSION = 2  # 2: adds bigrams/


def _article_key(paragraph_id: str) -> str:
    return paragraph_id.rsplit("/", 1)[0]


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
        if self.manifest["model"] != encoder.name or self.manifest["dim"] != encoder.dim:
            raise IndexMismatch(
                f"index {self.root} was built with model {self.manifest['model']!r} "
                f"(dim {self.manifest['dim']}), not {encoder.name!r}; use that model or re-ingest into a new index"
            )

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
        """Headline, sub-headline and all paragraphs of the article a paragraph belongs to."""
        key = _article_key(paragraph_id)
        if key not in self._article_cache:
            a = self.store.article(key) or {}
            paras = self.store.article_paragraphs(key)
            self._article_cache[key] = "\n".join(
                [k for k in (a.get("kicker"),) if k] + [a.get("title", ""), a.get("subtitle", "")]
                + [p["text"] for p in paras]
            )
        return self._article_cache[key]

    def context(self, chunk_id: str) -> dict | None:
        """A chunk's paragraph inside its article: headline, metadata and every paragraph."""
        chunk = self.chunk(chunk_id)
        if chunk is None:
            return None
        key = _article_key(chunk.paragraph_id)
        article = self.store.article(key) or {}
        return {
            "chunk": chunk.to_dict(),
            "article": article,
            "paragraphs": self.store.article_paragraphs(key),
        }

    def issues(self) -> list[dict]:
        return self.store.sources()

    def headlines(self, limit: int = 8) -> list[str]:
        """Some article headlines, in index order (for example questions)."""
        return self.store.article_titles(limit)


def _rows_for_issue(parsed: ParsedIssue, chunks: list[Chunk]) -> tuple[dict, list[dict], list[dict]]:
    issue = parsed.issue
    source = {
        "source_id": issue.source, "content_hash": issue.content_hash, "newspaper": issue.newspaper,
        "date": issue.date, "page": issue.page, "weekday": issue.weekday, "slug": issue.slug,
        "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    first_pid = {(c.article_order, c.paragraph): c.paragraph_id for c in chunks}
    articles, paragraphs = [], []
    for a in parsed.articles:
        if not a.paragraphs:
            continue
        key = _article_key(first_pid[(a.order, a.paragraphs[0].index)])
        articles.append({
            "article_key": key, "source_id": issue.source, "ord": a.order, "title": a.title,
            "subtitle": a.subtitle, "byline": a.byline, "column_label": a.column, "kind": a.kind,
            "continued_to": a.continued_to, "kicker": a.kicker,
        })
        for p in a.paragraphs:
            paragraphs.append({
                "paragraph_id": first_pid[(a.order, p.index)], "article_key": key, "idx": p.index,
                "text": p.text, "start": p.start, "end": p.end,
            })
    return source, articles, paragraphs


def update_index(
    root: Path,
    parsed_issues: list[ParsedIssue],
    encoder: Encoder,
    *,
    max_chunk_chars: int = IndexSettings.max_chunk_chars,
    progress: bool | None = None,
    dense_kind: str = IndexSettings.dense_index,
    on_wait: Callable[[str], None] | None = None,
    lock_timeout: float | None = None,
) -> UpdateReport:
    """Add or replace issues in the index at ``root``, writing a new generation atomically.

    An issue whose source file is already indexed with the same content hash is
    skipped (no embedding work); one with a different hash replaces its old chunks.
    An issue that cannot be added (it claims the newspaper, date and page of another
    file) is listed in ``report.failed`` and the rest still go in. Writers are
    serialised by the index's lock (``on_wait`` hears once if this one has to wait).
    """
    root = Path(root)
    with writer_lock(root, on_wait, lock_timeout):
        return _update(root, parsed_issues, encoder, max_chunk_chars, progress, dense_kind)


def _update(root: Path, parsed_issues: list[ParsedIssue], encoder: Encoder, max_chunk_chars: int,
            progress: bool | None, dense_kind: str) -> UpdateReport:
    t0 = time.perf_counter()
    report = UpdateReport()

    sources: dict[str, dict] = {}
    articles: list[dict] = []
    paragraphs: list[dict] = []
    chunks: list[Chunk] = []
    tokens: list[list[str]] = []
    vectors = np.zeros((0, encoder.dim), dtype=np.float32)
    old_gen = Index.current_generation(root)
    outdated = False
    if old_gen is not None:
        old = Index(root, old_gen)
        try:
            old.check_model(encoder)
            outdated = old.manifest.get("format_version", 1) < FORMAT_VERSION
            sources = {s["source_id"]: s for s in old.store.sources()}
            articles = old.store.all_rows("articles")
            paragraphs = old.store.all_rows("paragraphs")
            chunks, tokens = _rows_of(old.store.all_rows("chunks"))
            vectors = old.dense.vectors()
        finally:
            old.close()

    fresh: list[ParsedIssue] = []
    replaced: set[str] = set()
    for parsed in parsed_issues:
        src = parsed.issue.source
        if src in sources and sources[src]["content_hash"] == parsed.issue.content_hash:
            report.unchanged.append(src)
            continue
        (report.replaced if src in sources else report.added).append(src)
        if src in sources:
            replaced.add(src)
        fresh = [p for p in fresh if p.issue.source != src] + [parsed]
    if not fresh and not outdated:
        report.chunks_total = len(chunks)
        report.seconds = time.perf_counter() - t0
        return report

    # Chunk first and check clashes while every old chunk is still there: a replacement that
    # cannot go in leaves its file's indexed version as it was.
    # A passages file's chunks carry their passage id as source_id: map chunks to files by article.
    file_of = {a["article_key"]: a["source_id"] for a in articles}
    chunk_file = [file_of.get(_article_key(c.paragraph_id), c.source_id) for c in chunks]
    owner = {c.chunk_id: f for c, f in zip(chunks, chunk_file, strict=True)}  # built once: O(archive)
    staged: list[tuple[ParsedIssue, list[Chunk]]] = []
    for parsed in fresh:
        src = parsed.issue.source
        cs = chunk_issue(parsed, max_chunk_chars)
        others = [owner[c.chunk_id] for c in cs if owner.get(c.chunk_id, src) != src]
        if others:
            report.failed.append(
                f"{src}: same newspaper, date and page as already indexed {others[0]}; "
                "give --newspaper/--date/--page or rename one of them")
            for names in (report.added, report.replaced):
                if src in names:
                    names.remove(src)
            replaced.discard(src)
            continue
        staged.append((parsed, cs))
        owner.update((c.chunk_id, src) for c in cs)
    if not staged and not outdated:
        report.chunks_total = len(chunks)
        report.seconds = time.perf_counter() - t0
        return report

    if replaced:
        keep = [i for i, f in enumerate(chunk_file) if f not in replaced]
        chunks = [chunks[i] for i in keep]
        tokens = [tokens[i] for i in keep]
        vectors = vectors[keep]
        articles = [a for a in articles if a["source_id"] not in replaced]
        keys = {a["article_key"] for a in articles}
        paragraphs = [p for p in paragraphs if p["article_key"] in keys]

    new_chunks: list[Chunk] = []
    for parsed, cs in staged:
        source, arts, paras = _rows_for_issue(parsed, cs)
        sources[parsed.issue.source] = source
        articles += arts
        paragraphs += paras
        new_chunks += cs
    new_vecs = encoder.encode_passages([c.embed_text for c in new_chunks], progress=progress)
    report.chunks_embedded = len(new_chunks)
    chunks += new_chunks
    tokens += tokenize_many([c.embed_text for c in new_chunks])
    vectors = np.vstack([vectors, new_vecs]) if len(vectors) else new_vecs

    _write_generation(root, old_gen, sources, articles, paragraphs, chunks, tokens, vectors,
                      encoder.name, encoder.dim, dense_kind)
    report.chunks_total = len(chunks)
    report.seconds = time.perf_counter() - t0
    return report


def _write_generation(root: Path, old_gen: str | None, sources: dict[str, dict], articles: list[dict],
                      paragraphs: list[dict], chunks: list[Chunk], tokens: list[list[str]], vectors: np.ndarray,
                      model: str, dim: int, dense_kind: str) -> None:
    """Write the next generation beside the current one, then switch CURRENT to it (atomically)."""
    gen_name = f"gen-{int(old_gen.split('-')[1]) + 1 if old_gen else 1:06d}"
    gen = root / gen_name
    staging = root / f".{gen_name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    write_store(staging / "store.sqlite", list(sources.values()), articles, paragraphs, chunks, tokens)
    dense_params = choose_params(len(vectors), dense_kind)
    DenseIndex.build(vectors, dense_params).save(staging / "dense.faiss")
    LexicalIndex.build(tokens).save(staging / "bm25")
    LexicalIndex.build(bigram_tokens(c.embed_text) for c in chunks).save(staging / "bigrams")
    _write_json_atomic(staging / "manifest.json", {
        "format_version": FORMAT_VERSION, "model": model, "dim": dim,
        "chunks": len(chunks), "sources": sorted(sources), "dense": dense_params.to_dict(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    })
    for f in staging.rglob("*"):
        if f.is_file():
            with open(f, "rb+") as fh:
                os.fsync(fh.fileno())
    shutil.rmtree(gen, ignore_errors=True)
    os.replace(staging, gen)
    _fsync_dir(root)
    _write_json_atomic(root / "CURRENT", {"generation": gen_name})
    _fsync_dir(root)
    # Readers that opened the old generation keep their open files; new readers see the new one.
    for old_dir in root.glob("gen-*"):
        if old_dir.name != gen_name:
            shutil.rmtree(old_dir, ignore_errors=True)


def _rows_of(rows: list[dict]) -> tuple[list[Chunk], list[list[str]]]:
    chunks = [Chunk(**{k: r[k] for k in Chunk.__dataclass_fields__}) for r in rows]
    # Tokens of chunks already indexed are kept, not computed again.
    return chunks, [r["tokens"].split(" ") if r["tokens"] else [] for r in rows]


def remove_sources(root: Path, names: list[str], *, dense_kind: str = IndexSettings.dense_index,
                   on_wait: Callable[[str], None] | None = None, lock_timeout: float | None = None) -> UpdateReport:
    """Take these sources (files) out of the index at ``root``, writing a new generation atomically.

    ``report.replaced`` lists the sources removed, ``report.failed`` the names the index does not hold.
    Nothing is embedded: what stays keeps its vectors and tokens.
    """
    root = Path(root)
    with writer_lock(root, on_wait, lock_timeout):
        t0 = time.perf_counter()
        report = UpdateReport()
        old_gen = Index.current_generation(root)
        if old_gen is None:
            raise IndexNotFound(f"no index at {root}")
        old = Index(root, old_gen)
        try:
            sources = {row["source_id"]: row for row in old.store.sources()}
            gone = {n for n in names if n in sources}
            report.failed = [f"{n}: not in the index" for n in names if n not in sources]
            report.replaced = sorted(gone)
            if not gone:
                report.chunks_total = old.size
                return report
            articles = [a for a in old.store.all_rows("articles") if a["source_id"] not in gone]
            keys = {a["article_key"] for a in articles}
            paragraphs = [q for q in old.store.all_rows("paragraphs") if q["article_key"] in keys]
            rows = old.store.all_rows("chunks")
            keep = [i for i, r in enumerate(rows) if _article_key(r["paragraph_id"]) in keys]
            chunks, tokens = _rows_of([rows[i] for i in keep])
            vectors = old.dense.vectors()[keep]
            model, dim = old.manifest["model"], old.manifest["dim"]
        finally:
            old.close()
        _write_generation(root, old_gen, {k: v for k, v in sources.items() if k not in gone}, articles, paragraphs,
                          chunks, tokens, vectors, model, dim, dense_kind)
        report.chunks_total = len(chunks)
        report.seconds = time.perf_counter() - t0
        return report


class FolderWriter:
    """The IndexWriter of a local index folder."""

    def __init__(self, root: Path, *, max_chunk_chars: int, dense_kind: str, lock_timeout: float | None = None):
        self.root, self.max_chunk_chars, self.dense_kind, self.lock_timeout = Path(root), max_chunk_chars, dense_kind, lock_timeout

    def update(self, parsed_issues: list[ParsedIssue], encoder: Encoder, *, progress: bool | None = None,
               on_wait: Callable[[str], None] | None = None) -> UpdateReport:
        return update_index(self.root, parsed_issues, encoder, max_chunk_chars=self.max_chunk_chars,
                            progress=progress, dense_kind=self.dense_kind, on_wait=on_wait,
                            lock_timeout=self.lock_timeout)

    def remove(self, sources: list[str], *, on_wait: Callable[[str], None] | None = None) -> UpdateReport:
        return remove_sources(self.root, sources, dense_kind=self.dense_kind, on_wait=on_wait,
                              lock_timeout=self.lock_timeout)
