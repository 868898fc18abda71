"""Retrieval: the chunks that may answer a question, found by meaning and by words, fused."""

from rag.retrieve.hybrid import HybridRetriever, fuse, hit_to_document
from rag.retrieve.scope import filters_from_question

__all__ = ["HybridRetriever", "filters_from_question", "fuse", "hit_to_document"]
