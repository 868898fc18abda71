"""A sentence-transformers folder as an int8 ONNX model: the same vectors, about twice as fast on a CPU.

Built once from the folder (``build``: export with torch, dynamic int8 quantisation of the
matrix multiplications with onnxruntime), kept beside it, and run by ``OnnxEncoder`` with
onnxruntime. Questions and passages get the folder's own prompts ("query: " / "passage: "),
mean pooling and L2 normalisation, as sentence-transformers gives them. Batches are formed
from texts of similar length, so little of each batch is padding.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from embeddings.folders import building

log = logging.getLogger(__name__)
MODEL_FILE = "model-int8.onnx"
ONNX_META = "newsqa-onnx.json"


@contextlib.contextmanager
def quiet_tools():
    """The exporter's and the quantiser's advice (warnings, root-logger lines) is for their developers."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)


def build(folder: Path, out_dir: Path) -> Path:
    """Write ``out_dir`` (the int8 ONNX model, its tokenizer and prompts) from a sentence-transformers folder.

    Written beside the target and renamed into place: an interrupted build leaves nothing later
    runs would trust.
    """
    # torch and the exporter load only for this one-off build.
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    class LastHidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    with building(out_dir) as work:
        model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
        example = (torch.ones(2, 8, dtype=torch.long), torch.ones(2, 8, dtype=torch.long))
        axes = {0: "batch", 1: "tokens"}
        with quiet_tools():
            torch.onnx.export(LastHidden(model), example, str(work / "fp32.onnx"), input_names=["input_ids", "attention_mask"],
                              output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                              dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes})
        final = work / "model"
        final.mkdir()
        with quiet_tools():
            quantize_dynamic(str(work / "fp32.onnx"), str(final / MODEL_FILE), weight_type=QuantType.QInt8,
                             per_channel=True, op_types_to_quantize=["MatMul"])
        shutil.copy(folder / "tokenizer.json", final / "tokenizer.json")
        st = json.loads((folder / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        (final / ONNX_META).write_text(json.dumps({
            "built_from": str(folder), "prompts": st.get("prompts", {}), "dim": config["hidden_size"],
            "max_tokens": min(512, config.get("max_position_embeddings", 512)), "pad_id": config.get("pad_token_id", 0),
        }, indent=2), encoding="utf-8")
    log.info("built %s from %s", out_dir, folder)
    return out_dir


class OnnxEncoder(Embeddings):
    """The Encoder of an int8 ONNX model folder written by ``build``."""

    def __init__(self, folder: Path, name: str, batch_size: int = 16, threads: int = 0):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = json.loads((folder / ONNX_META).read_text(encoding="utf-8"))
        self.name, self.batch_size = name, batch_size
        self._dim, self._pad = int(meta["dim"]), int(meta["pad_id"])
        prompts = meta.get("prompts", {})
        self._query, self._passage = prompts.get("query", ""), prompts.get("passage", prompts.get("document", ""))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(int(meta["max_tokens"]))
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: one a core
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: list[str], prompt: str, progress: bool) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        if not texts:
            return out
        encoded = self._tokenizer.encode_batch([prompt + t for t in texts])
        order = np.argsort([len(e.ids) for e in encoded], kind="stable")  # similar lengths batch together
        for start in tqdm(range(0, len(order), self.batch_size), desc="embedding", unit="batch",
                          disable=not progress):
            rows = order[start : start + self.batch_size]
            width = max(len(encoded[r].ids) for r in rows)
            ids = np.full((len(rows), width), self._pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for i, r in enumerate(rows):
                n = len(encoded[r].ids)
                ids[i, :n], mask[i, :n] = encoded[r].ids, 1
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    def encode_passages(self, texts: list[str], progress: bool | None = None) -> np.ndarray:
        return self._encode(list(texts), self._passage, sys.stderr.isatty() if progress is None else progress)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self._query, False)

    # LangChain's interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(list(texts), progress=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()
