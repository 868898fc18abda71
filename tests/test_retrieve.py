import pytest

from rag.retrieve import fuse
from rag.text.cjk import has_cjk
from rag.types import Chunk


def _c(i: str) -> Chunk:
    return Chunk(i, i, "s", "n", "d", "p", "a", 1, 1, i, i)


def test_score_fusion_by_hand():
    a, b, c = _c("a"), _c("b"), _c("c")
    # dense scaled: a 1, b 0 ; words scaled: b 1, c 0.5 (5, 3, 1 -> 1, .5, 0 with d)
    d = _c("d")
    hits = fuse({"dense": ([(a, 0.9), (b, 0.8)], 0.5), "words": ([(b, 5.0), (c, 3.0), (d, 1.0)], 0.5)})
    got = {h.chunk.chunk_id: h.score for h in hits}
    assert got == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.25, "d": 0.0})
    assert [h.chunk.chunk_id for h in hits] == ["a", "b", "c", "d"]  # ties broken by id
    b_hit = hits[1]
    assert b_hit.ranks == {"dense": 2, "words": 1} and b_hit.scores == {"dense": 0.8, "words": 5.0}


def test_a_single_candidate_scales_to_one():
    a = _c("a")
    assert fuse({"words": ([(a, 3.2)], 1.0)})[0].score == pytest.approx(1.0)


def test_weighted_rrf_by_hand():
    a, b, c = _c("a"), _c("b"), _c("c")
    hits = fuse({"dense": ([(a, 0.9), (b, 0.8)], 0.5), "words": ([(b, 5.0), (c, 4.0)], 1.0)}, method="rrf", rrf_k=60)
    # raw: b 0.5/62 + 1/61; c 1/62; a 0.5/61 -- scaled so that first everywhere would be 1
    scale = 61 / 1.5
    expect = {"b": (0.5 / 62 + 1 / 61) * scale, "c": (1 / 62) * scale, "a": (0.5 / 61) * scale}
    assert [h.chunk.chunk_id for h in hits] == ["b", "c", "a"]
    for h in hits:
        assert h.score == pytest.approx(expect[h.chunk.chunk_id])


def test_first_in_every_list_scores_one():
    a = _c("a")
    for method in ("score", "rrf"):
        assert fuse({"dense": ([(a, 1.0)], 0.7), "words": ([(a, 1.0)], 0.3)}, method)[0].score == pytest.approx(1.0)


def test_language_routing():
    assert has_cjk("景县接种多少人") and not has_cjk("How many people in Jing County?")
