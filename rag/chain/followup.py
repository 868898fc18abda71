"""Follow-up questions: "他提出了哪五大战略？" after "冀州区委书记是谁？" means 张洪涛.

Without an LLM the follow-up is rewritten by carrying the conversation's
entities forward: a pronoun (他/她) becomes the last person named (in a
question or in an answer), 该县/该市/该区 the last county/city/district, and a
question that names nothing of its own gets the previous question's subject
put in front. With an LLM, ``condense_prompt`` is the usual condense-question
step. Either way retrieval sees one standalone question.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rag.answer.question import PERSON, analyse, key_terms
from rag.answer.spans import names
from rag.text.words import tagged_words

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str = ""  # the short answer when there is one, else the answer text


History = Sequence[Turn]


class Rewriter(Protocol):
    """Makes a follow-up question standalone from the conversation so far."""

    def __call__(self, question: str, history: History) -> str: ...


def message_text(content) -> str:
    """A chat message's content: a string, or a list of {"type": "text", "text": ...} parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def turns_from_messages(messages: Sequence[dict], max_answer_chars: int | None = None) -> list[dict]:
    """Role/content chat messages (OpenAI's or Gradio's) as question/answer turns.

    An answer keeps only its first line: that is where the short answer stands, and
    the sources listed under it would only add names to carry forward.
    """
    turns, pending = [], None
    for m in messages:
        role, content = (m.get("role"), m.get("content")) if isinstance(m, dict) else (None, None)
        text = message_text(content)
        if role == "user":
            pending = text
        elif role == "assistant" and pending is not None:
            turns.append({"question": pending, "answer": text.split("\n", 1)[0][:max_answer_chars]})
            pending = None
    return turns

_PERSON_PRONOUN = re.compile(r"他们|她们|他|她|此人|这位|该同志")
_PLACE_ANAPHORA = re.compile(r"(?:该|这个|此|本)(县|市|区|镇|乡|村|省)")
_THING_ANAPHORA = re.compile(r"(?:该|这个|这一|此)(项目|活动|机构|协议|政策|会议|企业|工作|基地)")


def _entities(text: str) -> list[tuple[str, str]]:
    """(word, kind) of names in order of appearance: kind is person or place."""
    out = [(s, text[s:e], "person") for s, e, kind in names(text) if kind == "name"]
    words = tagged_words(text)
    for i, (pos, _, w, flag) in enumerate(words):
        if flag in ("ns", "nt") and len(w) >= 2:
            nxt = words[i + 1][2] if i + 1 < len(words) else ""
            # 冀州 + 区 is one place
            out.append((pos, w + nxt if nxt in ("县", "市", "区", "镇", "乡", "村", "省") else w, "place"))
    return [(w, k) for _, w, k in sorted(out)]


def _last(history: History, kind: str, suffix: str = "") -> str:
    for turn in reversed(history):
        for text in (turn.answer, turn.question):
            found = [w for w, k in _entities(text) if k == kind and (not suffix or w.endswith(suffix))]
            if found:
                return found[-1]
    return ""


def _asked_about(question: str) -> str:
    """冀州区委书记是谁 -> 冀州区委书记: who the previous question asked for, when no name came back."""
    q = analyse(question)
    if q.qtype == PERSON and q.left and not q.right:
        return q.left.rstrip("是叫为的")
    return ""


def rewrite(question: str, history: History) -> str:
    """The question made standalone from the conversation so far (unchanged when it already is)."""
    if not history:
        return question
    q = question
    prev = history[-1].question
    if _PERSON_PRONOUN.search(q):
        person = _last(history, "person") or _asked_about(prev)
        if person:
            q = _PERSON_PRONOUN.sub(person, q, count=1)
    m = _PLACE_ANAPHORA.search(q)
    if m:
        place = _last(history, "place", m.group(1))
        if place:
            q = q[: m.start()] + place + q[m.end() :]
    if q != question:
        return q
    m = re.fullmatch(r"(?:那么?|那)?(.{2,12}?)(?:呢|怎么样|如何)[？?]?", q.strip())
    if m:
        # 那饶阳呢？ after 景县…多少人？: the same question about another place or person.
        new = m.group(1)
        old = [w for w, _ in _entities(prev)]
        if old:
            return prev.replace(old[0], new, 1)
        return f"{new} {prev}"
    if _THING_ANAPHORA.search(q) or (len(q) <= 12 and not _entities(q)):
        # "这个项目投资多少？": the previous question's subject is still the subject.
        return f"{' '.join(key_terms(prev))} {q}"
    return q


CONDENSE_PROMPT = (
    "下面是一段关于报纸内容的对话和一个后续问题。请把后续问题改写成一个独立、完整的问题，"
    "补全其中的代词（他、她、该县等）所指的人名、地名或事物；只输出改写后的问题。\n"
    "Rewrite the follow-up as one standalone question in its own language; output only the question.\n\n"
    "对话 / Conversation:\n{history}\n\n后续问题 / Follow-up: {question}\n独立问题 / Standalone question:"
)


def condense_prompt(question: str, history: History) -> str:
    lines = []
    for t in history[-4:]:
        lines.append(f"问/Q: {t.question}")
        if t.answer:
            lines.append(f"答/A: {t.answer}")
    return CONDENSE_PROMPT.format(history="\n".join(lines), question=question)


class LLMRewriter:
    """The condense-question step with the chat model; the rule-based rewrite when the model fails."""

    def __init__(self, chat_model):
        self.chat_model = chat_model

    def __call__(self, question: str, history) -> str:
        try:
            reply = self.chat_model.invoke([("human", condense_prompt(question, history))])
            text = reply.content.strip() if isinstance(reply.content, str) else ""
        except Exception as exc:
            log.warning("LLM condense failed (%s); rewriting by rule", exc)
            text = ""
        text = text.splitlines()[0].strip() if text else ""
        return text if 0 < len(text) <= 4 * max(len(question), 50) else rewrite(question, history)
