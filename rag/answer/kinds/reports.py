"""Articles on a topic across issues: 最近关于脱贫攻坚的报道有哪些？ 1月有哪些关于春运的文章？ And a
column's articles: “权威发布”栏目刊登了哪些文章？ (those whose headline carries the column's name).

The topic is searched (within the newspaper, date and month the question names); the hits are
gathered by article, an article counts when its text holds most of the topic's words, and the
articles are listed newest first with date, page and headline, each citing its best paragraph.
"""

from __future__ import annotations

import re

from rag.answer.kinds.context import Citations, Context, english, heading, issue_name
from rag.answer.protocol import Drafted
from rag.answer.question import key_terms
from rag.chunking import article_key
from rag.text.cjk import has_cjk
from rag.text.dates import months_named
from rag.text.names import page_order

_KINDS_ZH = r"(?:报道|文章|新闻|消息|评论|稿件|时评|社论)"
_ASK_ZH = [
    re.compile(rf"(?:关于|有关|涉及)(?P<t>.+?)的{_KINDS_ZH}(?:都)?(?:有哪些|有什么|有几篇|是哪些)"),
    re.compile(rf"(?:有|都有|刊登了|发表了)哪些(?:关于|有关|涉及)?(?P<t>.+?)的{_KINDS_ZH}"),
    re.compile(rf"哪些{_KINDS_ZH}(?:提到|涉及|关于|谈到|讲到|报道了?)(?P<t>.+?)[？?。]*$"),
]
_ASK_EN = [
    re.compile(r"\b(?:which|what) (?:articles|reports|stories|pieces|news)\b.*?\b(?:about|on|dealt with|deal with|covered|cover|"
               r"mentioned|mention|concerning|regarding)\s+(?P<t>.+?)[?.!]*$", re.I),
    re.compile(r"\b(?:articles|reports|stories|coverage) (?:about|on|of)\s+(?P<t>.+?)[?.!]*$", re.I),
]
# A column, named in quotes: 最近人民日报“权威发布”栏目刊登了哪些文章？ Its articles carry its name in
# their headlines (前三季度外贸运行稳中提质（权威发布）), which is how they are told from others that
# merely mention it.
_COLUMN_ZH = re.compile(r"[“\"「『](?P<t>[^”\"」』]{2,30})[”\"」』]\s*(?:栏目|专栏|专版|系列报道|系列)"
                        rf"(?:里|中|上)?(?:都)?(?:刊登了|发表了|刊发了|有|登了)?(?:哪些|什么|几篇)(?:{_KINDS_ZH})?")
_COLUMN_EN = re.compile(r"[“\"](?P<t>[^”\"]{2,30})[”\"]\s*(?:\([^)]{0,80}\)\s*)?(?:column|series)\b|\b(?:column|series)\s+[“\"](?P<u>[^”\"]{2,30})[”\"]",
                        re.I)
# A series numbers its parts in the tag: 产经观察·重大工程 发展脊梁② is the series 产经观察·重大工程 发展脊梁.
_PART_MARK = re.compile(r"(?:[①-⑳]|之[一二三四五六七八九十]+)$")
# Scope words around the topic that are not part of it.
_SCOPE = re.compile(r"最近|近期|近来|这几期|这些期|这几天|本月|上月|(?:(?:19|20)\d{2}年)?\d{1,2}月(?:份)?|"
                    r"(?:[\u4e00-\u9fff]{2,4}(?:日报|晚报))(?:里|中|上)?|报纸(?:里|中|上)?|在?这几期")

MAX_ARTICLES = 8
_NAME_NOISE = re.compile(r"[\s“”\"'‘’]")
SEARCH_DEPTH = 60  # hits gathered into articles
MIN_TERM_SHARE = 0.6  # of the topic's words an article's text must hold


def recognise(question: str) -> bool:
    return _topic(question) is not None


def _column(question: str) -> str | None:
    m = (_COLUMN_EN if english(question) else _COLUMN_ZH).search(question)
    return ((m.group("t") or m.groupdict().get("u") or "").strip() or None) if m else None


def _topic(question: str) -> str | None:
    column = _column(question)
    if column:
        return column
    for pattern in _ASK_EN if english(question) else _ASK_ZH:
        m = pattern.search(question)
        if m:
            return _SCOPE.sub("", m.group("t")).strip(" ，,的") or None
    return None


def _name(text: str) -> str:
    plain = _NAME_NOISE.sub("", text).replace("・", "·").replace("•", "·")
    series = _PART_MARK.sub("", plain)
    return series if len(series) >= 2 else plain


def _same_name(column: str, asked: str) -> bool:
    """Is an article's column tag the column asked about, or one of its strands (新春走基层·特别报道
    runs in 新春走基层)?"""
    tag, name = _name(column), _name(asked)
    return bool(tag) and (tag == name or tag.startswith(name + "·"))


def _in_months(date: str, months: list) -> bool:
    return not months or any(date[5:7] == f"{mo:02d}" and (y is None or date[:4] == str(y)) for y, mo in months)


def _column_answer(question: str, column: str, ctx: Context) -> Drafted | None:
    """A column's articles in the issues in scope, newest first: read from the index's article list
    (each article's column tag, as ingest took it from the headline), not searched for."""
    f, months, en = ctx.filters, months_named(question), english(question)
    found = [a for a in ctx.index.articles(f.newspaper, f.date, f.page)
             if _in_months(a["date"], months) and (_same_name(a.get("column") or "", column)
                                                   or f"（{column}）" in (a.get("title") or ""))]
    if not found:
        return None
    found.sort(key=lambda a: (page_order(a["page"]), a["ord"]))
    found.sort(key=lambda a: a["date"], reverse=True)
    chosen = found[:MAX_ARTICLES]
    cites = Citations(ctx.index.paragraph_text)
    lines, heads = [], []
    for a in chosen:
        lead = a["lead"]
        n = cites.cite(lead)
        head = heading(a) or lead.text[:30]
        heads.append(head)
        lines.append(f"[{n}] {issue_name(lead.newspaper, lead.date, lead.page, en)} "
                     + (head if en else f"《{head}》"))
    if en:
        more = f", the newest {len(chosen)} listed" if len(found) > len(chosen) else ""
        intro = f"{len(found)} article{'s' if len(found) != 1 else ''} in the “{column}” column{more}, newest first:"
    else:
        more = f"，列出最新的{len(chosen)}篇" if len(found) > len(chosen) else ""
        intro = f"“{column}”栏目的文章有{len(found)}篇{more}（从新到旧）："
    return Drafted(text="\n".join([intro, *lines]), answerable=True, citations=cites.items,
                   short_answer="；".join(heads), confidence=1.0,
                   features={"column": column, "articles": len(found)})


def answer(question: str, ctx: Context) -> Drafted | None:
    column = _column(question)
    if column:
        return _column_answer(question, column, ctx)
    topic = _topic(question)
    if not topic:
        return None
    en = english(question)
    months = months_named(question)
    hits = ctx.search(topic, SEARCH_DEPTH, ctx.filters or None)
    # The topic's words an article must hold: its Chinese ones when it has any (an English question
    # over a Chinese paper can only be checked by meaning, so there retrieval's order decides).
    terms = [t for t in key_terms(topic) if has_cjk(t)]
    depth = len(hits) if terms else 10
    best: dict[str, object] = {}
    for h in hits[:depth]:
        c = h.chunk
        if not _in_months(c.date, months):
            continue
        key = article_key(c.paragraph_id)
        if key in best:
            continue
        text = ctx.index.article_text(c.paragraph_id).lower()
        if not terms or sum(len(t) for t in terms if t in text) / sum(len(t) for t in terms) >= MIN_TERM_SHARE:
            best[key] = h
    if not best:
        return None
    chosen = list(best.values())[:MAX_ARTICLES]  # the best-ranked articles…
    chosen.sort(key=lambda h: page_order(h.chunk.page))
    chosen.sort(key=lambda h: h.chunk.date, reverse=True)  # …newest first, then by page
    cites = Citations(ctx.index.paragraph_text)
    lines, heads = [], []
    for h in chosen:
        c = h.chunk
        n = cites.cite(c, h.score)
        head = c.article or c.text[:30]
        heads.append(head)
        lines.append(f"[{n}] {issue_name(c.newspaper, c.date, c.page, en)} {head if en else '《' + head + '》'}")
    intro = (f"{len(chosen)} article{'s' if len(chosen) != 1 else ''} on {topic}, newest first:" if en
             else f"关于“{topic}”的报道有{len(chosen)}篇（从新到旧）：")
    return Drafted(text="\n".join([intro, *lines]), answerable=True, citations=cites.items,
                   short_answer="；".join(heads), confidence=chosen[0].score if chosen else 0.0,
                   features={"topic": topic, "articles": len(chosen)})
