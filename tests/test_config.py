from pathlib import Path

import pytest

from rag.config import ConfigError, IndexSettings, Settings, load_settings, setting_fields


def test_precedence_defaults_file_env_flags(tmp_path, monkeypatch):
    cfg = tmp_path / "c.toml"
    cfg.write_text('top_k = 7\nport = 9000\nindex_dir = "/from/file"\n', encoding="utf-8")
    monkeypatch.setenv("NEWSQA_PORT", "9100")
    s = load_settings(cfg, {"index_dir": "/from/flag", "model": None})
    assert s.top_k == 7  # file over default
    assert s.port == 9100  # environment over file
    assert s.index_dir == Path("/from/flag")  # flag over all
    assert s.model == IndexSettings.model  # a flag not given changes nothing


def test_bad_settings_are_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSQA_TOP_K", "many")
    with pytest.raises(ConfigError, match="top_k"):
        load_settings()
    monkeypatch.delenv("NEWSQA_TOP_K")
    cfg = tmp_path / "c.toml"
    cfg.write_text("colour = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings(cfg)


def test_boolean_settings_read_words_not_truthiness(monkeypatch):
    monkeypatch.setenv("NEWSQA_ALLOW_UPLOADS", "false")
    assert load_settings(None).allow_uploads is False
    monkeypatch.setenv("NEWSQA_ALLOW_UPLOADS", "Yes")
    assert load_settings(None).allow_uploads is True
    monkeypatch.setenv("NEWSQA_ALLOW_UPLOADS", "maybe")
    with pytest.raises(ConfigError, match="allow_uploads"):
        load_settings(None)


def test_sections_in_a_config_file_and_flat_names_meet_in_one_object(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[newsqa]\nport = 9000\n\n[newsqa.retrieval]\ntop_k = 3\nfusion = "rrf"\n\n'
                   '[newsqa.llm]\nllm = "ollama"\n', encoding="utf-8")
    s = load_settings(cfg)
    assert (s.server.port, s.retrieval.top_k, s.retrieval.fusion, s.llm.llm) == (9000, 3, "rrf", "ollama")
    assert s.top_k == s.retrieval.top_k  # read flat or by section: one value
    cfg.write_text("[newsqa.index]\ntop_k = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'top_k' does not belong in \\[index\\]"):
        load_settings(cfg)
    with pytest.raises(ConfigError, match="is not score, rrf"):
        load_settings(None, {"fusion": "max"})
    assert Settings().updated(top_k=9, port=1).retrieval.top_k == 9


def test_every_setting_is_described_and_named_once():
    names = [f.name for _, f in setting_fields()]
    assert len(names) == len(set(names))  # a field's name is its environment variable: unique
    assert all(len(f.metadata.get("doc", "")) > 10 for _, f in setting_fields())


def test_the_configuration_page_is_generated_from_the_settings():
    import subprocess
    import sys

    from conftest import ROOT

    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "settings_doc.py")], capture_output=True,
                         text=True, check=True).stdout
    assert (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8") == out, \
        "docs/configuration.md is out of date: python scripts/settings_doc.py > docs/configuration.md"
