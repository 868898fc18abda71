"""What a kind's answer may use, and the pieces every kind's answer is made of."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.text.cjk import asked_in_english
from rag.types import Chunk, Citation, Filters, Hit


@dataclass
class Context:
    index: object  # rag.index.IndexReader
    search: Callable[[str, int, Filters | None], list[Hit]]
    encoder: object | None  # embeddings.Encoder
    hits: list[Hit]
    filters: Filters = field(default_factory=Filters)


# A dateline opening a report: 本报北京1月31日电 （记者 王某）, 新华社北京1月31日电, 本报讯（记者 王某）.
_DATELINE = re.compile(r"^\s*据?(?:本报|新华社|人民网|中新社|央视网)(?:[^。，,（(]{0,16}电|讯)\s*(?:[（(][^）)]{0,40}[）)])?\s*")


def without_dateline(text: str) -> str:
    return _DATELINE.sub("", text).strip()


def lead_sentence(text: str, max_chars: int = 80) -> str:
    """A paragraph's first sentence without its dateline, clipped."""
    body = without_dateline(text)
    m = re.search(r"[。！？!?]", body)
    first = body[: m.end()] if m else body
    return first if len(first) <= max_chars else first[: max_chars - 1] + "…"


def issue_name(newspaper: str, date: str, page: str = "", english: bool = False) -> str:
    """人民日报2019年2月1日第1版 / People's Daily (人民日报), 2019-02-01, page 1."""
    if english:
        parts = [p for p in (newspaper, date, f"page {page}" if page else "") if p]
        return ", ".join(parts) or "the newest issue"
    y, m, d = (date.split("-") + ["", "", ""])[:3] if date else ("", "", "")
    day = f"{int(y)}年{int(m)}月{int(d)}日" if date else ""
    return f"{day}{'《' + newspaper + '》' if newspaper else ''}{f'第{page}版' if page else ''}"


class Citations:
    """Numbers the chunks an answer cites, once each, in the order first cited."""

    def __init__(self, paragraph_text: Callable[[str], str]):
        self.paragraph_text = paragraph_text
        self.by_chunk: dict[str, int] = {}
        self.items: list[Citation] = []

    def cite(self, chunk: Chunk, score: float = 1.0, quote: str = "") -> int:
        if chunk.chunk_id in self.by_chunk:
            return self.by_chunk[chunk.chunk_id]
        text = self.paragraph_text(chunk.paragraph_id) or chunk.text
        at = text.find(quote) if quote else -1
        q = {"start": at, "end": at + len(quote), "text": quote} if at >= 0 else None
        n = len(self.items) + 1
        self.items.append(Citation.of(n, Hit(chunk=chunk, score=score), text, quote=q))
        self.by_chunk[chunk.chunk_id] = n
        return n


english = asked_in_english  # one definition for every kind and the fact answerer (rag.text.cjk)


def heading(article: dict) -> str:
    """The headline as printed: kicker (引题) and title with its column or series tag (问“细”于民见初心（今日谈）),
    then the sub-headline."""
    title = article.get("title") or ""
    if title and article.get("column"):
        title = f"{title}（{article['column']}）"
    main = " ".join(x for x in (article.get("kicker"), title) if x)
    return f"{main}——{article['subtitle']}" if article.get("subtitle") and main else main
