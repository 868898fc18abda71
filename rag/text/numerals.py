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


def number(text: str) -> int | None:
    """The value of a whole number written in digits or Chinese numerals: 8, 二十三, 一百零五, 两千;
    None when it is neither."""
    t = text.strip()
    if t.isdigit():
        return int(t)
    if not t or any(_VALUES.get(ch) is None and ch not in "零〇百千万两" for ch in t):
        return None
    total, section, digit = 0, 0, 0
    for ch in t:
        if ch in "零〇":
            digit = 0
        elif ch == "两":
            digit = 2
        elif ch == "十":
            section += (digit or 1) * 10
            digit = 0
        elif ch == "百":
            section += (digit or 1) * 100
            digit = 0
        elif ch == "千":
            section += (digit or 1) * 1000
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10_000
            section, digit = 0, 0
        else:
            digit = _VALUES[ch]
    return total + section + digit
