#!/usr/bin/env node
// Install step: obtain MLX's C++ library (MLX_DIR, or the pinned PyPI backend wheel) and build the addon.
//
//   MLX_DIR=<dir>          use an MLX install: its root (holding lib/ and include/) or its share/cmake/MLX
//   MLX_NUTS_MLX=cpu       (default) the mlx-cpu wheel pinned in native/mlx-wheel.json
//   MLX_NUTS_MLX=cuda-13   the mlx-cuda-13 wheel and its nvidia-* dependency wheels (NVIDIA GPUs)
//   MLX_NUTS_SKIP_NATIVE=1 skip the addon (only the reference backend will work; the MLX tests then fail)
//
// The wheel is fetched with `python3 -m pip download --no-deps --only-binary=:all:` into .cache/mlx/ (git-ignored),
// its sha256 is checked against the pin, it is unpacked there, and the addon is built against it with an
// $ORIGIN-relative RPATH so that no LD_LIBRARY_PATH is needed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const log = (msg) => console.log(`[mlx-nuts install] ${msg}`);

function fail(msg) {
  console.error(`\n[mlx-nuts install] ERROR: ${msg}\n`);
  process.exit(1);
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) return { ok: false, why: `${cmd} could not be started: ${r.error.message}` };
  return { ok: r.status === 0, why: `${cmd} ${argv.join(' ')} exited with status ${r.status}` };
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function unzip(wheel, dest) {
  const r = run('python3', ['-m', 'zipfile', '-e', wheel, dest]);
  if (!r.ok) fail(`could not unpack ${wheel}: ${r.why}`);
}

/** Returns the directory holding MLXConfig.cmake, or the MLX root for a hand-linked build. */
function mlxFromEnv(dir) {
  const candidates = [dir, join(dir, 'share', 'cmake', 'MLX'), join(dir, 'mlx', 'share', 'cmake', 'MLX')];
  for (const c of candidates) if (existsSync(join(c, 'MLXConfig.cmake'))) return { cmakeDir: c, site: null };
  fail(`MLX_DIR=${dir} holds no MLXConfig.cmake (looked in ${candidates.join(', ')}). ` +
    'Point MLX_DIR at an MLX install root, or unset it to use the pinned wheel.');
}

function mlxFromWheel(variant) {
  const pins = JSON.parse(readFileSync(join(root, 'native', 'mlx-wheel.json'), 'utf8'));
  const pin = pins[variant];
  if (!pin || typeof pin !== 'object') {
    fail(`MLX_NUTS_MLX=${variant} is not a known variant; use one of: ${Object.keys(pins).filter((k) => k !== 'comment').join(', ')}`);
  }
  const site = join(root, '.cache', 'mlx', `${pin.package}-${pin.version}`);
  const cmakeDir = join(site, 'mlx', 'share', 'cmake', 'MLX');
  if (existsSync(join(site, '.complete'))) return { cmakeDir, site, variant };
  const wheels = join(root, '.cache', 'mlx', 'wheels');
  mkdirSync(wheels, { recursive: true });
  log(`downloading ${pin.package}==${pin.version} with pip (python3 -m pip download)`);
  const pipArgs = ['-m', 'pip', 'download', '--only-binary=:all:', '--disable-pip-version-check', '-d', wheels,
    `${pin.package}==${pin.version}`];
  if (!pin.withDependencies) pipArgs.splice(3, 0, '--no-deps');
  const r = run('python3', pipArgs);
  if (!r.ok) {
    fail(`could not download ${pin.package}==${pin.version}: ${r.why}.\n` +
      'Needs python3 with pip and access to the Python package index. Alternatives: set MLX_DIR to an MLX install ' +
      '(its root or share/cmake/MLX), or set MLX_NUTS_SKIP_NATIVE=1 to use only the reference backend.');
  }
  const prefix = pin.package.replace(/-/g, '_') + '-' + pin.version + '-';
  const main = readdirSync(wheels).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
  if (!main) fail(`pip reported success but no ${prefix}*.whl is in ${wheels}`);
  if (pin.sha256) {
    const got = sha256(join(wheels, main));
    if (got !== pin.sha256) {
      fail(`${main} has sha256 ${got}, but native/mlx-wheel.json pins ${pin.sha256}. Delete .cache/mlx and retry; ` +
        'if it persists the published file changed and the pin must be reviewed.');
    }
  }
  rmSync(site, { recursive: true, force: true });
  mkdirSync(site, { recursive: true });
  const toUnpack = pin.withDependencies ? readdirSync(wheels).filter((f) => f.endsWith('.whl')) : [main];
  for (const w of toUnpack) unzip(join(wheels, w), site);
  if (!existsSync(join(cmakeDir, 'MLXConfig.cmake'))) fail(`${main} unpacked, but it has no mlx/share/cmake/MLX/MLXConfig.cmake`);
  writeFileSync(join(site, '.complete'), `${pin.package}==${pin.version}\n`);
  return { cmakeDir, site, variant };
}

function buildAddon(mlx) {
  const cmakeJs = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
  if (!existsSync(cmakeJs)) fail('node_modules/cmake-js is missing: run npm install first.');
  const cmakeArgs = [cmakeJs, 'compile', '-d', 'native', '-O', 'build', `--CDMLX_DIR=${mlx.cmakeDir}`];
  // The CUDA wheel's MLXConfig.cmake wants the CUDA toolkit and cuDNN headers at build time; link by hand instead.
  if (mlx.variant === 'cuda-13') cmakeArgs.push('--CDMLX_NUTS_LINK_BY_HAND=ON');
  log(`building the addon against ${mlx.cmakeDir}`);
  const r = run(process.execPath, cmakeArgs);
  if (!r.ok) fail(`the native build failed (${r.why}). Needs cmake >= 3.20 and a C++20 compiler (g++ >= 11).`);
  const addon = join(root, 'build', 'Release', 'mlx_nuts.node');
  if (!existsSync(addon)) fail(`the build finished but ${addon} is missing`);
  writeFileSync(join(root, 'build', 'mlx-variant.json'), JSON.stringify({ variant: mlx.variant ?? 'MLX_DIR', cmakeDir: mlx.cmakeDir }) + '\n');
  log(`built ${addon}`);
}

function buildTs() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc) || !existsSync(join(root, 'tsconfig.build.json'))) return; // installed as a dependency: dist ships
  log('compiling TypeScript (tsc -p tsconfig.build.json)');
  const r = run(process.execPath, [tsc, '-p', 'tsconfig.build.json']);
  if (!r.ok) fail(`TypeScript compilation failed (${r.why})`);
}

if (process.env.MLX_NUTS_SKIP_NATIVE === '1') {
  log('MLX_NUTS_SKIP_NATIVE=1: not building the addon; only the reference backend will be available');
} else {
  const mlx = process.env.MLX_DIR ? mlxFromEnv(process.env.MLX_DIR) : mlxFromWheel(process.env.MLX_NUTS_MLX || 'cpu');
  buildAddon(mlx);
}
if (!args.has('--native-only')) buildTs();
