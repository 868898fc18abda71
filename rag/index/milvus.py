"""The index on Milvus: the same reader and writer as the local folder, for archives and traffic
that outgrow one machine. A file path as the URI runs Milvus Lite in-process; ``http://host:19530``
reaches Milvus Standalone or Distributed with the same calls.

Collections (``NAME`` is the setting ``milvus_collection``):

    NAME_chunks   one row a chunk: its text, the paragraph's whole text, the article's headline
                  fields and place in print, the dense vector (HNSW, inner product on unit vectors),
                  and two BM25 fields Milvus computes: jieba words of the embedded text, and the
                  text's characters and character pairs written as ASCII words (b666f53bf) so the
                  standard analyzer keeps each pair whole.
    NAME_sources  one row a source file: content hash, newspaper, date, page.
    NAME_meta     the model and dimension the index was built with, and a version every write bumps
                  (how readers in other processes see that the index changed).

A source is written chunks first, its source row last: an ingest cut short leaves the row of the
earlier version (or none), so the next ingest writes the file again; issues already indexed are
never touched by another file's update. Fusion stays newsqa's (rag.retrieve), so answers and
citations are those of the local backend.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from pymilvus import DataType, Function, FunctionType, MilvusClient

from embeddings import Encoder
from rag.chunking import article_key, chunk_issue
from rag.index.parts import best_match, parts_in_order
from rag.index.protocol import IndexMismatch, IndexNotFound, UpdateReport
from rag.text.words import bigram_tokens
from rag.types import Chunk, ParsedIssue

log = logging.getLogger(__name__)
# Milvus Lite's jieba analyzer logs its dictionary loading at DEBUG to the root handlers: keep the CLI quiet.
logging.getLogger("jieba").setLevel(logging.WARNING)
# Milvus Lite's in-process server logs a traceback for each call it does not implement (AllocTimestamp),
# which pymilvus then does without: not the user's error, and not newsqa's.
logging.getLogger("grpc._server").setLevel(logging.CRITICAL)

_CHUNK_FIELDS = ["chunk_id", "paragraph_id", "source_id", "newspaper", "date", "page", "article", "article_order",
                 "paragraph", "text", "embed_text"]
_ARTICLE_FIELDS = ["title", "subtitle", "kicker", "byline", "column_label", "kind", "continued_to", "continued_from"]
_DUMMY = [0.0, 0.0]  # Milvus wants a vector field in every collection; sources and meta have none of their own
_BATCH = 512  # chunks embedded and inserted together
_PAGE = 16_384  # rows a query returns at most
_CACHED = 20_000  # paragraphs' texts and articles' lead rows a reader keeps (one question reads a few dozen)


def _q(value: str) -> str:
    """A string literal of Milvus's filter language."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _in(field: str, values: Iterable[str]) -> str:
    return f"{field} in [{', '.join(_q(v) for v in values)}]"


def bigram_words(text: str) -> str:
    """Characters and character pairs as ASCII words, one analyzer token each (景县 -> b666f53bf)."""
    return " ".join("b" + "".join(f"{ord(ch):x}" for ch in tok) for tok in bigram_tokens(text))


def connect(uri: str, token: str = "") -> MilvusClient:
    extra: dict = {"token": token} if token else {}
    if "://" not in uri:
        Path(uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # Milvus Lite's server refuses pings more often than every 20 s and logs each refusal (too_many_pings).
        extra["grpc_options"] = {"grpc.keepalive_time_ms": 60_000, "grpc.keepalive_permit_without_calls": False}
    return MilvusClient(uri=uri, **extra)


class MilvusIndex:
    """The IndexReader of an index held in Milvus."""

    def __init__(self, client: MilvusClient, name: str):
        self.client, self.name = client, name
        self.chunks, self.sources_c, self.meta_c = f"{name}_chunks", f"{name}_sources", f"{name}_meta"
        if not client.has_collection(self.meta_c):
            raise IndexNotFound(f"no index {name!r} in Milvus (run `newsqa ingest FILE...` with the same settings first)")
        _load(client, name)
        meta = _meta(client, self.meta_c)
        self.manifest = {"model": meta.get("model", ""), "dim": int(meta.get("dim", 0) or 0)}
        self.version = meta.get("version", "")
        self.size = int(client.get_collection_stats(self.chunks)["row_count"]) if client.has_collection(self.chunks) else 0
        # An answer reads the same few articles and paragraphs many times; each read from Milvus is a
        # round trip. What this reader has read stays until the index changes (reopen makes a new one).
        self._article_cache: dict[str, str] = {}
        self._lead_cache: dict[str, dict | None] = {}
        self._paragraph_cache: dict[str, str] = {}

    @classmethod
    def open(cls, uri: str, name: str, token: str = "") -> MilvusIndex:
        return cls(connect(uri, token), name)

    @property
    def model(self) -> str:
        return self.manifest["model"]

    def check_model(self, encoder: Encoder) -> None:
        _check_model(self.name, self.manifest["model"], self.manifest["dim"], encoder)

    # -- search

    def _search(self, data, field: str, k: int, metric: str) -> list[tuple[Chunk, float]]:
        if self.size == 0:
            return []
        got = self.client.search(self.chunks, data=[data], anns_field=field, limit=min(k, _PAGE),
                                 output_fields=[*_CHUNK_FIELDS, "paragraph_text"],
                                 search_params={"metric_type": metric, **({"params": {"ef": max(128, k)}} if metric == "IP" else {})})
        # Milvus Lite gives BM25 as a negative distance (more negative = better), a server as a positive
        # score: either way its size is the score, and the order is the engine's.
        self._remember_paragraphs(h["entity"] for h in got[0])
        return [(_chunk(h["entity"]), abs(float(h["distance"])) if metric == "BM25" else float(h["distance"]))
                for h in got[0]]

    def _remember_paragraphs(self, rows: Iterable[dict]) -> None:
        if len(self._paragraph_cache) > _CACHED:
            self._paragraph_cache.clear()
        for r in rows:
            self._paragraph_cache[r["paragraph_id"]] = r["paragraph_text"]

    def search_dense(self, query_vec: np.ndarray, k: int) -> list[tuple[Chunk, float]]:
        return self._search([float(x) for x in np.asarray(query_vec, dtype=np.float32).ravel()], "dense", k, "IP")

    def search_lexical(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        return self._search(query, "words", k, "BM25") if query.strip() else []

    def search_bigrams(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        words = bigram_words(query)
        return self._search(words, "bigram_vec", k, "BM25") if words else []

    # -- lookups

    def _rows(self, filter_: str, fields: list[str], collection: str | None = None, limit: int = 0) -> list[dict]:
        if limit:
            return self.client.query(collection or self.chunks, filter=filter_, output_fields=fields, limit=limit)
        return _query_all(self.client, collection or self.chunks, filter_, fields)

    def chunk(self, chunk_id: str) -> Chunk | None:
        got = self._rows(f"chunk_id == {_q(chunk_id)}", _CHUNK_FIELDS)
        return _chunk(got[0]) if got else None

    def paragraph_text(self, paragraph_id: str) -> str:
        if paragraph_id not in self._paragraph_cache:
            got = self._rows(f"paragraph_id == {_q(paragraph_id)}", ["paragraph_id", "paragraph_text"], limit=1)
            if not got:
                return ""
            self._remember_paragraphs(got)
        return self._paragraph_cache[paragraph_id]

    def _article(self, key: str) -> dict | None:
        if key not in self._lead_cache:
            if len(self._lead_cache) > _CACHED:
                self._lead_cache.clear()
            got = self._rows(f"article_key == {_q(key)} and lead == 1",
                             ["article_key", "source_id", "newspaper", "date", "page", "article_order", *_ARTICLE_FIELDS],
                             limit=1)
            self._lead_cache[key] = got[0] if got else None
        return self._lead_cache[key]

    def _parts(self, key: str) -> list[str]:
        """The keys of an article's parts on other pages and this one, in reading order (as the local store)."""
        here = self._article(key)
        if here is None:
            return [key]
        return parts_in_order(here, self._next_part)

    def _next_part(self, part: dict, backwards: bool) -> dict | None:
        page, mark = (part["continued_from"], "continued_to") if backwards else (part["continued_to"], "continued_from")
        found = self._rows(f"newspaper == {_q(part['newspaper'])} and date == {_q(part['date'])} and "
                           f"page == {_q(page)} and {mark} == {_q(part['page'])} and lead == 1",
                           ["article_key", "newspaper", "date", "page", "article_order", *_ARTICLE_FIELDS])
        found.sort(key=lambda a: a["article_order"])
        return best_match(part, found)

    def _chunk_rows_of(self, keys: list[str]) -> list[dict]:
        """The chunks of these articles in reading order, with their paragraphs' texts (one round trip)."""
        rows = self._rows(_in("article_key", keys), [*_CHUNK_FIELDS, "article_key", "seq", "paragraph_text"])
        order = {k: i for i, k in enumerate(keys)}
        rows.sort(key=lambda r: (order[r["article_key"]], r["seq"]))
        self._remember_paragraphs(rows)
        return rows

    def article_chunks(self, paragraph_id: str) -> list[Chunk]:
        return [_chunk(r) for r in self._chunk_rows_of(self._parts(article_key(paragraph_id)))]

    def article_text(self, paragraph_id: str) -> str:
        key = article_key(paragraph_id)
        if key not in self._article_cache:
            parts = self._parts(key)
            a = self._article(parts[0]) or {}
            paras = self._paragraphs(parts)
            self._article_cache[key] = "\n".join(
                [k for k in (a.get("kicker"),) if k] + [a.get("title", ""), a.get("subtitle", "")]
                + [p["text"] for p in paras])
        return self._article_cache[key]

    def _paragraphs(self, parts: list[str]) -> list[dict]:
        seen, out = set(), []
        for r in self._chunk_rows_of(parts):
            if r["paragraph_id"] not in seen:
                seen.add(r["paragraph_id"])
                out.append({"paragraph_id": r["paragraph_id"], "article_key": r["article_key"],
                            "idx": r["paragraph"], "text": r["paragraph_text"], "page": r["page"]})
        return out

    def context(self, chunk_id: str) -> dict | None:
        chunk = self.chunk(chunk_id)
        if chunk is None:
            return None
        parts = self._parts(article_key(chunk.paragraph_id))
        a = self._article(parts[0]) or {}
        article = {"article_key": parts[0], "source_id": a.get("source_id", ""), "ord": a.get("article_order", 0),
                   **{f: a.get(f, "") for f in _ARTICLE_FIELDS}}
        return {"chunk": chunk.to_dict(), "article": article, "paragraphs": self._paragraphs(parts)}

    def issues(self) -> list[dict]:
        rows = self._rows("source_id != \"\"", ["source_id", "content_hash", "newspaper", "date", "page", "weekday",
                                                 "slug", "ingested_at"], self.sources_c)
        return sorted(rows, key=lambda r: r["source_id"])

    def articles(self, newspaper: str = "", date: str = "", page: str = "") -> list[dict]:
        cond = ["lead == 1"] + [f"{f} == {_q(v)}" for f, v in (("newspaper", newspaper), ("date", date), ("page", page)) if v]
        rows = self._rows(" and ".join(cond), [*_CHUNK_FIELDS, "article_key", *_ARTICLE_FIELDS, "source_id"])
        out = [{"article_key": r["article_key"], "source_id": r["source_id"], "newspaper": r["newspaper"],
                "date": r["date"], "page": r["page"], "ord": r["article_order"], "title": r["title"],
                "subtitle": r["subtitle"], "kicker": r["kicker"], "column": r["column_label"],
                "lead": _chunk(r)} for r in rows]
        return sorted(out, key=lambda a: (a["date"], a["page"], a["ord"]))

    def headlines(self, limit: int = 8) -> list[str]:
        rows = self.client.query(self.chunks, filter="lead == 1 and title != \"\"", output_fields=["title"], limit=limit)
        return [r["title"] for r in rows]

    def changed(self) -> bool:
        try:
            return _meta(self.client, self.meta_c).get("version", "") != self.version
        except Exception:  # noqa: BLE001 -- the engine unreachable for a moment: keep answering from what is open
            return False

    def reopen(self) -> MilvusIndex:
        return MilvusIndex(self.client, self.name)

    def close(self) -> None:
        pass


def _chunk(row: dict) -> Chunk:
    return Chunk(**{f: row[f] for f in _CHUNK_FIELDS})


def _meta(client: MilvusClient, collection: str) -> dict[str, str]:
    return {r["key"]: r["value"] for r in client.query(collection, filter="key != \"\"", output_fields=["key", "value"],
                                                         limit=100)}


class MilvusWriter:
    """The IndexWriter of an index held in Milvus."""

    def __init__(self, uri: str, name: str, *, max_chunk_chars: int, token: str = ""):
        self.uri, self.name, self.token, self.max_chunk_chars = uri, name, token, max_chunk_chars
        self.chunks, self.sources_c, self.meta_c = f"{name}_chunks", f"{name}_sources", f"{name}_meta"

    def _client(self, encoder: Encoder | None) -> MilvusClient:
        client = connect(self.uri, self.token)
        if not client.has_collection(self.meta_c):
            if encoder is None:
                raise IndexNotFound(f"no index {self.name!r} in Milvus")
            _create(client, self.name, encoder.dim)
            client.upsert(self.meta_c, [{"key": "model", "value": encoder.name, "_v": _DUMMY},
                                         {"key": "dim", "value": str(encoder.dim), "_v": _DUMMY}])
            _bump(client, self.meta_c)
        else:
            _load(client, self.name)
        if encoder is not None:
            meta = _meta(client, self.meta_c)
            _check_model(self.name, meta.get("model", ""), int(meta.get("dim", 0) or 0), encoder)
        return client

    def update(self, parsed_issues: Iterable[ParsedIssue], encoder: Encoder, *, progress: bool | None = None,
               on_wait: Callable[[str], None] | None = None,
               on_chunks: Callable[[int], None] | None = None) -> UpdateReport:
        t0 = time.perf_counter()
        client = self._client(encoder)
        report = UpdateReport()
        hashes = {r["source_id"]: r["content_hash"]
                  for r in _query_all(client, self.sources_c, "source_id != \"\"", ["source_id", "content_hash"])}
        for parsed in parsed_issues:
            src = parsed.issue.source
            if hashes.get(src) == parsed.issue.content_hash:
                report.unchanged.append(src)
                continue
            chunks = chunk_issue(parsed, self.max_chunk_chars)
            other = _owner_elsewhere(client, self.chunks, chunks, src)
            if other:
                report.failed.append(f"{src}: same newspaper, date and page as already indexed {other}; "
                                     "give --newspaper/--date/--page or rename one of them")
                continue
            rows = _chunk_rows(parsed, chunks)
            for i in range(0, len(rows), _BATCH):
                part = rows[i:i + _BATCH]
                vecs = encoder.encode_passages([r["embed_text"] for r in part], progress=False)
                for r, v in zip(part, vecs, strict=True):
                    r["dense"] = [float(x) for x in v]
                client.upsert(self.chunks, part)
                if on_chunks:
                    on_chunks(len(part))
            # The file's chunks that its new version no longer has (upsert replaced the others).
            kept = {r["chunk_id"] for r in rows}
            stale = [r["chunk_id"] for r in _query_all(client, self.chunks, f"file == {_q(src)}", ["chunk_id"])
                     if r["chunk_id"] not in kept]
            if stale:
                client.delete(self.chunks, filter=_in("chunk_id", stale))
            issue = parsed.issue
            client.upsert(self.sources_c, [{
                "source_id": src, "content_hash": issue.content_hash, "newspaper": issue.newspaper, "date": issue.date,
                "page": issue.page, "weekday": issue.weekday, "slug": issue.slug,
                "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "_v": _DUMMY}])
            (report.replaced if src in hashes else report.added).append(src)
            hashes[src] = issue.content_hash
            report.chunks_embedded += len(rows)
        if report.added or report.replaced:
            _bump(client, self.meta_c)
        report.chunks_total = int(client.get_collection_stats(self.chunks)["row_count"])
        report.seconds = time.perf_counter() - t0
        return report

    def remove(self, sources: list[str], *, on_wait: Callable[[str], None] | None = None) -> UpdateReport:
        t0 = time.perf_counter()
        client = self._client(None)
        report = UpdateReport()
        known = {r["source_id"] for r in _query_all(client, self.sources_c, "source_id != \"\"", ["source_id"])}
        for name in sources:
            if name not in known:
                report.failed.append(f"{name}: not in the index")
                continue
            client.delete(self.sources_c, filter=f"source_id == {_q(name)}")  # first: a half-removed file is re-ingested
            client.delete(self.chunks, filter=f"file == {_q(name)}")
            report.replaced.append(name)
        report.replaced.sort()
        if report.replaced:
            _bump(client, self.meta_c)
        report.chunks_total = int(client.get_collection_stats(self.chunks)["row_count"])
        report.seconds = time.perf_counter() - t0
        return report


def _query_all(client: MilvusClient, collection: str, filter_: str, fields: list[str]) -> list[dict]:
    """Every row matching the filter, a page at a time (a query returns at most _PAGE rows)."""
    out, offset = [], 0
    while True:
        got = client.query(collection, filter=filter_, output_fields=fields, limit=_PAGE, offset=offset)
        out += got
        if len(got) < _PAGE:
            return out
        offset += _PAGE


def _load(client: MilvusClient, name: str) -> None:
    for collection in (f"{name}_meta", f"{name}_sources", f"{name}_chunks"):
        client.load_collection(collection)  # a collection another process wrote starts released


def _check_model(name: str, model: str, dim: int, encoder: Encoder) -> None:
    if model != encoder.name or dim != encoder.dim:
        raise IndexMismatch(f"Milvus index {name!r} was built with model {model!r} (dim {dim}), not {encoder.name!r}; "
                            "use that model or ingest into another collection")


def _bump(client: MilvusClient, meta: str) -> None:
    client.upsert(meta, [{"key": "version", "value": f"{time.time_ns()}", "_v": _DUMMY}])


def _owner_elsewhere(client: MilvusClient, collection: str, chunks: list[Chunk], source: str) -> str | None:
    ids = [c.chunk_id for c in chunks]
    for i in range(0, len(ids), 500):
        got = client.query(collection, filter=f"{_in('chunk_id', ids[i:i + 500])} and file != {_q(source)}",
                           output_fields=["file"], limit=1)
        if got:
            return got[0]["file"]
    return None


def _chunk_rows(parsed: ParsedIssue, chunks: list[Chunk]) -> list[dict]:
    by_order = {a.order: a for a in parsed.articles}
    texts = {(a.order, p.index): p.text for a in parsed.articles for p in a.paragraphs}
    rows, seen_articles = [], set()
    for seq, c in enumerate(chunks):
        a = by_order[c.article_order]
        key = article_key(c.paragraph_id)
        lead = key not in seen_articles
        seen_articles.add(key)
        rows.append({**{f: getattr(c, f) for f in _CHUNK_FIELDS}, "file": parsed.issue.source, "article_key": key,
                     "seq": seq, "lead": int(lead), "paragraph_text": texts.get((c.article_order, c.paragraph), c.text),
                     "title": a.title, "subtitle": a.subtitle, "kicker": a.kicker, "byline": a.byline,
                     "column_label": a.column, "kind": a.kind, "continued_to": a.continued_to,
                     "continued_from": a.continued_from, "bigrams": bigram_words(c.embed_text)})
    return rows


def _create(client: MilvusClient, name: str, dim: int) -> None:
    s = client.create_schema(auto_id=False)
    s.add_field("chunk_id", DataType.VARCHAR, max_length=1024, is_primary=True)
    for f in ("paragraph_id", "source_id", "file", "article_key"):
        s.add_field(f, DataType.VARCHAR, max_length=1024)
    for f in ("newspaper", "date", "page", "kind", "continued_to", "continued_from"):
        s.add_field(f, DataType.VARCHAR, max_length=128)
    for f in ("article", "title", "subtitle", "kicker", "byline", "column_label"):
        s.add_field(f, DataType.VARCHAR, max_length=2048)
    for f in ("article_order", "paragraph", "seq", "lead"):
        s.add_field(f, DataType.INT64)
    s.add_field("text", DataType.VARCHAR, max_length=16_384)
    s.add_field("paragraph_text", DataType.VARCHAR, max_length=65_535)
    s.add_field("embed_text", DataType.VARCHAR, max_length=16_384, enable_analyzer=True,
                analyzer_params={"tokenizer": "jieba"})
    s.add_field("bigrams", DataType.VARCHAR, max_length=65_535, enable_analyzer=True,
                analyzer_params={"tokenizer": "standard"})
    s.add_field("words", DataType.SPARSE_FLOAT_VECTOR)
    s.add_field("bigram_vec", DataType.SPARSE_FLOAT_VECTOR)
    s.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    s.add_function(Function(name="bm25_words", function_type=FunctionType.BM25, input_field_names=["embed_text"],
                            output_field_names=["words"]))
    s.add_function(Function(name="bm25_bigrams", function_type=FunctionType.BM25, input_field_names=["bigrams"],
                            output_field_names=["bigram_vec"]))
    ip = client.prepare_index_params()
    ip.add_index("dense", index_type="HNSW", metric_type="IP", params={"M": 32, "efConstruction": 80})
    # BM25 with the local index's parameters (Lucene's k1 = 1.5, b = 0.75), so fused scores match.
    ip.add_index("words", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params={"bm25_k1": 1.5, "bm25_b": 0.75})
    ip.add_index("bigram_vec", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                 params={"bm25_k1": 1.5, "bm25_b": 0.75})
    client.create_collection(f"{name}_chunks", schema=s, index_params=ip, consistency_level="Strong")
    for coll, fields in ((f"{name}_sources", ["source_id", "content_hash", "newspaper", "date", "page", "weekday",
                                               "slug", "ingested_at"]), (f"{name}_meta", ["key", "value"])):
        sc = client.create_schema(auto_id=False)
        sc.add_field(fields[0], DataType.VARCHAR, max_length=1024, is_primary=True)
        for f in fields[1:]:
            sc.add_field(f, DataType.VARCHAR, max_length=1024)
        sc.add_field("_v", DataType.FLOAT_VECTOR, dim=2)
        ipx = client.prepare_index_params()
        ipx.add_index("_v", index_type="FLAT", metric_type="L2")
        client.create_collection(coll, schema=sc, index_params=ipx, consistency_level="Strong")
