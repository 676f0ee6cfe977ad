// npm run bench:memory — peak resident memory of sampling a 10⁵-parameter model (iid normals, 4 chains) per engine,
// measured by /usr/bin/time -v around a child process (which also counts the largest process it waited for: g++ when
// the fused engine compiles, so each fused run goes first once to fill the cache) and by the child's own maxRSS.
//   tsx bench/memory.ts [--dim 100000] [--warmup 10] [--draws 20] [--scales 1,1] [--backends reference,mlx,fused] [--out file.md]
// --scales a,b: x_i ~ Normal(0, s_i), s_i log-spaced from a to b; with warmup < 20 there is no metric adaptation, so
// the step size fits a and the trajectory b: b/a sets the tree depth (30 gives depth 8, 256 leapfrog steps).
//   tsx bench/memory.ts --child <backend> …   (one measured run; prints its tree depths and the draws' bytes)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { model, Normal, sample, type BackendName } from 'mlx-nuts';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const dim = Number(arg('dim', '100000'));
const warmup = Number(arg('warmup', '10'));
const draws = Number(arg('draws', '20'));
const chains = 4;
const [sLo, sHi] = arg('scales', '1,1').split(',').map(Number) as [number, number];
const scales = Array.from({ length: dim }, (_, i) => sLo * (sHi / sLo) ** (dim > 1 ? i / (dim - 1) : 0));
const MB = 1024 * 1024;

if (argv.includes('--child')) {
  const backend = arg('child', 'reference') as BackendName;
  const iid = model('iid', (m) => {
    m.param('x', Normal(0, sLo === sHi ? 1 : scales), { shape: [dim] });
  });
  const t0 = performance.now();
  const fit = await sample(iid, draws, { warmup, chains, seed: 1, backend, dtype: 'float64' });
  const depths = fit.data.stats.flatMap((s) => Array.from(s.treedepth__));
  const drawBytes = fit.data.values.reduce((a, c) => a + c.reduce((b, v) => b + v.byteLength, 0), 0);
  // the draws' fingerprint: before/after runs of one engine must agree (the memory change keeps every draw)
  const h = createHash('sha256');
  for (const c of fit.data.values) for (const v of c) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  process.stdout.write(JSON.stringify({
    backend, engine: fit.data.config.engine, seconds: (performance.now() - t0) / 1000, drawBytes, ownMaxRss: process.resourceUsage().maxRSS * 1024,
    digest: h.digest('hex').slice(0, 12), maxDepth: Math.max(0, ...depths),
    meanDepth: depths.length > 0 ? depths.reduce((a, b) => a + b, 0) / depths.length : null,
  }) + '\n');
} else {
  const backends = arg('backends', 'reference,mlx,fused').split(',');
  const here = dirname(fileURLToPath(import.meta.url));
  const rows: string[] = [];
  for (const b of backends) {
    const child = () => spawnSync('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', join(here, 'memory.ts'), '--child', b,
      '--dim', String(dim), '--warmup', String(warmup), '--draws', String(draws), '--scales', `${sLo},${sHi}`], { encoding: 'utf8', maxBuffer: 64 * MB });
    if (b === 'fused') child(); // compiles the model into the cache: the measured run loads it
    const r = child();
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !rss || !line.startsWith('{')) {
      rows.push(`| ${b} | failed: ${(r.stderr.split('\n').find((l) => l.includes('Error')) ?? `exit ${r.status}`).slice(0, 120)} | | | | | | |`);
      continue;
    }
    const o = JSON.parse(line) as { engine: string; seconds: number; drawBytes: number; ownMaxRss: number; digest: string; maxDepth: number; meanDepth: number | null };
    const peak = (Number(rss[1]) * 1024) / MB;
    const drawsMb = o.drawBytes / MB;
    rows.push(`| ${b} (${o.engine}) | ${peak.toFixed(0)} | ${(o.ownMaxRss / MB).toFixed(0)} | ${drawsMb.toFixed(1)} | ${drawsMb > 0 ? (peak / drawsMb).toFixed(2) : '–'} | ${o.meanDepth === null ? '–' : `${o.meanDepth.toFixed(1)} (max ${o.maxDepth})`} | ${o.seconds.toFixed(1)} | ${o.digest} |`);
    console.error(rows[rows.length - 1]);
  }
  const table = [
    `Normal(0, s_i), s_i log-spaced in [${sLo}, ${sHi}], ${dim} parameters, ${chains} chains, ${warmup} warmup + ${draws} draws, float64; peak RSS from /usr/bin/time -v on ${hostname()}.`,
    '',
    '| backend (engine) | peak RSS, time -v (MB) | peak RSS, own (MB) | draws held (MB) | RSS / draws | tree depth, mean | seconds | draws sha256 |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(table);
  const out = arg('out', '');
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, table + '\n');
  }
}
