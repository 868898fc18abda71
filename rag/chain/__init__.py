"""The chain: a question (and the conversation so far) to a cited Answer, the one path every surface takes."""

from rag.chain.followup import LLMRewriter, Rewriter, Turn, message_text, rewrite, turns_from_messages
from rag.chain.newsqa import NewsQA
from rag.chain.pipeline import BadQuestion, build_chain, clean_question

__all__ = ["BadQuestion", "LLMRewriter", "NewsQA", "Rewriter", "Turn", "build_chain", "clean_question",
           "message_text", "rewrite", "turns_from_messages"]
