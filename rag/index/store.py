"""The chunk store: issues, articles, paragraphs and chunks in one SQLite file.

Row numbers of the ``chunks`` table are the FAISS and BM25 document numbers.
"""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from pathlib import Path

from rag.index.parts import best_match, parts_in_order
from rag.types import Chunk

SCHEMA = """
CREATE TABLE sources (source_id TEXT PRIMARY KEY, content_hash TEXT, newspaper TEXT, date TEXT,
                      page TEXT, weekday TEXT, slug TEXT, ingested_at TEXT);
CREATE TABLE articles (article_key TEXT PRIMARY KEY, source_id TEXT, ord INTEGER, title TEXT,
                       subtitle TEXT, byline TEXT, column_label TEXT, kind TEXT, continued_to TEXT,
                       kicker TEXT DEFAULT '', continued_from TEXT DEFAULT '');
CREATE TABLE paragraphs (paragraph_id TEXT PRIMARY KEY, article_key TEXT, idx INTEGER, text TEXT,
                         start INTEGER, "end" INTEGER);
CREATE TABLE chunks (row INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE, paragraph_id TEXT, source_id TEXT,
                     newspaper TEXT, date TEXT, page TEXT, article TEXT, article_order INTEGER,
                     paragraph INTEGER, text TEXT, embed_text TEXT, tokens TEXT);
CREATE INDEX IF NOT EXISTS paragraphs_by_article ON paragraphs(article_key, idx);
CREATE INDEX IF NOT EXISTS articles_by_source ON articles(source_id);
CREATE INDEX IF NOT EXISTS chunks_by_paragraph ON chunks(paragraph_id);
"""

CHUNK_FIELDS = [f.name for f in fields(Chunk)]


class Store:
    """Read-only access to a store file."""

    def __init__(self, path: Path):
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        # A store written before continuations were recorded has no such column: its articles are whole.
        self._parts = "continued_from" in {r[1] for r in self._conn.execute("PRAGMA table_info(articles)")}

    def close(self) -> None:
        self._conn.close()

    def _rows(self, sql: str, args: tuple = ()) -> list[dict]:
        return [dict(r) for r in self._conn.execute(sql, args).fetchall()]

    def count(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def chunks_by_rows(self, rows: list[int]) -> dict[int, Chunk]:
        out: dict[int, Chunk] = {}
        for i in range(0, len(rows), 900):  # under SQLite's limit on variables in one statement
            part = tuple(rows[i:i + 900])
            got = self._rows(f"SELECT * FROM chunks WHERE row IN ({', '.join('?' * len(part))})", part)
            out.update((r["row"], Chunk(**{f: r[f] for f in CHUNK_FIELDS})) for r in got)
        return out

    def chunk(self, chunk_id: str) -> Chunk | None:
        got = self._rows("SELECT * FROM chunks WHERE chunk_id = ?", (chunk_id,))
        return Chunk(**{f: got[0][f] for f in CHUNK_FIELDS}) if got else None

    def all_rows(self, table: str) -> list[dict]:
        order = {"chunks": "row", "sources": "source_id", "articles": "article_key", "paragraphs": "paragraph_id"}[table]
        return self._rows(f"SELECT * FROM {table} ORDER BY {order}")

    def paragraph(self, paragraph_id: str) -> dict | None:
        got = self._rows("SELECT * FROM paragraphs WHERE paragraph_id = ?", (paragraph_id,))
        return got[0] if got else None

    def article(self, article_key: str) -> dict | None:
        got = self._rows("SELECT * FROM articles WHERE article_key = ?", (article_key,))
        return got[0] if got else None

    def article_paragraphs(self, article_key: str) -> list[dict]:
        return self._rows("SELECT * FROM paragraphs WHERE article_key = ? ORDER BY idx", (article_key,))

    def source_of_article(self, article_key: str) -> dict | None:
        got = self._rows("SELECT s.* FROM sources s JOIN articles a ON a.source_id = s.source_id "
                         "WHERE a.article_key = ?", (article_key,))
        return got[0] if got else None

    def article_titles(self, limit: int) -> list[str]:
        return [r["title"] for r in self._rows("SELECT title FROM articles WHERE title != '' LIMIT ?", (limit,))]

    def articles_of(self, newspaper: str = "", date: str = "", page: str = "") -> list[dict]:
        """Articles of the issues matching the filters given, each with ``lead_row``: the row of its first chunk."""
        where = [f"{col} = ?" for col, v in (("s.newspaper", newspaper), ("s.date", date), ("s.page", page)) if v]
        args = tuple(v for v in (newspaper, date, page) if v)
        return self._rows(
            "SELECT a.article_key, a.source_id, s.newspaper, s.date, s.page, a.ord, a.title, a.subtitle, a.kicker, "
            "a.column_label AS 'column', "
            "(SELECT c.row FROM paragraphs p JOIN chunks c ON c.paragraph_id = p.paragraph_id "
            " WHERE p.article_key = a.article_key ORDER BY p.idx, c.row LIMIT 1) AS lead_row "
            "FROM articles a JOIN sources s ON s.source_id = a.source_id"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY s.date, s.page, a.ord", args)

    def article_parts(self, article_key: str) -> list[str]:
        """The keys of an article's parts in reading order: those printed on other pages ((下转A2版) …
        (上接A1版)) and this one. Of several candidates on a page, the one whose headline shares most
        characters with this part's is taken."""
        here = self._part(article_key)
        if here is None or not self._parts:
            return [article_key]
        return parts_in_order(here, self._next_part)

    def _part(self, article_key: str) -> dict | None:
        got = self._rows("SELECT a.*, s.newspaper, s.date, s.page FROM articles a JOIN sources s "
                         "ON s.source_id = a.source_id WHERE a.article_key = ?", (article_key,))
        return got[0] if got else None

    def _next_part(self, part: dict, backwards: bool) -> dict | None:
        page, mark = (part["continued_from"], "continued_to") if backwards else (part["continued_to"], "continued_from")
        found = self._rows(
            "SELECT a.*, s.newspaper, s.date, s.page FROM articles a JOIN sources s ON s.source_id = a.source_id "
            f"WHERE s.newspaper = ? AND s.date = ? AND s.page = ? AND a.{mark} = ? ORDER BY a.ord",
            (part["newspaper"], part["date"], page, part["page"]))
        return best_match(part, found)

    def article_chunks(self, article_key: str) -> list[Chunk]:
        got = self._rows("SELECT c.* FROM chunks c JOIN paragraphs p ON p.paragraph_id = c.paragraph_id "
                         "WHERE p.article_key = ? ORDER BY p.idx, c.row", (article_key,))
        return [Chunk(**{f: r[f] for f in CHUNK_FIELDS}) for r in got]

    def sources(self) -> list[dict]:
        return self.all_rows("sources")
