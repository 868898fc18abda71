"""Files in, structured issues out: read, normalise, split into articles and paragraphs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePath

from rag.ingest.article_file import parse_article
from rag.ingest.html import html_to_text
from rag.ingest.layout import PathInfo, read_path
from rag.ingest.masthead import KNOWN_MASTHEADS, read_masthead
from rag.ingest.passages import parse_passages
from rag.ingest.pdf import pdf_to_text
from rag.ingest.read import DEFAULT_MAX_BYTES, UnreadableFile, decode_bytes, read_bytes, read_text, sniff
from rag.ingest.segment import segment_blocks
from rag.text.names import page_label
from rag.types import Issue, ParsedIssue

# What a folder walk picks up; a file named on its own is read by what its content is.
SUPPORTED_SUFFIXES = (".txt", ".md", ".jsonl", ".html", ".htm", ".pdf")

__all__ = ["SUPPORTED_SUFFIXES", "NoArticles", "UnreadableFile", "decode_bytes", "parse_bytes", "parse_file",
           "parse_passages", "parse_text", "read_text"]


class NoArticles(ValueError):
    """The file holds no recognisable article text."""


_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_INDENTED_LINE = re.compile(r"\n(?=\u3000|[ \t]{2,}\S)")
_SLUGS = {name: slug for name, slug in KNOWN_MASTHEADS.values()}


def slug_for(newspaper: str) -> str:
    """The ascii name chunk ids use for a paper: a known one's, else one made from its name."""
    if newspaper in _SLUGS:
        return _SLUGS[newspaper]
    return "paper-" + hashlib.sha1(newspaper.encode("utf-8")).hexdigest()[:6] if newspaper else "paper"


def _blocks(text: str, markdown: bool) -> tuple[list[str], frozenset[int]]:
    """Blank-line separated blocks, and which of them are Markdown headings."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(_INDENTED_LINE.findall(text)) >= 2:
        # Paragraphs printed with an indent (U+3000 or spaces) start at every indented line,
        # blank line or not: OCR's column breaks have no indent.
        text = _INDENTED_LINE.sub("\n\n", text)
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
    default_newspaper: str = "",
) -> ParsedIssue:
    """Parse one page's text; keyword arguments override what the masthead says.

    What the masthead does not say comes from the path (rag.ingest.layout), then from
    ``default_newspaper`` (the setting ``newspaper``).
    """
    blocks, headings = _blocks(text, markdown)
    masthead_lines, articles = segment_blocks(blocks, headlines=headings)
    info = read_path(PurePath(source))
    mh = read_masthead(masthead_lines, PurePath(source).stem)
    if not articles:
        raise NoArticles(f"{source}: no article text found")
    paper = newspaper or mh.newspaper or info.newspaper or default_newspaper
    issue = Issue(
        newspaper=paper,
        date=date or mh.date or info.date,
        page=page_label(page or mh.page or info.page),
        source=info.source,
        content_hash=content_hash or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        weekday=mh.weekday,
        slug=mh.slug if mh.newspaper or not paper else info.slug or slug_for(paper),
    )
    return ParsedIssue(issue=issue, articles=articles)


def parse_article_file(text: str, info: PathInfo, content_hash: str, *, newspaper: str | None = None,
                       date: str | None = None, page: str | None = None,
                       default_newspaper: str = "") -> ParsedIssue:
    """One article of a page, from an archive that keeps one article per file (rag.ingest.article_file)."""
    article = parse_article(text, info.article)
    if not article.paragraphs:
        raise NoArticles(f"{info.source}: no article text found")
    paper = newspaper or info.newspaper or default_newspaper
    issue = Issue(newspaper=paper, date=date or info.date, page=page_label(page or info.page), source=info.source,
                  content_hash=content_hash, slug=info.slug or slug_for(paper))
    return ParsedIssue(issue=issue, articles=[article])


def parse_file(
    path: Path, *, newspaper: str | None = None, date: str | None = None, page: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES, default_newspaper: str = "",
) -> ParsedIssue:
    """Read and parse one issue file; UnreadableFile or NoArticles (both ValueError) name it and say why."""
    path = Path(path)
    return parse_bytes(read_bytes(path, max_bytes), str(path), newspaper=newspaper, date=date, page=page,
                       default_newspaper=default_newspaper)


def parse_bytes(
    data: bytes, name: str, *, newspaper: str | None = None, date: str | None = None, page: str | None = None,
    default_newspaper: str = "",
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
    info = read_path(PurePath(name))
    if info.one_article and suffix != ".md":
        return parse_article_file(text, info, digest, newspaper=newspaper, date=date, page=page,
                                  default_newspaper=default_newspaper)
    return parse_text(text, name, digest, newspaper=newspaper, date=date, page=page, markdown=suffix == ".md",
                      default_newspaper=default_newspaper)
