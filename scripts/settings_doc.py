"""Print docs/configuration.md from the settings' own descriptions (rag/config.py).

    python scripts/settings_doc.py > docs/configuration.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.config import SECTIONS, _cache_home, _data_home, setting_fields  # noqa: E402

HEAD = """# Configuration

One settings object holds every knob. Each layer overrides the one before it:

1. the defaults below;
2. a config file: `--config FILE`, else `$NEWSQA_CONFIG`, else `./newsqa.toml`, else
   `~/.config/newsqa/config.toml`;
3. environment variables: `NEWSQA_` and the setting's name in capitals (`NEWSQA_TOP_K=3`);
4. command-line flags (`--index`, `--model`, `--host`, `--port`, `--mode`).

A config file takes each setting by its name, either flat under `[newsqa]` or under its section:

```toml
[newsqa]
index_dir = "/srv/newsqa/index"

[newsqa.retrieval]
top_k = 5

[newsqa.server]
cors_origins = "https://news.example.com"
```

Folders default to `$XDG_DATA_HOME/newsqa` and `$XDG_CACHE_HOME/newsqa` (shown below as XDG's
own defaults, `~/.local/share` and `~/.cache`).

A value that cannot be used (an unknown name, `top_k = "many"`, `fusion = "max"`) stops the
command with one line naming the setting. In code, `rag.config.load_settings()` builds the
object; `settings.retrieval.top_k` and `settings.top_k` read the same value.

This page is generated from `rag/config.py` (`python scripts/settings_doc.py > docs/configuration.md`).
"""

TITLES = {"index": "Index and ingest", "retrieval": "Retrieval", "answer": "Answers", "server": "Server",
          "llm": "LLM answers", "": "Other"}


def _default(value) -> str:
    # Folders under the user's data and cache homes differ per machine: shown as XDG's defaults.
    if isinstance(value, Path):
        for base, shown in ((_data_home(), "~/.local/share/newsqa"), (_cache_home(), "~/.cache/newsqa")):
            if value.is_relative_to(base):
                return f"`{shown}/{value.relative_to(base).as_posix()}`"
    return f"`{value}`" if value != "" else "(empty)"


def main() -> None:
    lines = [HEAD]
    for section in [*SECTIONS, ""]:
        rows = [f for s, f in setting_fields() if s == section]
        lines.append(f"## {TITLES[section]}" + (f" (`[newsqa.{section}]`)" if section else ""))
        lines.append("")
        lines.append("| setting | environment | default | what it does |")
        lines.append("| --- | --- | --- | --- |")
        for f in rows:
            doc = f.metadata["doc"]
            if f.metadata.get("choices"):
                doc += " One of: " + ", ".join(f"`{c}`" if c else "(empty)" for c in f.metadata["choices"]) + "."
            lines.append(f"| `{f.name}` | `NEWSQA_{f.name.upper()}` | {_default(f.default)} | {doc.replace('|', '/')} |")
        lines.append("")
    sys.stdout.write("\n".join(lines))


if __name__ == "__main__":
    main()
