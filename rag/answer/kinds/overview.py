"""What a page or an issue holds: 头版有哪些新闻？ 第3版报道了什么？ What was on the front page?"""

from __future__ import annotations

import re

from rag.answer.kinds.context import Citations, Context, english, heading, issue_name, lead_sentence
from rag.answer.protocol import Drafted
from rag.text.names import page_order
from rag.types import Chunk

# The thing asked about is a page or an issue…
_WHERE_ZH = re.compile(r"头版|首版|第\s*[A-Za-z]?\d{1,2}\s*版|(?<![A-Za-z0-9])[A-Za-z]?\d{1,2}\s*版|这期|本期|那期|今天的?报|今日|"
                       r"报纸|日报|晚报|时报|都市报|早报|版面|这一?版|该版")
# …and the question asks what is on it, and nothing more (the question ends there).
_WHAT_ZH = re.compile(r"(?:有|刊登了?|刊发了?|登了|刊载了?|发表了?|报道了?|讲了?|说了?|写了?|谈了?|介绍了?|登载了?)"
                      r"(?:哪些|什么|啥|些什么)(?:新闻|报道|文章|内容|消息|稿件|重要新闻|事)?|(?:主要)?内容(?:是什么|有哪些)|讲的是什么|"
                      r"都有(?:哪些|什么)(?:新闻|报道|文章|内容)?")
_END = r"\s*(?:呢|啊)?\s*[？?。.!！]*\s*$"
_TOPIC_ZH = re.compile(r"关于|有关|那篇|这篇|一篇|涉及")
_WHAT_EN = re.compile(
    r"\bwhat(?:'s| is| was| were)? (?:on|in)\b.*\b(?:front page|page \w+|paper|issue|edition)\b|"
    r"\bwhat (?:did|does|do)\b.*\b(?:front page|page \w+|paper|issue|edition|daily)\b.*\b(?:report|carry|cover|run|say|have|feature)\b|"
    r"\b(?:headlines|stories|articles) (?:on|of|in)\b.*\b(?:front page|page \w+|issue|edition|paper)\b|"
    r"\bwhat(?:'s| is| was) (?:the )?news\b", re.I)
_TOPIC_EN = re.compile(r"\babout\b|\bregarding\b|\bconcerning\b|\bon the topic\b", re.I)

# A page lists each article with a line of its lead; an issue's many pages list headlines only.
_LEADS_UP_TO = 12
_MIN_LEAD_CHARS = 15  # shorter first paragraphs are labels: 核心阅读, a figure


def recognise(question: str) -> bool:
    if english(question):
        return bool(_WHAT_EN.search(question)) and not _TOPIC_EN.search(question)
    return bool(_WHERE_ZH.search(question) and re.search(f"(?:{_WHAT_ZH.pattern}){_END}", question)
                and not _TOPIC_ZH.search(question))


def answer(question: str, ctx: Context) -> Drafted | None:
    en = english(question)
    f = ctx.filters
    issues = [i for i in ctx.index.issues() if i.get("date") and (not f.newspaper or i.get("newspaper") == f.newspaper)]
    if not issues:
        return None
    date = f.date or max(i["date"] for i in issues)  # no day named: the newest issue indexed
    newspaper = f.newspaper
    if not newspaper:
        papers = sorted({i.get("newspaper", "") for i in issues if i["date"] == date})
        newspaper = papers[0] if len(papers) == 1 else ""
    articles = ctx.index.articles(newspaper, date, f.page)
    scope = issue_name(newspaper, date, f.page, en)
    if not articles:
        text = (f"No articles of {scope} are indexed." if en else f"索引里没有{scope}的文章。")
        return Drafted(text=text, answerable=False, citations=[], features={"scope": scope})
    articles.sort(key=lambda a: (a["date"], page_order(a["page"]), a["ord"]))
    cites = Citations(ctx.index.paragraph_text)
    with_leads = len(articles) <= _LEADS_UP_TO
    lines, heads = [], []
    page = None
    for a in articles:
        if not f.page and a["page"] != page:
            page = a["page"]
            lines.append(f"Page {page}:" if en else f"第{page}版：")
        lead, lead_text = _lead_paragraph(ctx, a["lead"])
        head = heading(a) or lead_sentence(lead_text, 30)
        n = cites.cite(lead, quote=lead_sentence(lead_text, 10_000))  # the paragraph the lead line quotes
        heads.append(head)
        line = f"[{n}] {head}"
        if with_leads:
            lead_line = lead_sentence(lead_text)
            if lead_line and lead_line != head:
                line += f" — {lead_line}"
        lines.append(line)
    pages = sorted({a["page"] for a in articles}, key=page_order)
    if en:
        intro = f"{scope}: {len(articles)} article{'s' if len(articles) != 1 else ''}" + (
            f" on {len(pages)} pages" if len(pages) > 1 else "") + ":"
    else:
        intro = f"{scope}共有{len(articles)}篇文章" + (f"，分布在{len(pages)}个版面" if len(pages) > 1 else "") + "："
    return Drafted(text="\n".join([intro, *lines]), answerable=True, citations=cites.items,
                   short_answer="；".join(heads), confidence=1.0,
                   features={"scope": scope, "articles": len(articles), "pages": len(pages)})


def _lead_paragraph(ctx: Context, lead: Chunk) -> tuple[Chunk, str]:
    """An article's first paragraph that reads as a sentence (not 核心阅读 or a figure's label): its chunk and text."""
    text = ctx.index.paragraph_text(lead.paragraph_id) or lead.text
    if len(text) >= _MIN_LEAD_CHARS:
        return lead, text
    for c in ctx.index.article_chunks(lead.paragraph_id)[:6]:
        if len(c.text) >= _MIN_LEAD_CHARS:
            return c, ctx.index.paragraph_text(c.paragraph_id) or c.text
    return lead, text
