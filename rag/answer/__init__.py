"""Retrieved chunks to an answer with [n] citations, or an honest "not in these issues"."""

from rag.answer.extractive import NOT_FOUND_EN, NOT_FOUND_ZH, ExtractiveAnswerer

__all__ = ["NOT_FOUND_EN", "NOT_FOUND_ZH", "ExtractiveAnswerer"]
