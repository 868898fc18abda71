"""What one article says: 关于X的那篇报道主要讲了什么？ 总结一下… Summarize the article about…

The article is the one, among those retrieval finds for the topic, whose headline and lead are
nearest to it. Its gist is three to five of its sentences: each scored by how central it is
(cosine to the mean of the article's sentence vectors), how near the question's topic and how
early it comes (a report puts its news first), then chosen by maximal marginal relevance so that
no two say the same thing, and given back in the article's order, each cited.
"""

from __future__ import annotations

import re

import numpy as np

from rag.answer.kinds.context import Citations, Context, english, issue_name, without_dateline
from rag.answer.protocol import Drafted
from rag.chunking import article_key
from rag.text.sentences import split_sentences
from rag.types import Chunk, Hit

_ASK_ZH = re.compile(r"(?:主要)?(?:讲|说|写|谈|介绍|报道|讲述|论述|阐述|提到)(?:了|的是|的)?(?:什么|哪些|些什么|啥)|总结|概括|归纳|"
                     r"要点|大意|主要内容|核心内容|主旨|中心意思")
_ARTICLE_ZH = re.compile(r"那篇|这篇|一篇|文章|报道|时评|评论|社论|消息|通讯|述评|专访|稿|新闻|讲话|文件|意见")
_ASK_EN = re.compile(r"\bsummari[sz]e\b|\bsummary\b|\bgist\b|\bmain points?\b|\bkey points?\b|"
                     r"\bwhat (?:does|did) (?:the|that|this) (?:article|report|story|piece|editorial|commentary)\b.*\b(?:say|cover|tell)\b",
                     re.I)
_TOPIC_ZH = re.compile(r"(?:关于|有关)(.+?)的(?:那篇|这篇|一篇)?(?:文章|报道|时评|评论|社论|消息|通讯|述评|专访|稿件|新闻)")
_TOPIC_EN = re.compile(r"\b(?:about|on|regarding|concerning)\s+(.+?)[?.!]*$", re.I)

# Weights of a sentence's score. Centrality carries the gist; the topic keeps it on the question
# when an article covers several things; position breaks ties toward the lead.
CENTRAL, TOPICAL, EARLY = 0.5, 0.3, 0.2
MMR_LAMBDA = 0.7  # relevance against repetition
MIN_CHARS = 10  # shorter pieces are headings and captions, not sentences
ARTICLES = 10  # hits whose articles may be the one asked about
LEAD_CHARS = 300  # headline and lead, as the encoder reads them for choosing the article


def recognise(question: str) -> bool:
    if english(question):
        return bool(_ASK_EN.search(question))
    return bool(_ASK_ZH.search(question) and _ARTICLE_ZH.search(question))


def topic_of(question: str) -> str:
    m = (_TOPIC_EN if english(question) else _TOPIC_ZH).search(question)
    return m.group(1).strip() if m else question


def how_many(n_sentences: int) -> int:
    # A report of a dozen sentences carries more facts than three of them can hold: on the 人民日报
    # development gists, 3/4/5 sentences from 6/13 sentences up cover 0.645 of the key facts, from
    # 9/21 up 0.594.
    return 3 if n_sentences <= 5 else 4 if n_sentences <= 12 else 5


def answer(question: str, ctx: Context) -> Drafted | None:
    topic = topic_of(question)
    hits = ctx.search(topic, ARTICLES, ctx.filters or None) if topic != question or not ctx.hits else ctx.hits
    if not hits:
        return None
    top = the_article(topic, hits, ctx)
    chunks = ctx.index.article_chunks(top.paragraph_id)
    units = [(c, s) for c in chunks for s in split_sentences(c.text) if len(s.strip()) >= MIN_CHARS]
    if not units:
        return None
    picked = pick(units, topic, ctx.encoder)
    cites = Citations(ctx.index.paragraph_text)
    parts = []
    for i in sorted(picked):
        chunk, sentence = units[i]
        sentence = without_dateline(sentence)
        n = cites.cite(chunk, quote=sentence)
        parts.append(f"{sentence}[{n}]")
    en = english(question)
    where = issue_name(top.newspaper, top.date, top.page, en)
    title = top.article or ""
    intro = (f"“{title}” ({where}) says:" if en else f"《{title}》（{where}）主要讲：") if title else (
        f"The article ({where}) says:" if en else f"这篇报道（{where}）主要讲：")
    return Drafted(text=intro + ("\n" if en else "") + ("\n".join(parts) if en else "".join(parts)),
                   answerable=True, citations=cites.items, short_answer=title,
                   confidence=max(h.score for h in hits if article_key(h.chunk.paragraph_id) == article_key(top.paragraph_id)),
                   features={"article": title, "sentences": len(units)})


def the_article(topic: str, hits: list[Hit], ctx: Context) -> Chunk:
    """A chunk of the article the question is about: among the articles of the hits, the one whose
    headline and lead are nearest the topic. The best single chunk is often a passing mention in
    another article (速览 for sediment on the Yellow River); what an article is about, its headline
    and lead say."""
    firsts: dict[str, Chunk] = {}
    for h in hits[:ARTICLES]:
        firsts.setdefault(article_key(h.chunk.paragraph_id), h.chunk)
    chunks = list(firsts.values())
    if ctx.encoder is None or len(chunks) == 1:
        return chunks[0]
    leads = []
    for c in chunks:
        parts = ctx.index.article_chunks(c.paragraph_id)
        leads.append(f"{c.article}。{parts[0].text if parts else c.text}"[:LEAD_CHARS])
    query = np.asarray(ctx.encoder.encode_queries([topic]), dtype=np.float32)[0]
    vecs = np.asarray(ctx.encoder.encode_passages(leads, progress=False), dtype=np.float32)
    return chunks[int(np.argmax(vecs @ query))]


def pick(units: list[tuple[object, str]], topic: str, encoder) -> list[int]:
    """Indexes of the sentences that make the gist (maximal marginal relevance)."""
    k = how_many(len(units))
    n = len(units)
    early = 1.0 / (1.0 + np.arange(n) / 3.0)
    if encoder is None or n <= k:
        return list(range(min(k, n)))
    vecs = np.asarray(encoder.encode_passages([s for _, s in units], progress=False), dtype=np.float32)
    centre = vecs.mean(axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    query = np.asarray(encoder.encode_queries([topic]), dtype=np.float32)[0]
    score = CENTRAL * (vecs @ centre) + TOPICAL * (vecs @ query) + EARLY * early
    sims = vecs @ vecs.T
    chosen: list[int] = []
    while len(chosen) < k:
        redundancy = sims[:, chosen].max(axis=1) if chosen else np.zeros(n)
        mmr = MMR_LAMBDA * score - (1 - MMR_LAMBDA) * redundancy
        mmr[chosen] = -np.inf
        chosen.append(int(np.argmax(mmr)))
    return chosen
