"""Split a page's OCR blocks into articles and paragraphs.

A page arrives as blocks separated by blank lines: masthead lines, headlines and
sub-headlines, bylines, body text cut at column boundaries, photo captions with
their credit, column labels. Each block is classified on its own first, then
articles are assembled from runs of blocks, then body fragments that one
sentence was cut into are joined again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from rag.ingest.masthead import is_masthead_line
from rag.ingest.normalize import drop_cjk_spaces, join_fragments, normalize_block
from rag.text.names import page_label
from rag.text.sentences import ends_sentence
from rag.types import Article, Paragraph


class Kind(Enum):
    MASTHEAD = "masthead"
    HEADLINE = "headline"  # a candidate: confirmed by what follows it
    BYLINE = "byline"  # a byline on its own line: 本报记者 王斌
    LEAD = "lead"  # body that opens with a byline or dateline: 本报讯(记者…)…
    BODY = "body"
    CREDIT = "credit"  # photo credit: 陈康 摄
    COLUMN = "column"  # column label or series banner


@dataclass
class Block:
    kind: Kind
    text: str  # normalised
    raw: str


_LEAD = re.compile(
    r"^(?:本报讯\s*[(（][^)）]{1,30}[)）]"
    r"|本报讯"
    r"|本报[^\s,，。]{0,10}\d{1,2}\s*月\s*\d{1,2}\s*日\s*电(?:\s*[(（][^)）]{1,30}[)）])?"
    r"|(?:新华社|中新社|人民日报|央视网|据新华社)[^\s,，。]{0,12}?\d{1,2}\s*月\s*\d{1,2}\s*日\s*电(?:\s*[(（][^)）]{1,30}[)）])?"
    r")"
)
_BYLINE = re.compile(r"^(?:本报记者|本报通讯员|记者|通讯员|文/|文 /|本报评论员)[\s\S]{0,24}$")
_CREDIT = re.compile(r"^[^\s,，。]{2,8}(?:\s+[^\s,，。]{2,8}){0,3}\s*摄(?:影)?$")
_CONTINUED = re.compile(r"[(（]\s*(?:下转|转)\s*(?:第\s*)?([A-H]?\d{1,2})\s*版\s*[)）]")
_CONTINUED_FROM = re.compile(r"^[(（]\s*上接\s*(?:第\s*)?([A-H]?\d{1,2})\s*版\s*[)）]")
_COLUMN_SUFFIX = re.compile(r"(?:访谈|发布|专栏|观察|快评|时评|聚焦|纪实|一线|速递|视点|论坛|专题)$")
_BANNER = re.compile(r"\s[-—－]{1,2}\S")
_SENTENCE_PUNCT = re.compile(r"[。！？!?；;]")
_SPEAKER_OPENER = re.compile(r"^[\u4e00-\u9fff]{2,5}(?:指出|表示|强调|介绍|认为|说|称)[,，:：]")
_HEADLINE_MAX = 64


def classify(raw: str, in_masthead: bool) -> Block:
    text = normalize_block(raw)
    one_line = " ".join(ln.strip() for ln in raw.splitlines() if ln.strip())
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    if in_masthead and (is_masthead_line(one_line) or (lines and all(is_masthead_line(ln) for ln in lines))):
        return Block(Kind.MASTHEAD, one_line, raw)
    if _CREDIT.match(one_line) and len(one_line) <= 24:
        return Block(Kind.CREDIT, one_line, raw)
    if _LEAD.match(text) or _CONTINUED_FROM.match(text):  # (上接A1版) opens an article's next part
        return Block(Kind.LEAD, text, raw)
    if _BYLINE.match(one_line) and not _SENTENCE_PUNCT.search(one_line):
        return Block(Kind.BYLINE, re.sub(r"\s+", " ", one_line), raw)
    if len(one_line) <= _HEADLINE_MAX and not ends_sentence(one_line):
        if _BANNER.search(one_line) or (len(one_line) <= 16 and _COLUMN_SUFFIX.search(one_line)):
            return Block(Kind.COLUMN, one_line, raw)
        if not _SENTENCE_PUNCT.search(one_line) or " " in one_line:
            return Block(Kind.HEADLINE, one_line, raw)
    return Block(Kind.BODY, text, raw)


def _first_sentence(text: str) -> str:
    m = re.search(r"[。！？!?]", text)
    return text[: m.start()] if m else text


def opens_paragraph(text: str) -> bool:
    """Does this block look like the start of a paragraph rather than the rest of a sentence?

    Reports in this style open paragraphs with a short two-part topic sentence
    ("全员抓党建,实战练兵提能力。") or with a speaker ("习近平指出,…").
    """
    if _SPEAKER_OPENER.match(text):
        return True
    first = _first_sentence(text)
    if len(first) > 22:
        return False
    parts = re.split(r"[,，]", first, maxsplit=1)
    return len(parts) == 2 and all(len(p.strip()) >= 3 for p in parts)


def split_headline(line: str) -> tuple[str, str]:
    """"涵养底蕴 实战练兵 纾解民忧 饶阳多措并举锻造过硬队伍" -> headline, sub-headline.

    A headline is often a run of parallel phrases of equal length separated by
    spaces; the first segment that breaks the rhythm starts the sub-headline.
    """
    segs = line.split()
    if len(segs) < 2:
        return line.strip(), ""
    n = len(segs[0])
    cut = 1
    while cut < len(segs) and abs(len(segs[cut]) - n) <= 2:
        cut += 1
    return " ".join(segs[:cut]), " ".join(segs[cut:])


def _derived_title(text: str, limit: int = 32) -> str:
    """A title for an article whose headline OCR lost: its first clause, without the dateline."""
    body = _LEAD.sub("", text, count=1).strip()
    body = re.sub(r"^\d{1,2}\s*月\s*\d{1,2}\s*日\s*[,，]", "", body)
    body = re.sub(r"^(?:昨日|今日|日前|近日)\s*[,，]\s*", "", body)
    first = re.split(r"[。！？!?]", body, maxsplit=1)[0]
    return first if len(first) <= limit else first[:limit] + "…"


def _unclosed(text: str) -> bool:
    return text.count("(") + text.count("（") > text.count(")") + text.count("）")


def byline_of(text: str) -> str:
    """The byline or dateline a lead paragraph opens with (本报北京1月31日电（记者杜一菲）), or ""."""
    m = _LEAD.match(text)
    return m.group(0).strip() if m else ""


@dataclass
class _Draft:
    title: str = ""
    subtitle: str = ""
    byline: str = ""
    column: str = ""
    kind: str = "article"
    body: list[str] = field(default_factory=list)
    continued_to: str = ""
    continued_from: str = ""


def _join_body(blocks: list[str]) -> list[str]:
    paras: list[str] = []
    for text in blocks:
        if paras and not ends_sentence(paras[-1]) and not opens_paragraph(text):
            paras[-1] = join_fragments(paras[-1], text)
        else:
            paras.append(text)
    return paras


def _finish(draft: _Draft, order: int) -> Article:
    body = _join_body(draft.body)
    cleaned = []
    for text in body:
        m = _CONTINUED.search(text)
        if m:
            draft.continued_to = page_label(m.group(1))
            text = (text[: m.start()] + text[m.end():]).strip()
        m = _CONTINUED_FROM.match(text)
        if m:
            draft.continued_from = page_label(m.group(1))
            text = text[m.end():].strip()
        if text:
            cleaned.append(text)
    title = draft.title or (_derived_title(cleaned[0]) if cleaned else "")
    if draft.kind == "photo":
        title = "图片：" + _derived_title(cleaned[0], 24) if cleaned else "图片"
    article = Article(
        order=order, title=title, subtitle=draft.subtitle, byline=draft.byline or "",
        column=draft.column, kind=draft.kind, continued_to=draft.continued_to, continued_from=draft.continued_from,
    )
    pos = 0
    for i, text in enumerate(cleaned, start=1):
        article.paragraphs.append(Paragraph(index=i, text=text, start=pos, end=pos + len(text)))
        pos += len(text) + 2  # paragraphs are joined by a blank line in Article.text
    return article


def segment_blocks(
    raw_blocks: list[str], masthead_blocks: int = 12, headlines: frozenset[int] = frozenset()
) -> tuple[list[str], list[Article]]:
    """Return (masthead lines, articles) for one page.

    ``headlines`` are indexes of blocks known to be headlines (Markdown headings).
    """
    blocks: list[Block] = []
    in_masthead = True
    for i, raw in enumerate(raw_blocks):
        if i in headlines:
            b = Block(Kind.HEADLINE, " ".join(raw.split()), raw)
        else:
            b = classify(raw, in_masthead and i < masthead_blocks)
        if b.kind is not Kind.MASTHEAD:
            in_masthead = False
        blocks.append(b)
    known = [b.kind is Kind.HEADLINE and i in headlines for i, b in enumerate(blocks) if b.kind is not Kind.MASTHEAD]
    masthead = [b.text for b in blocks if b.kind is Kind.MASTHEAD]
    blocks = [b for b in blocks if b.kind is not Kind.MASTHEAD]

    # Headline candidates become headlines only when an article start follows
    # them; otherwise they were short body fragments.
    kinds = [b.kind for b in blocks]
    for i, b in enumerate(blocks):
        if b.kind is not Kind.HEADLINE:
            continue
        j = i
        while j < len(blocks) and kinds[j] is Kind.HEADLINE:
            j += 1
        run = j - i
        nxt = kinds[j] if j < len(blocks) else None
        starts_article = nxt in (Kind.LEAD, Kind.BYLINE)
        group_start = i == 0 or kinds[i - 1] is not Kind.HEADLINE
        after_break = i == 0 or kinds[i - 1] in (Kind.COLUMN, Kind.CREDIT, Kind.HEADLINE) or (
            kinds[i - 1] in (Kind.BODY, Kind.LEAD) and ends_sentence(blocks[i - 1].text)
        )
        if known[i]:
            continue
        if group_start and not starts_article and not (run >= 2 and nxt is Kind.BODY and after_break):
            for k in range(i, j):
                kinds[k] = Kind.BODY
                blocks[k] = Block(Kind.BODY, normalize_block(blocks[k].raw), blocks[k].raw)

    drafts: list[_Draft] = []
    current: _Draft | None = None
    pending_column = ""
    i = 0
    while i < len(blocks):
        b, kind = blocks[i], kinds[i]
        if kind is Kind.HEADLINE:
            group = []
            while i < len(blocks) and kinds[i] is Kind.HEADLINE:
                group.append(blocks[i].text)
                i += 1
            if len(group) == 1:
                title, subtitle = split_headline(group[0])
            else:
                title, subtitle = group[0], " ".join(group[1:])
            current = _Draft(title=title, subtitle=drop_cjk_spaces(subtitle), column=pending_column)
            pending_column = ""
            drafts.append(current)
            continue
        if kind is Kind.COLUMN:
            if i == len(blocks) - 1 and current is not None:
                current.column = current.column or b.text  # a label closing the page names the last article
            else:
                pending_column = b.text
        elif kind is Kind.BYLINE and current is not None and current.body and _unclosed(current.body[-1]):
            # "本报讯(" | "记者" | "王斌)…": a column cut inside the lead's brackets, not a byline of its own.
            current.body.append(normalize_block(b.raw))
        elif kind is Kind.BYLINE:
            if current is None:
                current = _Draft(column=pending_column)
                drafts.append(current)
            current.byline = b.text
        elif kind is Kind.LEAD:
            if current is None or current.body:
                current = _Draft(column=pending_column)
                pending_column = ""
                drafts.append(current)
            current.byline = current.byline or byline_of(b.text)
            current.body.append(b.text)
        elif kind is Kind.CREDIT:
            # The block just before a credit is the photo's caption, not the text
            # of the article it happens to follow.
            caption = current.body.pop() if current is not None and current.body else ""
            photo = _Draft(kind="photo", byline=b.text, body=[caption] if caption else [])
            if current is not None and not current.body and not current.title:
                drafts.remove(current)
            drafts.append(photo)
            current = None
        else:
            if current is None or current.kind == "photo":
                current = _Draft(column=pending_column)
                pending_column = ""
                drafts.append(current)
            current.body.append(b.text)
        i += 1

    articles = [_finish(d, n) for n, d in enumerate((d for d in drafts if d.body), start=1)]
    return masthead, articles
