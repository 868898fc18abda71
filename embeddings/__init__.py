"""Text to vectors, and the span reader, offline: every model, built-in or the user's, is a folder."""

from embeddings.encoder import SentenceEncoder
from embeddings.models import BUILTIN_MODELS, ModelNotFound, load_encoder, load_reader, resolve_model_dir
from embeddings.protocol import Encoder
from embeddings.reader import ReadSpan, SpanReader

__all__ = ["BUILTIN_MODELS", "Encoder", "ModelNotFound", "ReadSpan", "SentenceEncoder", "SpanReader", "load_encoder",
           "load_reader", "resolve_model_dir"]
