"""ui.py, the chat, is a surface: it takes the chain and what the chain speaks (types, the ingest formats), nothing else of ours.

(import-linter checks rag/ and embeddings/ from pyproject.toml; a single module like ui.py is outside its reach.)
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = ("rag.chain", "rag.types", "rag.ingest")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append(node.module)
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names]
    return out


def test_the_chat_imports_only_the_chain_and_the_types():
    ours = [m for m in _imports(ROOT / "ui.py") if m.split(".")[0] in ("rag", "embeddings", "ui")]
    assert ours, "ui.py should use the chain"
    assert [m for m in ours if not m.startswith(ALLOWED)] == []


def test_no_module_of_the_library_imports_the_chat_except_the_server():
    users = [p.relative_to(ROOT).as_posix() for p in [*ROOT.glob("rag/**/*.py"), *ROOT.glob("embeddings/*.py")]
             if "ui" in _imports(p)]
    assert users == ["rag/app/server.py"]
