"""Chinese numerals: a question may say 三岁 where the paper prints 3岁."""

from __future__ import annotations

# The numerals a count or an ordinal is written with (第三, 三大, 两项).
DIGITS = "一二两三四五六七八九十"
_AS_DIGITS = str.maketrans("〇零一二两三四五六七八九", "001223456789")
_VALUES = {c: i for i, c in enumerate("零一二三四五六七八九十")} | {"两": 2}


def as_digits(text: str) -> str:
    """Chinese numerals as digits, character by character, for comparing two texts (三岁 -> 3岁)."""
    return text.translate(_AS_DIGITS)


def value(numeral: str) -> int:
    """The value of one numeral character (三 -> 3, 十 -> 10); 0 when it is none."""
    return _VALUES.get(numeral, 0)
