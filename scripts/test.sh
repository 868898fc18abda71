#!/usr/bin/env bash
# Installs everything the tests need into .venv (from nothing), then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), "newsqa needs Python 3.11"'

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# torch is pinned to the CPU build (torch==2.13.0) in pyproject.toml.
.venv/bin/python -m pip install --quiet -e '.[test]'

# Browser tests drive Debian's Chromium (never a downloaded browser); CJK fonts so pages render.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
export REQUIRE_BROWSER_TESTS=1

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False NO_PROXY=127.0.0.1,localhost
.venv/bin/ruff check .
# The layers of the pipeline (pyproject.toml): every import points down.
.venv/bin/lint-imports
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
