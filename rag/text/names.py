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
