"""Spotting the kind of fact a question wants inside a sentence."""

from __future__ import annotations

import re
from functools import lru_cache

from rag.answer.question import DATE, NUMBER, PERSON, PLACE

_NUM = r"(?:\d+(?:[.,]\d+)*|[一二两三四五六七八九十百千]+)"
NUMBER_WITH_UNIT = re.compile(
    _NUM + r"\s*(?:余|多)?\s*(?:万|亿|千|百)?\s*(?:余|多)?\s*"
    r"(?:人次|人|家|个|项|场次|场|万元|亿元|元|张|套|次|篇|件|条|所|座|户|名|周岁|周年|岁|%|％|平方米|公里|米|吨|年|天|"
    r"小时|倍|批|期|届|台|辆|份|村|部门|小区|点|类|种|大|级|床|间|栋|处|支|位|本|页|版|亩|公顷|平方公里|千米|立方米|公斤|千克|千瓦|度)"
)
DATE_EXPR = re.compile(
    r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*\d{1,2}\s*时)?|"
    r"昨日|昨天|今日|今天|前日|日前|近日|近期|今年|去年|明年|\d{1,2}\s*时"
)
ROLE = re.compile(r"书记|民警|交警|志愿者|专家|代表|干部|医生|教师|老师|学生|村民|群众|主任|局长|县长|市长|区长|部长|记者|发言人|主席|总书记|调研员|司长|厅长|处长|经理|院长|校长|董事长|委员")
PLACE_NAME = re.compile(
    r"[\u4e00-\u9fff]{1,8}(?:省|市|县|区|镇|乡|村|街道|社区|局|厅|部|委|办|院|所|中心|协会|公司|集团|学校|医院|基地|园区|站|馆|广场|公园|大厦|礼堂|会议室|大街|路|街|楼|场馆|体育馆|会展中心)"
)


def has_fact_of_type(sentence: str, qtype: str) -> bool:
    if qtype == NUMBER:
        return bool(NUMBER_WITH_UNIT.search(sentence))
    if qtype == DATE:
        return bool(DATE_EXPR.search(sentence))
    if qtype == PERSON:
        return bool(ROLE.search(sentence)) or _has_person_name(sentence)
    if qtype == PLACE:
        return bool(PLACE_NAME.search(sentence))
    return True


def _has_person_name(sentence: str) -> bool:
    return any(flag == "nr" and len(word) >= 2 for _, _, word, flag in tagged_words(sentence))


@lru_cache(maxsize=8192)
def tagged_words(text: str) -> tuple[tuple[int, int, str, str], ...]:
    """(start, end, word, part-of-speech flag) of jieba's tagging of ``text``.

    Tagging is the slow step of answering; the same sentence is asked about by the
    type check, the span finder and the follow-up rewriter, so it is tagged once.
    """
    import jieba.posseg as pseg

    out, pos = [], 0
    for word, flag in pseg.lcut(text):
        out.append((pos, pos + len(word), word, flag))
        pos += len(word)
    return tuple(out)
