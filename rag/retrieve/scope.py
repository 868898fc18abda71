"""Which issues a question is about: "12月3日的衡水日报说…" limits retrieval to that issue.

A date counts as a filter only when it qualifies the newspaper (12月3日的衡水日报,
衡水日报12月3日) or the page (A1版); a date elsewhere in the question is about
when something happened, and is matched against the text (where 昨日 has been
resolved against each issue's date) instead.
"""

from __future__ import annotations

import re

from rag.text.dates import DAY, days_named, english_days
from rag.text.names import page_order, paper_in_english
from rag.types import Filters

_PAGE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]?\d{1,2})\s*版|第\s*([A-Za-z]?\d{1,2})\s*版|\bpage\s+([A-Za-z]?\d{1,2})\b", re.I)
FRONT_PAGE = re.compile(r"头版|首版|\bfront[- ]page\b|\bpage one\b", re.I)
# An English question's date is the issue's when it names the paper, a page or the issue itself.
_ISSUE_WORDS_EN = re.compile(r"\b(?:page|issue|edition|paper|newspaper)\b", re.I)
_DATE_BEFORE = rf"(?P<day>{DAY})\s*(?:的|出版的|那期)?\s*$"
_DATE_AFTER = rf"^\s*(?:的)?\s*(?P<day>{DAY})"


def filters_from_question(question: str, issues: list[dict]) -> Filters:
    """Newspaper, issue date and page the question names, among the indexed issues."""
    newspaper = date = page = ""
    names = sorted({i.get("newspaper", "") for i in issues if i.get("newspaper")}, key=len, reverse=True)
    years = sorted({i["date"][:4] for i in issues if i.get("date")})
    ref = f"{years[-1]}-01-01" if years else ""
    for name in names:
        at = question.find(name)
        if at < 0:
            continue
        newspaper = name
        before = re.search(_DATE_BEFORE, question[:at])
        after = re.search(_DATE_AFTER, question[at + len(name):])
        m = before or after
        if m:
            days = days_named(m.group("day"), ref)
            # A month-day without a year: the indexed issue with that month-day.
            candidates = {i["date"] for i in issues if i.get("date") and i["date"][5:] in {d[5:] for d in days}}
            if "年" in m.group("day") or not candidates:
                # A named day no indexed issue has still filters: to nothing, rather than to any day.
                date = next(iter(days), "")
            else:
                date = sorted(candidates)[-1]
        break
    if not newspaper:
        english = paper_in_english(question)
        newspaper = english if english in names else ""
    if not date and (newspaper or _ISSUE_WORDS_EN.search(question)):
        date = _english_issue_date(question, issues, newspaper)
    m = _PAGE.search(question)
    if m:
        page = (m.group(1) or m.group(2) or m.group(3)).upper()
    elif FRONT_PAGE.search(question):
        page = first_page(issues, newspaper, date)
    return Filters(newspaper=newspaper, date=date, page=page)


def _english_issue_date(question: str, issues: list[dict], newspaper: str) -> str:
    days = english_days(question)
    if not days:
        return ""
    year, month, day = days[0]
    dates = sorted({i["date"] for i in issues if i.get("date") and (not newspaper or i.get("newspaper") == newspaper)})
    wanted = [d for d in dates if d[5:] == f"{month:02d}-{day:02d}" and (year is None or d[:4] == str(year))]
    if wanted:
        return wanted[-1]
    # A named day no indexed issue has still filters: to nothing, rather than to any day.
    return f"{year or (dates[-1][:4] if dates else 2000)}-{month:02d}-{day:02d}"


def first_page(issues: list[dict], newspaper: str = "", date: str = "") -> str:
    """The front page's label among the issues chosen (1, or A1 for papers with lettered sections)."""
    pages = {i.get("page", "") for i in issues if i.get("page") and (not newspaper or i.get("newspaper") == newspaper)
             and (not date or i.get("date") == date)}
    return min(pages, key=page_order) if pages else ""
