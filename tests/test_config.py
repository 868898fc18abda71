from pathlib import Path

import pytest

from rag.config import ConfigError, Settings, load_settings


def test_precedence_defaults_file_env_flags(tmp_path, monkeypatch):
    cfg = tmp_path / "c.toml"
    cfg.write_text('top_k = 7\nport = 9000\nindex_dir = "/from/file"\n', encoding="utf-8")
    monkeypatch.setenv("NEWSQA_PORT", "9100")
    s = load_settings(cfg, {"index_dir": "/from/flag", "model": None})
    assert s.top_k == 7  # file over default
    assert s.port == 9100  # environment over file
    assert s.index_dir == Path("/from/flag")  # flag over all
    assert s.model == Settings.model  # a flag not given changes nothing


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
