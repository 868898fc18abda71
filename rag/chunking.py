"""Paragraphs to chunks with stable, readable ids.

One chunk per paragraph; a paragraph longer than ``max_chars`` is cut at
sentence ends into several chunks that keep its paragraph id. The id is built
from where the paragraph sits (issue, article order, paragraph index), so
re-ingesting the same file yields the same ids.
"""

from __future__ import annotations

from rag.config import IndexSettings
from rag.text.dates import RELATIVE_WORDS, resolve_relative
from rag.text.sentences import split_sentences
from rag.types import Chunk, ParsedIssue


def pack_sentences(sentences: list[str], max_chars: int) -> list[str]:
    """Greedily pack whole sentences into pieces of at most ``max_chars``.

    A single sentence longer than the limit stays whole: cutting inside a
    sentence would split the fact a question asks about.
    """
    pieces: list[str] = []
    cur = ""
    for s in sentences:
        if cur and len(cur) + len(s) > max_chars:
            pieces.append(cur)
            cur = ""
        cur += s
    if cur:
        pieces.append(cur)
    return pieces


def paragraph_id(slug: str, date: str, page: str, article: int, paragraph: int) -> str:
    return f"{slug}/{date or 'undated'}/{page or 'p'}/a{article:02d}/p{paragraph:02d}"


def article_key(paragraph_id: str) -> str:
    """The article a paragraph id belongs to: the id without its paragraph part (…/a05/p03 -> …/a05)."""
    return paragraph_id.rsplit("/", 1)[0]


def passage_paragraph_id(slug: str, passage_id: str, paragraph: int) -> str:
    return f"{slug}/{passage_id.replace('/', '_')}/p{paragraph:02d}"


def _dates_note(text: str, issue_date: str) -> str:
    """（昨日即2021年12月2日）: lets a question that names the date find a paragraph that says 昨日."""
    words = list(dict.fromkeys(RELATIVE_WORDS.findall(text)))
    if not words or not issue_date:
        return ""
    return "（" + "；".join(f"{w}即{resolve_relative(w, issue_date)}" for w in words) + "）"


def chunk_issue(parsed: ParsedIssue, max_chars: int = IndexSettings.max_chunk_chars) -> list[Chunk]:
    issue = parsed.issue
    chunks: list[Chunk] = []
    for article in parsed.articles:
        heading = " ".join(x for x in (article.kicker, article.title, article.subtitle) if x)
        for para in article.paragraphs:
            if article.passage_id:
                pid = passage_paragraph_id(issue.slug, article.passage_id, para.index)
            else:
                pid = paragraph_id(issue.slug, issue.date, issue.page, article.order, para.index)
            pieces = pack_sentences(split_sentences(para.text), max_chars) if len(para.text) > max_chars else [para.text]
            for k, piece in enumerate(pieces, start=1):
                chunks.append(
                    Chunk(
                        chunk_id=pid if len(pieces) == 1 else f"{pid}-{k}",
                        paragraph_id=pid,
                        source_id=article.passage_id or issue.source,
                        newspaper=issue.newspaper,
                        date=issue.date,
                        page=issue.page,
                        article=article.title,
                        article_order=article.order,
                        paragraph=para.index,
                        text=piece,
                        embed_text=f"{heading}\n{piece}{_dates_note(piece, issue.date)}" if heading
                        else piece + _dates_note(piece, issue.date),
                    )
                )
    return chunks
