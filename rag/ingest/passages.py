"""Passages files: one ``{"id", "title", "text"}`` JSON object a line (public benchmarks such as CMRC 2018).

A whole file is one source (one content hash, replaced as a unit); each passage
becomes an article whose chunks carry the passage id as ``source_id``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rag.ingest.masthead import slug_from_filename
from rag.ingest.read import UnreadableFile
from rag.types import Article, Issue, Paragraph, ParsedIssue


def parse_passages(
    path: Path, *, text: str, digest: str, newspaper: str | None = None, date: str | None = None
) -> ParsedIssue:
    """``text`` and ``digest``: the file's decoded content and its hash (read once, by rag.ingest.parse_bytes)."""
    path = Path(path)
    articles: list[Article] = []
    seen: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            pid, body = str(obj["id"]), str(obj["text"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise UnreadableFile(f"{path}:{lineno}: not a passage line {{\"id\", \"title\", \"text\"}} ({exc})") from None
        if pid in seen:
            raise UnreadableFile(f"{path}:{lineno}: passage id {pid!r} appears twice")
        seen.add(pid)
        # Passages are clean text, not OCR: kept as given so answer spans still match them.
        paras = [p.strip() for p in re.split(r"\n\s*\n|\n", body) if p.strip()]
        article = Article(order=len(articles) + 1, title=str(obj.get("title") or pid), passage_id=pid)
        pos = 0
        for i, p in enumerate(paras, start=1):
            article.paragraphs.append(Paragraph(index=i, text=p, start=pos, end=pos + len(p)))
            pos += len(p) + 2
        if article.paragraphs:
            articles.append(article)
    if not articles:
        raise UnreadableFile(f"{path}: no passages")
    issue = Issue(
        newspaper=newspaper or path.stem, date=date or "", page="", source=path.name,
        content_hash=digest, slug=slug_from_filename(path.stem) or "passages",
    )
    return ParsedIssue(issue=issue, articles=articles)
