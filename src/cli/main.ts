#!/usr/bin/env node
// The command line: `mlx-nuts sample <model file>`, `mlx-nuts start` (eight_schools demo) and `mlx-nuts bench`.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { Model } from '../graph/model.ts';
import { sample } from '../nuts/sample.ts';
import { writeReport } from '../plots/report.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function int(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got '${v}'`);
    return n;
  };
}

/** Loads a model module (TypeScript or JavaScript) and returns its default export or its only Model export. */
async function loadModel(file: string): Promise<Model> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new Error(`[mlx-nuts sample] model file not found: ${abs}`);
  const { tsImport } = await import('tsx/esm/api');
  const mod = (await tsImport(pathToFileURL(abs).href, import.meta.url)) as Record<string, unknown>;
  // duck-typed: the model module may have loaded mlx-nuts from its sources rather than from dist/
  const isModel = (v: unknown): v is Model => v instanceof Model ||
    (typeof v === 'object' && v !== null && typeof (v as Model).trace === 'function' && typeof (v as Model).name === 'string');
  if (isModel(mod.default)) return mod.default;
  const models = [...new Set(Object.values(mod).filter(isModel))];
  if (models.length === 1) return models[0]!;
  throw new Error(`[mlx-nuts sample] ${file} must export a model (export default model(...)); found ${models.length} Model exports`);
}

interface SampleCliOptions {
  draws: number; warmup: number; chains: number; seed: number; backend: 'mlx' | 'reference'; dtype?: 'float32' | 'float64';
  device: 'cpu' | 'gpu'; metric: 'diag' | 'dense'; targetAccept: number; maxTreeDepth: number; out?: string; report?: string;
  progress: boolean;
}

async function runSample(m: Model, o: SampleCliOptions): Promise<void> {
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const fit = await sample(m, o.draws, {
    warmup: o.warmup, chains: o.chains, seed: o.seed, backend: o.backend, dtype: o.dtype, device: o.device, metric: o.metric,
    targetAccept: o.targetAccept, maxTreeDepth: o.maxTreeDepth, output: o.out, progress: o.progress && process.stderr.isTTY,
    signal: ac.signal,
  });
  process.off('SIGINT', onSigint);
  const t = fit.data.timing;
  console.log(`\n${m.name}: ${fit.chains} chains × ${fit.numDraws} draws (${o.backend}${o.backend === 'mlx' ? `, ${fit.data.config.dtype}` : ''}) — ` +
    `compile ${t.compileSeconds.toFixed(2)} s, warmup ${t.warmupSeconds.toFixed(2)} s, sampling ${t.samplingSeconds.toFixed(2)} s`);
  console.log(fit.summaryTable());
  for (const w of fit.warnings()) console.log(`warning: ${w}`);
  if (o.out) console.log(`Stan CSV files written to ${resolve(o.out)}`);
  if (o.report) console.log(`report written to ${await writeReport(fit.data, o.report)}`);
}

function sampleOptions(c: Command): Command {
  return c
    .option('--draws <n>', 'post-warmup draws per chain', int('draws'), 1000)
    .option('--warmup <n>', 'warmup iterations per chain', int('warmup'), 1000)
    .option('--chains <n>', 'number of chains', int('chains'), 4)
    .option('--seed <n>', 'random seed', int('seed'), 1)
    .option('--backend <name>', "'mlx' or 'reference'", 'mlx')
    .option('--dtype <name>', "'float32' or 'float64' (default: float32 on mlx, float64 on reference)")
    .option('--device <name>', "'cpu' or 'gpu'", 'cpu')
    .option('--metric <kind>', "'diag' or 'dense'", 'diag')
    .option('--target-accept <x>', 'target accept statistic', Number, 0.8)
    .option('--max-tree-depth <n>', 'maximum tree depth', int('max-tree-depth'), 10)
    .option('--out <dir>', 'write one Stan CSV per chain into this directory')
    .option('--report <file>', 'write a self-contained HTML report')
    .option('--no-progress', 'no progress bars');
}

const program = new Command().name('mlx-nuts').description('Bayesian inference with NUTS on MLX');
sampleOptions(program.command('sample <model>').description('sample a model file (TypeScript or JavaScript)'))
  .action(async (file: string, o: SampleCliOptions) => runSample(await loadModel(file), o));
sampleOptions(program.command('start').description('sample eight_schools with 4 chains, print the summary, write a report'))
  .action(async (o: SampleCliOptions) => {
    const m = await loadModel(join(root, 'models', 'eight_schools.ts'));
    await runSample(m, { ...o, report: o.report ?? join(root, 'reports', 'eight_schools.html') });
  });
program.command('bench').description('run the benchmark (see bench/)').allowUnknownOption(true).argument('[args...]')
  .action(async (args: string[]) => {
    const { tsImport } = await import('tsx/esm/api');
    process.argv = [process.argv[0]!, 'bench', ...args];
    await tsImport(pathToFileURL(join(root, 'bench', 'run.ts')).href, import.meta.url);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
