"""Which issues a question is about: "12月3日的衡水日报说…" limits retrieval to that issue.

A date counts as a filter only when it qualifies the newspaper (12月3日的衡水日报,
衡水日报12月3日) or the page (A1版); a date elsewhere in the question is about
when something happened, and is matched against the text (where 昨日 has been
resolved against each issue's date) instead.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from rag.answer.dates import DAY, days_named


@dataclass(frozen=True)
class Filters:
    newspaper: str = ""
    date: str = ""  # ISO yyyy-mm-dd
    page: str = ""

    def __bool__(self) -> bool:
        return bool(self.newspaper or self.date or self.page)

    def matches(self, chunk) -> bool:
        return ((not self.newspaper or chunk.newspaper == self.newspaper)
                and (not self.date or chunk.date == self.date)
                and (not self.page or chunk.page.upper() == self.page.upper()))

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v}

    @classmethod
    def from_dict(cls, d: dict | None) -> Filters:
        d = d or {}
        unknown = set(d) - {"newspaper", "date", "page"}
        if unknown:
            raise ValueError(f"unknown filter {sorted(unknown)[0]!r} (use newspaper, date, page)")
        f = cls(**{k: str(v or "").strip() for k, v in d.items()})
        if f.date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", f.date):
            raise ValueError(f"filter date {f.date[:40]!r} is not YYYY-MM-DD")
        if f.page and not re.fullmatch(r"[A-Za-z]?\d{1,3}", f.page):
            raise ValueError(f"filter page {f.page[:40]!r} is not a page like A1 or 3")
        if len(f.newspaper) > 40:
            raise ValueError("filter newspaper is longer than 40 characters")
        return f


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
