#!/usr/bin/env bash
# Interop check: Stan CSVs written by writeStanCsv must read back exactly in ArviZ (from_cmdstan) and cmdstanpy (from_csv).
# Creates a pinned Python venv under .cache/interop-venv (rebuilt when test/interop/requirements.txt changes),
# writes synthetic fits with test/interop/write_stan_csv.ts, and runs test/interop/check_stan_csv.py on them.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.cache/interop-venv
REQ=test/interop/requirements.txt
PYTHON=${PYTHON:-python3}

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "interop: $PYTHON not found; the check needs Python >= 3.11 with the venv module" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "interop: $("$PYTHON" --version 2>&1) is too old; the pinned packages need Python >= 3.11 (set PYTHON=...)" >&2
  exit 1
fi

want=$(sha256sum "$REQ" | cut -d' ' -f1)
stamp="$VENV/.requirements.sha256"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "interop: creating $VENV from $REQ"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
  echo "$want" > "$stamp"
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/mlx-nuts-interop.XXXXXX")
trap 'rm -rf "$out"' EXIT
npx tsx test/interop/write_stan_csv.ts "$out"
"$VENV/bin/python" test/interop/check_stan_csv.py "$out"
