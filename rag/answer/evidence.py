"""Spotting the kind of fact a question wants inside a sentence."""

from __future__ import annotations

import re

from rag.answer.question import DATE, NUMBER, PERSON, PLACE
from rag.text.names import PLACE_NAME
from rag.text.numerals import DIGITS
from rag.text.words import tagged_words

_NUM = r"(?:\d+(?:[.,]\d+)*|[" + DIGITS + r"百千]+)"
NUMBER_WITH_UNIT = re.compile(
    _NUM + r"\s*(?:余|多)?\s*(?:万|亿|千|百)?\s*(?:余|多)?\s*"
    r"(?:人次|人|家|个|项|场次|场|万元|亿元|元|张|套|次|篇|件|条|所|座|户|名|周岁|周年|岁|%|％|平方米|公里|米|吨|年|天|"
    r"小时|倍|批|期|届|台|辆|份|村|部门|小区|点|类|种|大|级|床|间|栋|处|支|位|本|页|版|亩|公顷|平方公里|千米|立方米|公斤|千克|千瓦|度|头|只|匹|株|棵|艘|架|枚|颗|粒|尾|箱|袋|瓶|盒|双|对|块|根|册|卷|首|幅|部|集|门|列|趟|班|例|宗|起|笔|款|篇|轮|剂次|剂|针|分钟|秒|毫米|厘米|克|斤|升|美元|欧元|英镑|日元|港元|兆瓦|千瓦时|摄氏度|℃)"
)
DATE_EXPR = re.compile(
    r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*\d{1,2}\s*时)?|"
    r"昨日|昨天|今日|今天|前日|日前|近日|近期|今年|去年|明年|\d{1,2}\s*时"
)
ROLE = re.compile(r"书记|民警|交警|志愿者|专家|代表|干部|医生|教师|老师|学生|村民|群众|主任|局长|县长|市长|区长|部长|记者|发言人|主席|总书记|调研员|司长|厅长|处长|经理|院长|校长|董事长|委员")



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


# A question for a sum of money (多少美元, 获得了多少奖金, 出口额是多少) is answered by a sum of money: a
# rank (第二位), a count (3人) or a time (6秒49) beside the words asked about answers something else.
_ASKS_MONEY = re.compile(
    r"多少(?:钱|元|美元|亿元|万元|亿美元|欧元|奖金|资金|费用|投资|收入|营收|利润)(?!者|人|项目|方|机构|主体|群体)|"
    r"(?:金额|(?<![名份配限])额度?|奖金|收入|价格|价值|投资|资金|费用|成本|利润|营收)(?:是|为|达|有|约)?(?:多少|几何)"
    r"(?![人个项家次名座户种倍年天位])")
_MONEY = re.compile(r"(?:" + _NUM + r"|[数几上近逾超])\s*(?:余|多)?\s*(?:万|亿|千|百){0,2}\s*(?:余|多)?\s*"
                    r"(?:元|美元|欧元|英镑|日元|港元|人民币)|(?:人民币|美元|[$￥¥])\s*" + _NUM)


def asks_for_money(question: str) -> bool:
    return bool(_ASKS_MONEY.search(question))


def names_money(text: str) -> bool:
    return bool(_MONEY.search(text))
