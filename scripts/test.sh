#!/usr/bin/env bash
# Set up (running, then testing needs) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-test.sh
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
exec "${SHOPASSIST_VENV:-.venv}/bin/python" -m pytest "$@"
