"""Issue metadata from the masthead block (and the file name as a fallback)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.names import PAPER_NAME

# Mastheads often print the paper's name in pinyin capitals; OCR keeps those
# while the calligraphic Chinese title is an image and gets lost.
KNOWN_MASTHEADS = {
    "HENGSHUIRIBAO": ("衡水日报", "hengshui-daily"),
    "RENMINRIBAO": ("人民日报", "people-daily"),
    "GUANGMINGRIBAO": ("光明日报", "guangming-daily"),
    "JINGJIRIBAO": ("经济日报", "economic-daily"),
    "HEBEIRIBAO": ("河北日报", "hebei-daily"),
}
_SLUG_BY_NAME = dict(KNOWN_MASTHEADS.values())
_DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)")
_WEEKDAY = re.compile(r"星期[一二三四五六日天]")
_PAGE = re.compile(r"(?:第\s*)?\b([A-H]\d{1,2})\s*版|第\s*(\d{1,2})\s*版")
_BARE_PAGE = re.compile(r"(?<![A-Za-z0-9])([A-H]\d{1,2})\s*$")
_PAGE_IN_NAME = re.compile(r"(?:^|[-_ .])([A-H]\d{1,2})(?=$|[-_ .])")
_SPONSOR = re.compile(r"中共(\S{2,6}?)(?:市|县|省|区)委主办")
_URL = re.compile(r"(?:网|网址)\s*[:：]|www\.|https?://", re.I)
_LATIN_CAPS = re.compile(r"^[A-Z]{6,}$")


@dataclass
class Masthead:
    newspaper: str = ""
    slug: str = ""
    date: str = ""
    weekday: str = ""
    page: str = ""


def is_masthead_line(text: str) -> bool:
    """A line of a masthead: the paper's name, date, weekday, page, sponsor, address; or several of
    them on one line (人民日报 2024年3月5日 星期二 第1版)."""
    t = text.strip()
    if _masthead_piece(t):
        return True
    parts = t.split()
    return len(parts) > 1 and all(_masthead_piece(p) for p in parts)


def _masthead_piece(t: str) -> bool:
    return bool(
        _LATIN_CAPS.match(t)
        or re.fullmatch(
            r"(?=\S)(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)?\s*(?:星期[一二三四五六日天])?\s*(?:农历\S+)?"
            r"\s*(?:[A-H]\d{1,2}|第\s*[A-H]?\d{1,2}\s*版)?", t
        )
        or _SPONSOR.search(t)
        or (_URL.search(t) and len(t) < 60)
        or PAPER_NAME.match(t)
        or re.fullmatch(r"(?:第\s*)?[A-H]?\d{1,2}\s*版.{0,12}", t)
        or re.search(r"国内统一连续出版物号|邮发代号|今日\s*\d+\s*版", t)
    )


def _iso(y: str, m: str, d: str) -> str:
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def slug_from_filename(stem: str) -> str:
    s = _DATE_ISO.sub(" ", stem)
    s = _PAGE_IN_NAME.sub(" ", s)
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    return s


def read_masthead(lines: list[str], filename_stem: str) -> Masthead:
    mh = Masthead()
    for line in lines:
        t = line.strip()
        if not mh.date and (m := _DATE_CN.search(t)):
            mh.date = _iso(*m.groups())
        if not mh.weekday and (m := _WEEKDAY.search(t)):
            mh.weekday = m.group(0)
        if not mh.page and (m := _PAGE.search(t)):
            mh.page = m.group(1) or m.group(2)
        if not mh.page and _DATE_CN.search(t) and (m := _BARE_PAGE.search(t)):
            mh.page = m.group(1)  # "2021年12月4日 星期六 B3": a page named after the date, without 版
        for part in dict.fromkeys([t, *t.split()]):  # the name alone, or first on a one-line masthead
            if mh.newspaper:
                break
            if part.upper() in KNOWN_MASTHEADS:
                mh.newspaper, mh.slug = KNOWN_MASTHEADS[part.upper()]
            elif m := PAPER_NAME.match(part):
                mh.newspaper = m.group(1)
    if not mh.newspaper:
        for line in lines:
            if m := _SPONSOR.search(line):
                mh.newspaper = m.group(1) + "日报"
                break
    if not mh.date and (m := _DATE_ISO.search(filename_stem)):
        mh.date = _iso(*m.groups())
    if not mh.page and (m := _PAGE_IN_NAME.search(filename_stem)):
        mh.page = m.group(1)
    if not mh.slug:
        mh.slug = _SLUG_BY_NAME.get(mh.newspaper) or slug_from_filename(filename_stem) or "paper"
    return mh
