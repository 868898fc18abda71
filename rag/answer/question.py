"""What a question asks for: its type (number, person, place, date…) and its key terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.cjk import has_cjk, is_ideograph
from rag.text.names import PLACE_NAME
from rag.text.numerals import DIGITS
from rag.text.numerals import value as numeral_value
from rag.text.words import WORDLIKE, dictionary_tag, tagged_words, words

NUMBER, PERSON, PLACE, DATE, LIST, FACT = "number", "person", "place", "date", "list", "fact"

_TYPE_PATTERNS = [
    (DATE, re.compile(r"何时|什么时候|哪天|哪一天|哪年|哪一年|几月|几号|几日|什么时间|何日|\bwhen\b|what (?:date|time|day)", re.I)),
    (LIST, re.compile(r"哪[" + DIGITS + r"几]+[大个项类种条方面]|哪些|\bwhich (?:\w+ )?(?:industries|measures|strategies|areas|fields)\b", re.I)),
    (NUMBER, re.compile(r"\bhow often\b|\bwhich anniversary\b|多久一次|多长时间一次|每隔多久|多少|几[个家项人名次场张所座条户年天岁]?|多大|多高|多长|多远|多久|比例|百分之|比率|\bhow (?:many|much|long|large|big)\b|what (?:percentage|share|proportion|number|value|amount)|\bvalue of\b", re.I)),
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

@dataclass(frozen=True)
class Question:
    text: str
    qtype: str
    terms: tuple[str, ...]  # key terms, question words removed
    # A Chinese question split around its question word: 饶阳县委组织部发放党史学习资料 | 多少套 | "".
    left: str = ""
    wh: str = ""
    right: str = ""
    unit: str = ""  # the measure word asked for (多少套 -> 套), "" when none
    wh_count: int = 0  # 哪三大 -> 3
    wh_head: str = ""  # the noun the question word qualifies (什么协议 -> 协议)
    # The key terms either side of the question word: what is asked about (县长 in
    # 景县县长叫什么名字). A sentence without them answers some other question.
    focus: tuple[str, ...] = ()
    # Names of places, people and organisations the question is about: an article that
    # never names them cannot be answering it.
    entities: tuple[str, ...] = ()
    # A kind of answer no measure word names: "title" (《等着我》 for "which programme"), "byline" (the
    # reporter, for "who reported"), "frequency" (每周 for "how often").
    wants: str = ""


# What a question asks for, by the noun it names (what agreement, 哪个栏目, who reported, how often).
_WANTS = (
    ("frequency", re.compile(r"\bhow often\b|多久一次|多长时间一次|每隔多久|频次|频率", re.I)),
    # The paper's reporter, not the author of a book (九命奇冤的作者是谁, "who wrote the novel").
    ("byline", re.compile(r"\bwho (?:reported|covered)\b|\bwho wrote (?:the|this) (?:report|article|story)\b|"
                          r"\b(?:which|what) (?:reporter|journalist)s?\b|"
                          r"谁(?:报道|采写)|(?:记者|(?:报道|文章|稿件)的作者)(?:是谁|叫什么)|哪位记者", re.I)),
    ("title", re.compile(r"\b(?:which|what)(?: \w+){0,2} (?:programmes?|programs?|shows?|columns?|agreements?|documents?|books?|"
                         r"reports?|regulations?|films?|songs?|slogans?|themes?|titles?)\b|\btheme of\b|"
                         r"(?:什么|哪个|哪部|哪份|哪本|何种)(?:协议|栏目|节目|文件|书|报告|条例|口号|主题|题目|名称|规划|决议|电影|歌曲)", re.I)),
)


def wants_of(text: str) -> str:
    return next((kind for kind, pattern in _WANTS if pattern.search(text)), "")


_UNITS = "个家项人名次场张所座条户年天岁套件处位元台辆份村批期届倍吨米"
_WH = re.compile(
    r"第几[个次届位名批]?|多少(?:万|亿)?(?:平方米|公里|万元|亿元|[" + _UNITS + r"])?|几(?:[" + _UNITS + r"])?"
    r"|哪([" + DIGITS + r"几]+)[大个项类种条方面]*|哪一?[个些位家里儿天年所座]?|谁|什么时候|什么时间|何时|何地|何处"
    r"|多大|多高|多长|多久|多远|什么|啥|怎样|如何|为什么|是否"
)
_EN_NUM = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
# "Which three industries…", "What are the five strategies…": how many items the list should have.
_EN_COUNT = re.compile(r"\b(?:which|what)\s+(?:are\s+the\s+|were\s+the\s+)?(two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
# "How many people…": the measure word a Chinese paper counts that noun with.
_EN_UNITS = {
    "people": "人", "persons": "人", "residents": "人", "volunteers": "人", "villages": "个", "sites": "个",
    "points": "个", "projects": "个", "institutions": "家", "organisations": "家", "organizations": "家",
    "companies": "家", "enterprises": "家", "kits": "套", "sets": "套", "beds": "张", "years": "年", "times": "次",
    "needs": "项", "items": "项", "homeless": "名", "cadres": "名",
}


def split_question(text: str) -> tuple[str, str, str, str, int, str]:
    """(left, wh, right, unit, count, head) of a Chinese question; all empty when it has no question word."""
    t = text.strip().rstrip("？?。.！! ")
    m = _WH.search(t)
    if not m:
        return "", "", "", "", 0, ""
    wh = m.group(0)
    left, right = t[: m.start()], t[m.end() :]
    unit = ""
    um = re.match(r"(?:多少|几|第几)(?:万|亿)?(.+)$", wh)
    if um and um.group(1) not in ("处",):
        unit = um.group(1)[-1]
    elif wh == "多少" and (_MONEY_ZH.search(left) or _MONEY_NOUN.match(right)):
        unit = "元"  # 交易额是多少, 获得了多少奖金
    elif wh == "多少" and _SHARE_ZH.search(left):
        unit = "%"
    count = 0
    if m.group(1):
        digits = m.group(1)
        count = numeral_value(digits) if len(digits) == 1 else 0
    head = ""
    if wh in ("什么", "啥", "哪个", "哪些", "哪家", "哪一个") and right:
        head = words(right)[0]
    return left, wh, right, unit, count, head


_MONEY_EN = re.compile(r"\b(?:value|worth|cost|costs|amount of money|money|funds?|funding|investment|invested|yuan|budget|spent)\b", re.I)
# 交易额是多少, 投资多少: a sum of money, counted in 元 (万元, 亿元).
_MONEY_NOUN = re.compile(r"(?:的)?(?:奖金|资金|经费|钱|投资|收入|补贴|补助|费用|罚款|税款|贷款|捐款)")
_MONEY_ZH = re.compile(r"(?:金额|交易额|成交额|资金|投资|投入|收入|产值|营收|费用|经费|价格|钱|奖金|补贴|补助)[是为达到了有约共计]*$")


# 比例提高到了多少, "what share of…": a share, which a paper gives in per cent.
_SHARE_ZH = re.compile(r"(?:比例|比重|占比|比率|率)[是为达到了提高降低至约]*$")
_SHARE_EN = re.compile(r"\b(?:share|percentage|proportion|rate|per ?cent)\b", re.I)


# Words that end the counted noun phrase of "how many …" (the verb, or "there" of "are there").
_COUNTED_ENDS = {"there", "did", "do", "does", "will", "would", "can", "could", "has", "have", "had", "got", "get", "gets"}


def english_counted(text: str) -> str:
    """The noun phrase a "how many" question counts, up to its verb: "How many elderly care
    institutions were…" -> "elderly care institutions"; "How many of the villages are…" -> "villages"."""
    return _noun_phrase_after(r"\bhow many ", text)


def english_asked(text: str) -> str:
    """The kind of thing a "which" question asks for: "Which counties adopted…" -> "counties"."""
    return _noun_phrase_after(r"\bwhich ", text)


def _noun_phrase_after(lead: str, text: str) -> str:
    m = re.search(lead + r"((?:[a-z0-9-]+ ?){1,5})", text.lower())
    words: list[str] = []
    for w in m.group(1).split() if m else ():
        if not words and w in ("of", "the"):
            continue
        # A verb ends the phrase: "did", "were", or a past tense after the noun ("counties adopted").
        if w in QUESTION_WORDS or w in _COUNTED_ENDS or len(words) == 4 or (words and w.endswith("ed")):
            break
        words.append(w)
    return " ".join(words)


def english_unit(text: str) -> str:
    """The measure word a Chinese paper counts the asked-for noun with (people -> 人), 元 for a sum,
    % for a share."""
    if re.search(r"\banniversary\b", text, re.I):
        return "周年"
    for word in english_counted(text).split():
        if word in _EN_UNITS:
            return _EN_UNITS[word]
    if _MONEY_EN.search(text):
        return "元"
    return "%" if _SHARE_EN.search(text) else ""


def question_type(text: str) -> str:
    for qtype, pattern in _TYPE_PATTERNS:
        if pattern.search(text):
            return qtype
    return FACT


# Prepositions and particles: a lone one after a word is not part of a name (饶阳+给 is not a place).
_FUNCTION_CHARS = set("给在对向把被从和与跟同的了是有也都就还又将让使为于以及并而或")


def _joins(char: str) -> bool:
    """May this lone character be the end of the word before it? Not a particle, nor (by jieba's
    dictionary) a verb or locative: 学校+打 and 学校+里 ("in the school") name nothing."""
    return char not in _FUNCTION_CHARS and dictionary_tag(char)[:1] not in ("v", "f")


def key_terms(text: str) -> tuple[str, ...]:
    """Content words of the question, in order.

    A lone character right after a kept word joins it (衡水+湖 -> 衡水湖: jieba
    does not know every local name); other lone characters (人, 套, 大) are
    measure words or fragments of question phrases and carry no evidence.
    """
    terms: list[str] = []
    prev_kept = False
    for tok in words(text.lower()):
        tok = tok.strip()
        if not tok or not WORDLIKE.search(tok) or tok in QUESTION_WORDS or _WH.fullmatch(tok):
            prev_kept = False
            continue
        if is_ideograph(tok):
            if prev_kept and terms and _joins(tok):
                terms[-1] += tok
            prev_kept = False
            continue
        if tok not in terms:
            terms.append(tok)
        prev_kept = True
    return tuple(terms)


def analyse(text: str) -> Question:
    qtype = question_type(text)
    if not has_cjk(text):
        m = _EN_COUNT.search(text)
        return Question(text=text, qtype=qtype, terms=key_terms(text), unit=english_unit(text),
                        wh_count=_EN_NUM[m.group(1).lower()] if m else 0, wants=wants_of(text))
    left, wh, right, unit, count, head = split_question(text)
    terms = key_terms(text)
    # The terms nearest the question word on each side (a term said twice counts where it is nearest).
    low_left, low_right = left.lower(), right.lower()
    before = sorted((t for t in terms if t in low_left), key=low_left.rfind)[-1:]
    after = sorted((t for t in terms if t in low_right), key=low_right.find)[:1]
    focus = tuple(dict.fromkeys(before + after))
    return Question(text=text, qtype=qtype, terms=terms, left=left, wh=wh, right=right, unit=unit,
                    wh_count=count, wh_head=head, focus=focus, entities=named_entities(text, terms), wants=wants_of(text))


def named_entities(text: str, terms: tuple[str, ...]) -> tuple[str, ...]:
    named = {w for _, _, w, flag in tagged_words(text) if flag in ("ns", "nr", "nt") and len(w) >= 2}
    return tuple(t for t in terms if t in named or any(t.startswith(n) for n in named)
                 or (len(t) >= 3 and PLACE_NAME.fullmatch(t)))
