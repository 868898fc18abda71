"""What someone said: 习近平在贺电中指出了什么？ What did the spokesman say about…?

Open questions only (the question ends with what was said); a question that asks for one thing
inside a statement (…强调要为世界呈现一届怎样的冬奥会) is a fact, left to the fact answerer. The
answer is the sentences of the best-ranked articles in which the speaker (named in the question,
or 他/她 in an article that names them) says, points out or stresses something.
"""

from __future__ import annotations

import re

from rag.answer.kinds.context import Citations, Context, english
from rag.answer.protocol import Drafted
from rag.answer.question import key_terms, named_entities
from rag.chunking import article_key
from rag.text.sentences import split_sentences

_VERBS = r"(?:指出|表示|强调|说|提出|要求|认为|称|谈到|讲|宣布|呼吁|希望|介绍)"
_ASK_ZH = re.compile(rf"{_VERBS}了?(?:什么|哪些|些什么|啥)(?:内容|观点|意见|要求)?\s*[？?。]*\s*$")
_ASK_EN = re.compile(r"\bwhat did (?P<who>.+?) (?:say|stress|point out|emphasi[sz]e|note|tell|call for|announce)\b"
                     r"(?! (?:about|on|regarding|concerning|of)\b)", re.I)
_ATTRIBUTED = re.compile(_VERBS + r"[，,：:]?")
MAX_SENTENCES = 3
ARTICLES = 2  # the best-ranked articles looked in
MIN_SAID_CHARS = 8  # after the verb: what was said


def recognise(question: str) -> bool:
    return bool(_ASK_EN.search(question)) if english(question) else bool(_ASK_ZH.search(question))


def _speakers(question: str) -> list[str]:
    if english(question):
        return []
    head = re.split(r"在|对|就|于|向", question, maxsplit=1)[0]
    names = [t for t in named_entities(question, key_terms(question)) if t in head]
    return names or [t for t in key_terms(head)[:1]]


def answer(question: str, ctx: Context) -> Drafted | None:
    hits = ctx.hits or ctx.search(question, 10, ctx.filters or None)
    speakers = _speakers(question)
    terms = set(key_terms(question))
    seen_articles: list[str] = []
    found = []
    for rank, h in enumerate(hits):
        key = article_key(h.chunk.paragraph_id)
        if key not in seen_articles:
            # Without a speaker to match (an English question), only the best-ranked article counts.
            if len(seen_articles) == (ARTICLES if speakers else 1):
                continue
            seen_articles.append(key)
        for s in split_sentences(ctx.index.paragraph_text(h.chunk.paragraph_id) or h.chunk.text):
            verb = _ATTRIBUTED.search(s)
            if not verb or len(s) - verb.end() < MIN_SAID_CHARS:  # 张洪涛在接受采访时表示。 says nothing yet
                continue
            by = not speakers or any(sp in s for sp in speakers) or bool(re.match(r"\s*[“\"]?[他她]", s))
            if not by:
                continue
            overlap = sum(len(t) for t in terms if t in s)
            found.append((overlap - rank, h, s.strip()))
    if not found:
        return None
    found.sort(key=lambda x: -x[0])
    chosen, seen = [], set()
    for _, h, s in found:
        if s not in seen:
            seen.add(s)
            chosen.append((h, s))
        if len(chosen) == MAX_SENTENCES:
            break
    cites = Citations(ctx.index.paragraph_text)
    parts = [f"{s}[{cites.cite(h.chunk, h.score, quote=s)}]" for h, s in chosen]
    return Drafted(text=("\n" if english(question) else "").join(parts), answerable=True, citations=cites.items,
                   short_answer=chosen[0][1], confidence=chosen[0][0].score,
                   features={"speakers": speakers})
