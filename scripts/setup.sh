#!/usr/bin/env bash
# Create the virtual environment and install what running ShopAssist needs (idempotent: skipped when pyproject.toml
# is unchanged). Test tools, Chromium and PostgreSQL are scripts/setup-test.sh's. One line per step; pip's output
# goes to $VENV/setup.log.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${SHOPASSIST_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
source scripts/steps.sh

install_runtime() {
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  # The CPU build of torch first, with pip (it lies on this disk, where uv does not look; a looser spec would pull a
  # multi-GB CUDA build), then the rest with uv (parallel downloads: ~10 s instead of pip's ~70 s).
  pip_install uv torch==2.13.0
  fast_install -e .
  compile_bytecode
}

stamp="$VENV/.shopassist-installed"
want="$(sha1sum pyproject.toml | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  step_done "python environment" "up to date ($VENV)"
else
  step "python environment" install_runtime
  echo "$want" > "$stamp"
fi
