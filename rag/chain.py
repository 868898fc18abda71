"""The LangChain Runnable that ties question -> retrieve -> answer, and the object that holds it.

``build_chain`` is the seam: any retriever with ``search(question, k, filters) -> list[Hit]``
and any answerer ``(question, hits) -> Drafted`` (or a plain ``(text, answerable, citations)``) plug in.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from rag.answer import ExtractiveAnswerer
from rag.answer.extractive import Drafted
from rag.answer.llm import LLMAnswerer, LLMRewriter, make_chat_model
from rag.config import Settings
from rag.filters import Filters, filters_from_question
from rag.followup import Turn, rewrite
from rag.index import Index
from rag.index.lexical import tokenize
from rag.retrieve import HybridRetriever
from rag.types import Answer, Hit

_refresh_lock = threading.Lock()
log = logging.getLogger(__name__)


class BadQuestion(ValueError):
    """A question that cannot be asked (empty, too long)."""


# Controls, zero-width characters and bidi overrides: invisible, and used to hide text from a reader.
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
MAX_HISTORY_TURNS = 6  # a follow-up needs the last few turns; older ones cost work and change nothing
_MAX_TURN_CHARS = 2000


def clean_question(question: str, max_chars: int) -> str:
    """The question with invisible characters removed and white space collapsed; BadQuestion if unusable."""
    question = question or ""
    if len(question) > 20 * max_chars:  # refuse before any work on it
        raise BadQuestion(f"the question is too long ({len(question)} characters; the limit is {max_chars})")
    q = " ".join(_INVISIBLE.sub(" ", question).split())
    if not q:
        raise BadQuestion("the question is empty")
    if len(q) > max_chars:
        raise BadQuestion(f"the question is too long ({len(q)} characters; the limit is {max_chars})")
    if not any(ch.isalnum() for ch in q):
        raise BadQuestion("the question has no words in it, only punctuation or symbols")
    return q


def _clip_turn(t: Turn | dict) -> Turn:
    t = t if isinstance(t, Turn) else Turn(question=t.get("question", ""), answer=t.get("answer", ""))
    return Turn(question=str(t.question or "")[:_MAX_TURN_CHARS], answer=str(t.answer or "")[:_MAX_TURN_CHARS])


def build_prepare(retriever: Any, rewriter: Any = None, issues: Any = None) -> Runnable:
    """{"question", "history"?, "filters"?, "hits"?} -> the same dict with standalone, filters and hits filled in.

    ``rewriter(question, history) -> str`` makes a follow-up standalone (default:
    ``rag.followup.rewrite``); ``issues() -> list[dict]`` lists the indexed issues, so
    that a question naming a newspaper, date or page is limited to them.
    """
    rewriter = rewriter or rewrite

    def start(x: dict | str) -> dict:
        x = {"question": x} if isinstance(x, str) else dict(x)
        history = [_clip_turn(t) for t in (x.get("history") or [])[-MAX_HISTORY_TURNS:]]
        filters = x.get("filters") or Filters()
        if not isinstance(filters, Filters):
            filters = Filters.from_dict(filters)
        return {"question": x["question"], "history": history, "filters": filters, "hits": x.get("hits"),
                "_timings": {}}

    def condense(inputs: dict) -> str:
        if not inputs["history"]:
            return inputs["question"]
        t = time.perf_counter()
        standalone = rewriter(inputs["question"], inputs["history"])
        inputs["_timings"]["condense"] = (time.perf_counter() - t) * 1000
        return standalone

    def scope(inputs: dict) -> Filters:
        named = filters_from_question(inputs["standalone"], issues()) if issues else Filters()
        given = inputs["filters"]
        # Filters given by the caller win over those read from the question.
        return Filters(newspaper=given.newspaper or named.newspaper, date=given.date or named.date,
                       page=given.page or named.page)

    def retrieve(inputs: dict) -> list[Hit]:
        t = time.perf_counter()
        # Hits may come in with the question (an evaluation that already retrieved more of them).
        if inputs.get("hits") is not None:
            hits = inputs["hits"]
        else:
            hits = retriever.search(inputs["standalone"], None, inputs["filters"] or None)
        inputs["_timings"]["retrieve"] = (time.perf_counter() - t) * 1000
        return hits

    return (
        RunnableLambda(start)
        | RunnablePassthrough.assign(standalone=RunnableLambda(condense))
        | RunnablePassthrough.assign(filters=RunnableLambda(scope))
        | RunnablePassthrough.assign(hits=RunnableLambda(retrieve))
    )


def to_answer(inputs: dict, out: Drafted | tuple, answer_ms: float) -> Answer:
    if isinstance(out, tuple):  # a plain (text, answerable, citations) answerer
        out = Drafted(*out)
    timings = inputs["_timings"]
    timings["answer"] = answer_ms
    timings["total"] = sum(timings.get(k, 0.0) for k in ("condense", "retrieve", "answer"))
    return Answer(question=inputs["question"], answer=out.text, answerable=out.answerable,
                  citations=out.citations, timings_ms=timings, short_answer=out.short_answer,
                  confidence=out.confidence, standalone_question=inputs["standalone"],
                  filters=inputs["filters"].to_dict())


def build_chain(retriever: Any, answerer: Any, rewriter: Any = None, issues: Any = None) -> Runnable:
    """{"question", "history"?, "filters"?, "hits"?} (or just the question) -> Answer, timing each stage."""
    return with_answerer(build_prepare(retriever, rewriter, issues), answerer)


def with_answerer(prepare: Runnable, answerer: Any) -> Runnable:
    """The prepare stage followed by ``answerer``: the whole chain."""

    def answer(inputs: dict) -> Answer:
        t = time.perf_counter()
        out = answerer(inputs["standalone"], inputs["hits"])
        return to_answer(inputs, out, (time.perf_counter() - t) * 1000)

    return (prepare | RunnableLambda(answer)).with_config(run_name="newsqa")


@dataclass
class NewsQA:
    """One loaded model and index, shared by every question a surface asks."""

    settings: Settings
    encoder: Any
    index: Index
    retriever: HybridRetriever
    chain: Runnable
    answerer: Any = None
    prepare: Runnable | None = None  # the chain up to the answerer (for streaming)
    _stages: tuple = field(default=(), init=False, repr=False)
    _cpu: threading.BoundedSemaphore | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.chain is not None:  # built by hand or by dataclasses.replace, not by _wire
            self._stages = (self.prepare, self.answerer, self.chain)
        # The model's work is CPU-bound: more questions at once than the limit only thrash the
        # cores (and each holds its own activations); the rest wait their turn.
        self._cpu = threading.BoundedSemaphore(max(1, self.settings.max_concurrent_questions))

    @classmethod
    def load(cls, settings: Settings, encoder: Any = None) -> NewsQA:
        from embeddings import load_encoder

        index = Index.open(Path(settings.index_dir))
        encoder = encoder or load_encoder(index.model if settings.model == Settings.model else settings.model,
                                          settings.model_cache, settings.embed_batch_size)
        qa = cls(settings, encoder, index, None, None)
        qa._wire(index)
        tokenize("预热")  # load jieba's dictionary now, not during the first question
        return qa

    def _wire(self, index: Index) -> None:
        """Build retriever, answerer and chain over ``index`` (at load, and when the index changes)."""
        settings, encoder = self.settings, self.encoder
        index.check_model(encoder)
        retriever = HybridRetriever.from_settings(index, encoder, settings)
        answerer = ExtractiveAnswerer(index.paragraph_text, encoder, article_text=index.article_text,
                                      min_confidence=settings.min_confidence,
                                      min_confidence_en=settings.min_confidence_en)
        rewriter = None
        chat_model = make_chat_model(settings)
        if chat_model is not None:
            answerer = LLMAnswerer(chat_model, index.paragraph_text, max_sources=settings.top_k, fallback=answerer)
            rewriter = LLMRewriter(chat_model)
        prepare = build_prepare(retriever, rewriter, index.issues)
        # Swapped together: a request holds whichever set it started with.
        self.index, self.retriever, self.answerer = index, retriever, answerer
        self.prepare, self.chain = prepare, with_answerer(prepare, answerer)
        self._stages = (prepare, answerer, self.chain)  # one read gives a matching set

    def refresh(self) -> bool:
        """Open the index's newest generation if another process (an ingest) has switched to one.

        Generations are complete before CURRENT points at them, so a half-written index is never
        opened; questions already running finish on the generation they started with.
        """
        root = Path(self.settings.index_dir)
        try:
            current = Index.current_generation(root)
        except (OSError, ValueError, KeyError):  # CURRENT unreadable: keep what we have
            return False
        if current is None or current == self.index.generation:
            return False
        with _refresh_lock:
            for _ in range(3):
                if Index.current_generation(root) == self.index.generation:
                    return False
                try:
                    self._wire(Index.open(root))
                    return True
                except (OSError, ValueError, RuntimeError, sqlite3.Error) as exc:
                    # A still newer ingest switched CURRENT and removed the generation just named:
                    # read CURRENT again. If that keeps failing, go on answering from the one open.
                    log.info("could not open the new index generation (%s); trying again", exc)
                    time.sleep(0.05)
        return False

    def ask(self, question: str, history: list | None = None, filters: dict | Filters | None = None) -> Answer:
        """Answer one question; ``history`` holds earlier turns (Turn or {"question", "answer"})."""
        q = clean_question(question, self.settings.max_question_chars)
        self.refresh()
        with self._cpu:
            return self.chain.invoke({"question": q, "history": history or [], "filters": filters})

    def stream(self, question: str, history: list | None = None,
               filters: dict | Filters | None = None) -> Iterator[str | Answer]:
        """Answer text as it is written (an LLM's tokens), then the final, verified Answer.

        A bad question raises BadQuestion here, at the call, not at the first item: an HTTP
        response can still be a 400 then.
        """
        q = clean_question(question, self.settings.max_question_chars)
        self.refresh()
        return self._stream(q, history, filters)

    def _stream(self, q: str, history: list | None, filters: dict | Filters | None) -> Iterator[str | Answer]:
        prepare, answerer, chain = self._stages  # not three reads: a refresh may swap them in between
        if not hasattr(answerer, "stream"):
            with self._cpu:
                answer = chain.invoke({"question": q, "history": history or [], "filters": filters})
            yield answer
            return
        with self._cpu:  # an LLM's generation happens elsewhere: only retrieval takes a turn here
            inputs = prepare.invoke({"question": q, "history": history or [], "filters": filters})
        t = time.perf_counter()
        drafted = None
        for item in answerer.stream(inputs["standalone"], inputs["hits"]):
            if isinstance(item, str):
                yield item
            else:
                drafted = item
        yield to_answer(inputs, drafted, (time.perf_counter() - t) * 1000)

    def search(self, question: str, k: int | None = None, filters: dict | Filters | None = None) -> list[Hit]:
        q = clean_question(question, self.settings.max_question_chars)
        self.refresh()
        f = filters if isinstance(filters, Filters) else Filters.from_dict(filters)
        with self._cpu:
            return self.retriever.search(q, k or self.settings.search_k, f or None)
