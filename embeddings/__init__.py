"""Text to vectors, offline: every model, built-in or the user's, is a sentence-transformers folder."""

from __future__ import annotations

import os

# No model hub is reachable (and users run air-gapped): make every library fail fast
# instead of trying one. Set before transformers/huggingface_hub are imported.
for _var, _val in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("HF_HUB_DISABLE_TELEMETRY", "1")):
    os.environ[_var] = _val

from embeddings.encoder import SentenceEncoder  # noqa: E402
from embeddings.models import BUILTIN_MODELS, ModelNotFound, load_encoder, resolve_model_dir  # noqa: E402

__all__ = ["BUILTIN_MODELS", "ModelNotFound", "SentenceEncoder", "load_encoder", "resolve_model_dir"]
