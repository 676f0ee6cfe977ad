#!/usr/bin/env bash
# Sets up the Stan peer (rstan from Debian 12's packages, plus a local BH package whose include/boost is /usr/include/boost).
#
# Idempotent: prints what it did; exits non-zero with the reason when it cannot set up.
# Debian 12's r-cran-bh installs an R package "BH" with no headers in it, so rstan stops with
# "Boost not found". We install a tiny package named BH into the project-local R library
# .cache/R-lib (git-ignored) and point its include/boost at the system's Boost headers;
# bench/peers/stan.R is run with R_LIBS_USER=.cache/R-lib so that this BH is found first.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RLIB="$ROOT/.cache/R-lib"
BOOST_INC="${BOOST_INCLUDE_DIR:-/usr/include/boost}"
APT_PACKAGES=(r-cran-rstan r-cran-jsonlite r-cran-posterior libboost-dev)

say() { echo "[setup-stan] $*"; }
fail() { echo "[setup-stan] cannot set up Stan: $*" >&2; exit 1; }

r_has() { # r_has PKG...: all R packages load
  local expr=""
  for p in "$@"; do expr+="suppressPackageStartupMessages(library($p));"; done
  R_LIBS_USER="$RLIB" Rscript --vanilla -e "$expr" >/dev/null 2>&1
}

# 1. Debian packages (rstan, jsonlite, posterior, Boost headers).
if command -v Rscript >/dev/null 2>&1 && r_has rstan jsonlite && [ -f "$BOOST_INC/version.hpp" ]; then
  say "rstan, jsonlite and Boost headers present"
else
  command -v apt-get >/dev/null 2>&1 || fail "Rscript/rstan missing and no apt-get here (need: ${APT_PACKAGES[*]})"
  [ "$(id -u)" = "0" ] || fail "Rscript/rstan missing and not root (run as root: apt-get install -y ${APT_PACKAGES[*]})"
  say "installing ${APT_PACKAGES[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q "${APT_PACKAGES[@]}" >"${TMPDIR:-/tmp}/setup-stan-apt.log" 2>&1; then
    say "apt-get install failed; running apt-get update and retrying"
    apt-get update -q >>"${TMPDIR:-/tmp}/setup-stan-apt.log" 2>&1 || true
    apt-get install -y -q "${APT_PACKAGES[@]}" >>"${TMPDIR:-/tmp}/setup-stan-apt.log" 2>&1 \
      || fail "apt-get install ${APT_PACKAGES[*]} failed (log: ${TMPDIR:-/tmp}/setup-stan-apt.log): $(tail -n 3 "${TMPDIR:-/tmp}/setup-stan-apt.log" | tr '\n' ' ')"
  fi
  command -v Rscript >/dev/null 2>&1 || fail "Rscript still missing after apt-get install"
  r_has rstan jsonlite || fail "R packages rstan/jsonlite do not load after apt-get install"
  [ -f "$BOOST_INC/version.hpp" ] || fail "no Boost headers at $BOOST_INC (libboost-dev)"
fi

# 2. The local BH package, so that system.file('include', package = 'BH') holds boost/.
bh_ok() {
  R_LIBS_USER="$RLIB" Rscript --vanilla -e \
    "d <- system.file('include', 'boost', 'version.hpp', package = 'BH'); if (!nzchar(d) || !startsWith(d, '$RLIB')) quit(status = 1)" \
    >/dev/null 2>&1
}
if bh_ok; then
  say "local BH package present in $RLIB (include/boost -> $(readlink "$RLIB/BH/include/boost" || echo "$RLIB/BH/include/boost"))"
else
  mkdir -p "$RLIB" || fail "cannot create $RLIB"
  # Boost's version as BH spells it, e.g. 1.74.0-1 (rstan needs BH >= 1.66.0).
  ver="$(sed -n 's/^#define BOOST_LIB_VERSION "\([0-9_]*\)".*/\1/p' "$BOOST_INC/version.hpp" | tr '_' '.')"
  [ -n "$ver" ] || fail "cannot read BOOST_LIB_VERSION from $BOOST_INC/version.hpp"
  case "$ver" in *.*.*) ;; *) ver="$ver.0" ;; esac
  src="$(mktemp -d)"
  trap 'rm -rf "$src"' EXIT
  mkdir -p "$src/BH/inst/include"
  cat >"$src/BH/DESCRIPTION" <<EOF
Package: BH
Type: Package
Title: Boost C++ Header Files (local shim pointing at the system's headers)
Version: $ver-1
Description: Makes the system's Boost headers ($BOOST_INC) visible to R packages that
  look for them with system.file('include', package = 'BH'), such as rstan.
License: BSL-1.0
Author: mlx-nuts bench
Maintainer: mlx-nuts bench <bench@localhost>
EOF
  : >"$src/BH/NAMESPACE"
  echo "placeholder so that include/ exists" >"$src/BH/inst/include/README"
  say "installing local R package BH $ver-1 into $RLIB"
  R CMD INSTALL --no-docs --no-html --library="$RLIB" "$src/BH" >"$src/install.log" 2>&1 \
    || fail "R CMD INSTALL of the local BH package failed: $(tail -n 5 "$src/install.log" | tr '\n' ' ')"
  ln -sfn "$BOOST_INC" "$RLIB/BH/include/boost" || fail "cannot link $RLIB/BH/include/boost -> $BOOST_INC"
  say "linked $RLIB/BH/include/boost -> $BOOST_INC"
  bh_ok || fail "the local BH package is installed but R does not find boost/version.hpp through it"
fi

mkdir -p "$ROOT/.cache/stan-models" || fail "cannot create $ROOT/.cache/stan-models"

# 3. The wall-clock shim (bench/peers/wallclock.c): Stan 2.21 times warmup and sampling with clock(), CPU time;
# stan.R runs with this clock() preloaded so that its times are wall time, like the other samplers'.
SHIM="$ROOT/.cache/stan-wallclock.so"
if [ ! -f "$SHIM" ] || [ "$ROOT/bench/peers/wallclock.c" -nt "$SHIM" ]; then
  CC_="${CC:-gcc}"
  command -v "$CC_" >/dev/null 2>&1 || CC_=g++
  "$CC_" -O2 -shared -fPIC -o "$SHIM.tmp" -x c "$ROOT/bench/peers/wallclock.c" && mv "$SHIM.tmp" "$SHIM" \
    || fail "cannot build the wall-clock shim $SHIM from bench/peers/wallclock.c"
  say "built $SHIM (Stan's clock() -> wall clock)"
else
  say "wall-clock shim present: $SHIM"
fi
say "ready: rstan $(Rscript --vanilla -e 'cat(as.character(packageVersion("rstan")))' 2>/dev/null)," \
  "run Stan programs with R_LIBS_USER=$RLIB"
