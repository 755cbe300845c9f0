#!/usr/bin/env bash
# Set everything up (venv, install, ingest the demo catalog, train the intent model) and start the assistant.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
SA=".venv/bin/shopassist"
"$SA" prepare
exec "$SA" chat "$@"
