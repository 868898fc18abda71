"""Text to vectors, offline: every model, built-in or the user's, is a sentence-transformers folder."""

from embeddings.encoder import SentenceEncoder
from embeddings.models import BUILTIN_MODELS, ModelNotFound, load_encoder, resolve_model_dir
from embeddings.protocol import Encoder

__all__ = ["BUILTIN_MODELS", "Encoder", "ModelNotFound", "SentenceEncoder", "load_encoder", "resolve_model_dir"]
