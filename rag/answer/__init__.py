"""Retrieved chunks to an answer with [n] citations, or an honest "not in these issues"."""

from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.llm import LLMAnswerer, make_chat_model
from rag.answer.protocol import NOT_FOUND_EN, NOT_FOUND_ZH, Answerer, Drafted, StreamingAnswerer

__all__ = ["NOT_FOUND_EN", "NOT_FOUND_ZH", "Answerer", "Drafted", "ExtractiveAnswerer", "LLMAnswerer",
           "StreamingAnswerer", "make_chat_model"]
