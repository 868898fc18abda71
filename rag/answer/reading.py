"""The learned reader's side of a factual answer: the span it reads in each retrieved paragraph.

The reader (``embeddings.reader``) reads the question with each of the top chunks and gives the
span it believes most, with a margin over "the answer is not here". The answer quotes the sentence
that holds the span, so a reading carries that sentence and where it starts in the chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rag.answer.spans import Span
from rag.text.sentences import split_sentences
from rag.types import Hit


class ReadSpanLike(Protocol):
    start: int
    end: int
    text: str
    score: float
    null: float


class Reader(Protocol):
    """Reads a question against paragraphs: the best span of each (``embeddings.reader.SpanReader``).
    A reader may also have ``read_scoring(question, passages, spans)``, which scores given spans."""

    def read(self, question: str, passages: list[str]) -> list[ReadSpanLike | None]: ...


@dataclass(frozen=True)
class Reading:
    hit: Hit
    rank: int  # place of the chunk in the retrieval order
    start: int  # the span, as offsets into the chunk's text
    end: int
    text: str
    score: float  # the reader's start + end logits
    margin: float  # score over the window's "no answer"
    sentence: str  # the chunk's sentence that holds the span
    at: int  # where that sentence starts in the chunk's text

    @property
    def null(self) -> float:
        """The reader's "no answer" score in the window the span came from."""
        return self.score - self.margin

    def span(self) -> Span:
        """The span as offsets into its sentence, as the rules' spans are."""
        return Span(self.start - self.at, self.end - self.at, self.text, self.margin)


def sentence_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence of ``text`` that holds ``text[start:end]`` (several, when the span crosses a
    sentence end), and where it starts."""
    pieces: list[tuple[int, int]] = []
    pos = 0
    for s in split_sentences(text):
        at = text.find(s, pos)
        if at < 0:
            continue
        pieces.append((at, at + len(s)))
        pos = at + len(s)
    inside = [(a, b) for a, b in pieces if a < end and start < b]
    if not inside:
        return text, 0
    a, b = inside[0][0], inside[-1][1]
    return text[a:b], a


def read_hits(reader: Reader, question: str, hits: list[Hit], k: int,
              also: list[tuple[int, int, int]] = ()) -> tuple[list[Reading], list[float | None]]:
    """The reader's span in each of the top ``k`` chunks, the likeliest first, and its score of other
    spans in them (``also``: (hit index, start, end) in the chunk's text), from the same reading."""
    top = hits[:k]
    texts = [h.chunk.text for h in top]
    also = [a for a in also if a[0] < len(top)]
    if hasattr(reader, "read_scoring"):
        spans, scores = reader.read_scoring(question, texts, list(also))
    else:  # a reader that only reads: it has no opinion of other spans
        spans, scores = reader.read(question, texts), [None] * len(also)
    out = []
    for rank, (hit, sp) in enumerate(zip(top, spans, strict=True)):
        if sp is None or not sp.text:
            continue
        sentence, at = sentence_around(hit.chunk.text, sp.start, sp.end)
        out.append(Reading(hit, rank, sp.start, sp.end, sp.text, sp.score, sp.score - sp.null, sentence, at))
    return sorted(out, key=lambda r: -r.score), scores
