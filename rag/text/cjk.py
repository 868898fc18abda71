"""Which characters are Chinese."""

from __future__ import annotations

import re

# CJK ideographs (Extension A and the unified block): what "Chinese text" means in a question or a paragraph.
IDEOGRAPHS = "\u3400-\u9fff"
_IDEOGRAPH = re.compile(f"[{IDEOGRAPHS}]")
_ONE_IDEOGRAPH = re.compile(f"^[{IDEOGRAPHS}]$")

# Ideographs plus CJK and full-width punctuation and symbols: text set in a Chinese typeface
# (a space beside one of these is an OCR column-break artefact).
_WIDE = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2e80-\u2fdf"
_WIDE_CHAR = re.compile(f"[{_WIDE}]")


def has_cjk(text: str) -> bool:
    """Does the text hold a Chinese character? (A question without one is answered as English.)"""
    return bool(_IDEOGRAPH.search(text))


def is_ideograph(text: str) -> bool:
    """Is ``text`` exactly one Chinese character?"""
    return bool(_ONE_IDEOGRAPH.match(text))


def is_cjk(ch: str) -> bool:
    """Is ``ch`` set in a Chinese typeface: an ideograph, or CJK / full-width punctuation?"""
    return bool(_WIDE_CHAR.match(ch))
