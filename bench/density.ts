// npm run bench:density — µs per logp-and-gradient call: reference vs MLX f32/f64, 1 and 64 chains, from JS and C++.
import { logDensitySync, type ModelDensity } from 'mlx-nuts';
import { MlxDensity } from '../src/backend/mlx.ts';
import { MODELS } from '../models/index.ts';

const models = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = models.length ? models : ['eight_schools', 'logistic'];

function point(dim: number, chains: number): Float64Array {
  const Q = new Float64Array(dim * chains);
  for (let i = 0; i < Q.length; i++) Q[i] = 0.5 * Math.sin(i + 1);
  return Q;
}

/** Median over 5 repetitions of the mean µs per call over a loop sized to take about 0.2 s. */
function timeJs(d: ModelDensity, chains: number): number {
  const Q = point(d.dim, chains);
  const lp = new Float64Array(chains);
  const g = new Float64Array(chains * d.dim);
  for (let i = 0; i < 20; i++) d.logpGradBatch(Q, chains, lp, g);
  let iters = 10;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) d.logpGradBatch(Q, chains, lp, g);
    if (performance.now() - t0 > 50) break;
    iters *= 4;
  }
  const reps: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) d.logpGradBatch(Q, chains, lp, g);
    reps.push(((performance.now() - t0) * 1000) / iters);
  }
  return reps.sort((a, b) => a - b)[2]!;
}

function timeNative(d: ModelDensity, mlx: MlxDensity, chains: number): number {
  const Q = point(d.dim, chains);
  const reps = [0, 1, 2, 3, 4].map(() => mlx.native.benchLoop(Q, chains, 2000));
  return reps.sort((a, b) => a - b)[2]!;
}

const rows: string[] = ['| model | backend | dtype | chains | µs/call (JS) | µs/call (native loop) | µs per chain-gradient (JS) |', '|---|---|---|---|---|---|---|'];
for (const name of names) {
  const entry = MODELS[name];
  if (!entry) throw new Error(`[bench:density] unknown model '${name}'; known: ${Object.keys(MODELS).join(', ')}`);
  for (const [backend, dtype] of [['reference', 'float64'], ['mlx', 'float32'], ['mlx', 'float64']] as const) {
    for (const chains of [1, 64]) {
      const d = logDensitySync(entry.model, { backend, dtype });
      const js = timeJs(d, chains);
      // the MLX density behind the model density, for the C++ loop
      const mlx = backend === 'mlx' ? new MlxDensity(d.model.ir, dtype, 'cpu') : null;
      const nat = mlx ? timeNative(d, mlx, chains) : NaN;
      rows.push(`| ${name} | ${backend} | ${dtype} | ${chains} | ${js.toFixed(1)} | ${mlx ? nat.toFixed(1) : '—'} | ${(js / chains).toFixed(2)} |`);
      mlx?.dispose();
      d.dispose();
    }
  }
}
console.log(rows.join('\n'));
