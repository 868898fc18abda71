"""Writing the local folder index: each update builds the next generation beside the current one.

Issues stream through: each is chunked, its rows go into the next generation's SQLite store
(a copy of the current one), its chunks are embedded in batches and the vectors appended to a
file; nothing of the archive is held in memory but the vectors of the dense index. The FAISS
index of the current generation is extended in place when nothing was taken out, and rebuilt
otherwise; the two BM25 indexes are rebuilt from the store in two streaming passes. The
switch to the new generation is one atomic rename of CURRENT, so a crash at any moment leaves
the last complete generation as it was.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
from tqdm import tqdm

from embeddings import Encoder
from rag.chunking import article_key, chunk_issue
from rag.config import IndexSettings
from rag.index.dense import DenseIndex, DenseParams, choose_params
from rag.index.lexical import LexicalIndex
from rag.index.local import FORMAT_VERSION, Index, check_model, fsync_dir, write_json_atomic
from rag.index.lock import writer_lock
from rag.index.protocol import IndexNotFound, UpdateReport
from rag.index.store import CHUNK_FIELDS, SCHEMA
from rag.text.words import bigram_tokens, tokenize_many
from rag.types import Chunk, ParsedIssue

log = logging.getLogger(__name__)

EMBED_BATCH = 512  # chunks embedded together: full model batches across small pages
_LOOKUP_BATCH = 500  # ids per SQL "IN (...)": well under SQLite's variable limit


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
        key = article_key(first_pid[(a.order, a.paragraphs[0].index)])
        articles.append({
            "article_key": key, "source_id": issue.source, "ord": a.order, "title": a.title,
            "subtitle": a.subtitle, "byline": a.byline, "column_label": a.column, "kind": a.kind,
            "continued_to": a.continued_to, "kicker": a.kicker, "continued_from": a.continued_from,
        })
        for p in a.paragraphs:
            paragraphs.append({
                "paragraph_id": first_pid[(a.order, p.index)], "article_key": key, "idx": p.index,
                "text": p.text, "start": p.start, "end": p.end,
            })
    return source, articles, paragraphs


class _NextGeneration:
    """The generation being written: a staging folder that becomes ``gen-N`` when finished.

    Chunk rows are numbered as they come (the current generation's 0..n-1, then the new ones);
    rows taken out leave gaps that ``finish`` closes, keeping row number = vector number.
    """

    def __init__(self, root: Path, encoder: Encoder | None, on_chunks: Callable[[int], None] | None = None):
        self.root = root
        self.old_gen = Index.current_generation(root)
        self.name = f"gen-{int(self.old_gen.split('-')[1]) + 1 if self.old_gen else 1:06d}"
        self.staging = root / f".{self.name}.partial"
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)
        self.encoder, self.on_chunks = encoder, on_chunks
        self.model, self.dim = (encoder.name, encoder.dim) if encoder else ("", 0)
        self.old_rows = 0  # rows that came from the current generation
        self.next_row = 0
        self.dropped: list[int] = []
        self.kept = np.zeros(0, dtype=np.int64)  # after _renumber: the numbered rows that stayed, in order
        self.pending: list[tuple[int, str]] = []  # (row, embed_text) not yet embedded
        self.embedded = 0
        self.outdated = False
        store = self.staging / "store.sqlite"
        if self.old_gen is not None:
            old = self.root / self.old_gen
            manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
            self.model, self.dim = manifest["model"], manifest["dim"]
            self.old_dense = DenseParams(**manifest.get("dense", {}))
            self.outdated = manifest.get("format_version", 1) < FORMAT_VERSION
            shutil.copyfile(old / "store.sqlite", store)
        self.conn = sqlite3.connect(store)
        # A staging file: a crash throws it away, so SQLite need not make it durable as it goes.
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        if self.old_gen is None:
            self.conn.executescript(SCHEMA)
        else:
            columns = {r[1] for r in self.conn.execute("PRAGMA table_info(articles)")}
            for column in ("kicker", "continued_from"):  # added since some stores were written
                if column not in columns:
                    self.conn.execute(f"ALTER TABLE articles ADD COLUMN {column} TEXT DEFAULT ''")
            self.conn.executescript(SCHEMA_INDEXES)
            self.old_rows = self.next_row = self.conn.execute("SELECT COALESCE(MAX(row) + 1, 0) FROM chunks").fetchone()[0]
        self.vectors = open(self.staging / "vectors.f32", "wb")  # noqa: SIM115 -- closed by finish/discard

    def check_model(self, encoder: Encoder) -> None:
        check_model(self.root, self.model, self.dim, encoder)

    # -- what is there

    def content_hash(self, source: str) -> str | None:
        row = self.conn.execute("SELECT content_hash FROM sources WHERE source_id = ?", (source,)).fetchone()
        return row[0] if row else None

    def owner_elsewhere(self, chunks: list[Chunk], source: str) -> str | None:
        """A file other than ``source`` that already holds one of these chunk ids (same newspaper, date, page)."""
        ids = [c.chunk_id for c in chunks]
        for i in range(0, len(ids), _LOOKUP_BATCH):
            part = ids[i:i + _LOOKUP_BATCH]
            row = self.conn.execute(
                "SELECT a.source_id FROM chunks c JOIN paragraphs p ON p.paragraph_id = c.paragraph_id "
                "JOIN articles a ON a.article_key = p.article_key "
                f"WHERE c.chunk_id IN ({', '.join('?' * len(part))}) AND a.source_id != ? LIMIT 1",
                (*part, source)).fetchone()
            if row:
                return row[0]
        return None

    # -- changes

    def drop(self, source: str) -> bool:
        """Take a source's rows out; False when it is not there."""
        if self.content_hash(source) is None:
            return False
        self.embed_pending()  # pending rows may belong to it: their vectors must be where their rows say
        keys = "SELECT article_key FROM articles WHERE source_id = ?"
        paragraphs = f"SELECT paragraph_id FROM paragraphs WHERE article_key IN ({keys})"
        rows = [r for (r,) in self.conn.execute(f"SELECT row FROM chunks WHERE paragraph_id IN ({paragraphs})", (source,))]
        self.dropped += rows
        self.conn.execute(f"DELETE FROM chunks WHERE paragraph_id IN ({paragraphs})", (source,))
        self.conn.execute(f"DELETE FROM paragraphs WHERE article_key IN ({keys})", (source,))
        self.conn.execute("DELETE FROM articles WHERE source_id = ?", (source,))
        self.conn.execute("DELETE FROM sources WHERE source_id = ?", (source,))
        return True

    def add(self, parsed: ParsedIssue, chunks: list[Chunk]) -> None:
        source, articles, paragraphs = _rows_for_issue(parsed, chunks)
        for table, rows in (("sources", [source]), ("articles", articles), ("paragraphs", paragraphs)):
            if rows:
                cols = list(rows[0])
                self.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(repr(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})",
                    [tuple(r[c] for c in cols) for r in rows])
        texts = [c.embed_text for c in chunks]
        tokens = tokenize_many(texts)
        first = self.next_row
        self.conn.executemany(
            f"INSERT INTO chunks (row, {', '.join(CHUNK_FIELDS)}, tokens) VALUES (?, {', '.join('?' * len(CHUNK_FIELDS))}, ?)",
            [(first + i, *(getattr(c, f) for f in CHUNK_FIELDS), " ".join(t)) for i, (c, t) in enumerate(zip(chunks, tokens, strict=True))])
        self.pending += [(first + i, t) for i, t in enumerate(texts)]
        self.next_row += len(chunks)

    def embed_pending(self) -> None:
        if not self.pending:
            return
        vecs = self.encoder.encode_passages([t for _, t in self.pending], progress=False)
        self.vectors.write(np.ascontiguousarray(vecs, dtype=np.float32).tobytes())
        self.embedded += len(self.pending)
        if self.on_chunks:
            self.on_chunks(len(self.pending))
        self.pending = []

    # -- the switch

    def finish(self, dense_kind: str) -> int:
        """Close the gaps, build the dense and lexical indexes, write the manifest and switch. Returns the chunk count."""
        self.embed_pending()
        self.vectors.close()
        if self.dropped:
            self._renumber()
        n = self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        sources = [s for (s,) in self.conn.execute("SELECT source_id FROM sources ORDER BY source_id")]
        self.conn.commit()
        if self.dropped and self.conn.execute("PRAGMA freelist_count").fetchone()[0] > 1000:
            self.conn.execute("VACUUM")  # taken-out rows leave free pages; each generation copies the file
        params = choose_params(n, dense_kind)
        self._dense(params).save(self.staging / "dense.faiss")
        (self.staging / "vectors.f32").unlink()
        LexicalIndex.build(self._tokens()).save(self.staging / "bm25")
        LexicalIndex.build(self._bigrams()).save(self.staging / "bigrams")
        self.conn.close()
        write_json_atomic(self.staging / "manifest.json", {
            "format_version": FORMAT_VERSION, "model": self.model, "dim": self.dim,
            "chunks": n, "sources": sources, "dense": params.to_dict(), "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        })
        self._switch()
        return n

    def discard(self) -> None:
        self.vectors.close()
        self.conn.close()
        shutil.rmtree(self.staging, ignore_errors=True)

    def _renumber(self) -> None:
        """Rows 0..n-1 again, in the same order."""
        self.kept = np.fromiter((r for (r,) in self.conn.execute("SELECT row FROM chunks ORDER BY row")), dtype=np.int64)
        cols = ", ".join(CHUNK_FIELDS)
        self.conn.execute("ALTER TABLE chunks RENAME TO chunks_numbered")
        self.conn.execute("DROP INDEX IF EXISTS chunks_by_paragraph")
        self.conn.executescript(CHUNKS_TABLE)
        self.conn.execute(f"INSERT INTO chunks (row, {cols}, tokens) SELECT ROW_NUMBER() OVER (ORDER BY row) - 1, "
                          f"{cols}, tokens FROM chunks_numbered ORDER BY row")
        self.conn.execute("DROP TABLE chunks_numbered")
        self.conn.executescript(SCHEMA_INDEXES)

    def _dense(self, params: DenseParams) -> DenseIndex:
        new_vectors = np.fromfile(self.staging / "vectors.f32", dtype=np.float32).reshape(-1, self.dim)
        old_index = None
        if self.old_gen is not None and self.old_rows:
            old_index = DenseIndex.load(self.root / self.old_gen / "dense.faiss", self.old_dense)
        if not self.dropped and old_index is not None and self.old_dense == params:
            old_index.add(new_vectors)  # nothing taken out: the current graph grows in place
            return old_index
        dense = DenseIndex.build(np.zeros((0, self.dim), dtype=np.float32), params)
        kept = self.kept if self.dropped else np.arange(self.next_row)
        old_kept, new_kept = kept[kept < self.old_rows], kept[kept >= self.old_rows] - self.old_rows
        step = 50_000
        for i in range(0, len(old_kept), step):
            dense.add(old_index.vectors_of(old_kept[i:i + step]))
        del old_index
        for i in range(0, len(new_kept), step):
            dense.add(new_vectors[new_kept[i:i + step]])
        return dense

    def _tokens(self) -> Iterator[list[str]]:
        for (t,) in self.conn.execute("SELECT tokens FROM chunks ORDER BY row"):
            yield t.split(" ") if t else []

    def _bigrams(self) -> Iterator[list[str]]:
        for (t,) in self.conn.execute("SELECT embed_text FROM chunks ORDER BY row"):
            yield bigram_tokens(t)

    def _switch(self) -> None:
        for f in self.staging.rglob("*"):
            if f.is_file():
                with open(f, "rb+") as fh:
                    os.fsync(fh.fileno())
        gen = self.root / self.name
        shutil.rmtree(gen, ignore_errors=True)
        os.replace(self.staging, gen)
        fsync_dir(self.root)
        write_json_atomic(self.root / "CURRENT", {"generation": self.name})
        fsync_dir(self.root)
        # Readers that opened the old generation keep their open files; new readers see the new one.
        for old_dir in self.root.glob("gen-*"):
            if old_dir.name != self.name:
                shutil.rmtree(old_dir, ignore_errors=True)


CHUNKS_TABLE = SCHEMA[SCHEMA.index("CREATE TABLE chunks"):SCHEMA.index(";", SCHEMA.index("CREATE TABLE chunks")) + 1]
SCHEMA_INDEXES = "\n".join(line for line in SCHEMA.splitlines() if line.startswith("CREATE INDEX"))


def update_index(
    root: Path,
    parsed_issues: Iterable[ParsedIssue],
    encoder: Encoder,
    *,
    max_chunk_chars: int = IndexSettings.max_chunk_chars,
    progress: bool | None = None,
    dense_kind: str = IndexSettings.dense_index,
    on_wait: Callable[[str], None] | None = None,
    lock_timeout: float | None = None,
    on_chunks: Callable[[int], None] | None = None,
) -> UpdateReport:
    """Add or replace issues in the index at ``root``, writing a new generation atomically.

    ``parsed_issues`` may be a generator: each issue is consumed, written and let go. An issue
    whose source file is already indexed with the same content hash is skipped (no embedding
    work); one with a different hash replaces its old chunks. An issue that cannot be added (it
    claims the newspaper, date and page of another file) is listed in ``report.failed`` and the
    rest still go in. ``on_chunks`` hears each batch of chunks embedded. Writers are serialised
    by the index's lock (``on_wait`` hears once if this one has to wait).
    """
    root = Path(root)
    with writer_lock(root, on_wait, lock_timeout):
        t0 = time.perf_counter()
        report = UpdateReport()
        bar = None
        if on_chunks is None and (sys.stderr.isatty() if progress is None else progress):
            bar = tqdm(desc="embedding", unit="chunk")
            on_chunks = bar.update
        nxt = _NextGeneration(root, encoder, on_chunks)
        try:
            nxt.check_model(encoder)
            for parsed in parsed_issues:
                _add_one(nxt, parsed, max_chunk_chars, report)
            if not (report.added or report.replaced or nxt.outdated):
                report.chunks_total = nxt.next_row
                nxt.discard()
            else:
                report.chunks_embedded = nxt.embedded + len(nxt.pending)
                report.chunks_total = nxt.finish(dense_kind)
        except BaseException:
            nxt.discard()
            raise
        finally:
            if bar is not None:
                bar.close()
        report.seconds = time.perf_counter() - t0
        return report


def _add_one(nxt: _NextGeneration, parsed: ParsedIssue, max_chunk_chars: int, report: UpdateReport) -> None:
    src = parsed.issue.source
    if nxt.content_hash(src) == parsed.issue.content_hash:
        if src not in report.added + report.replaced:
            report.unchanged.append(src)
        return
    chunks = chunk_issue(parsed, max_chunk_chars)
    # Checked while the file's indexed version is still there: a replacement that cannot go in leaves it as it was.
    other = nxt.owner_elsewhere(chunks, src)
    if other is not None:
        report.failed.append(f"{src}: same newspaper, date and page as already indexed {other}; "
                             "give --newspaper/--date/--page or rename one of them")
        return
    was_there = nxt.drop(src)
    if src not in report.added + report.replaced:
        (report.replaced if was_there else report.added).append(src)
    nxt.add(parsed, chunks)
    if len(nxt.pending) >= EMBED_BATCH:
        nxt.embed_pending()


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
        if Index.current_generation(root) is None:
            raise IndexNotFound(f"no index at {root}")
        nxt = _NextGeneration(root, None)
        try:
            for name in names:
                if nxt.drop(name):
                    report.replaced.append(name)
                else:
                    report.failed.append(f"{name}: not in the index")
            report.replaced.sort()
            if report.replaced:
                report.chunks_total = nxt.finish(dense_kind)
            else:
                report.chunks_total = nxt.next_row
                nxt.discard()
        except BaseException:
            nxt.discard()
            raise
        report.seconds = time.perf_counter() - t0
        return report


class FolderWriter:
    """The IndexWriter of a local index folder."""

    def __init__(self, root: Path, *, max_chunk_chars: int, dense_kind: str, lock_timeout: float | None = None):
        self.root, self.max_chunk_chars, self.dense_kind, self.lock_timeout = Path(root), max_chunk_chars, dense_kind, lock_timeout

    def update(self, parsed_issues: Iterable[ParsedIssue], encoder: Encoder, *, progress: bool | None = None,
               on_wait: Callable[[str], None] | None = None,
               on_chunks: Callable[[int], None] | None = None) -> UpdateReport:
        return update_index(self.root, parsed_issues, encoder, max_chunk_chars=self.max_chunk_chars,
                            progress=progress, dense_kind=self.dense_kind, on_wait=on_wait,
                            lock_timeout=self.lock_timeout, on_chunks=on_chunks)

    def remove(self, sources: list[str], *, on_wait: Callable[[str], None] | None = None) -> UpdateReport:
        return remove_sources(self.root, sources, dense_kind=self.dense_kind, on_wait=on_wait,
                              lock_timeout=self.lock_timeout)
