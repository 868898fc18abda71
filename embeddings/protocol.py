"""The encoder seam: text to L2-normalised vectors, queries and passages each with the model's own prompt."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    name: str  # recorded in the index: an index answers only to the model that built it

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """One row a question, L2-normalised (inner product is cosine)."""
        ...

    def encode_passages(self, texts: list[str], progress: bool | None = None) -> np.ndarray:
        """One row a passage, L2-normalised; ``progress`` shows a bar (None: on a terminal)."""
        ...
