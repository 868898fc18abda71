"""One settings object: defaults < config file < NEWSQA_* environment < flags.

Settings come in sections (index, retrieval, answer, server, llm); every field has one
default, here, and a description (``docs/configuration.md`` is generated from them by
``scripts/settings_doc.py``). A field's name is unique across the sections, so it is also
its environment variable (``top_k`` -> ``NEWSQA_TOP_K``) and its key in a config file,
either flat under ``[newsqa]`` or under its section (``[newsqa.retrieval]``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
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


def _setting(default: Any, doc: str, choices: tuple[str, ...] = ()) -> Any:
    return field(default=default, metadata={"doc": doc, "choices": choices})


@dataclass(frozen=True)
class IndexSettings:
    index_dir: Path = _setting(_data_home() / "index", "The index folder.")
    model: str = _setting("multilingual-e5-small", "Embedding model: a built-in name (multilingual-e5-small; "
                          "multilingual-e5-small-int8, the same model as int8 ONNX, about 2.5x faster to embed "
                          "with slightly different vectors; all-MiniLM-L6-v2, English only) or a local "
                          "sentence-transformers folder. An index answers only to the model that built it.")
    model_cache: Path = _setting(_cache_home() / "models", "Where built-in models are materialised (once).")
    embed_batch_size: int = _setting(16, "Paragraphs embedded at once.")
    max_chunk_chars: int = _setting(320, "A paragraph longer than this is cut at sentence ends into several "
                                    "chunks that keep its paragraph id.")
    dense_index: str = _setting("auto", "FAISS index: flat (exact), hnsw, or auto (exact while small, HNSW "
                                "from 100,000 chunks).", ("auto", "flat", "hnsw"))
    max_file_mb: float = _setting(50.0, "One issue file at ingest; larger ones are refused before reading.")
    newspaper: str = _setting("", "The newspaper of files that name none: no masthead, no known folder "
                              "(people-daily, rmrb…), no --newspaper.")
    index_backend: str = _setting("local", "Where the index lives: local (a folder: FAISS, BM25, SQLite) or "
                                  "milvus (pip install newsqa[milvus]; see docs/milvus.md).", ("local", "milvus"))
    milvus_uri: str = _setting("", "Milvus to use: a file path runs Milvus Lite in-process, http://host:19530 "
                               "reaches Milvus Standalone or Distributed. Empty: milvus.db in the index folder.")
    milvus_token: str = _setting("", "Milvus credentials (user:password or an API key), when the server wants them.")
    milvus_collection: str = _setting("newsqa", "Name prefix of the index's collections in Milvus "
                                      "(NAME_chunks, NAME_sources, NAME_meta).")


@dataclass(frozen=True)
class RetrievalSettings:
    top_k: int = _setting(5, "Chunks handed to the answerer.")
    search_k: int = _setting(10, "Results of `newsqa search`.")
    candidates: int = _setting(50, "Candidates each retriever returns before fusion.")
    retrieval_mode: str = _setting("hybrid", "hybrid, or one signal alone for baselines: dense or bm25.",
                                   ("hybrid", "dense", "bm25"))
    fusion: str = _setting("score", "score: min-max scaled scores, weighted; rrf: weighted reciprocal rank "
                           "fusion. Score fusion ranked the gold passage first more often on CMRC 2018 dev "
                           "and the sample issue (docs/results.md).", ("score", "rrf"))
    rrf_k: int = _setting(60, "The k of reciprocal rank fusion.")
    dense_weight: float = _setting(0.5, "Weight of the embedding model's cosine.")
    lexical_weight: float = _setting(0.35, "Weight of BM25 over jieba words (questions with Chinese in them).")
    bigram_weight: float = _setting(0.15, "Weight of BM25 over characters and character pairs (questions with "
                                    "Chinese in them).")
    lexical_weight_non_cjk: float = _setting(0.0, "Weight of both BM25 signals for questions with no Chinese: "
                                             "their words are not in a Chinese paper, so BM25 only adds noise.")
    translated_weight: float = _setting(0.3, "For questions with no Chinese: weight of BM25 over the Chinese "
                                        "terms their English words map to (CC-CEDICT and the news glossary).")


@dataclass(frozen=True)
class AnswerSettings:
    min_confidence: float = _setting(0.60, "The extractive answerer abstains below this confidence (Chinese "
                                     "questions); chosen with benchmarks/abstention.py (docs/answers.md).")
    min_confidence_en: float = _setting(0.825, "The same for English questions, which score differently "
                                        "(cross-lingual).")
    max_sentences: int = _setting(2, "Sentences an extractive answer quotes at most.")
    reader: bool = _setting(True, "Where the rules are unsure of a factual answer (under min_confidence), "
                            "read the top chunks with the learned span reader (docs/reader.md); "
                            "false: the rules alone.")
    reader_passages: int = _setting(5, "Retrieved chunks the reader reads for a factual question.")
    min_reader_confidence: float = _setting(0.4, "With the reader, a factual answer abstains below this "
                                            "confidence (Chinese questions); chosen with benchmarks/abstention.py.")
    min_reader_confidence_en: float = _setting(0.6, "The same for English questions.")
    reader_spans: bool = _setting(True, "Where the rules are sure of a Chinese factual answer, the reader's span "
                                  "of their sentence becomes the short answer (unless the rules' span fits the "
                                  "question's gap and unit); needs reader.")
    max_question_chars: int = _setting(500, "Longer questions are refused (400 over HTTP).")


@dataclass(frozen=True)
class ServerSettings:
    host: str = _setting("127.0.0.1", "Address `newsqa serve` binds to.")
    port: int = _setting(7860, "Port of `newsqa serve`.")
    max_concurrent_questions: int = _setting(2, "Questions worked on at once (the rest wait): about the number "
                                             "of cores; more only thrash.")
    allow_uploads: bool = _setting(True, "Upload of issue files in the chat. Anyone who can open the chat can "
                                   "use it: turn it off when the server is reachable from outside.")
    max_upload_mb: float = _setting(20.0, "One file uploaded in the chat.")
    cors_origins: str = _setting("", "Other sites' origins allowed to call the HTTP API from a browser (the "
                                 "widget), comma-separated. Empty: the app's own origin only.")
    rate_limit_per_minute: float = _setting(60.0, "Per client address, on the endpoints that answer: this many a "
                                            "minute after a burst; beyond it 429. 0 turns the limit off.")
    rate_limit_burst: int = _setting(20, "Requests a client may send at once before the rate applies.")
    trusted_proxies: str = _setting("", "Reverse proxies in front of the server, comma-separated: for their "
                                    "requests the client is read from X-Forwarded-For.")


@dataclass(frozen=True)
class LLMSettings:
    llm: str = _setting("", "An LLM writes the answers when set: openai (any OpenAI-compatible endpoint: vLLM, "
                        "llama.cpp server, hosted APIs) or ollama. Empty: the extractive answerer.",
                        ("", "openai", "ollama"))
    llm_base_url: str = _setting("", "The endpoint (default for ollama: http://127.0.0.1:11434/v1).")
    llm_model: str = _setting("", "The model name the endpoint serves.")
    llm_api_key: str = _setting("", "API key, if the endpoint wants one.")
    llm_timeout: float = _setting(60.0, "Seconds before a call to the LLM is given up (the extractive answer "
                                  "is given instead).")


@dataclass(frozen=True)
class Settings:
    index: IndexSettings = field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    log_level: str = _setting("WARNING", "Logging level (the CLI's -v gives INFO).")

    def updated(self, **changes: Any) -> Settings:
        """These settings with some fields changed, named flat (``top_k=3``), values already typed."""
        sections: dict[str, dict[str, Any]] = {}
        top: dict[str, Any] = {}
        for name, value in changes.items():
            section = _SECTION_OF.get(name)
            if section is None and name not in _TOP:
                raise ConfigError(f"unknown setting {name!r}")
            (sections.setdefault(section, {}) if section else top)[name] = value
        return replace(self, **{s: replace(getattr(self, s), **v) for s, v in sections.items()}, **top)

    def __getattr__(self, name: str) -> Any:
        # Fields are read flat too (settings.top_k is settings.retrieval.top_k): one name, one value.
        section = _SECTION_OF.get(name)
        if section is None:
            raise AttributeError(name)
        return getattr(getattr(self, section), name)


SECTIONS = {f.name: f.default_factory for f in fields(Settings) if f.default_factory is not MISSING}
_SECTION_OF = {f.name: section for section, cls in SECTIONS.items() for f in fields(cls)}
_TOP = {f.name for f in fields(Settings) if f.name not in SECTIONS}


def setting_fields() -> list[tuple[str, Any]]:
    """(section, field) of every setting, in order; section "" for the top level."""
    out = [(section, f) for section, cls in SECTIONS.items() for f in fields(cls)]
    return out + [("", f) for f in fields(Settings) if f.name in _TOP]


_BOOLS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
_TYPES = {"Path": Path, "int": int, "float": float, "str": str, "bool": bool}


def _coerce(f: Any, value: Any) -> Any:
    target = f.type if isinstance(f.type, type) else _TYPES[str(f.type)]
    if target is bool:  # bool("false") would be True
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in _BOOLS:
            return _BOOLS[str(value).strip().lower()]
        raise ConfigError(f"setting {f.name!r}: cannot use {value!r} (use true or false)")
    try:
        value = target(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {f.name!r}: cannot use {value!r} ({exc})") from None
    choices = f.metadata.get("choices")
    if choices and value not in choices:
        raise ConfigError(f"setting {f.name!r}: {value!r} is not {', '.join(c or '(empty)' for c in choices)}")
    return value


_FIELDS = {f.name: f for _, f in setting_fields()}


def _flatten(values: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """Flat keys, and keys under their section's table ([newsqa.retrieval] top_k = 3)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = key.replace("-", "_").lower()
        if name in SECTIONS and isinstance(value, Mapping):
            for sub, v in _flatten(value, origin).items():
                if _SECTION_OF.get(sub) != name:
                    raise ConfigError(f"{origin}: setting {sub!r} does not belong in [{name}]")
                out[sub] = v
        else:
            out[name] = value
    return out


def _apply(base: Settings, values: Mapping[str, Any], origin: str) -> Settings:
    changes = {}
    for name, value in _flatten(values, origin).items():
        if name not in _FIELDS:
            raise ConfigError(f"{origin}: unknown setting {name!r}")
        if value is not None:
            changes[name] = _coerce(_FIELDS[name], value)
    return base.updated(**changes)


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
    return _apply(settings, overrides or {}, "flags")
