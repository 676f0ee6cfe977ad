// One rank of bench/distributed.ts: samples its share of the chains (sampleDistributed); rank 0 writes the min bulk
// ESS (of the merged draws, or the summary's with gather 'summary') and timing to the JSON file given. Arguments:
// <options JSON> <result file>, then --rank/--dist-backend (added by the launcher).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MODELS } from '../models/index.ts';
import { hardExit, type DistBackend } from '../src/distributed/group.ts';
import { sampleDistributed } from '../src/distributed/sampleDistributed.ts';
import { essBulkMany } from './essPool.ts';
import { reportedColumns } from './reported.ts';
import { loadNative } from '../src/backend/native.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { rank: { type: 'string' }, 'dist-backend': { type: 'string' } } });
const o = JSON.parse(positionals[0]!) as { model: string; chains: number; warmup: number; draws: number; seed: number; device: 'cpu' | 'gpu'; gather?: 'draws' | 'summary' };
try {
  const entry = MODELS[o.model]!;
  const r = await sampleDistributed(entry.model, o.draws, {
    chains: o.chains, warmup: o.warmup, seed: o.seed, device: o.device, backend: 'fused',
    distributed: { backend: values['dist-backend'] as DistBackend, rank: Number(values.rank), gather: o.gather ?? 'draws' },
  });
  // every rank: its own seconds and, on the GPU, where they went (the addon's gpuProfile), beside the result file
  const gpuProfile = (loadNative() as unknown as { gpuProfile?: (reset?: boolean) => Record<string, unknown> }).gpuProfile;
  const lt = r.local.data.timing;
  writeFileSync(`${positionals[1]!}.rank${r.rank}`, JSON.stringify({ rank: r.rank, warmupSeconds: lt.warmupSeconds,
    samplingSeconds: lt.samplingSeconds, kernelProfile: r.local.engine.kernelProfile ?? null, profile: gpuProfile?.() ?? null }));
  if (r.rank === 0) {
    const cols = reportedColumns(o.model, r.local.columns);
    const s = r.summary;
    const ess = s ? Math.min(...s.rows.filter((row) => cols.includes(row.name)).map((row) => row.essBulk)) : Math.min(...await essBulkMany(cols.map((c) => r.fit!.draws(c))));
    const t = s?.timing ?? r.fit!.data.timing;
    const divergences = s ? s.divergent : r.fit!.divergences().reduce((a, b) => a + b, 0);
    writeFileSync(positionals[1]!, JSON.stringify({ minEssBulk: ess, warmupSeconds: t.warmupSeconds, samplingSeconds: t.samplingSeconds,
      compileSeconds: t.compileSeconds, engine: r.local.data.config.engine, divergences }));
  }
  hardExit(0);
} catch (e) {
  console.error((e as Error).message);
  hardExit(1);
}
