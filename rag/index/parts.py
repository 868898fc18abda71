"""An article printed on several pages ((下转A2版) … (上接A1版)): its parts in reading order."""

from __future__ import annotations

from collections.abc import Callable

MAX_PARTS = 8  # an article printed on more pages than this is two articles whose markers loop


def parts_in_order(here: dict, next_part: Callable[[dict, bool], dict | None]) -> list[str]:
    """The article keys of ``here``'s parts, first to last. ``next_part(part, backwards)`` finds the part
    printed before (backwards) or after a part, or None; parts are dicts with article_key,
    continued_from and continued_to."""
    first = here
    for _ in range(MAX_PARTS):  # back to the first part
        prev = next_part(first, True) if first["continued_from"] else None
        if prev is None or prev["article_key"] == here["article_key"]:
            break
        first = prev
    parts, cur = [first["article_key"]], first
    for _ in range(MAX_PARTS):  # then on, part by part
        nxt = next_part(cur, False) if cur["continued_to"] else None
        if nxt is None or nxt["article_key"] in parts:
            break
        parts.append(nxt["article_key"])
        cur = nxt
    return parts


def best_match(part: dict, candidates: list[dict]) -> dict | None:
    """Of several continued articles on a page, the one whose headline shares most characters with ``part``'s."""
    title = set(part.get("title") or "")
    return max(candidates, key=lambda a: len(title & set(a.get("title") or "")), default=None)
