"""What a question asks for: its type (number, person, place, date…) and its key terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.index.lexical import jieba_tokenizer

NUMBER, PERSON, PLACE, DATE, FACT = "number", "person", "place", "date", "fact"

_TYPE_PATTERNS = [
    (DATE, re.compile(r"何时|什么时候|哪天|哪一天|哪年|哪一年|几月|几号|几日|什么时间|何日|\bwhen\b|what (?:date|time|day)", re.I)),
    (NUMBER, re.compile(r"多少|几[个家项人名次场张所座条户年天岁]?|多大|多高|多长|多远|多久|比例|百分之|比率|\bhow (?:many|much|long|large|big)\b|what (?:percentage|share|proportion|number)", re.I)),
    (PERSON, re.compile(r"谁|哪位|哪些人|什么人|名字|叫什么|\bwho\b|\bwhom\b", re.I)),
    (PLACE, re.compile(r"哪里|哪儿|何地|何处|哪个|哪些|哪家|什么地方|什么单位|什么部门|\bwhere\b|\bwhich\b", re.I)),
]

# Words that shape a question but never appear in the answer's sentence.
QUESTION_WORDS = {
    "多少", "几", "第几", "第几个", "第几次", "第几届", "几个", "几次", "几年", "几天", "多少次", "多少个", "多大", "多高", "多长", "多久", "多远", "谁", "哪位", "哪里", "哪儿", "哪个", "哪些", "哪家",
    "什么", "什么样", "怎么", "怎样", "如何", "为什么", "何时", "什么时候", "哪天", "哪年", "是否", "有没有",
    "吗", "呢", "吧", "啊", "了", "的", "是", "在", "有", "和", "与", "及", "对", "把", "被", "从", "由", "都",
    "请问", "一下", "告诉", "我", "你", "这", "那", "这个", "那个", "其", "该", "已", "已经", "共", "一共", "总共",
    "叫", "名字", "主要", "哪", "些", "个", "时候", "地方", "方面", "情况", "问题", "报道", "报纸", "文章",
    "the", "a", "an", "of", "in", "on", "to", "is", "are", "was", "were", "be", "been", "did", "do", "does", "how",
    "many", "much", "what", "who", "which", "when", "where", "why", "and", "or", "for", "by", "with", "had", "has",
    "have", "that", "this", "it", "its", "as", "at", "from",
}

_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


@dataclass(frozen=True)
class Question:
    text: str
    qtype: str
    terms: tuple[str, ...]  # key terms, question words removed


def question_type(text: str) -> str:
    for qtype, pattern in _TYPE_PATTERNS:
        if pattern.search(text):
            return qtype
    return FACT


_ONE_CJK = re.compile(r"^[\u3400-\u9fff]$")


def key_terms(text: str) -> tuple[str, ...]:
    """Content words of the question, in order.

    A lone character right after a kept word joins it (衡水+湖 -> 衡水湖: jieba
    does not know every local name); other lone characters (人, 套, 大) are
    measure words or fragments of question phrases and carry no evidence.
    """
    terms: list[str] = []
    prev_kept = False
    for tok in jieba_tokenizer().lcut(text.lower()):
        tok = tok.strip()
        if not tok or not _WORDLIKE.search(tok) or tok in QUESTION_WORDS:
            prev_kept = False
            continue
        if _ONE_CJK.match(tok):
            if prev_kept and terms:
                terms[-1] += tok
            prev_kept = False
            continue
        if tok not in terms:
            terms.append(tok)
        prev_kept = True
    return tuple(terms)


def analyse(text: str) -> Question:
    return Question(text=text, qtype=question_type(text), terms=key_terms(text))
