"""HTML pages to the plain text the segmenter reads: visible text only, headings kept as headings.

Scripts, styles and other non-content elements are dropped unread; nothing in
the page is executed or fetched. Headings (h1-h3) come out as Markdown headings
so the segmenter takes them as headlines.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from rag.ingest.masthead import is_masthead_line

_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "svg", "canvas", "head", "nav", "footer", "form",
         "button", "select", "textarea"}
_BLOCK = {"p", "div", "section", "article", "header", "main", "aside", "li", "ul", "ol", "table", "tr", "blockquote",
          "pre", "figure", "figcaption", "dl", "dt", "dd", "h4", "h5", "h6", "br", "hr", "td", "th"}
_HEADING = {"h1": "#", "h2": "##", "h3": "###"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.heading: str | None = None
        self.title: list[str] = []
        self.in_title = False

    def _flush(self) -> None:
        text = re.sub(r"[ \t\r\n\u3000]+", " ", "".join(self.current)).strip()
        if text:
            self.blocks.append(f"{self.heading} {text}" if self.heading else text)
        self.current = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "title":
            self.in_title = True
        if tag in _SKIP:
            self.skip_depth += 1
            return
        if self.skip_depth:
            return
        if tag in _HEADING:
            self._flush()
            self.heading = _HEADING[tag]
        elif tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth:
            return
        if tag in _HEADING:
            self._flush()
            self.heading = None
        elif tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skip_depth:
            self.current.append(data)


def html_to_text(html: str) -> str:
    """Visible text as blank-line separated blocks; h1-h3 as ``#`` headings; the <title> as headline if there is no h1."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser._flush()
    blocks = parser.blocks
    title = " ".join("".join(parser.title).split())
    if title and not any(b.startswith("# ") for b in blocks):
        blocks = [f"# {title}"] + blocks
    elif title:
        # A page title often names the paper and the date ("衡水日报 | 2021年12月3日"): those parts
        # go first, one a block, where the masthead reader looks; the rest repeats the headline.
        parts = [p for p in re.split(r"\s*[|｜_·—–]\s*|\s+-\s+|\s+", title) if p]
        blocks = [p for p in parts if is_masthead_line(p)] + blocks
    return "\n\n".join(blocks)
