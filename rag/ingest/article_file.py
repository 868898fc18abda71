"""One article per file, as e-paper crawls keep them: heading lines, then one paragraph a line.

    ‹blank line›
    《求是》杂志发表习近平总书记重要文章        kicker (引题)
    推动我国生态文明建设迈上新台阶              headline
    ‹blank line›
    　　新华社北京1月31日电　2月1日出版的…      paragraphs, indented with U+3000 (or spaces)

The headline lines are the unindented lines before the first indented one; every line after
them is a paragraph as the paper printed it (the crawl keeps one paragraph a line, CRLF or LF).
"""

from __future__ import annotations

import re

from rag.ingest.segment import byline_of
from rag.types import Article, Paragraph

_INDENT = re.compile(r"^[\u3000\t ]{2,}|^\u3000")
_SENTENCE_PUNCT = re.compile(r"[，。：；！？,:;!?]")
_BRACKETED = re.compile(r"^[（(【\[]([^）)】\]]{2,40})[）)】\]]$")
_ENDS_CLAUSE = re.compile(r"[，。：；,:;]$")
_SALUTATION = re.compile(r"[，：,:]$")  # 尊敬的各位来宾，/ 我至亲至爱的人：
# A column or series printed after the headline: 脱贫攻坚不松劲（经济新方位·70年数据说明什么）
_TRAILING_TAG = re.compile(r"^(.{4,}?)[（(]([^（()）]{2,24})[）)]$")
_MAX_HEADING_LINES = 4
_MAX_HEADING_CHARS = 300  # a sub-headline may be a whole summary sentence


def _lines(text: str) -> list[str]:
    return text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _split_heading_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    """(heading lines, body lines) of the file's non-blank lines."""
    filled = [ln for ln in lines if ln.strip()]
    first_indented = next((i for i, ln in enumerate(filled) if _INDENT.match(ln)), None)
    if first_indented is None:
        # No indents: the heading is what stands before the first blank line.
        stripped = [ln.strip() for ln in lines]
        while stripped and not stripped[0]:
            stripped.pop(0)
        cut = stripped.index("") if "" in stripped else 0
        heads, body = stripped[:cut], [ln for ln in stripped[cut:] if ln]
    else:
        heads, body = [ln.strip() for ln in filled[:first_indented]], filled[first_indented:]
    # A speech's or a letter's salutations (尊敬的…， 我至亲至爱的人：) stand unindented before its
    # first paragraph: they open the body. With more lines than a heading has, so does any line
    # that ends a clause.
    ends = _ENDS_CLAUSE if len(heads) > _MAX_HEADING_LINES else _SALUTATION
    n = next((i for i, h in enumerate(heads) if i > 0 and ends.search(h)), len(heads))
    heads, body = heads[:n], heads[n:] + [ln.strip() for ln in body]
    if len(heads) > _MAX_HEADING_LINES or any(len(h) > _MAX_HEADING_CHARS for h in heads):
        return [], [ln.strip() for ln in filled]
    return heads, [ln.strip() for ln in body if ln.strip()]


def _is_subtitle(line: str) -> bool:
    """A sub-headline follows the headline: it opens with a dash, or reads as a sentence."""
    return line.startswith(("——", "—", "--")) or (len(line) > 20 and bool(_SENTENCE_PUNCT.search(line)))


def classify_heading(heads: list[str]) -> tuple[str, str, str, str]:
    """(kicker, title, subtitle, column) from an article's heading lines, top to bottom."""
    column = ""
    dated = []
    lines = []
    for h in heads:
        m = _BRACKETED.match(h)
        if m and re.search(r"\d", h):
            dated.append(h)  # （2019年10月9日，北京）: when and where a speech was given
        elif m and len(m.group(1)) <= 12 and not column:
            column = m.group(1)  # （新春走基层）: the column or series the article runs in
        else:
            lines.append(h)
    if not lines:
        return "", "", " ".join(dated), column
    # Which line is the headline: a kicker may stand above it, a sub-headline below it.
    if len(lines) == 1:
        at = 0
    elif len(lines) == 2:
        # A column tag is printed after the headline (前三季度外贸运行稳中提质（权威发布）), so the line
        # that carries it is the headline and the other its sub-headline or kicker.
        tagged = [bool(_TRAILING_TAG.match(x)) for x in lines]
        at = 0 if _is_subtitle(lines[1]) or tagged == [True, False] else 1
    else:
        at = 1
    if not column and (m := _TRAILING_TAG.match(lines[at])):
        lines[at], column = m.group(1).strip(), m.group(2)
    return " ".join(lines[:at]), lines[at], " ".join(lines[at + 1:] + dated), column


def parse_article(text: str, order: int) -> Article:
    """The article a one-article file holds, as article ``order`` of its page."""
    heads, body = _split_heading_lines(_lines(text))
    kicker, title, subtitle, column = classify_heading(heads)
    kind = "article"
    if not body and title:
        # A headline and no text: a photo (or an advertisement) on the page. Its headline is all
        # there is to find it by, so it is its one paragraph too.
        kind, body = "photo", [" ".join(x for x in (kicker, title, subtitle) if x)]
    article = Article(order=order, title=title, subtitle=subtitle.lstrip("—-").strip(), kicker=kicker,
                      column=column, kind=kind, byline=byline_of(body[0]) if body else "")
    pos = 0
    for i, para in enumerate(body, start=1):
        article.paragraphs.append(Paragraph(index=i, text=para, start=pos, end=pos + len(para)))
        pos += len(para) + 2  # paragraphs are joined by a blank line in Article.text
    if not article.title and body:
        article.title = body[0][:32] + ("…" if len(body[0]) > 32 else "")
    return article
