"""News time is relative: 昨日 in the 2021-12-03 issue is 2021-12-02. Resolve it against the issue's date."""

from __future__ import annotations

import re
from datetime import date, timedelta

_DAY_OFFSETS = {"前天": -2, "前日": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "当天": 0, "当日": 0,
                "明天": 1, "明日": 1}
_YEAR_OFFSETS = {"前年": -2, "去年": -1, "今年": 0, "本年": 0, "明年": 1}
RELATIVE_WORDS = re.compile("|".join(sorted(list(_DAY_OFFSETS) + list(_YEAR_OFFSETS), key=len, reverse=True)))
# A day written out: 12月2日, 2021年12月2日, 12月2号.
DAY = r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"


def _parse(issue_date: str) -> date | None:
    try:
        return date.fromisoformat(issue_date)
    except (TypeError, ValueError):
        return None


def resolve_relative(text: str, issue_date: str) -> str:
    """``text`` with 昨日/今年/去年… written as the dates they mean in an issue of ``issue_date``.

    Unchanged when the issue's date is unknown.
    """
    d = _parse(issue_date)
    if d is None:
        return text

    def repl(m: re.Match) -> str:
        word = m.group(0)
        if word in _DAY_OFFSETS:
            x = d + timedelta(days=_DAY_OFFSETS[word])
            return f"{x.year}年{x.month}月{x.day}日"
        return f"{d.year + _YEAR_OFFSETS[word]}年"

    return RELATIVE_WORDS.sub(repl, text)


# 2020年, and a year that names an event (2019中关村论坛, 2019北京世园会), not a count (2019人).
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*年|(?=[\u4e00-\u9fff])(?![人个家项元万亿件次名条户天只头株多余]))|"
                   + "|".join(_YEAR_OFFSETS))
_YEAR_EN = re.compile(r"\b((?:19|20)\d{2})\b|\b(?:last|this|next) year\b", re.I)
_YEAR_EN_OFFSETS = {"last year": -1, "this year": 0, "next year": 1}


def years_named(text: str, issue_date: str) -> set[int]:
    """The years a text speaks of (2020年, and 去年/今年 in an issue of ``issue_date``; in English too)."""
    d = _parse(issue_date)
    out = set()
    for pattern, offsets in ((_YEAR, _YEAR_OFFSETS), (_YEAR_EN, _YEAR_EN_OFFSETS)):
        for m in pattern.finditer(text):
            if m.group(1):
                out.add(int(m.group(1)))
            elif d is not None:
                out.add(d.year + offsets[m.group(0).lower()])
    return out


def with_year(text: str, issue_date: str) -> str:
    """12月2日 in a 2021 issue -> 2021年12月2日 (a month well after the issue's is last year's)."""
    d = _parse(issue_date)
    if d is None:
        return text

    def repl(m: re.Match) -> str:
        month = int(m.group(2))
        year = d.year - 1 if month > d.month + 1 else d.year
        return f"{year}年{m.group(0)}"

    return re.sub(r"(?<![年\d])((\d{1,2})\s*月\s*\d{1,2}\s*[日号])", repl, text)


_ABS_DAY = re.compile(DAY)


def days_named(text: str, issue_date: str) -> set[str]:
    """ISO dates a text names, absolutely (12月2日, 2021年12月2日) or relative to the issue (昨日).

    A month and day without a year take the issue's year.
    """
    d = _parse(issue_date)
    out: set[str] = set()
    for m in _ABS_DAY.finditer(text):
        year = int(m.group(1)) if m.group(1) else (d.year if d else None)
        if year is None:
            continue
        try:
            out.add(date(year, int(m.group(2)), int(m.group(3))).isoformat())
        except ValueError:
            continue
    if d is not None:
        for m in RELATIVE_WORDS.finditer(text):
            if m.group(0) in _DAY_OFFSETS:
                out.add((d + timedelta(days=_DAY_OFFSETS[m.group(0)])).isoformat())
    return out


_MONTHS = {m: i for i, ms in enumerate(
    ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
     "sep sept september", "oct october", "nov november", "dec december"), start=1) for m in ms.split()}
_MONTH = r"(?P<m>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_EN_DAY = re.compile(
    rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s*(?P<y>(?:19|20)\d{{2}}))?"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH.replace('?P<m>', '?P<m2>')}\b(?:,?\s*(?P<y2>(?:19|20)\d{{2}}))?",
    re.I)


def english_days(text: str) -> list[tuple[int | None, int, int]]:
    """(year or None, month, day) for each day an English text names: "February 15, 2019", "15 Feb", "Jan. 20"."""
    out = []
    for m in _EN_DAY.finditer(text):
        month = _MONTHS[(m.group("m") or m.group("m2")).lower()]
        day = int(m.group("d") or m.group("d2"))
        year = m.group("y") or m.group("y2")
        if 1 <= day <= 31:
            out.append((int(year) if year else None, month, day))
    return out


def months_named(text: str) -> list[tuple[int | None, int]]:
    """(year or None, month) for a month a text names without a day: 10月, 2019年2月, "in October 2019"."""
    out = [(int(m.group(1)) if m.group(1) else None, int(m.group(2)))
           for m in re.finditer(r"(?:((?:19|20)\d{2})\s*年\s*)?(?<!\d)(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])", text)]
    for m in re.finditer(rf"\b(?:in|during|of)\s+{_MONTH}(?:\s+((?:19|20)\d{{2}}))?\b(?!\s*\d)", text, re.I):
        out.append((int(m.group(2)) if m.group(2) else None, _MONTHS[m.group("m").lower()]))
    return [(y, mo) for y, mo in out if 1 <= mo <= 12]
