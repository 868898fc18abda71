"""The LangChain Runnable that ties question (+ history) -> standalone question -> scope -> retrieve -> answer.

``build_chain`` is the seam: any retriever with ``search(question, k, filters) -> list[Hit]``,
any answerer ``(question, hits) -> Drafted`` (rag.answer.protocol) and any follow-up rewriter
``(question, history) -> str`` plug in. It is the one path for every question: ``invoke``
returns the Answer, ``stream`` yields an answerer's text as it is written and then the Answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda

from rag.answer.protocol import Answerer, Drafted, StreamingAnswerer
from rag.chain.followup import Rewriter, Turn, rewrite
from rag.retrieve.scope import filters_from_question
from rag.types import Answer, Filters, Hit


class BadQuestion(ValueError):
    """A question that cannot be asked (empty, too long)."""


class KindsAnswerer(Protocol):
    def __call__(self, question: str, hits: list[Hit], filters: Filters) -> Drafted | None: ...


class Searcher(Protocol):
    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]: ...


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


def build_chain(retriever: Searcher, answerer: Answerer, rewriter: Rewriter | None = None,
                issues: Callable[[], list[dict]] | None = None,
                gate: Callable[[], AbstractContextManager] | None = None,
                kinds: KindsAnswerer | None = None) -> Runnable:
    """{"question", "history"?, "filters"?, "hits"?} (or just the question) -> the Answer, timing each stage.

    ``rewriter`` makes a follow-up standalone (default: the rule-based ``rewrite``);
    ``issues()`` lists the indexed issues, so that a question naming a newspaper, date or
    page is limited to them; ``gate()`` is held while this machine's cores work (retrieval,
    a local answerer), not while an LLM elsewhere writes. ``kinds(question, hits, filters)``
    answers the questions that are not about one fact (what a page holds, an article's gist,
    reports on a topic; rag.answer.kinds) and returns None for the rest, which go to ``answerer``.
    """
    rewriter = rewriter or rewrite
    gate = gate or nullcontext

    def start(x: dict | str) -> dict:
        x = {"question": x} if isinstance(x, str) else dict(x)
        history = [_clip_turn(t) for t in (x.get("history") or [])[-MAX_HISTORY_TURNS:]]
        filters = x.get("filters") or Filters()
        if not isinstance(filters, Filters):
            filters = Filters.from_dict(filters)
        return {"question": x["question"], "history": history, "filters": filters, "hits": x.get("hits"),
                "_timings": {}}

    def condense(inputs: dict) -> dict:
        standalone = inputs["question"]
        if inputs["history"]:
            t = time.perf_counter()
            standalone = rewriter(inputs["question"], inputs["history"])
            inputs["_timings"]["condense"] = (time.perf_counter() - t) * 1000
        return {**inputs, "standalone": standalone}

    def scope(inputs: dict) -> dict:
        named = filters_from_question(inputs["standalone"], issues()) if issues else Filters()
        given = inputs["filters"]
        # Filters given by the caller win over those read from the question.
        return {**inputs, "filters": Filters(newspaper=given.newspaper or named.newspaper,
                                             date=given.date or named.date, page=given.page or named.page)}

    def retrieve(inputs: dict) -> dict:
        t = time.perf_counter()
        hits = inputs.get("hits")
        # Hits may come in with the question (an evaluation that already retrieved more of them).
        if hits is None:
            with gate():
                hits = retriever.search(inputs["standalone"], None, inputs["filters"] or None)
        inputs["_timings"]["retrieve"] = (time.perf_counter() - t) * 1000
        return {**inputs, "hits": hits}

    def answer(stream: Iterator[dict]) -> Iterator[str | Answer]:
        inputs: dict = {}
        for part in stream:  # the stage before sends one whole dict
            inputs = part
        t = time.perf_counter()
        drafted = None
        if kinds is not None:
            with gate():
                drafted = kinds(inputs["standalone"], inputs["hits"], inputs["filters"])
        if drafted is None and isinstance(answerer, StreamingAnswerer):
            for item in answerer.stream(inputs["standalone"], inputs["hits"]):
                if isinstance(item, str):
                    yield item
                else:
                    drafted = item
        elif drafted is None:
            with gate():
                drafted = answerer(inputs["standalone"], inputs["hits"])
        yield to_answer(inputs, drafted, (time.perf_counter() - t) * 1000)

    return (RunnableLambda(start, name="start") | RunnableLambda(condense, name="condense")
            | RunnableLambda(scope, name="scope") | RunnableLambda(retrieve, name="retrieve")
            | RunnableGenerator(answer, name="answer")).with_config(run_name="newsqa")

