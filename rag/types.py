"""The domain: an issue, its articles and paragraphs, the chunks we index, and answers.

These types travel through every stage unchanged in meaning, so a citation is
data (ids, offsets, scores), never a string parsed back.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Issue:
    newspaper: str
    date: str  # ISO yyyy-mm-dd, "" when unknown
    page: str  # edition/page such as "A1", "" when unknown
    source: str  # file name the issue came from
    content_hash: str
    weekday: str = ""
    slug: str = ""  # ascii name for ids, e.g. "hengshui-daily"

    @property
    def issue_id(self) -> str:
        return "/".join(p for p in (self.slug, self.date or "undated", self.page or "p") if p)


@dataclass
class Paragraph:
    index: int  # 1-based within the article
    text: str
    start: int = 0  # char offsets into the article's normalised text
    end: int = 0


@dataclass
class Article:
    order: int  # 1-based position on the page
    title: str
    subtitle: str = ""
    byline: str = ""
    column: str = ""
    kind: str = "article"  # "article" or "photo"
    kicker: str = ""  # 引题: the line above the headline
    continued_to: str = ""  # e.g. "A2" for (下转A2版)
    continued_from: str = ""  # e.g. "A1" for (上接A1版): this part goes on an article begun there
    paragraphs: list[Paragraph] = field(default_factory=list)
    # A passage from a passages file carries its own id: it becomes the chunks'
    # source_id and names the article in chunk ids instead of its page position.
    passage_id: str = ""

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


@dataclass
class ParsedIssue:
    issue: Issue
    articles: list[Article]


@dataclass
class Chunk:
    chunk_id: str
    paragraph_id: str
    source_id: str
    newspaper: str
    date: str
    page: str
    article: str
    article_order: int
    paragraph: int
    text: str  # the chunk's own text (a paragraph or a run of its sentences)
    embed_text: str  # what the models see: headline + text

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Hit:
    """A chunk found by retrieval, with its fused score and per-retriever ranks."""

    chunk: Chunk
    score: float
    # Per retriever ("dense": cosine, "words": BM25 over jieba words, "bigrams": BM25
    # over characters and character pairs): 1-based rank and raw score.
    ranks: dict[str, int] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)

    def to_result(self) -> dict:
        """One result of `newsqa search --json` (the contract in docs/contracts.md)."""
        c = self.chunk
        return {"chunk_id": c.chunk_id, "source_id": c.source_id, "article": c.article, "paragraph": c.paragraph,
                "text": c.text, "score": round(self.score, 4)}


@dataclass
class Citation:
    n: int
    chunk_id: str
    newspaper: str
    date: str
    page: str
    article: str
    paragraph: int
    text: str  # the whole source paragraph
    score: float
    # Character offsets into ``text``: the quoted sentence, and the short answer inside it
    # ({"start", "end", "text"}), so a page can highlight them. None when not quoted.
    quote: dict | None = None
    span: dict | None = None

    @classmethod
    def of(cls, n: int, hit: Hit, text: str, quote: dict | None = None, span: dict | None = None) -> Citation:
        """Citation [n] of a retrieved chunk, ``text`` being its whole paragraph."""
        c = hit.chunk
        return cls(n=n, chunk_id=c.chunk_id, newspaper=c.newspaper, date=c.date, page=c.page, article=c.article,
                   paragraph=c.paragraph, text=text, score=round(hit.score, 4), quote=quote, span=span)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    answer: str
    answerable: bool
    citations: list[Citation]
    timings_ms: dict[str, float] = field(default_factory=dict)
    short_answer: str = ""  # the fact alone ("39.93万人"); "" when abstaining
    confidence: float = 0.0  # the answerer's, compared with its threshold
    standalone_question: str = ""  # the question as retrieval saw it (a follow-up made standalone)
    filters: dict = field(default_factory=dict)  # newspaper/date/page the answer was limited to

    def __radd__(self, other: object) -> Answer:
        # A streamed answer is text pieces, then the Answer; LangChain's invoke adds a stream's
        # pieces up, and what they add up to is the Answer.
        return self

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "answerable": self.answerable,
            "citations": [c.to_dict() for c in self.citations],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "short_answer": self.short_answer,
            "confidence": round(self.confidence, 4),
            "standalone_question": self.standalone_question or self.question,
            "filters": dict(self.filters),
        }


@dataclass(frozen=True)
class Filters:
    """The newspaper, date and page a question is limited to; empty fields limit nothing."""

    newspaper: str = ""
    date: str = ""  # ISO yyyy-mm-dd
    page: str = ""

    def __bool__(self) -> bool:
        return bool(self.newspaper or self.date or self.page)

    def matches(self, chunk: Chunk) -> bool:
        return ((not self.newspaper or chunk.newspaper == self.newspaper)
                and (not self.date or chunk.date == self.date)
                and (not self.page or chunk.page.upper() == self.page.upper()))

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v}

    @classmethod
    def from_dict(cls, d: dict | None) -> Filters:
        d = d or {}
        unknown = set(d) - {"newspaper", "date", "page"}
        if unknown:
            raise ValueError(f"unknown filter {sorted(unknown)[0]!r} (use newspaper, date, page)")
        f = cls(**{k: str(v or "").strip() for k, v in d.items()})
        if f.date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", f.date):
            raise ValueError(f"filter date {f.date[:40]!r} is not YYYY-MM-DD")
        if f.page and not re.fullmatch(r"[A-Za-z]?\d{1,3}", f.page):
            raise ValueError(f"filter page {f.page[:40]!r} is not a page like A1 or 3")
        if len(f.newspaper) > 40:
            raise ValueError("filter newspaper is longer than 40 characters")
        return f
