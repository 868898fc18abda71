"""The answerer seam: (question, retrieved hits) -> a drafted answer with its citations.

The extractive answerer and the LLM answerer both fit it; so does any callable a user
plugs into ``rag.chain.build_chain``. An answerer that can show its text as it is written
also has ``stream``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from rag.types import Citation, Hit

NOT_FOUND_ZH = "这几期报纸没有提到这个问题的答案。"
NOT_FOUND_EN = "These issues do not say."


@dataclass
class Drafted:
    """What an answerer returns; the chain adds the question and timings."""

    text: str
    answerable: bool
    citations: list[Citation]
    short_answer: str = ""
    confidence: float = 0.0
    features: dict = field(default_factory=dict)


@runtime_checkable
class Answerer(Protocol):
    def __call__(self, question: str, hits: list[Hit]) -> Drafted: ...


@runtime_checkable
class StreamingAnswerer(Answerer, Protocol):
    def stream(self, question: str, hits: list[Hit]) -> Iterator[str | Drafted]:
        """Pieces of the answer's text as they are written, then the Drafted answer (always last)."""
        ...
