#!/usr/bin/env bash
# Sets up the NumPyro peer: a Python venv in .cache/numpyro-venv with pinned numpyro and CPU-only jax.
#
# Idempotent: prints what it did; exits non-zero with the reason when it cannot set up.
# Needs Python >= 3.11 (PYTHON=... to choose the interpreter) and access to the Python package index.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.cache/numpyro-venv"
# Pinned: the newest jax/jaxlib that install on Python 3.11 here, and the numpyro release that goes with them.
PINS=(numpyro==0.22.0 jax==0.10.2 jaxlib==0.10.2)

say() { echo "[setup-numpyro] $*"; }
fail() { echo "[setup-numpyro] cannot set up NumPyro: $*" >&2; exit 1; }

check_venv() { # the venv imports the pinned versions
  [ -x "$VENV/bin/python" ] || return 1
  "$VENV/bin/python" - "${PINS[@]}" >/dev/null 2>&1 <<'EOF'
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    if version(name) != want:
        sys.exit(1)
import jax, numpyro  # noqa: F401  (imports work)
EOF
}

if check_venv; then
  say "venv $VENV already has ${PINS[*]}"
  exit 0
fi

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3.12 python3; do
    if command -v "$cand" >/dev/null 2>&1; then PY="$(command -v "$cand")"; break; fi
  done
fi
[ -n "$PY" ] || fail "no python3 found (set PYTHON=/path/to/python3.11)"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || fail "$PY is Python $("$PY" -c 'import sys; print(sys.version.split()[0])'); need >= 3.11"

if [ ! -x "$VENV/bin/python" ]; then
  say "creating venv $VENV with $PY ($("$PY" -c 'import sys; print(sys.version.split()[0])'))"
  mkdir -p "$(dirname "$VENV")" || fail "cannot create $(dirname "$VENV")"
  "$PY" -m venv "$VENV" 2>"${TMPDIR:-/tmp}/setup-numpyro-venv.log" \
    || fail "python -m venv failed: $(tail -n 3 "${TMPDIR:-/tmp}/setup-numpyro-venv.log" | tr '\n' ' ')"
fi

LOG="${TMPDIR:-/tmp}/setup-numpyro-pip.log"
say "installing ${PINS[*]} into $VENV (log: $LOG)"
if ! "$VENV/bin/python" -m pip install --disable-pip-version-check -q "${PINS[@]}" >"$LOG" 2>&1; then
  fail "pip install ${PINS[*]} failed: $(tail -n 5 "$LOG" | tr '\n' ' ')"
fi
check_venv || fail "the venv does not import ${PINS[*]} after pip install"
say "ready: $("$VENV/bin/python" -c 'import jax, numpyro; print(f"numpyro {numpyro.__version__}, jax {jax.__version__}")')"
