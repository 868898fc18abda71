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
           "IndexUnavailable", "IndexWriter", "UpdateReport", "index_exists", "model_for", "open_index", "open_writer",
           "remove_sources", "update_index"]


def index_exists(settings: Settings) -> bool:
    """Is there an index where the settings point?"""
    return Index.current_generation(Path(settings.index_dir)) is not None


def model_for(settings: Settings) -> str:
    """The embedding model to use with the index the settings name: the configured one, or, when the
    model is left at its default, the one the index was built with."""
    if settings.model != IndexSettings.model:
        return settings.model
    return Index.model_of(Path(settings.index_dir)) or settings.model


def open_index(settings: Settings) -> IndexReader:
    """The index the settings name, for reading; IndexNotFound when there is none."""
    return Index.open(Path(settings.index_dir))


def open_writer(settings: Settings) -> IndexWriter:
    """The writer of the index the settings name (created on the first update)."""
    index = settings.index
    return FolderWriter(Path(index.index_dir), max_chunk_chars=index.max_chunk_chars, dense_kind=index.dense_index)
