import pytest

from rag.retrieve import fuse, has_cjk
from rag.types import Chunk


def _c(i: str) -> Chunk:
    return Chunk(i, i, "s", "n", "d", "p", "a", 1, 1, i, i)


def test_weighted_rrf_by_hand():
    a, b, c = _c("a"), _c("b"), _c("c")
    hits = fuse([(a, 0.9), (b, 0.8)], [(b, 5.0), (c, 4.0)], dense_weight=0.5, lexical_weight=1.0, rrf_k=60)
    # b: 0.5/62 + 1/61; a: 0.5/61; c: 1/62 ; scaled by (1.5/61)
    best = 1.5 / 61
    expect = {"b": (0.5 / 62 + 1 / 61) / best, "c": (1 / 62) / best, "a": (0.5 / 61) / best}
    assert [h.chunk.chunk_id for h in hits] == ["b", "c", "a"]
    for h in hits:
        assert h.score == pytest.approx(expect[h.chunk.chunk_id])
    assert hits[0].dense_rank == 2 and hits[0].lexical_rank == 1 and hits[0].lexical_score == 5.0


def test_first_in_both_lists_scores_one():
    a = _c("a")
    assert fuse([(a, 1.0)], [(a, 1.0)], 0.7, 1.0)[0].score == pytest.approx(1.0)


def test_language_routing():
    assert has_cjk("景县接种多少人") and not has_cjk("How many people in Jing County?")
