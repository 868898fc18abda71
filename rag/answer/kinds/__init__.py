"""Answer kinds beyond a single fact: one record per kind, saying how it is recognised and how it is answered.

A kind's ``recognise`` looks at the (standalone) question; its ``answer`` gets the question and a
``Context`` (the index, a search function, the encoder, the hits already retrieved and the scope)
and returns a ``Drafted`` answer, or None to leave the question to the fact answerer. The first
kind that recognises a question answers it. Adding a kind: one module with both functions, one
record in ``KINDS``, and golden tests (docs/contributing.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rag.answer.kinds import gist, overview, reports, said, why
from rag.answer.kinds.context import Context
from rag.answer.protocol import Drafted
from rag.types import Filters, Hit


@dataclass(frozen=True)
class Kind:
    name: str
    recognise: Callable[[str], bool]
    answer: Callable[[str, Context], Drafted | None]
    doc: str


# Order matters: a page's overview before an article's gist (头版讲了什么 is about a page), reports
# (关于X的报道有哪些) before both.
KINDS: tuple[Kind, ...] = (
    Kind("reports", reports.recognise, reports.answer,
         "articles on a topic across issues, newest first, each with date, page and headline"),
    Kind("overview", overview.recognise, overview.answer,
         "every article of a page (or of an issue, page by page): headline and lead"),
    Kind("gist", gist.recognise, gist.answer,
         "three to five central, non-repeating sentences of one article"),
    Kind("said", said.recognise, said.answer,
         "the sentences in which the person asked about says, points out or stresses something"),
    Kind("why", why.recognise, why.answer,
         "the sentence that explains what the question asks about (and the next, where the reason goes on)"),
)


def kind_of(question: str) -> str:
    """The name of the kind that answers a question; "fact" when none does."""
    return next((k.name for k in KINDS if k.recognise(question)), "fact")


class KindAnswerer:
    """Answers the questions of the kinds in ``KINDS``; returns None for the rest (facts)."""

    def __init__(self, index, search: Callable[[str, int, Filters | None], list[Hit]], encoder=None,
                 kinds: tuple[Kind, ...] = KINDS):
        self.index, self.search, self.encoder, self.kinds = index, search, encoder, kinds

    def __call__(self, question: str, hits: list[Hit], filters: Filters | None = None) -> Drafted | None:
        for kind in self.kinds:
            if kind.recognise(question):
                ctx = Context(index=self.index, search=self.search, encoder=self.encoder, hits=hits,
                              filters=filters or Filters())
                drafted = kind.answer(question, ctx)
                if drafted is not None:
                    drafted.features.setdefault("kind", kind.name)
                    return drafted
                return None
        return None


__all__ = ["KINDS", "Context", "Kind", "KindAnswerer", "kind_of"]
