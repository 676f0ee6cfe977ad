// npx tsx bench/regions.ts — the fused CPU engine's gradient with every reduction region fused (src/codegen/regions.ts) beside the
// same model generated without them, in one process: ns per gradient (logpGradBatch over 1,024 points, rounds
// interleaved, median of 9) and the ratio. The values are the same bit for bit (test/codegen.regions.test.ts).
// Options: --models a,b (default: the eight benchmark models)  --dtype float64|float32  --out <file.md>
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FusedDensity } from '../src/backend/fused.ts';
import { compileLibrarySync } from '../src/codegen/compile.ts';
import { generateLibrary } from '../src/codegen/library.ts';
import type { Dtype } from '../src/base/types.ts';
import { MODELS } from '../models/index.ts';

const { values: a } = parseArgs({ options: { models: { type: 'string' }, dtype: { type: 'string', default: 'float64' }, out: { type: 'string' } } });
const dtype = a.dtype as Dtype;
const POINTS = 1024;
const ROUNDS = 9;

function build(name: string, regions: boolean): FusedDensity {
  const t = MODELS[name]!.model.trace(dtype);
  const named = [...t.params.map((p) => p.node), ...t.deterministics.map((d) => d.node)];
  const lib = generateLibrary(t.ir, named, dtype, 'cpp', undefined, false, regions ? 'all' : 'none');
  return new FusedDensity(t, { lib, compiled: compileLibrarySync(lib.fullSource) });
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const rows = ['| model | without regions ns/gradient | with regions ns/gradient | speed-up |', '|---|---|---|---|'];
for (const name of a.models ? a.models.split(',') : Object.keys(MODELS)) {
  const on = build(name, true);
  const off = build(name, false);
  const Q = Float64Array.from({ length: POINTS * on.dim }, (_, i) => Math.sin(0.37 * i) * 0.4);
  const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, d] of [['off', off], ['on', on]] as const) {
      const t0 = process.hrtime.bigint();
      d.logpGradBatch(Q, POINTS);
      times[k].push(Number(process.hrtime.bigint() - t0) / POINTS);
    }
  }
  const [tOff, tOn] = [median(times.off), median(times.on)];
  rows.push(`| ${name} | ${tOff.toFixed(0)} | ${tOn.toFixed(0)} | ${(tOff / tOn).toFixed(2)}× |`);
  console.log(rows[rows.length - 1]);
  on.dispose();
  off.dispose();
}
const md = `# Reduction regions on the CPU (${new Date().toISOString().slice(0, 10)}, ${dtype})\n\n\`npx tsx bench/regions.ts --dtype ${dtype}\`: ` +
  `ns per gradient of the fused CPU engine (logpGradBatch over ${POINTS} points, one thread, median of ${ROUNDS} interleaved rounds).\n\n${rows.join('\n')}\n`;
if (a.out) writeFileSync(a.out, md);
console.log(md);
