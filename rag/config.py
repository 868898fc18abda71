"""One settings object: defaults < config file < NEWSQA_* environment < flags."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "newsqa"


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsqa"


# No model hub is reachable (and users run air-gapped): every library must fail fast instead of
# trying one, and Gradio must not phone home. Set before Hugging Face or Gradio code runs.
OFFLINE_ENVIRONMENT = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
                       "GRADIO_ANALYTICS_ENABLED": "False"}


def go_offline() -> None:
    """Put this process in offline mode (idempotent); entry points and model loading call it."""
    os.environ.update(OFFLINE_ENVIRONMENT)


class ConfigError(ValueError):
    """A setting a user gave cannot be used."""


@dataclass(frozen=True)
class Settings:
    index_dir: Path = _data_home() / "index"
    # A built-in model name (see embeddings.BUILTIN_MODELS) or a local sentence-transformers folder.
    model: str = "multilingual-e5-small"
    model_cache: Path = _cache_home() / "models"
    embed_batch_size: int = 16
    max_chunk_chars: int = 320
    top_k: int = 5  # chunks handed to the answerer
    search_k: int = 10  # results of `newsqa search`
    candidates: int = 50  # per retriever, before fusion
    # Fusion of dense + BM25 (words) + BM25 (character bigrams): min-max scaled scores,
    # weighted. The weights were chosen on CMRC 2018 dev and the sample issue's
    # questions (README, Retrieval); questions with no Chinese in them use the dense
    # signal alone, as BM25 only adds noise there.
    fusion: str = "score"  # or "rrf"
    rrf_k: int = 60
    dense_weight: float = 0.5
    lexical_weight: float = 0.35
    bigram_weight: float = 0.15
    lexical_weight_non_cjk: float = 0.0
    # For questions with no Chinese: BM25 over Chinese terms their English words map to (CC-CEDICT).
    translated_weight: float = 0.3
    retrieval_mode: str = "hybrid"  # "hybrid", "dense" or "bm25"
    dense_index: str = "auto"  # "flat" (exact), "hnsw", or "auto": exact while small, HNSW when large
    host: str = "127.0.0.1"
    port: int = 7860
    max_question_chars: int = 500
    # Questions worked on at once (the rest wait): about the number of cores. More only thrash.
    max_concurrent_questions: int = 2
    # Upload of issue files in the chat. Anyone who can open the chat can use it: turn it off
    # when the server is reachable from outside (the widget and API need no uploads).
    allow_uploads: bool = True
    max_file_mb: float = 50.0  # one issue file at ingest; larger ones are refused before reading
    max_upload_mb: float = 20.0  # one file uploaded in the chat
    # Other sites' origins allowed to call the HTTP API from a browser (the widget), comma-separated,
    # e.g. "https://news.example.com,https://www.example.com". Empty: the app's own origin only.
    cors_origins: str = ""
    # Per client address, on the endpoints that answer (API, OpenAI-compatible, the chat's queue):
    # a burst, then this many a minute; beyond it 429. 0 turns the limit off (e.g. behind a proxy
    # that limits, where every request comes from one address).
    rate_limit_per_minute: float = 60.0
    rate_limit_burst: int = 20
    # Reverse proxies in front of the server (addresses, comma-separated, e.g. "127.0.0.1"): for a
    # request from one of them the client is read from X-Forwarded-For, so the limit is per reader.
    trusted_proxies: str = ""
    # The extractive answerer abstains below this confidence; chosen from the trade-off
    # curve of benchmarks/abstention.py (README, Answers).
    min_confidence: float = 0.60
    min_confidence_en: float = 0.825  # English questions score differently (cross-lingual): their own threshold
    log_level: str = "WARNING"
    # An LLM writes the answers when one is set: "openai" (any OpenAI-compatible endpoint:
    # vLLM, llama.cpp server, hosted APIs) or "ollama"; "" keeps the extractive answerer.
    llm: str = ""
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 60.0


_BOOLS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _coerce(name: str, kind: Any, value: Any) -> Any:
    target = kind if isinstance(kind, type) else {"Path": Path, "int": int, "float": float, "str": str,
                                                  "bool": bool}[str(kind)]
    if target is bool:  # bool("false") would be True
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in _BOOLS:
            return _BOOLS[str(value).strip().lower()]
        raise ConfigError(f"setting {name!r}: cannot use {value!r} (use true or false)")
    try:
        return target(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r}: cannot use {value!r} ({exc})") from None


def _apply(base: Settings, values: Mapping[str, Any], origin: str) -> Settings:
    known = {f.name: f for f in fields(Settings)}
    changes = {}
    for key, value in values.items():
        name = key.replace("-", "_").lower()
        if name not in known:
            raise ConfigError(f"{origin}: unknown setting {key!r}")
        if value is None:
            continue
        changes[name] = _coerce(name, known[name].type, value)
    return replace(base, **changes)


def config_file_path(explicit: str | os.PathLike | None = None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get("NEWSQA_CONFIG"):
        return Path(os.environ["NEWSQA_CONFIG"])
    for candidate in (Path("newsqa.toml"), Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "newsqa" / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


def load_settings(config_file: str | os.PathLike | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Build the settings from every layer; ``overrides`` are command-line flags (None = not given)."""
    settings = Settings()
    path = config_file_path(config_file)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
        settings = _apply(settings, data.get("newsqa", data), str(path))
    env = {k[len("NEWSQA_"):]: v for k, v in os.environ.items() if k.startswith("NEWSQA_") and k != "NEWSQA_CONFIG"}
    settings = _apply(settings, env, "environment")
    settings = _apply(settings, overrides or {}, "flags")
    if settings.retrieval_mode not in ("hybrid", "dense", "bm25"):
        raise ConfigError(f"setting 'retrieval_mode': {settings.retrieval_mode!r} is not hybrid, dense or bm25")
    if settings.fusion not in ("score", "rrf"):
        raise ConfigError(f"setting 'fusion': {settings.fusion!r} is not score or rrf")
    return settings
