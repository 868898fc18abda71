"""The default answerer: no LLM; it states the short fact, then quotes the sentence it stands in.

Each sentence (or, in a long sentence, each clause) of the top retrieved chunks
is scored by how much of the question's key terms it covers (with its
article's headline and text as context; an English question's words are
looked up in the bilingual lexicon first), by how close its meaning is to the
question's (the embedding model, when there is one), by whether it holds the
kind of fact asked for and by retrieval's rank. The best sentence's short span
(``rag.answer.spans``) leads the answer. When the best score is under the
confidence threshold the answer says the issues do not say, with
``answerable`` false: guessing costs a reader more than an honest "not found".
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from rag.answer.evidence import asks_for_money, has_fact_of_type, names_money
from rag.answer.protocol import NOT_FOUND_EN, NOT_FOUND_ZH, Drafted
from rag.answer.question import DATE, FACT, LIST, NUMBER, PLACE, Question, analyse, english_asked, english_counted
from rag.answer.reading import Reader, Reading, read_hits
from rag.answer.spans import Counted, Span, find_span, names_counted, names_kind
from rag.config import AnswerSettings
from rag.text.cjk import asked_in_english
from rag.text.dates import resolve_relative, with_year, years_named
from rag.text.lexicon import default_lexicon
from rag.text.names import home_place
from rag.text.numerals import DIGITS, as_digits, number
from rag.text.sentences import split_sentences
from rag.types import Chunk, Citation, Hit

_CLAUSE = re.compile(r"[^；;]+[；;]?")
_LONG_SENTENCE = 80
# Where e5's question-to-sentence cosines carry information, stretched to 0-1. Measured on the
# sentences of retrieved chunks: for a Chinese question most sentences that do not answer score
# 0.84-0.90 and the answering one 0.90-0.96 (the sample issue and CMRC alike); an English
# question's cosines with Chinese sentences run lower and narrower (0.72-0.77 vs 0.75-0.80).
SIM_BAND_ZH = (0.84, 0.97)
SIM_BAND_EN = (0.72, 0.82)
SIM_WEIGHT = 0.55


@dataclass
class Unit:
    text: str
    hit: Hit
    rank: int
    coverage: float = 0.0  # of the question's terms, with the article as context
    own_coverage: float = 0.0  # of the sentence and its headline alone
    similarity: float = 0.0  # the embedding model's, scaled to about [0, 1]
    cosine: float = 0.0  # the embedding model's, as it is
    focus: float = 1.0  # coverage of the terms next to the question word
    entities: float = 1.0  # share of the question's named entities the article names
    type_ok: bool = False
    span: Span | None = None
    # How well the span names what the question counts (848个[村] for "how many villages") or the
    # kind it asks for (武邑县 for "which counties"): 1 by its head noun, 0.5 by a modifier, 0 not at all.
    counted: float = 0.0
    # The sentence speaks of other years than the question (今年…208项 for 去年以来…多少项).
    other_year: bool = False
    # The sentence names another edition than the question (第七届 for 第八届…).
    other_edition: bool = False
    # The sentence says the question's count phrase right after the span: …、生态立区'五大战略 for 哪五大战略.
    echo: bool = False
    # Can the answer be stated from this sentence? Not when the question needs a span and it has
    # none that fits (none, or 多少人 -> 26个).
    usable: bool = True
    score: float = 0.0


def units_of(hits: list[Hit]) -> list[Unit]:
    """Sentences of the hits' chunks; a long sentence is cut into its ；-separated clauses."""
    out = []
    for rank, hit in enumerate(hits):
        for sentence in split_sentences(hit.chunk.text):
            parts = _CLAUSE.findall(sentence) if len(sentence) > _LONG_SENTENCE else [sentence]
            out += [Unit(p.strip(), hit, rank) for p in parts if len(p.strip()) >= 4]
    return out


TermGroups = list[tuple[str, ...]]  # each group: one question term and the ways the paper may write it


def coverage(terms: tuple[str, ...] | TermGroups, context: str, wider: str = "", partial: bool = True) -> float:
    """Share of the question's key terms found in ``context``, longer terms weighing more.

    A term found only in ``wider`` (the rest of the article: a report names its
    subject once, then says 该县) earns most of its weight. A term not there
    whole earns part of its weight for the longest piece of it that is (百亿 of
    百亿级, 接种 of 接种人数: Chinese compounds share their morphemes), or half
    credit for the share of its characters that are, whichever is more.
    Numerals are compared as digits (三岁以上 matches 3岁以上).
    """
    groups = [(t,) if isinstance(t, str) else tuple(t) for t in terms]
    if not groups:
        return 0.0
    ctx, wide = as_digits(context.lower()), as_digits(wider.lower())
    got = total = 0.0
    for alts in groups:
        alts = tuple(as_digits(a) for a in alts)
        w = min(max(len(a) for a in alts), 4)
        total += w
        if any(a in ctx for a in alts):
            got += w
        elif any(a in wide for a in alts):
            got += 0.8 * w
        elif partial:
            t = alts[0]
            chars = 0.5 * sum(ch in ctx for ch in t) / len(t)
            piece = 0.8 * _longest_piece(t, ctx) / len(t)
            got += w * max(chars, piece)
    return got / total


def _longest_piece(term: str, text: str) -> int:
    """Length of the longest run of two or more of ``term``'s characters found in ``text`` (0 when none)."""
    for n in range(len(term) - 1, 1, -1):
        if any(term[i : i + n] in text for i in range(len(term) - n + 1)):
            return n
    return 0


_HOME = re.compile(r"[我本全](?:市|省)")


def in_own_words(sentence: str, newspaper: str) -> str:
    """The sentence as matched against the question: 我市 names the paper's own place."""
    home = home_place(newspaper) if _HOME.search(sentence) else ""
    return f"{sentence} {home}" if home else sentence


_QUOTE_OPENERS = set("“\"'‘「『")
# A paragraph ending so hands the word to the quote that follows: 张洪涛在接受记者采访时表示。
_INTRODUCES = re.compile(r"(?:表示|说|指出|强调|介绍|认为|谈到|坦言|告诉记者)[：:。，,]?$")
# 第八届世界军人运动会 is not 第七届世界军人运动会: an edition the question names, where the sentence names
# another edition of the same thing and not the asked one, is another event.
OTHER_EDITION_WEIGHT = 0.3
_EDITION = re.compile(r"第([" + DIGITS + r"零百千\d]+)([届次期轮批])")


def _other_edition(question: str, sentence: str) -> bool:
    asked = {(number(n), c) for n, c in _EDITION.findall(question)}
    if not asked:
        return False
    said = {(number(n), c) for n, c in _EDITION.findall(sentence)}
    same_kind = {c for _, c in asked}
    return bool(said) and not asked & said and any(c in same_kind for _, c in said)


# A list whose sentence restates the question's own count phrase (哪五大战略 -> '…'五大战略) is the list
# asked for, whatever verb the question chose (提出 for 实施).
ECHO_WEIGHT = 0.1


@dataclass(frozen=True)
class UnitWeights:
    """How a sentence's features add up to its score (and, for the best sentence, the confidence that
    the abstention thresholds are set on). ``benchmarks/weights.py`` measures each one's effect."""

    context_coverage: float = 0.4  # question terms found in the sentence or its article
    own_coverage: float = 0.6  # …in the sentence alone (with its headline): the fact must be said there
    similarity: float = SIM_WEIGHT  # the embedding model's, against the lexical evidence
    typed: float = 0.15  # the sentence holds a fact of the asked type (a number for 多少)
    counted: float = 0.15  # the span names what an English "how many" counts
    span_fit: float = 0.1  # the span's own fit (unit, place in the question's gap), clipped to ±0.5
    focus: float = 0.3  # penalty for missing the terms next to the question word
    entities: float = 0.4  # penalty for an article that does not name the question's places and people
    retrieval: float = 0.1  # the fused retrieval score
    rank: float = 0.02  # penalty per place in the retrieval order
    length: float = 0.0005  # penalty per character: of two equal sentences, the shorter says it
    unusable: float = 0.3  # penalty for a sentence with no span that fits a question that needs one
    other_year: float = 0.2  # penalty for a sentence about another year than asked
    echo: float = ECHO_WEIGHT
    other_edition: float = OTHER_EDITION_WEIGHT


def unit_score(u: Unit, q: Question, w: UnitWeights, *, with_similarity: bool) -> float:
    lexical = w.context_coverage * u.coverage + w.own_coverage * u.own_coverage
    relevance = (1 - w.similarity) * lexical + w.similarity * u.similarity if with_similarity else lexical
    typed = u.type_ok and (u.span is not None or q.qtype == FACT)
    fit = float(np.clip(u.span.score - 1.5, -0.5, 0.5)) if u.span else 0.0
    return (relevance + w.typed * typed + w.counted * u.counted + w.span_fit * fit + w.focus * (u.focus - 1)
            + w.entities * (u.entities - 1) + w.retrieval * u.hit.score - w.rank * u.rank - w.length * len(u.text)
            # an unusable sentence ranked first would abstain although another one answers
            - w.unusable * (not u.usable) - w.other_year * u.other_year + w.echo * u.echo
            - w.other_edition * u.other_edition)



@dataclass(frozen=True)
class ReaderBlend:
    """How a factual answer's confidence comes from the reader and the rules: a logistic model of
    "the short answer is right" over the reader's margin (its span over "not in this paragraph"),
    the rules' confidence in their best sentence (do the question's terms stand there?) and whether
    the two found the same span. Fitted by ``benchmarks/abstention.py --fit`` (docs/results.md)."""

    bias: float
    margin: float
    rules: float
    agree: float

    def confidence(self, margin: float, rules: float, agree: bool) -> float:
        z = self.bias + self.margin * margin + self.rules * rules + self.agree * agree
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


BLEND_ZH = ReaderBlend(bias=-3.148, margin=0.184, rules=4.658, agree=-0.241)
BLEND_EN = ReaderBlend(bias=-4.244, margin=0.124, rules=4.964, agree=-0.414)


@dataclass(frozen=True)
class ChoiceWeights:
    """How a candidate's score adds the rules' view to the reader's start + end score: the rules' score of
    its sentence, and a bonus when it is the kind of fact asked for (a number with its unit for 多少).
    Fitted with ``benchmarks/abstention.py --fit`` (docs/results.md)."""

    rules: float
    typed: float


CHOICE_ZH = ChoiceWeights(rules=12.0, typed=0.0)
CHOICE_EN = ChoiceWeights(rules=30.0, typed=0.0)

# Where the rules are sure of a Chinese answer, their sentence is mostly right and their span less often
# (a figure or a name of the right kind, not the one asked about): the reader's span inside that sentence
# is then the better short answer. Not where the rules' span already fills the question's gap and matches
# its unit or counted noun (find_span's score from about 2.9): there the reader moved the sample's 73.7%
# to the 69.3% beside it. docs/results.md has the measurements.
SURE_SPAN = 2.9
# Punctuation inside a sentence: a reader's span that holds the rules' and carries on past one of these
# has run into the next clause or list item.
_PAUSE = re.compile(r"[，、；;：（）()“”\"《》]|(?<!\d)[,:]|[,:](?!\d)")  # 1,000 and 10:30 are one figure


@dataclass
class Candidate:
    """One possible short answer: its sentence and span (a Unit), where it came from, and its features."""

    unit: Unit
    source: str  # "reader" or "rules"
    reader_score: float  # the reader's start + end score of the span
    null: float  # the reader's "no answer" score in the span's chunk
    rules: float  # the rules' score of the sentence that holds it (0 when none)
    typed: bool  # the span is the kind of fact asked for
    agree: bool = False  # the reader's and the rules' spans nest

    @property
    def margin(self) -> float:
        return self.reader_score - self.null

    def row(self) -> list:
        return [self.source, round(self.reader_score, 3), round(self.null, 3), round(self.rules, 4), self.typed,
                self.agree, self.unit.span.text if self.unit.span else ""]


def _short_of(u: Unit) -> str:
    """What the rules would give as the short answer for their best unit."""
    return u.span.text if u.span else u.text


def _chunk_span(unit: Unit, hits: list[Hit]) -> tuple[int, int, int] | None:
    """A unit's span as (hit index, start, end) in its chunk's text."""
    i = next((k for k, h in enumerate(hits) if h.chunk.chunk_id == unit.hit.chunk.chunk_id), None)
    at = unit.hit.chunk.text.find(unit.text) if i is not None else -1
    return (i, at + unit.span.start, at + unit.span.end) if at >= 0 else None


def _nest(a: str, b: str) -> bool:
    """Does one span's text hold the other's (39.93万 in 39.93万人)?"""
    return bool(a and b) and (a in b or b in a)


def _agree_span(c: Candidate, unit: Unit) -> bool:
    """Do a reader's candidate and the rules' best span nest, in the same chunk?"""
    if c.unit.hit.chunk.chunk_id != unit.hit.chunk.chunk_id or c.unit.span is None or unit.span is None:
        return False
    return _nest(c.unit.span.text, unit.span.text)



def _echoes(q: Question, after: str) -> bool:
    count = re.escape(q.wh[1:]) if q.wh.startswith("哪") else ""
    return bool(count and re.match(r"\s*[”\"'’」』]?\s*" + count + re.escape(q.right[:2]), after))


_SAID_AFTER = re.compile(r"[”\"'’」』]\s*([^“\"'‘。]{2,40}?(?:表示|说|指出|强调|介绍|认为|谈到|坦言))[：:。，,]")
_COMMA = re.compile(r"[，,]")
_WINDOW_MIN = 50


def _window(u: Unit) -> str:
    """In a long sentence, the clause holding the span and the one before it: a sentence that lists
    many facts is far in meaning from a question about one of them; the clause with it is not."""
    if u.span is None or len(u.text) < _WINDOW_MIN:
        return u.text
    cuts = [0] + [m.end() for m in _COMMA.finditer(u.text)] + [len(u.text)]
    i = max(k for k in range(len(cuts) - 1) if cuts[k] <= u.span.start)
    j = min(k for k in range(1, len(cuts)) if cuts[k] >= u.span.end)
    return u.text[cuts[max(0, i - 1)] : cuts[j]]


def _term_positions(groups: TermGroups, sentence: str) -> list[tuple[int, int]]:
    out = []
    low = sentence.lower()
    for alts in groups:
        for a in alts:
            for m in re.finditer(re.escape(a), low):
                out.append((m.start(), m.end()))
    return out


class ExtractiveAnswerer:
    def __init__(
        self,
        paragraph_text: Callable[[str], str],
        encoder=None,
        *,
        article_text: Callable[[str], str] | None = None,
        min_confidence: float = AnswerSettings.min_confidence,
        min_confidence_en: float | None = None,
        max_sentences: int = AnswerSettings.max_sentences,
        weights: UnitWeights | None = None,
        lexicon=None,
        reader: Reader | None = None,
        reader_passages: int = AnswerSettings.reader_passages,
        min_reader_confidence: float = AnswerSettings.min_reader_confidence,
        min_reader_confidence_en: float = AnswerSettings.min_reader_confidence_en,
        reader_spans: bool = AnswerSettings.reader_spans,
        blends: tuple[ReaderBlend, ReaderBlend] = (BLEND_ZH, BLEND_EN),
        choice: tuple[ChoiceWeights, ChoiceWeights] = (CHOICE_ZH, CHOICE_EN),
    ):
        self.paragraph_text = paragraph_text
        self.article_text = article_text or (lambda _pid: "")
        self.encoder = encoder
        self.min_confidence = min_confidence
        self.weights = weights or UnitWeights()
        self.min_confidence_en = min_confidence if min_confidence_en is None else min_confidence_en
        self.max_sentences = max_sentences
        self._lexicon = lexicon
        self.reader = reader
        self.reader_passages = reader_passages
        self.min_reader_confidence = min_reader_confidence
        self.min_reader_confidence_en = min_reader_confidence_en
        self.reader_spans = reader_spans
        self.blends = blends
        self.choice = choice
        self._sentence_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    @classmethod
    def from_settings(cls, paragraph_text: Callable[[str], str], encoder=None, *,
                      article_text: Callable[[str], str] | None = None,
                      settings: AnswerSettings, reader: Reader | None = None) -> ExtractiveAnswerer:
        return cls(paragraph_text, encoder, article_text=article_text, min_confidence=settings.min_confidence,
                   min_confidence_en=settings.min_confidence_en, max_sentences=settings.max_sentences,
                   reader=reader, reader_passages=settings.reader_passages,
                   min_reader_confidence=settings.min_reader_confidence,
                   min_reader_confidence_en=settings.min_reader_confidence_en,
                   reader_spans=settings.reader_spans)

    def _lexicon_or_none(self):
        if self._lexicon is None:
            self._lexicon = default_lexicon() or False
        return self._lexicon or None

    def _counted(self, q: Question) -> Counted:
        """Chinese renderings of each word of what an English "how many" question counts (or the
        kind of place a "which" question asks for), head last."""
        noun = english_asked(q.text) if q.qtype == PLACE else english_counted(q.text)
        lexicon = self._lexicon_or_none() if noun else None
        return tuple(tuple(found) for _, found in lexicon.groups(noun, single=True)) if lexicon else ()

    def _groups(self, q: Question, english: bool) -> TermGroups:
        if not english:
            return [(t,) for t in q.terms]
        lexicon = self._lexicon_or_none()
        groups: TermGroups = [tuple(found) for _, found in lexicon.groups(q.text, single=True)] if lexicon else []
        return groups + [(n,) for n in re.findall(r"\d+(?:\.\d+)?", q.text)]

    def _similarities(self, question: str, units: list[Unit], windows: bool = False) -> np.ndarray:
        """Cosine of the question to each sentence; sentence vectors are cached.

        The sentence alone, not under its headline: the headline would make every
        sentence of the right article look like the answer. With ``windows``, a long
        sentence also counts by the clauses around its span (``_window``), whichever is closer.
        """
        texts = [u.text for u in units]
        clauses = [_window(u) for u in units] if windows else []
        # The server answers several questions at once: the cache is shared, so guarded.
        unique = list(dict.fromkeys(texts + clauses))
        with self._cache_lock:
            known = {t: self._sentence_vectors[t] for t in unique if t in self._sentence_vectors}
        missing = [t for t in unique if t not in known]
        if missing:
            for t, v in zip(missing, self.encoder.encode_passages(missing, progress=False), strict=True):
                known[t] = np.asarray(v, dtype=np.float32)
            with self._cache_lock:
                for t in missing:
                    self._sentence_vectors[t] = known[t]
                while len(self._sentence_vectors) > 20_000:
                    self._sentence_vectors.popitem(last=False)
        qv = np.asarray(self.encoder.encode_queries([question])[0], dtype=np.float32)
        cos = np.array([float(known[t] @ qv) for t in texts])
        return np.maximum(cos, [float(known[t] @ qv) for t in clauses]) if clauses else cos

    def score_units(self, q: Question, units: list[Unit], english: bool) -> None:
        groups = self._groups(q, english)
        lexicon = self._lexicon_or_none() if english else None
        # The places and people an English question names, as the Chinese question's entities are.
        named = lexicon.names(q.text) if lexicon else []
        # A Chinese question's own words anchor its gap (多少个村); an English one names the noun.
        counted = self._counted(q) if english else ()
        # Several sentences come from one chunk: its paragraph is read from the store, and who speaks in
        # it is found, once.
        paragraphs = {u.hit.chunk.chunk_id: self.paragraph_text(u.hit.chunk.paragraph_id) or u.hit.chunk.text
                      for u in units}
        speakers = {cid: self._speaker(u.hit.chunk, paragraphs[cid])
                    for cid, u in {u.hit.chunk.chunk_id: u for u in units}.items()}
        for u in units:
            u.span = find_span(q, u.text, _term_positions(groups, u.text), counted) if q.qtype != FACT or q.wh or q.wants else None
        # Only for English questions: on Chinese ones (the sample and CMRC) it answered more where
        # the paragraph was missing and no more where it was there.
        sims = self._similarities(q.text, units, windows=english) if self.encoder is not None and units else None
        asked_by_date: dict[str, set[int]] = {}  # the question's years, per issue date (去年 depends on it)
        for i, u in enumerate(units):
            heading = u.hit.chunk.embed_text.split("\n", 1)[0] if "\n" in u.hit.chunk.embed_text else ""
            article = f"{u.hit.chunk.newspaper}\n{heading}\n{self.article_text(u.hit.chunk.paragraph_id)}\n{u.text}"
            # The headline and the rest of the article name the subject (a report says 该县
            # after naming 景县 once), so they count as context; but the fact asked for and
            # the words around it must be in the sentence itself.
            said_here = in_own_words(u.text, u.hit.chunk.newspaper)
            speaker = speakers[u.hit.chunk.chunk_id]
            if speaker:
                said_here = f"{said_here} {speaker}"
            u.own_coverage = coverage(groups, said_here, partial=not english)
            u.coverage = coverage(groups, said_here, article, partial=not english)
            lo, hi = SIM_BAND_EN if english else SIM_BAND_ZH
            u.cosine = float(sims[i]) if sims is not None else 0.0
            u.similarity = float(np.clip((sims[i] - lo) / (hi - lo), 0, 1)) if sims is not None else 0.0
            u.type_ok = has_fact_of_type(u.text, q.qtype)
            if q.focus:
                u.focus = coverage(q.focus, u.text)
            if q.entities and not english:
                u.entities = sum(e in article for e in q.entities) / len(q.entities)
            elif named:
                # Named in the sentence or the headline (the article's subject); half when only its
                # paragraph names it: a city-wide report lists counties in passing, and its 62万 volunteers
                # are not Jing County's.
                subject = f"{said_here}\n{u.hit.chunk.newspaper}\n{heading}"
                paragraph = paragraphs[u.hit.chunk.chunk_id]
                u.entities = sum(1.0 if any(r in subject for r in found) else 0.5 if any(r in paragraph for r in found) else 0.0
                                 for found in named) / len(named)
            if counted and u.span is not None:
                u.counted = names_counted(u.text, u.span, counted) if q.qtype == NUMBER else names_kind(u.text, u.span, counted)
            date = u.hit.chunk.date
            if date not in asked_by_date:
                asked_by_date[date] = years_named(q.text, date)
            asked = asked_by_date[date]
            said = years_named(u.text, date) if asked else set()
            # A sentence naming no year speaks of its issue's year or the one before (1月份 in a
            # February issue): a question about 2020 is not answered by a 2019 issue's 1月份.
            implied = {int(date[:4]), int(date[:4]) - 1} if date[:4].isdigit() else set()
            u.other_year = bool(asked and (said or implied) and not asked & (said or implied))
            u.other_edition = _other_edition(q.text, u.text)
            u.echo = bool(u.span and q.wh_count and _echoes(q, u.text[u.span.end:]))
            u.usable = q.qtype in (FACT, LIST) or (u.span is not None and u.span.fits)
            u.score = unit_score(u, q, self.weights, with_similarity=sims is not None)

    def _speaker(self, chunk: Chunk, paragraph: str) -> str:
        """Who says a quoted paragraph: the words after the quote that name the speaker (“……”张洪涛表示。),
        or the paragraph before that introduces them (张洪涛表示：). A quote's words are the speaker's
        own, though the quote never names them."""
        if paragraph.lstrip()[:1] not in _QUOTE_OPENERS:
            return ""
        after = _SAID_AFTER.search(paragraph)  # "……贡献冀州力量。"日前，张洪涛在接受记者采访时表示。
        if after:
            return after.group(1)
        lines = self.article_text(chunk.paragraph_id).split("\n")
        at = next((i for i, line in enumerate(lines) if line == paragraph), -1)
        before = lines[at - 1].strip() if at > 0 else ""
        return before if _INTRODUCES.search(before) else ""

    def __call__(self, question: str, hits: list[Hit]) -> Drafted:
        q = analyse(question)
        english = asked_in_english(question)
        units = units_of(hits[:3] if english else hits)
        if units:
            self.score_units(q, units, english)
        ranked = sorted(units, key=lambda u: -u.score)
        best = ranked[0] if ranked else None
        confidence = best.score if best else 0.0
        features = {"confidence": round(confidence, 4)}
        if best is not None:
            features.update(coverage=round(best.coverage, 3), own_coverage=round(best.own_coverage, 3),
                            similarity=round(best.similarity, 3), cosine=round(best.cosine, 4), focus=round(best.focus, 3), entities=round(best.entities, 3), type_ok=best.type_ok, has_span=best.span is not None,
                            span_fit=round(best.span.score, 3) if best.span else None, rank=best.rank,
                            retrieval=round(best.hit.score, 4), dense=round(float(best.hit.scores.get("dense", 0.0)), 4), length=len(best.text), qtype=q.qtype)
        threshold = self.min_confidence_en if english else self.min_confidence
        if best is not None and confidence >= threshold and best.usable:
            if self.reader is not None and self.reader_spans and not english:
                ranked = [self._reader_span(q, best, features), *ranked[1:]]
            return self._of_kind_asked(q, english, hits, self._answer(q, english, ranked, confidence, features))
        if self.reader is not None:
            # The rules first: where they are sure they answer as they always have (their wording, their
            # sentences); where they are not, the reader's candidates may still hold the answer
            # (a paraphrase that shares few of the paragraph's words).
            features.update(rules_best=round(confidence, 4), rules_answer=_short_of(best) if best else "",
                            rules_usable=bool(best and best.usable))
            drafted = self._from_reader(q, english, hits, ranked, features)
            if drafted is not None:
                return self._of_kind_asked(q, english, hits, drafted)
        return self._abstain(english, hits, confidence, features)

    def _of_kind_asked(self, q: Question, english: bool, hits: list[Hit], drafted: Drafted) -> Drafted:
        """The answer, or an abstention where its short answer is not the kind of fact asked for: on the
        人民日报 files every answered money question whose short answer named no sum of money was wrong
        or had no answer in the paper (4 of 4), and none answered right was turned away."""
        if drafted.answerable and not english and asks_for_money(q.text) and not names_money(drafted.short_answer):
            drafted.features["not_kind_asked"] = drafted.short_answer
            return self._abstain(english, hits, drafted.confidence, drafted.features)
        return drafted

    def _reader_span(self, q: Question, best: Unit, features: dict) -> Unit:
        """The rules' sure answer with the reader's span of their sentence as its short answer, where the
        reader's span lies inside that sentence, is not part of the rules' span, does not run on past a pause
        beyond it, and the rules' span is not sure."""
        if best.span is None or best.span.score >= SURE_SPAN or q.qtype == LIST:
            return best
        readings, _ = read_hits(self.reader, q.text, [best.hit], 1)
        at = best.hit.chunk.text.find(best.text)
        r = readings[0] if readings else None
        if r is None or at < 0 or r.start < at or r.end > at + len(best.text):
            return best
        span = Span(r.start - at, r.end - at, r.text, best.span.score)
        if span.text in best.span.text:
            return best  # the rules' span holds the reader's: with its unit or name whole, it is as good
        if best.span.text in span.text and _PAUSE.search(span.text.replace(best.span.text, "", 1)):
            return best  # the reader's goes on past a pause into the next clause (64个国家（含中国）、3个)
        features.update(reader_span=True, rules_span=best.span.text, reader_margin=round(r.margin, 3))
        return replace(best, span=span)

    def _abstain(self, english: bool, hits: list[Hit], confidence: float, features: dict) -> Drafted:
        closest = self._citations([(h, None, None) for h in hits[:3]])
        return Drafted(NOT_FOUND_EN if english else NOT_FOUND_ZH, False, closest, "", confidence, features)

    def _from_reader(self, q: Question, english: bool, hits: list[Hit], ranked: list[Unit],
                     features: dict) -> Drafted | None:
        """The answer from the candidates of both answerers: each chunk's span as the reader reads it and
        the rules' best span, scored by the reader (``Candidate``); the best answers, with a confidence
        blended from its margin, the rules' score of its sentence and whether the two agree. None when
        the reader reads no span anywhere."""
        top = hits[: self.reader_passages]
        best = ranked[0] if ranked else None
        rules_at = _chunk_span(best, top) if best is not None and best.span is not None else None
        readings, scored = read_hits(self.reader, q.text, top, self.reader_passages, [rules_at] if rules_at else [])
        if not readings:
            return None
        null_of = {r.hit.chunk.chunk_id: r.null for r in readings}
        candidates = [Candidate(Unit(r.sentence, r.hit, r.rank, span=r.span()), "reader", r.score,
                                r.null, *self._rules_view(q, r, ranked)) for r in readings]
        if rules_at is not None and scored[0] is not None and best.hit.chunk.chunk_id in null_of:
            same = next((c for c in candidates if _agree_span(c, best)), None)
            if same is not None:
                same.agree = True
                # Where the two nest (39.93万 in 39.93万人, a list and its count phrase), the rules' span
                # holds the gold answer as often and says it more exactly (units, a list cut at 三大).
                same.unit = best
            else:
                candidates.append(Candidate(best, "rules", scored[0], null_of[best.hit.chunk.chunk_id],
                                            best.score, has_fact_of_type(best.span.text, q.qtype)))
        w = self.choice[english]
        chosen = max(candidates, key=lambda c: c.reader_score + w.rules * c.rules + w.typed * c.typed)
        confidence = self.blends[english].confidence(chosen.margin, chosen.rules, chosen.agree)
        features.update(reader_margin=round(chosen.margin, 3), rules_confidence=round(chosen.rules, 4),
                        agree=chosen.agree, typed=chosen.typed, source=chosen.source, reader_rank=chosen.unit.rank,
                        confidence=round(confidence, 4), candidates=[c.row() for c in candidates])
        if confidence < (self.min_reader_confidence_en if english else self.min_reader_confidence):
            return self._abstain(english, hits, confidence, features)
        return self._answer(q, english, [chosen.unit], confidence, features)

    @staticmethod
    def _rules_view(q: Question, r: Reading, ranked: list[Unit]) -> tuple[float, bool]:
        """What the rules make of a reader's span: their score of the sentence (or clause) that holds it
        (0 when they scored none), and whether it is the kind of fact asked for."""
        held = [u for u in ranked if u.hit.chunk.chunk_id == r.hit.chunk.chunk_id and r.text in u.text]
        return (max(u.score for u in held) if held else 0.0), has_fact_of_type(r.text, q.qtype)

    def _answer(self, q: Question, english: bool, ranked: list[Unit], confidence: float, features: dict) -> Drafted:
        """The best unit's short span and sentence (and close runners-up from other paragraphs), cited."""
        best = ranked[0]
        chosen = [best]
        for u in ranked[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if u.score >= 0.98 * best.score and u.hit.chunk.paragraph_id not in {c.hit.chunk.paragraph_id for c in chosen}:
                chosen.append(u)
        citations = self._citations([(u.hit, u.text, u.span) for u in chosen])
        number = {c.chunk_id: c.n for c in citations}
        quotes = [f"{u.text}[{number[u.hit.chunk.chunk_id]}]" for u in chosen]
        short = best.span.text if best.span else ""
        if short:
            short = resolve_relative(short, best.hit.chunk.date)
            if q.qtype == DATE:
                short = with_year(short, best.hit.chunk.date)
        if english:
            lead = f"{short} — " if short else ""
            text = f"{lead}the paper says: " + " ".join(quotes)
        else:
            text = (f"{short}。" if short else "") + "".join(quotes)
        return Drafted(text, True, citations, short or best.text, confidence, features)

    def _citations(self, picks: list[tuple[Hit, str | None, Span | None]]) -> list[Citation]:
        out: list[Citation] = []
        seen: set[str] = set()
        for h, sentence, span in picks:
            c = h.chunk
            if c.chunk_id in seen:
                continue
            seen.add(c.chunk_id)
            paragraph = self.paragraph_text(c.paragraph_id) or c.text
            quote = span_at = None
            at = paragraph.find(sentence) if sentence else -1
            if at >= 0:
                quote = {"start": at, "end": at + len(sentence)}
                if span is not None:
                    span_at = {"start": at + span.start, "end": at + span.end, "text": span.text}
            out.append(Citation.of(len(out) + 1, h, paragraph, quote=quote, span=span_at))
        return out
