"""OCR text clean-up: spaces from column breaks, lines broken mid-sentence.

The newspaper's own punctuation (ASCII or full-width) is kept as printed.
"""

from __future__ import annotations

import re

from rag.text.cjk import is_cjk

_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000]+")
_LATIN = re.compile(r"[A-Za-z]")


def drop_cjk_spaces(text: str) -> str:
    """Remove spaces that have CJK text on one side and no Latin letter on the other.

    Keeps "COVID 19" and "Python 语言" intact, turns "我 市" into "我市" and
    "12月1 日" into "12月1日".
    """
    out = []
    pos = 0
    for m in _SPACE_RUN.finditer(text):
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end()] if m.end() < len(text) else ""
        out.append(text[pos:m.start()])
        pos = m.end()
        if not before or not after:
            continue  # leading/trailing space: drop
        cjk_side = is_cjk(before) or is_cjk(after)
        latin_side = bool(_LATIN.match(before) or _LATIN.match(after))
        if cjk_side and not latin_side:
            continue
        out.append(" ")
    out.append(text[pos:])
    return "".join(out)


def join_fragments(left: str, right: str) -> str:
    """Join two pieces of one sentence split by a line or column break."""
    if left and right and _LATIN.match(left[-1]) and _LATIN.match(right[0]):
        return left + " " + right
    return left + right


def normalize_block(text: str) -> str:
    """One OCR block (lines of one paragraph) to clean single-line text."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    joined = ""
    for line in lines:
        joined = join_fragments(joined, line) if joined else line
    return drop_cjk_spaces(joined).strip()
