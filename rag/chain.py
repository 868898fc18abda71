"""The LangChain Runnable that ties question -> retrieve -> answer, and the object that holds it.

``build_chain`` is the seam: any retriever with ``search(question) -> list[Hit]``
and any answerer ``(question, hits) -> (text, answerable, citations)`` plug in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from rag.answer import ExtractiveAnswerer
from rag.config import Settings
from rag.index import Index
from rag.index.lexical import tokenize
from rag.retrieve import HybridRetriever
from rag.types import Answer, Hit


class BadQuestion(ValueError):
    """A question that cannot be asked (empty, too long)."""


def clean_question(question: str, max_chars: int) -> str:
    q = " ".join((question or "").split())
    if not q:
        raise BadQuestion("the question is empty")
    if len(q) > max_chars:
        raise BadQuestion(f"the question is too long ({len(q)} characters; the limit is {max_chars})")
    return q


def build_chain(retriever: Any, answerer: Any) -> Runnable:
    """{"question": str, "hits"?: list[Hit]} (or just the question) -> Answer, timing each stage."""

    def retrieve(inputs: dict) -> list[Hit]:
        t = time.perf_counter()
        # Hits may come in with the question (an evaluation that already retrieved more of them).
        hits = inputs["hits"] if inputs.get("hits") is not None else retriever.search(inputs["question"])
        inputs["_timings"]["retrieve"] = (time.perf_counter() - t) * 1000
        return hits

    def answer(inputs: dict) -> Answer:
        t = time.perf_counter()
        text, answerable, citations = answerer(inputs["question"], inputs["hits"])
        timings = inputs["_timings"]
        timings["answer"] = (time.perf_counter() - t) * 1000
        timings["total"] = timings["retrieve"] + timings["answer"]
        return Answer(question=inputs["question"], answer=text, answerable=answerable,
                      citations=citations, timings_ms=timings)

    def start(x: dict | str) -> dict:
        if isinstance(x, str):
            return {"question": x, "hits": None, "_timings": {}}
        return {"question": x["question"], "hits": x.get("hits"), "_timings": {}}

    return (RunnableLambda(start) | RunnablePassthrough.assign(hits=RunnableLambda(retrieve)) | RunnableLambda(answer)).with_config(
        run_name="newsqa"
    )


@dataclass
class NewsQA:
    """One loaded model and index, shared by every question a surface asks."""

    settings: Settings
    encoder: Any
    index: Index
    retriever: HybridRetriever
    chain: Runnable

    @classmethod
    def load(cls, settings: Settings, encoder: Any = None) -> NewsQA:
        from embeddings import load_encoder

        index = Index.open(Path(settings.index_dir))
        encoder = encoder or load_encoder(index.model if settings.model == Settings.model else settings.model,
                                          settings.model_cache, settings.embed_batch_size)
        index.check_model(encoder)
        retriever = HybridRetriever.from_settings(index, encoder, settings)
        answerer = ExtractiveAnswerer(index.paragraph_text, encoder, article_text=index.article_text)
        tokenize("预热")  # load jieba's dictionary now, not during the first question
        return cls(settings, encoder, index, retriever, build_chain(retriever, answerer))

    def ask(self, question: str) -> Answer:
        q = clean_question(question, self.settings.max_question_chars)
        return self.chain.invoke({"question": q})

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        q = clean_question(question, self.settings.max_question_chars)
        return self.retriever.search(q, k or self.settings.search_k)
