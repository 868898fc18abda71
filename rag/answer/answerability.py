"""Do the retrieved paragraphs hold the answer at all? A small logistic model over the answerer's features.

Fitted by ``benchmarks/fit_answerability.py`` on CMRC 2018 trials (each question asked
with its passage retrievable and with it left out of retrieval) and shipped as
``answerability.json`` beside this file, with the figures it was checked on. Its output
is a probability, so the threshold has a meaning: answer when P ≥ 2/3, i.e. when a
wrong answer (which costs a reader about twice what an honest "not found" does) is
less likely than that.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

# The answerer's features for its best sentence (ExtractiveAnswerer.score_units).
FEATURES = ("coverage", "own_coverage", "similarity", "focus", "entities", "type_ok", "has_span", "span_fit",
            "rank", "retrieval", "dense", "length")


def feature_vector(f: dict) -> list[float]:
    return [f["coverage"], f["own_coverage"], f["similarity"], f["focus"], f["entities"], float(f["type_ok"]),
            float(f["has_span"]), f["span_fit"] or 0.0, min(f["rank"], 5) / 5, f["retrieval"], f.get("dense", 0.0),
            min(f["length"], 120) / 120]


@dataclass(frozen=True)
class Answerability:
    weights: dict[str, float]
    bias: float
    threshold: float
    provenance: dict = field(default_factory=dict)

    def probability(self, features: dict) -> float:
        z = self.bias + sum(w * v for w, v in zip((self.weights[k] for k in FEATURES), feature_vector(features),
                                                   strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict:
        return {"features": list(FEATURES), "weights": self.weights, "bias": self.bias, "threshold": self.threshold,
                "provenance": self.provenance}

    @classmethod
    def from_dict(cls, d: dict) -> Answerability:
        missing = set(FEATURES) - set(d["weights"])
        if missing:
            raise ValueError(f"answerability model lacks weights for {sorted(missing)}")
        return cls({k: float(d["weights"][k]) for k in FEATURES}, float(d["bias"]), float(d["threshold"]),
                   d.get("provenance", {}))


@lru_cache(maxsize=1)
def default_model() -> Answerability:
    text = resources.files("rag.answer").joinpath("answerability.json").read_text(encoding="utf-8")
    return Answerability.from_dict(json.loads(text))
