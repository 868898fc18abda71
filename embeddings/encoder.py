"""A sentence-transformers model behind LangChain's ``Embeddings`` interface."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings


class SentenceEncoder(Embeddings):
    """Encodes queries and passages with the model's own prompts (e5: "query: "/"passage: ").

    Vectors are L2-normalised, so inner product is cosine similarity.
    """

    def __init__(self, model, name: str, batch_size: int = 16):
        self.model = model
        self.name = name
        self.batch_size = batch_size
        prompts = getattr(model, "prompts", {}) or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = "passage" if "passage" in prompts else ("document" if "document" in prompts else None)

    @classmethod
    def from_folder(cls, folder: Path, name: str, batch_size: int = 16) -> SentenceEncoder:
        # torch and transformers load only when a model does (seconds): `newsqa show` never needs them.
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()

        # Two cores: more threads than that only contend.
        torch.set_num_threads(max(1, min(torch.get_num_threads(), 4)))
        model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        return cls(model, name=name, batch_size=batch_size)

    @property
    def dim(self) -> int:
        if not hasattr(self, "_dim"):
            self._dim = int(self.model.get_embedding_dimension())
        return self._dim

    def encode_passages(self, texts: list[str], progress: bool | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        show = sys.stderr.isatty() if progress is None else progress
        vecs = self.model.encode(
            texts, prompt_name=self._passage_prompt, batch_size=self.batch_size,
            normalize_embeddings=True, show_progress_bar=show, convert_to_numpy=True,
        )
        return np.asarray(vecs, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(
            texts, prompt_name=self._query_prompt, batch_size=self.batch_size,
            normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True,
        )
        return np.asarray(vecs, dtype=np.float32)

    # LangChain's interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(list(texts), progress=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()
