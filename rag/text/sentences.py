"""Sentences: where they end, and a paragraph cut into them."""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[\"'”’」』)）]*|$)")

# Where an OCR line may end without the next line continuing its sentence. A semicolon ends a
# clause, not a paragraph; an ellipsis ends a line of print but not always a sentence, so the
# sentence splitter above does not cut at it.
SENTENCE_END = "。！？!?…"
_CLOSERS = "\"'”’」』)）】》"


def split_sentences(text: str) -> list[str]:
    """Sentences with their closing punctuation (and closing quotes) attached."""
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def ends_sentence(text: str) -> bool:
    """Does the text end a sentence (its last mark, past closing quotes and brackets)?"""
    t = text.rstrip().rstrip(_CLOSERS)
    return bool(t) and t[-1] in SENTENCE_END
