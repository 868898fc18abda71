"""What the reader's training script trains on: which questions, asked in which language."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def train():
    spec = importlib.util.spec_from_file_location("train_reader", ROOT / "scripts" / "train_reader.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PASSAGES = {"p1": "景县3周岁以上人群已接种新冠疫苗41万剂次。", "p2": "衡水湖湿地面积达到了75平方公里。"}


def question(qid: str, pid: str, text: str, answer: str, start: int) -> dict:
    return {"id": qid, "passage_id": pid, "question": text, "answers": [answer], "answer_starts": [[answer, start]]}


def test_only_questions_whose_offset_holds_their_answer_are_trained_on(train):
    good = question("q1", "p1", "景县接种了多少剂次？", "41万剂次", 16)
    shifted = question("q2", "p1", "景县接种了多少剂次？", "41万剂次", 3)
    blank = question("q3", "p2", "衡水湖多大？", " ", 0)
    assert [q["id"] for q in train.answerable(PASSAGES, [good, shifted, blank])] == ["q1"]
    assert train.training_items(PASSAGES, [good, shifted]) == [("景县接种了多少剂次？", PASSAGES["p1"], 16, 21)]


def test_a_continuation_asks_the_translated_questions_in_english_and_replays_chinese_ones(train):
    qs = [question(f"q{i}", "p2", f"问题{i}", "75平方公里", 11) for i in range(10)]
    english = {"q0": "How large is Hengshui Lake's wetland?", "q1": "What area does the wetland cover?"}
    out = train.continuation(qs, english, replay=2.0, rng=random.Random(3))
    asked = [q for q in out if "chinese" in q]
    assert [q["question"] for q in asked] == list(english.values())
    assert [q["chinese"] for q in asked] == ["问题0", "问题1"]
    replayed = [q for q in out if "chinese" not in q]
    assert len(replayed) == 4 and not {q["id"] for q in replayed} & set(english)


def test_english_questions_are_read_by_id(train, tmp_path):
    path = tmp_path / "en.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [{"id": "a", "question_en": "Who?"},
                                                         {"id": "b", "question_en": "When?"}]) + "\n")
    assert train.read_english(path) == {"a": "Who?", "b": "When?"}


def test_an_english_questions_hard_negative_is_found_by_its_chinese_words(train):
    passages = {"p1": PASSAGES["p1"], "p2": PASSAGES["p2"], "p3": "衡水湖湿地是候鸟的家园，湿地保护区内鸟类众多。"}
    items = [("How large is the Hengshui Lake wetland?", passages["p2"], 11, 17)]
    # The English words share no character pair with any passage; the Chinese ones lead to p3.
    assert train.nearest_other(items, passages, ["衡水湖湿地面积多大？"]) == [passages["p3"]]
