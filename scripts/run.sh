#!/usr/bin/env bash
# Set everything up (venv and install, the demo catalog, the intent model: trained once, then reused from the model
# cache) and serve the assistant (chat widget at http://localhost:8080/ui, API docs at /docs; SHOPASSIST_HOST /
# SHOPASSIST_PORT change the address).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
SA="${SHOPASSIST_VENV:-.venv}/bin/shopassist"
"$SA" prepare
exec "$SA" serve "$@"
