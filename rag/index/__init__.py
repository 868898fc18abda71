"""The index: chunks with their vectors, words and metadata, behind a reader and a writer protocol."""

from __future__ import annotations

from pathlib import Path

from rag.config import IndexSettings, Settings
from rag.index.local import Index
from rag.index.lock import IndexBusy
from rag.index.protocol import (
    IndexMismatch,
    IndexNotFound,
    IndexReader,
    IndexUnavailable,
    IndexWriter,
    UpdateReport,
)
from rag.index.writer import FolderWriter, remove_sources, update_index

__all__ = ["FolderWriter", "Index", "IndexBusy", "IndexMismatch", "IndexNotFound", "IndexReader",
           "IndexUnavailable", "IndexWriter", "UpdateReport", "index_exists", "index_location", "model_for", "open_index", "open_writer",
           "remove_sources", "update_index"]


def milvus_uri(settings: Settings) -> str:
    """The Milvus the settings name: ``milvus_uri``, or Milvus Lite's file in the index folder."""
    return settings.milvus_uri or str(Path(settings.index_dir) / "milvus.db")


def _milvus():
    # Imported only when the Milvus backend is chosen: the client is an optional install.
    try:
        from rag.index import milvus
    except ImportError as exc:
        raise IndexUnavailable("index_backend is milvus but pymilvus is not installed: pip install 'newsqa[milvus]'") from exc
    return milvus


def index_location(settings: Settings) -> str:
    """Where the index the settings name lives, in words for a summary line."""
    if settings.index_backend == "milvus":
        return f"{milvus_uri(settings)} (Milvus, {settings.milvus_collection})"
    return str(settings.index_dir)


def index_exists(settings: Settings) -> bool:
    """Is there an index where the settings point?"""
    if settings.index_backend == "milvus":
        try:
            open_index(settings)
        except IndexNotFound:
            return False
        return True
    return Index.current_generation(Path(settings.index_dir)) is not None


def model_for(settings: Settings) -> str:
    """The embedding model to use with the index the settings name: the configured one, or, when the
    model is left at its default, the one the index was built with."""
    if settings.model != IndexSettings.model:
        return settings.model
    if settings.index_backend == "milvus":
        try:
            return open_index(settings).model or settings.model
        except IndexNotFound:
            return settings.model
    return Index.model_of(Path(settings.index_dir)) or settings.model


def open_index(settings: Settings) -> IndexReader:
    """The index the settings name, for reading; IndexNotFound when there is none."""
    if settings.index_backend == "milvus":
        return _milvus().MilvusIndex.open(milvus_uri(settings), settings.milvus_collection, settings.milvus_token)
    return Index.open(Path(settings.index_dir))


def open_writer(settings: Settings) -> IndexWriter:
    """The writer of the index the settings name (created on the first update)."""
    index = settings.index
    if settings.index_backend == "milvus":
        return _milvus().MilvusWriter(milvus_uri(settings), settings.milvus_collection,
                                      max_chunk_chars=index.max_chunk_chars, token=settings.milvus_token)
    return FolderWriter(Path(index.index_dir), max_chunk_chars=index.max_chunk_chars, dense_kind=index.dense_index)
