#!/usr/bin/env bash
# Executes a notebook (default examples/eight_schools.ipynb) headlessly with the tslab kernel and checks it shows plots.
#
# Installs into .cache/notebook/ (nothing global): a Python venv with nbconvert (jupyter), and tslab from npm under its
# own prefix, with the kernel spec registered inside the venv. The notebook imports 'mlx-nuts' as a user would: from
# the built package (dist/, via `npm run build`), linked as examples/node_modules/mlx-nuts.
# Usage: scripts/notebook.sh [notebook.ipynb]   → writes test-results/<name>.executed.ipynb
#        NOTEBOOK_SKIP_BUILD=1 skips `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
NB="${1:-examples/eight_schools.ipynb}"
CACHE="$ROOT/.cache/notebook"
VENV="$CACHE/venv"
TSLAB_PREFIX="$CACHE/tslab"
TSLAB_VERSION=1.0.22
# jupyter's command-line pieces, pinned (nbclient runs the kernel, nbconvert drives it).
PY_PKGS=(nbconvert==7.17.2 nbclient==0.11.0 jupyter_client==8.10.0 jupyter_core==5.9.1 nbformat==5.11.1)

say() { echo "[notebook.sh] $*"; }

if [ ! -x "$VENV/bin/jupyter-nbconvert" ]; then
  say "creating the Python venv in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PY_PKGS[@]}"
fi

if [ ! -x "$TSLAB_PREFIX/node_modules/.bin/tslab" ]; then
  say "installing tslab@$TSLAB_VERSION into $TSLAB_PREFIX"
  # zeromq (tslab's transport) ships prebuilt binaries for Node's ABI inside its npm package: no build, no download.
  npm install --prefix "$TSLAB_PREFIX" --no-audit --no-fund --no-save "tslab@$TSLAB_VERSION" >/dev/null
fi
# The kernel spec `tslab install --sys-prefix` would write (its installer also wants IPython, which nothing else needs).
mkdir -p "$VENV/share/jupyter/kernels/tslab"
cat >"$VENV/share/jupyter/kernels/tslab/kernel.json" <<JSON
{"argv": ["$TSLAB_PREFIX/node_modules/.bin/tslab", "kernel", "--config-path", "{connection_file}"],
 "display_name": "TypeScript", "language": "typescript"}
JSON
"$VENV/bin/jupyter" kernelspec list 2>/dev/null | grep -q '^ *tslab ' || { say "the tslab kernel spec did not register"; exit 1; }

if [ -z "${NOTEBOOK_SKIP_BUILD:-}" ]; then   # set it when dist/ is fresh (e.g. right after npm ci, which builds)
  say "building the package (dist/)"
  npm run --silent build
fi
mkdir -p examples/node_modules
ln -sfn "$ROOT" examples/node_modules/mlx-nuts

mkdir -p test-results
name="$(basename "$NB" .ipynb)"
out="test-results/$name.executed.ipynb"
say "executing $NB"
"$VENV/bin/jupyter" nbconvert --to notebook --execute "$NB" \
  --ExecutePreprocessor.kernel_name=tslab --ExecutePreprocessor.timeout=900 \
  --output-dir test-results --output "$name.executed.ipynb"

# The executed notebook must hold plots: vega-lite MIME bundles (a spec object) or SVG images, and no error output.
"$VENV/bin/python" - "$out" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
vl = svg = errors = 0
for cell in nb["cells"]:
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            errors += 1
        data = o.get("data", {})
        spec = data.get("application/vnd.vegalite.v5+json")
        if isinstance(spec, dict) and "$schema" in spec and ("data" in spec or "datasets" in spec):
            vl += 1
        s = data.get("image/svg+xml")
        if isinstance(s, list):
            s = "".join(s)
        if isinstance(s, str) and "<svg" in s and "role-mark" in s:
            svg += 1
print(f"[notebook.sh] {sys.argv[1]}: {vl} vega-lite plots, {svg} SVG plots, {errors} errors")
if errors or vl + svg == 0:
    sys.exit(1)
PY
