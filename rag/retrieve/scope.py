"""Which issues a question is about: "12月3日的衡水日报说…" limits retrieval to that issue.

A date counts as a filter only when it qualifies the newspaper (12月3日的衡水日报,
衡水日报12月3日) or the page (A1版); a date elsewhere in the question is about
when something happened, and is matched against the text (where 昨日 has been
resolved against each issue's date) instead.
"""

from __future__ import annotations

import re

from rag.text.dates import DAY, days_named
from rag.types import Filters

_PAGE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]?\d{1,2})\s*版|第\s*([A-Za-z]?\d{1,2})\s*版")
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
    m = _PAGE.search(question)
    if m:
        page = (m.group(1) or m.group(2)).upper()
    return Filters(newspaper=newspaper, date=date, page=page)
