"""Names in Chinese news: of places and organisations, and of newspapers."""

from __future__ import annotations

import re
from functools import lru_cache

from rag.text.words import tagged_words

# A place, organ or institution: a few characters ending in what names its kind (省, 县, 局, 医院…).
PLACE_NAME = re.compile(
    r"[\u4e00-\u9fff]{1,8}(?:省|市|县|区|镇|乡|村|街道|社区|局|厅|部|委|办|院|所|中心|协会|公司|集团|学校|医院|基地|园区|站|馆|广场|公园|大厦|礼堂|会议室|大街|路|街|楼|场馆|体育馆|会展中心)"
)

# What a newspaper's name ends in (衡水日报, 燕赵都市报).
PAPER_SUFFIXES = ("日报", "晚报", "时报", "都市报", "早报", "商报")
PAPER_NAME = re.compile(r"^(\S{2,8}(?:" + "|".join(PAPER_SUFFIXES) + r"))$")
_PAPER_SUFFIX = re.compile(r"(?:" + "|".join(PAPER_SUFFIXES) + r"|报)$")


@lru_cache(maxsize=256)
def home_place(newspaper: str) -> str:
    """The place a local paper calls 我市 (衡水日报 -> 衡水); "" when its name is no place (人民日报)."""
    stem = _PAPER_SUFFIX.sub("", newspaper.strip())
    words = tagged_words(stem) if stem else ()
    return stem if len(words) == 1 and words[0][3] == "ns" else ""


_PAGE_LABEL = re.compile(r"^(?:第\s*)?([A-Za-z]?)0*(\d{1,3})(?:\s*版)?$")


def page_label(raw: str) -> str:
    """A page as newsqa names it: 第01版, 01 -> "1"; A01版 -> "A1"; unchanged when it is no page number."""
    m = _PAGE_LABEL.match(raw.strip())
    if not m:
        return raw.strip()
    return f"{m.group(1).upper()}{int(m.group(2))}"


# How English speakers name Chinese papers: a question in English names the paper so.
ENGLISH_PAPER_NAMES = {
    "people's daily": "人民日报", "peoples daily": "人民日报", "renmin ribao": "人民日报",
    "guangming daily": "光明日报", "economic daily": "经济日报", "hengshui daily": "衡水日报",
    "beijing daily": "北京日报", "liberation daily": "解放日报", "southern daily": "南方日报",
    "xinhua daily": "新华日报", "hebei daily": "河北日报", "workers' daily": "工人日报", "farmers' daily": "农民日报",
}


def paper_in_english(text: str) -> str:
    """The Chinese name of a paper an English text names ("People's Daily" -> 人民日报); "" when none."""
    low = text.lower().replace("’", "'")
    return next((zh for en, zh in ENGLISH_PAPER_NAMES.items() if en in low), "")


def page_order(label: str) -> tuple[str, int]:
    """Sort key of a page label: A1 < A2 < A10 < B1; 1 < 2 < 12."""
    m = re.match(r"^([A-Za-z]?)(\d+)", label)
    return (m.group(1).upper(), int(m.group(2))) if m else (label, 0)
