"""Why something happened: 为什么美国中西部会出现这轮超强寒潮？ ……的主要原因是什么？

The answer is the sentences that explain, not a fact picked out of them: among the sentences of
the best-ranked paragraphs, the one that holds most of the question's terms (the thing to be
explained), preferring one that says why (由于, 导致, 原因, 是因为…), and the sentence after it when
that is where the reason goes on (a report often says what happened, then why). Chinese questions
only: an English "why" stays with the fact answerer, which can read it through the lexicon.

Where no sentence holds enough of the question's terms, the kind declines and the fact answerer
decides (and abstains, if it is not sure): an explanation of something else is no answer.
"""

from __future__ import annotations

import re

from rag.answer.extractive import coverage
from rag.answer.kinds.context import Citations, Context, english, without_dateline
from rag.answer.protocol import Drafted
from rag.answer.question import analyse, key_terms
from rag.text.sentences import split_sentences

_ASK_ZH = re.compile(r"(?<![称成作认视誉列定改变分化名命])为什么|为何|因何|何以|什么原因|原因是什么|原因之一是什么|是什么原因|怎么会")
# Words that give a reason or a consequence: a sentence with one explains, one without describes.
CAUSE = re.compile(r"因为|由于|因此|所以|因而|导致|造成|致使|使得|原因|缘于|源于|得益于|归功于|之所以|在于|以致|从而|怕|担心|为了")

PARAGRAPHS = 5  # the best-ranked paragraphs looked in
FOCUS = 0.5  # coverage of what follows the question word (与地球失联 in …为什么与地球失联), on top
CAUSE_BONUS = 0.15  # a sentence that gives a reason, over one that only shares the question's words
RANK_COST = 0.02  # per place down the retrieval order
MIN_COVERAGE = 0.5  # of the question's terms, in the best sentence's paragraph
MIN_CHARS = 8
FOLLOWING = 2  # sentences after the best one in which the reason may go on


def recognise(question: str) -> bool:
    return not english(question) and bool(_ASK_ZH.search(question))


def _terms(question: str) -> tuple[str, ...]:
    # The question word's own characters (原因, 为何) are not what is to be explained.
    return tuple(t for t in key_terms(_ASK_ZH.sub(" ", question)) if t not in ("主要", "原因", "背后"))


def answer(question: str, ctx: Context) -> Drafted | None:
    hits = (ctx.hits or ctx.search(question, 10, ctx.filters or None))[:PARAGRAPHS]
    terms = _terms(question)
    if not hits or not terms:
        return None
    # 火星车为什么与地球失联: what is to be explained follows the question word; what comes before
    # it names the subject, which the sentences before and after the reason name too.
    q = analyse(question)
    explained = tuple(t for t in terms if t in q.right.lower()) if q.wh in ("为什么", "为何", "因何", "何以") else ()
    scored = []  # (score, hit, the paragraph's sentences, the sentence's place among them, the paragraph)
    for rank, h in enumerate(hits):
        paragraph = ctx.index.paragraph_text(h.chunk.paragraph_id) or h.chunk.text
        sentences = [s.strip() for s in split_sentences(paragraph)]
        for i, s in enumerate(sentences):
            if len(s) < MIN_CHARS:
                continue
            score = (coverage(terms, s) + (FOCUS * coverage(explained, s) if explained else 0.0)
                     + CAUSE_BONUS * bool(CAUSE.search(s)) - RANK_COST * rank)
            scored.append((score, h, sentences, i, paragraph))
    if not scored:
        return None
    score, hit, sentences, i, paragraph = max(scored, key=lambda x: x[0])
    covered = coverage(terms, paragraph)
    if covered < MIN_COVERAGE:
        return None
    picked = [without_dateline(sentences[i])]
    if not CAUSE.search(sentences[i]):
        # The reason may come in the next sentence or the one after (a quote that answers it).
        reason = next((j for j in range(i + 1, min(i + 1 + FOLLOWING, len(sentences))) if CAUSE.search(sentences[j])), None)
        if reason is not None:
            picked += sentences[i + 1 : reason + 1]
    cites = Citations(ctx.index.paragraph_text)
    # The quote marks the reason too: the picked sentences stand together in the paragraph.
    joined = "".join(picked)
    n = cites.cite(hit.chunk, hit.score, quote=joined if joined in paragraph else picked[0])
    return Drafted(text=joined + f"[{n}]", answerable=True, citations=cites.items,
                   short_answer=picked[0], confidence=score,
                   features={"coverage": round(covered, 3), "sentences": len(picked)})
