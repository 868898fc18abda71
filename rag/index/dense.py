"""FAISS inner-product search over L2-normalised vectors (= cosine similarity).

The index type follows size: exact search (``IndexFlatIP``) while small, an
HNSW graph once exact search gets slow. The choice and its parameters are
recorded in the index manifest, and ``kind`` overrides the automatic choice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

# Exact search stays below ~10 ms a query up to about this many 384-d vectors on 2 cores;
# past it, the HNSW graph (benchmarks/scale.py) keeps latency flat.
AUTO_HNSW_FROM = 100_000


@dataclass(frozen=True)
class DenseParams:
    kind: str = "flat"  # "flat" (exact) or "hnsw"
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 128

    def to_dict(self) -> dict:
        return asdict(self)


def choose_params(n_vectors: int, kind: str = "auto", **overrides) -> DenseParams:
    if kind == "auto":
        kind = "hnsw" if n_vectors >= AUTO_HNSW_FROM else "flat"
    if kind not in ("flat", "hnsw"):
        raise ValueError(f"dense index kind {kind!r} is not auto, flat or hnsw")
    return DenseParams(kind=kind, **overrides)


class DenseIndex:
    def __init__(self, index, params: DenseParams = DenseParams()):
        self._index = index
        self.params = params

    @classmethod
    def build(cls, vectors: np.ndarray, params: DenseParams = DenseParams()) -> DenseIndex:
        d = int(vectors.shape[1])
        if params.kind == "hnsw":
            # The graph is built on L2 distance: on unit vectors it orders neighbours exactly as
            # cosine does, and faiss's HNSW navigates L2 far better than inner product.
            index = faiss.IndexHNSWFlat(d, params.hnsw_m)
            index.hnsw.efConstruction = params.ef_construction
            index.hnsw.efSearch = params.ef_search
        else:
            index = faiss.IndexFlatIP(d)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, params)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def vectors(self) -> np.ndarray:
        """Every stored vector, in row order (both index kinds keep the full vectors)."""
        if self.size == 0:
            return np.zeros((0, self._index.d), dtype=np.float32)
        return self._index.reconstruct_n(0, self.size)

    def add(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def vectors_of(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of these rows."""
        return self._index.reconstruct_batch(np.ascontiguousarray(rows, dtype=np.int64))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, params: DenseParams = DenseParams()) -> DenseIndex:
        index = faiss.read_index(str(path))
        if params.kind == "hnsw":
            index.hnsw.efSearch = params.ef_search
        return cls(index, params)

    def search(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.size == 0:
            return []
        scores, ids = self._index.search(np.ascontiguousarray(query_vec.reshape(1, -1), dtype=np.float32), min(k, self.size))
        if self.params.kind == "hnsw":
            scores = 1.0 - scores / 2.0  # squared L2 between unit vectors -> cosine
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
