# Sourced by the setup scripts: each step runs quietly and prints one line with its time; its output goes to
# $STEP_LOG (default: setup.log in the virtual environment) and is shown only when the step fails.
#   step "python environment" command args...        a failure stops the script (after the log's last lines)
#   try_step "chromium" "the browser test will be skipped" command args...   best effort: a failure is one line

STEP_LOG="${STEP_LOG:-$VENV/setup.log}"

# Runs the step in a subshell with `set -e`, so its first failing command ends it, and leaves its exit status in
# STEP_STATUS (returning it would put callers in an `||` or `if`, where bash ignores `set -e` inside the step).
_run_logged() {
  mkdir -p "$(dirname "$STEP_LOG")"
  echo "== $1 ($(date -u +%FT%TZ))" >> "$STEP_LOG"
  shift
  set +e
  (set -e; "$@") >> "$STEP_LOG" 2>&1 < /dev/null
  STEP_STATUS=$?
  set -e
}

step() {
  local label="$1" started=$SECONDS status
  printf 'setup: %s …' "$label"
  _run_logged "$@"; status=$STEP_STATUS
  if [ "$status" -ne 0 ]; then
    printf ' failed after %s s (exit %s); the end of %s:\n' "$(( SECONDS - started ))" "$status" "$STEP_LOG"
    tail -n 40 "$STEP_LOG" >&2
    exit "$status"
  fi
  printf ' %s s\n' "$(( SECONDS - started ))"
}

try_step() {
  local label="$1" consequence="$2" started=$SECONDS status
  shift 2
  printf 'setup: %s …' "$label"
  _run_logged "$label" "$@"; status=$STEP_STATUS
  if [ "$status" -eq 0 ]; then
    printf ' %s s\n' "$(( SECONDS - started ))"
  else
    printf ' not installed (see %s): %s\n' "$STEP_LOG" "$consequence"
  fi
}

# A step with nothing to do: the same one line, with why instead of a time.
step_done() {
  printf 'setup: %s … %s\n' "$1" "$2"
}

# pip without its progress bars, version nag or prompts (this machine's index notices still go to the log).
pip_install() {
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off "$@"
}

# uv into the venv (installed there by setup.sh), falling back to pip where uv cannot reach an index.
fast_install() {
  if [ -x "$VENV/bin/uv" ] && "$VENV/bin/uv" pip install --python "$VENV/bin/python" "$@"; then
    return 0
  fi
  echo "uv failed or is missing: installing with pip" >&2
  pip_install "$@"
}

# Bytecode for everything installed in the venv. Where PYTHONDONTWRITEBYTECODE is set (this workplace sets it), Python
# never writes .pyc files, so without this step every process compiles the ~2,300 modules a server imports from
# source: 18 s of each `shopassist serve` start, each worker and each test subprocess. A few vendored files are not
# Python 3 and are skipped (compileall's exit status says so; it is not a failure of the step).
compile_bytecode() {
  "$VENV/bin/python" -m compileall -q -j 0 "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
    > /dev/null 2>&1 || true
}
