"""Files in, structured issues out: read, normalise, split into articles and paragraphs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from rag.ingest.html import html_to_text
from rag.ingest.masthead import read_masthead
from rag.ingest.passages import parse_passages
from rag.ingest.pdf import pdf_to_text
from rag.ingest.read import DEFAULT_MAX_BYTES, UnreadableFile, decode_bytes, read_bytes, read_text, sniff
from rag.ingest.segment import segment_blocks
from rag.types import Issue, ParsedIssue

# What a folder walk picks up; a file named on its own is read by what its content is.
SUPPORTED_SUFFIXES = (".txt", ".md", ".jsonl", ".html", ".htm", ".pdf")

__all__ = ["SUPPORTED_SUFFIXES", "NoArticles", "UnreadableFile", "decode_bytes", "parse_bytes", "parse_file",
           "parse_passages", "parse_text", "read_text"]


class NoArticles(ValueError):
    """The file holds no recognisable article text."""


_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def _blocks(text: str, markdown: bool) -> tuple[list[str], frozenset[int]]:
    """Blank-line separated blocks, and which of them are Markdown headings."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if markdown:
        # A heading is a block of its own, whatever follows it.
        text = _MD_HEADING.sub(lambda m: "\n\x00" + m.group(1) + "\n", text)
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    heads = frozenset(i for i, b in enumerate(blocks) if b.lstrip().startswith("\x00"))
    return [b.replace("\x00", "") for b in blocks], heads


def parse_text(
    text: str,
    source: str,
    content_hash: str = "",
    *,
    newspaper: str | None = None,
    date: str | None = None,
    page: str | None = None,
    markdown: bool = False,
) -> ParsedIssue:
    """Parse one page's text; keyword arguments override what the masthead says."""
    blocks, headings = _blocks(text, markdown)
    masthead_lines, articles = segment_blocks(blocks, headlines=headings)
    stem = Path(source).stem
    mh = read_masthead(masthead_lines, stem)
    if not articles:
        raise NoArticles(f"{source}: no article text found")
    issue = Issue(
        newspaper=newspaper or mh.newspaper or "",
        date=date or mh.date,
        page=page or mh.page,
        source=Path(source).name,
        content_hash=content_hash or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        weekday=mh.weekday,
        slug=mh.slug,
    )
    return ParsedIssue(issue=issue, articles=articles)


def parse_file(
    path: Path, *, newspaper: str | None = None, date: str | None = None, page: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedIssue:
    """Read and parse one issue file; UnreadableFile or NoArticles (both ValueError) name it and say why."""
    path = Path(path)
    return parse_bytes(read_bytes(path, max_bytes), str(path), newspaper=newspaper, date=date, page=page)


def parse_bytes(
    data: bytes, name: str, *, newspaper: str | None = None, date: str | None = None, page: str | None = None
) -> ParsedIssue:
    """Parse a file's bytes; what they are (PDF, HTML, text) is told by the content, not by ``name``."""
    kind = sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(name).suffix.lower()
    if kind == "pdf":
        return parse_text(pdf_to_text(data, name), name, digest, newspaper=newspaper, date=date, page=page)
    if kind not in ("text", "html"):
        raise UnreadableFile(f"{name}: this is {kind}, not an issue (text, Markdown, HTML, PDF or passages .jsonl)")
    text, _encoding = decode_bytes(data, name)
    if kind == "html":
        return parse_text(html_to_text(text), name, digest, newspaper=newspaper, date=date, page=page, markdown=True)
    if suffix == ".jsonl":
        return parse_passages(Path(name), newspaper=newspaper, date=date, text=text, digest=digest)
    return parse_text(text, name, digest, newspaper=newspaper, date=date, page=page, markdown=suffix == ".md")
