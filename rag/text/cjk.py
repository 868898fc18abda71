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


_LATIN = re.compile(r"[A-Za-z]")


def asked_in_english(question: str) -> bool:
    """Is the question English? It may quote a Chinese name ("Which articles dealt with media convergence
    (媒体融合)?"): English when it opens with a Latin letter and has at least twice as many Latin letters as
    Chinese characters (iPhone 13发布会在哪里举行 is Chinese)."""
    cjk = len(_IDEOGRAPH.findall(question))
    if not cjk:
        return True
    return bool(_LATIN.match(question.lstrip(" \"'‘“("))) and len(_LATIN.findall(question)) >= 2 * cjk


def is_ideograph(text: str) -> bool:
    """Is ``text`` exactly one Chinese character?"""
    return bool(_ONE_IDEOGRAPH.match(text))


def is_cjk(ch: str) -> bool:
    """Is ``ch`` set in a Chinese typeface: an ideograph, or CJK / full-width punctuation?"""
    return bool(_WIDE_CHAR.match(ch))
