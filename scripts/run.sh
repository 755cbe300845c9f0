#!/usr/bin/env bash
# Set everything up (venv, install, ingest the demo catalog, train the intent model) and serve the assistant
# (chat widget at http://localhost:8080/ui, API docs at /docs; SHOPASSIST_HOST / SHOPASSIST_PORT change the address).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
SA=".venv/bin/shopassist"
"$SA" prepare
exec "$SA" serve "$@"
