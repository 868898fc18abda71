"""The short answer inside an evidence sentence: "39.93万人", "张洪涛", "人民广场".

A Chinese question is a sentence of the paper with a gap: 饶阳县委组织部发放党史学习资料
[多少套]. The words either side of the question word are looked for in the evidence
sentence; what stands between them, or next to them, is the answer. Candidates of the
question's type (a number with its unit, a name, a place, a date, a list) are scored
by how well they sit in that gap, by their unit agreeing with the question's
(多少套 wants 套) and by how near they are to the question's key terms. An English
question has no words to align, so nearness to its translated terms does the work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.evidence import DATE_EXPR, NUMBER_WITH_UNIT, ROLE
from rag.answer.question import DATE, FACT, LIST, NUMBER, PERSON, PLACE, Question
from rag.text.names import PLACE_NAME
from rag.text.numerals import DIGITS
from rag.text.words import tagged_words

_PUNCT = "，。、；：？！,.;:?!（）()《》〈〉“”\"'‘’「」『』【】 \u3000"
_QUOTED = re.compile(r"《([^》]{2,40})》|“([^”]{2,30})”|\"([^\"]{2,30})\"|「([^」]{2,30})」")
_LIST = re.compile(r"[\u4e00-\u9fff]{2,8}(?:、[\u4e00-\u9fff]{2,8})+(?:和[\u4e00-\u9fff]{2,8})?")


@dataclass(frozen=True)
class Span:
    start: int  # character offsets into the sentence
    end: int
    text: str
    score: float  # 1 for a candidate of the right kind; more when it fits the question's gap and unit

    @property
    def fits(self) -> bool:
        """False when the span is of the right kind but contradicts the question (wrong unit, other role)."""
        return self.score >= MIN_FIT


MIN_FIT = 0.75


def _find_anchor(text: str, sentence: str, *, suffix: bool, min_len: int = 2) -> tuple[int, int] | None:
    """Where the longest end (suffix=True) or start of ``text`` occurs in ``sentence``."""
    text = text.strip(_PUNCT)
    # Particles at the question word's edge (提高到了[多少], [谁]的) are rarely in the paper's sentence.
    text = text.rstrip("了的是为在有呢啊") if suffix else text.lstrip("了的是为在有呢啊")
    for n in range(len(text), min_len - 1, -1):
        piece = text[-n:] if suffix else text[:n]
        if not re.search(r"[\u4e00-\u9fff0-9A-Za-z]", piece):
            continue
        i = sentence.rfind(piece) if suffix else sentence.find(piece)
        if i >= 0:
            return i, i + n
    return None


def _trim(sentence: str, start: int, end: int) -> tuple[int, int]:
    while start < end and sentence[start] in _PUNCT + "的了是为在于有共达到":
        start += 1
    while end > start and sentence[end - 1] in _PUNCT + "的了":
        end -= 1
    return start, end


def _candidates(q: Question, sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every piece of the sentence that could answer this kind of question."""
    out: list[tuple[int, int, str]] = []
    if q.qtype == NUMBER:
        out += [(m.start(), m.end(), "number") for m in NUMBER_WITH_UNIT.finditer(sentence)]
        out += [(m.start(), m.end(), "number") for m in re.finditer(r"第[" + DIGITS + r"\d]+[个次届位名批]?", sentence)]
    elif q.qtype == DATE:
        out += [(m.start(), m.end(), "date") for m in DATE_EXPR.finditer(sentence)]
    elif q.qtype == PERSON:
        out += names(sentence)
    elif q.qtype == PLACE:
        out += _places(sentence)
        out += [(m.start(1), m.end(1), "quoted") for m in _QUOTED.finditer(sentence) if m.group(1)]
    if q.qtype in (LIST, PLACE, FACT) or q.wh_count > 1:
        out += [(m.start(), m.end(), "list") for m in _LIST.finditer(sentence)]
    if q.qtype == FACT:
        for m in _QUOTED.finditer(sentence):
            g = next(i for i in range(1, 5) if m.group(i))
            out.append((m.start(g), m.end(g), "quoted"))
    if q.wants == "title":
        out += [(m.start(1), m.end(1), "title") for m in _QUOTED.finditer(sentence) if m.group(1)]
    elif q.wants == "frequency":
        out += [(m.start(), m.end(), "frequency") for m in _FREQUENCY.finditer(sentence)]
    elif q.wants == "byline":
        out += bylines(sentence)
    return out


_FREQUENCY = re.compile(r"每(?:半年|两年|两周|季度|星期|周|月|年|季|天|日)")
_BYLINE = re.compile(r"(?:本报讯|新华社\S{0,8}电)\s*[（(]([^）)]{2,30})[）)]|(?:本报)?记者\s*([\u4e00-\u9fff]{2,4}?)(?=[\s、,，）)]|$|摄|报道)")


def bylines(sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, "byline") of each reporter a dateline or credit names: 本报讯(记者冯丽娜), 本报讯(范慧乔、纪京京)."""
    out = []
    for m in _BYLINE.finditer(sentence):
        g = 1 if m.group(1) else 2
        start = m.start(g)
        for part in re.split(r"[、,，\s]+", m.group(g)):
            name = part.removeprefix("记者").removeprefix("通讯员")
            at = sentence.find(name, start)
            if 2 <= len(name) <= 4 and at >= 0:
                out.append((at, at + len(name), "byline"))
                start = at + len(name)
    return out


# Common surnames: jieba sometimes cuts one off a name (张 | 洪涛).
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆"
    "蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗"
)


def names(sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, "name" | "role") of people in a sentence; a surname jieba cut off is put back."""
    out = []
    words = tagged_words(sentence)
    for i, (start, end, word, flag) in enumerate(words):
        if flag == "nr" and len(word) >= 2:
            if len(word) == 2 and i and words[i - 1][2] in _SURNAMES:
                start = words[i - 1][0]
            out.append((start, end, "name"))
        elif flag in ("nr", "n", "nt") and ROLE.fullmatch(word):
            out.append((start, end, "role"))
    return out


def _places(sentence: str) -> list[tuple[int, int, str]]:
    """Place and organisation names, as jieba tags them or as their last character says (…县, …广场)."""
    out = []
    words = tagged_words(sentence)
    i = 0
    while i < len(words):
        start, end, word, flag = words[i]
        if len(word) >= 2 and (flag in ("ns", "nt", "s") or PLACE_NAME.fullmatch(word)):
            j = i
            # 冀州 + 区, 衡水 + 市民政局: a name and its administrative tail are one place.
            while j + 1 < len(words) and (words[j + 1][3] in ("ns", "nt", "s") or words[j + 1][2] in ("市", "县", "区", "镇")
                                          or PLACE_NAME.fullmatch(words[j + 1][2])):
                j += 1
            out.append((start, words[j][1], "place"))
            i = j + 1
            continue
        i += 1
    return out


_NAME_BREAKS = ("p", "c", "u", "x", "m", "q", "r", "d", "w")


def _headed(sentence: str, counted: Counted, longest: int = 24) -> list[tuple[int, int, str]]:
    """Names ending in what a "which" question asks for (协会 for "which association"): the noun
    phrase before each place the head's rendering stands, back to a particle or punctuation.
    A verb between nouns is kept (深圳康复辅助器具智能技术[应用]协会), one that opens it is not."""
    if not counted:
        return []
    words = tagged_words(sentence)
    out = []
    for r in (r for r in counted[-1] if len(r) >= 2):
        for m in re.finditer(re.escape(r), sentence):
            last = next((k for k, w in enumerate(words) if w[0] < m.end() <= w[1]), None)
            if last is None or words[last][1] != m.end():
                continue
            first = last
            while first > 0 and words[first - 1][3][:1] not in _NAME_BREAKS and m.end() - words[first - 1][0] <= longest:
                if words[first - 1][3][:1] == "v" and words[first - 1][3] != "vn" and (
                        first < 2 or not (words[first - 2][3][:1] == "n" or words[first - 2][3] == "vn")):
                    break
                first -= 1
            if m.end() - words[first][0] > len(r):
                out.append((words[first][0], m.end(), "place"))
    return out


def _drop_leading_verb(sentence: str, start: int, text: str) -> tuple[int, str]:
    """培育大健康、新材料…: the verb before a list is not one of its items."""
    first = text.split("、", 1)[0]
    words = tagged_words(first)
    if len(words) >= 2 and words[0][3].startswith("v") and len(first) - words[0][1] >= 2:
        cut = words[0][1]
        return start + cut, text[cut:]
    return start, text


_CLAUSE_BREAK = re.compile("[" + re.escape(_PUNCT) + r"\s]")
_NOT_NOUN = ("v", "p", "d", "c", "u", "r", "m", "x", "q", "f")


def _noun_run(tagged) -> list[str]:
    """The words of ``tagged`` up to the first that cannot be part of a noun phrase."""
    run = []
    for _, _, word, flag in tagged:
        if flag[:1] in _NOT_NOUN and flag != "vn":
            break
        run.append(word)
    return run


Counted = tuple[tuple[str, ...], ...]  # the Chinese renderings of each word of the counted phrase, its head last


def names_counted(sentence: str, span: Span, counted: Counted, reach: int = 12) -> float:
    """How well a noun phrase next to the number names what is counted: 1 by the phrase's head
    noun, 0.5 by a modifier only (技术需求208项 for "technology solutions"), 0 not at all.

    After the number the phrase is found by its first word (848个[村]) or, Chinese putting
    modifiers first, its head (89家养老[机构], but not 21个乡镇…[农村]公墓); before it, the words
    since the last punctuation (发放[党史]学习资料128套).
    """
    after = "".join(_noun_run(tagged_words(sentence[span.end : span.end + reach])))
    # Before the number jieba's tags fail (技术需求, 学习资料 come out as verbs): the words since
    # the last punctuation, a few characters back, stand in for the noun phrase.
    before = _CLAUSE_BREAK.split(sentence[max(0, span.start - 6) : span.start])[-1]

    def named(renderings: tuple[str, ...]) -> bool:
        return any((after and (after.startswith(r) or after.endswith(r))) or r in before for r in renderings)

    if not counted:
        return 0.0
    if named(counted[-1]):
        return 1.0
    return 0.5 if any(named(g) for g in counted[:-1]) else 0.0


# More places or offices after one in an enumeration, and 等 closing it: 饶阳县[、景县]殡仪馆,
# 县卫健局[、县教育局等]部门.
_MORE_PLACES = re.compile(r"(?:[、和及与][\u4e00-\u9fff]{1,6}?[省市县区镇乡村局委办厅院所站馆])*等?")


def names_kind(sentence: str, span: Span, counted: Counted) -> float:
    """How well a place or list span is the kind of thing asked for ("which counties" -> …县): 1 when
    it ends with the head's rendering, 0.5 with a modifier's, 0 otherwise.

    The noun phrase right after the places (and after any places listed with them), up to a verb,
    is what they name: 冀州区、饶阳县、景县殡仪馆 are funeral homes, not counties; 大健康、新材料、
    装备制造三大百亿主导产业 are industries. Without one, a list's last item says it.
    """
    if not counted:
        return 0.0
    end = _MORE_PLACES.match(sentence, span.end).end()
    after = []
    for _, _, word, flag in tagged_words(_CLAUSE_BREAK.split(sentence[end : end + 12])[0]):
        if flag[:1] not in ("n", "m", "j", "b"):  # nouns, numbers, abbreviations (合作 after 协会 is a verb)
            break
        after.append(word)
    named = "".join(after) or span.text
    last = re.split(r"[、和及与]", named)[-1]
    if any(last.endswith(r) for r in counted[-1]):
        return 1.0
    return 0.5 if any(r in last for g in counted[:-1] for r in g) else 0.0


# A figure in a clause like these is expected or planned, not done.
_PLAN = re.compile(r"预计|(?<![模虚])拟|(?<![大主老名猛])将(?![军士领帅])|有望|力争|预期|争取|(?:计划|规划|目标)(?:[于在到要将]|新|完成|实现|达到)")
# 科技计划 (a programme) and "the science and technology plan" name things; 计划新建, "plans to" plan them.
_PLAN_ASKED = re.compile(r"预计|(?<![模虚])拟|(?<![大主老名猛])将(?![军士领帅])|有望|力争|预期|争取|(?:计划|规划|目标)(?:[于在到要将]|新|完成|实现|达到)|"
                         r"\bplann?(?:ed|s)? to\b|\bexpect(?:ed|s)?\b|\bwill\b|\bgoal\b|\btarget(?:ed|s)?\b|\baim(?:ed|s)? (?:to|at)\b",
                         re.I)


def _clause(sentence: str, start: int, end: int) -> str:
    """The clause around sentence[start:end], up to the commas and stops either side."""
    left = max(sentence.rfind(ch, 0, start) for ch in "，,；;。：:")
    rights = [i for i in (sentence.find(ch, end) for ch in "，,；;。") if i >= 0]
    return sentence[left + 1: min(rights) if rights else len(sentence)]


def _unit_of(text: str) -> str:
    m = re.search(r"([\u4e00-\u9fff%％]+)$", text.replace("％", "%"))
    return m.group(1)[-1] if m else ""


def find_span(q: Question, sentence: str, terms_at: list[tuple[int, int]] | None = None,
              counted: Counted = ()) -> Span | None:
    """The best short answer to ``q`` in ``sentence``, or None when nothing of its kind is there.

    ``terms_at`` gives where the question's key terms (or, for an English question,
    their translations) occur in the sentence; the gap between the question's own
    words is used when the question is Chinese. ``counted`` are the Chinese renderings
    of what an English "how many" question counts: of several numbers in a sentence
    (特困人员2.18万人 beside 低保对象7.92万人) the one whose noun phrase names it is meant.
    """
    left = right = None
    if q.left or q.right:
        left = _find_anchor(q.left, sentence, suffix=True) if q.left else None
        after = left[1] if left else 0
        r = _find_anchor(q.right, sentence[after:], suffix=False, min_len=1 if q.wh_count else 2) if q.right else None
        right = (r[0] + after, r[1] + after) if r else None
    gap = (left[1] if left else 0, right[0] if right else len(sentence)) if (left or right) else None
    terms_at = terms_at or []

    roles = [r for r in ROLE.findall(q.text) if r not in ("记者",)] if q.qtype == PERSON else []
    best: Span | None = None
    headed = _headed(sentence, counted) if q.qtype == PLACE else []
    for start, end, kind in _candidates(q, sentence) + headed:
        if gap and kind in ("list", "place") and start < gap[1] and end > gap[0]:
            # 培育[大健康、新材料、装备制造]三大…: keep the part inside the question's gap.
            start, end = _trim(sentence, max(start, gap[0]), min(end, gap[1]))
            if q.wh_count or "几" in q.wh:
                m = re.search(r"[" + DIGITS + r"\d几]+[大个项类种条]?$", sentence[start:end])
                end = start + m.start() if m and m.start() >= 2 else end
            if end - start < 2:
                continue
        text = sentence[start:end]
        score = 1.0 + 0.001 * len(text)  # of two equal spans, the whole one (第十个 over 十个)
        if gap:
            g0, g1 = gap
            if g0 <= start and end <= g1:
                score += 1.0 - 0.01 * min(start - g0, g1 - end)  # inside the gap, and close to an edge
            else:
                score -= 0.01 * min(abs(start - g0), abs(end - g1))
        if terms_at and kind == "frequency":
            # 每周开展1次常规督查、每月参加…: a frequency is of the clause it opens, not of the one before.
            clause_end = next((i for i in range(end, len(sentence)) if sentence[i] in "、，,；;。"), len(sentence))
            score += 0.5 * any(end <= ts < clause_end for ts, _ in terms_at)
        elif terms_at:
            dist = min(min(abs(start - te), abs(ts - end)) for ts, te in terms_at)
            score += 0.5 / (1 + dist / 4)
        if q.unit and kind == "number":
            # 多少家 is not answered by "1次": a different measure word counts something else.
            score += 0.6 if _unit_of(text) == q.unit or text.endswith(q.unit) else -1.0
        if counted and kind == "number":
            score += 0.6 * names_counted(sentence, Span(start, end, text, 0.0), counted)
        if q.wh_count and kind == "list":
            score += 0.5 if text.count("、") + 1 + text.count("和") == q.wh_count else 0.2
        if kind == "number" and re.fullmatch(r"第?一[\u4e00-\u9fff]?", text):
            score -= 1.2  # 不漏一人, 第一: figures of speech more often than counts
        if kind == "number" and re.fullmatch(r"(?:19|20)\d{2}\s*年", text) and q.unit != "年":
            score -= 1.0  # a year (2017年) is when, not how many: 多少 without 年 never asks for it
        elif kind == "number" and re.fullmatch(r"\d+\s*(?:年|时)", text):
            score -= 0.4  # a year or an hour is rarely the count asked for
        if kind == "number" and _PLAN.search(_clause(sentence, start, end)):
            # 预计/计划 30项 is a plan: what was done (已签约36项) answers, unless a plan is asked for.
            score += 0.5 if _PLAN_ASKED.search(q.text) else -0.5
        if kind == "place" and re.search(r"[在于到赴][\u4e00-\u9fff]{0,3}$", sentence[max(0, start - 4) : start]):
            score += 0.3  # 在市区人民广场: where something happened
        if kind == "list":
            start, text = _drop_leading_verb(sentence, start, text)
            if q.qtype == PLACE:
                # 冀州区、武邑县、深州市实行了…: the last item ends where its place name does.
                head, _, last = text.rpartition("、")
                m = PLACE_NAME.match(last)
                if m:
                    text = f"{head}、{m.group(0)}"
            # …、装备制造三大百亿: the count and what follows it close the list.
            m = re.search(r"(?<=、)[^、]*?([" + DIGITS + r"\d几]+[大个项类种条])", text)
            if m:
                text = text[: m.start(1)]
        if counted and kind in ("place", "list"):
            score += 0.6 * names_kind(sentence, Span(start, start + len(text), text, 0.0), counted)
        if kind in ("title", "frequency", "byline"):
            score += 0.8  # what the question names (which programme, how often, who reported)
        if kind == "role":
            score -= 0.3  # a name beats a job title
        if kind in ("name", "role") and roles and not any(r in sentence[max(0, start - 12) : start] for r in roles):
            score -= 0.8  # 景县县长是谁 is not answered by the name after 记者
        if q.wants in ("byline", "frequency") and kind != q.wants:
            score -= 0.8  # "who reported" is not answered by another name, "how often" not by 1次
        if best is None or score > best.score:
            best = Span(start, start + len(text), text, score)

    if best is None and gap and q.qtype in (FACT, PLACE, PERSON, LIST):
        best = _gap_span(q, sentence, gap, right)
    return best


def _gap_span(q: Question, sentence: str, gap: tuple[int, int], right: tuple[int, int] | None) -> Span | None:
    """With no typed candidate, the words in the gap (plus the noun the question names, 什么协议 -> …协议)."""
    g0, g1 = gap
    if right is None:
        # Only the left side matched: take up to the next comma.
        m = re.search(r"[，。；,;！？]", sentence[g0:])
        g1 = g0 + (m.start() if m else len(sentence) - g0)
    if q.wh_head and right and sentence.startswith(q.right[: len(q.wh_head)], right[0]) and not q.wh_count:
        g1 = right[0] + len(q.wh_head)
    g0, g1 = _trim(sentence, g0, g1)
    if q.wh_count:
        # 培育[大健康、新材料、装备制造]三大…: the count belongs to the question's words.
        m = re.search(r"[" + DIGITS + r"\d]+[大个项类种条]?$", sentence[g0:g1])
        if m:
            g1 = g0 + m.start()
    g0, g1 = _trim(sentence, g0, g1)
    if g1 - g0 < 2 or g1 - g0 > 40:
        return None
    return Span(g0, g1, sentence[g0:g1], 0.8)
