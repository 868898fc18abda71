"""QA files: JSON lines ``{"id", "question", "answers", "evidence" | "passage_id", "answerable", "type"?}``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rag.ingest.read import UnreadableFile, read_text


@dataclass(frozen=True)
class QAItem:
    id: str
    question: str
    answers: tuple[str, ...] = ()
    evidence: str = ""  # text inside the gold paragraph
    passage_id: str = ""  # or the gold passage of a passages corpus
    answerable: bool = True
    type: str = ""  # a set label such as "plain", "paraphrase", "english"
    extra: dict = field(default_factory=dict, compare=False)


def load_qa(path: Path, limit: int | None = None) -> list[QAItem]:
    text, _ = read_text(Path(path))
    items: list[QAItem] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            item = QAItem(
                id=str(obj.get("id", lineno)), question=str(obj["question"]),
                answers=tuple(str(a) for a in obj.get("answers") or ()), evidence=str(obj.get("evidence") or ""),
                passage_id=str(obj.get("passage_id") or ""), answerable=bool(obj.get("answerable", True)),
                type=str(obj.get("type") or ""),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise UnreadableFile(f"{path}:{lineno}: not a QA line ({exc})") from None
        if item.answerable and not (item.evidence or item.passage_id):
            raise UnreadableFile(f"{path}:{lineno}: an answerable question needs \"evidence\" or \"passage_id\"")
        items.append(item)
        if limit and len(items) >= limit:
            break
    if not items:
        raise UnreadableFile(f"{path}: no questions")
    return items
