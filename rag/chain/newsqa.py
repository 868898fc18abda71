"""NewsQA: one loaded model and index, and the chain over them, shared by every question a surface asks."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from langchain_core.runnables import Runnable

from embeddings import Encoder, load_encoder, load_reader
from rag.answer import ExtractiveAnswerer, LLMAnswerer, make_chat_model
from rag.answer.kinds import KindAnswerer
from rag.answer.protocol import Answerer
from rag.answer.reading import Reader
from rag.chain.followup import LLMRewriter
from rag.chain.pipeline import build_chain, clean_question
from rag.config import Settings
from rag.index import IndexMismatch, IndexReader, IndexUnavailable, model_for, open_index
from rag.retrieve import HybridRetriever
from rag.text.words import tokenize
from rag.types import Answer, Filters, Hit

_refresh_lock = threading.Lock()
log = logging.getLogger(__name__)


@dataclass
class NewsQA:
    """One loaded model and index, shared by every question a surface asks."""

    settings: Settings
    encoder: Encoder
    index: IndexReader
    retriever: HybridRetriever | None = None
    answerer: Answerer | None = None
    chain: Runnable | None = None
    reader: Reader | None = None  # the span reader, loaded once with the model
    _cpu: threading.BoundedSemaphore | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # The model's work is CPU-bound: more questions at once than the limit only thrash the
        # cores (and each holds its own activations); the rest wait their turn.
        self._cpu = threading.BoundedSemaphore(max(1, self.settings.max_concurrent_questions))
        if self.chain is None:
            self._wire(self.index)

    @classmethod
    def load(cls, settings: Settings, encoder: Encoder | None = None) -> NewsQA:
        index = open_index(settings)
        encoder = encoder or load_encoder(model_for(settings), settings.model_cache, settings.embed_batch_size)
        reader = load_reader(settings.model_cache) if settings.answer.reader else None
        qa = cls(settings, encoder, index, reader=reader)
        tokenize("预热")  # load jieba's dictionary now, not during the first question
        return qa

    def _wire(self, index: IndexReader) -> None:
        """Build retriever, answerer and chain over ``index`` (at load, and when the index changes)."""
        settings, encoder = self.settings, self.encoder
        index.check_model(encoder)
        retriever = HybridRetriever(index=index, encoder=encoder, settings=settings.retrieval)
        answerer = ExtractiveAnswerer.from_settings(index.paragraph_text, encoder, article_text=index.article_text,
                                                    settings=settings.answer, reader=self.reader)
        rewriter = None
        chat_model = make_chat_model(settings.llm)
        if chat_model is not None:
            answerer = LLMAnswerer(chat_model, index.paragraph_text, max_sources=settings.top_k, fallback=answerer)
            rewriter = LLMRewriter(chat_model)
        kinds = KindAnswerer(index, retriever.search, encoder)
        chain = build_chain(retriever, answerer, rewriter, index.issues, gate=lambda: self._cpu, kinds=kinds)
        # Swapped together: a request holds whichever chain it started with.
        self.index, self.retriever, self.answerer, self.chain = index, retriever, answerer, chain

    def refresh(self) -> bool:
        """Reopen the index if a writer (another process: an ingest) has changed it.

        A reader never sees half an update; questions already running finish on the index
        they started with.
        """
        if not self.index.changed():
            return False
        with _refresh_lock:
            for _ in range(3):
                if not self.index.changed():
                    return False
                try:
                    self._wire(self.index.reopen())
                    return True
                except (IndexUnavailable, IndexMismatch) as exc:
                    # A still newer update is switching the index over: look again. If that keeps
                    # failing, go on answering from the one open.
                    log.info("could not reopen the index (%s); trying again", exc)
                    time.sleep(0.05)
        return False

    def _inputs(self, question: str, history: list | None, filters: dict | Filters | None) -> dict:
        q = clean_question(question, self.settings.max_question_chars)
        self.refresh()
        return {"question": q, "history": history or [], "filters": filters}

    def ask(self, question: str, history: list | None = None, filters: dict | Filters | None = None) -> Answer:
        """Answer one question; ``history`` holds earlier turns (Turn or {"question", "answer"})."""
        inputs = self._inputs(question, history, filters)  # may reopen the index: before reading self.chain
        return self.chain.invoke(inputs)

    def stream(self, question: str, history: list | None = None,
               filters: dict | Filters | None = None) -> Iterator[str | Answer]:
        """Answer text as it is written (an LLM's tokens), then the final, verified Answer.

        A bad question raises BadQuestion here, at the call, not at the first item: an HTTP
        response can still be a 400 then.
        """
        inputs = self._inputs(question, history, filters)
        return self.chain.stream(inputs)  # one read: a refresh may swap the chain meanwhile

    def search(self, question: str, k: int | None = None, filters: dict | Filters | None = None) -> list[Hit]:
        q = clean_question(question, self.settings.max_question_chars)
        self.refresh()
        f = filters if isinstance(filters, Filters) else Filters.from_dict(filters)
        with self._cpu:
            return self.retriever.search(q, k or self.settings.search_k, f or None)
