// `mlx-nuts sample`: options, output checked before sampling, Ctrl-C stops cleanly with a report (exit code 130).
import { FileError, OptionError } from '../base/errors.ts';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Model } from '../model/model.ts';
import { checkOutput, prepareDirectory } from '../io/outputCheck.ts';
import { sample } from '../nuts/sample.ts';
import type { ProgressEvent } from '../nuts/progress.ts';
import { writeReport } from '../plots/report.ts';
import { SAMPLE_DEFAULTS as D, SAMPLE_LIMITS } from '../base/defaults.ts';
import { choiceOption, intOption, listOption, numberOption, type SampleCliOptions } from './options.ts';
import { readInitFile } from './initFile.ts';
import { distributedOptions, isDistributed, runDistributed, type DistributedCliOptions } from './distributedCommand.ts';
import { checkRankCheckpoint, rankCheckpointPath } from '../distributed/rankResume.ts';

/** The exit code of a process stopped by SIGINT (128 + signal 2), as shells report it. */
export const EXIT_SIGINT = 130;

export async function runSample(m: Model, o: SampleCliOptions): Promise<void> {
  if (isDistributed(o as SampleCliOptions & DistributedCliOptions)) return runDistributed(m, o as SampleCliOptions & DistributedCliOptions);
  if ((o as SampleCliOptions & DistributedCliOptions).gather === 'summary') throw new OptionError('[mlx-nuts sample] --gather summary applies to runs spread over processes (--processes or --hostfile); one process has every draw');
  // Everything about the output is checked before the model is even compiled; sample() then streams the CSV files.
  // a resumed run's files exist by design: sample() checks them against the checkpoint instead
  if (o.out && !o.resume) checkOutput(o.out, { overwrite: o.overwrite, chains: o.chains, modelName: m.name });
  // a spread run's directory resumed in one process: say so (and how) instead of 'no checkpoint'
  if (o.resume && !existsSync(rankCheckpointPath(o.resume, m.name, 0, 1))) checkRankCheckpoint(o.resume, m.name, o.chains, 1, 0);
  const start = o.init !== undefined ? readInitFile(o.init) : {};
  if (o.report) {
    prepareDirectory(dirname(resolve(o.report)));
    if (existsSync(o.report) && statSync(o.report).isDirectory()) throw new FileError(`[sample] the report path ${resolve(o.report)} is a directory`);
  }
  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) {
      console.error('\ninterrupted again: quitting without a report');
      process.exit(EXIT_SIGINT);
    }
    console.error('\ninterrupted: stopping after the current iteration and reporting what exists (Ctrl-C again to quit at once)');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  const bars = o.progress && process.stderr.isTTY;
  let announced = false;
  const onProgress = (e: ProgressEvent) => {
    if (e.phase === 'sampling' && !announced) {
      announced = true;
      console.error(`${m.name}: warmup done, sampling ${o.draws} draws per chain`);
    }
  };
  console.error(`sampling ${m.name}: ${o.chains} chains × (${o.warmup} warmup + ${o.draws} draws), backend ${o.backend}, seed ${o.seed}`);
  let fit;
  try {
    fit = await sample(m, o.draws, {
      warmup: o.warmup, chains: o.chains, seed: o.seed, backend: o.backend, dtype: o.dtype, device: o.device, metric: o.metric,
      targetAccept: o.targetAccept, maxTreeDepth: o.maxTreeDepth, progress: bars ? true : onProgress, signal: ac.signal,
      ...(o.out ? { output: o.out, overwrite: o.overwrite } : {}), thin: o.thin, saveWarmup: o.saveWarmup,
      ...(o.resume ? { resume: o.resume } : {}), ...(o.metricAdaptation ? { metricAdaptation: o.metricAdaptation } : {}), ...start,
      ...(o.adaptation ? { adaptation: o.adaptation } : {}),
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const t = fit.data.timing;
  console.log(`\n${m.name}: ${fit.chains} chains × ${fit.numDraws} draws (${fit.data.config.backend}, ${fit.data.config.dtype}, ${fit.data.config.engine ?? 'typescript'} kernel) — ` +
    `compile ${t.compileSeconds.toFixed(2)} s, warmup ${t.warmupSeconds.toFixed(2)} s, sampling ${t.samplingSeconds.toFixed(2)} s` +
    `${ac.signal.aborted ? ' — interrupted' : ''}`);
  await fit.summaryAsync(); // the columns on worker threads; the table, the warnings and the report reuse its rows
  console.log(fit.summaryTable());
  for (const w of fit.warnings()) console.log(`warning: ${w}`);
  let failed = false;
  if (o.out ?? o.resume) {
    if (fit.extras.outputError) {
      console.error(`writing the Stan CSV files failed: ${fit.extras.outputError.message} (the files hold what was flushed before)`);
      failed = true;
    } else console.log(`Stan CSV files written to ${resolve((o.out ?? o.resume)!)} as sampling ran${o.resume ? ' (resumed)' : ''} (${fit.chains} files${fit.complete ? '' : ', marked incomplete'})`);
  }
  if (o.report) console.log(`report written to ${await writeReport(fit, o.report, { vars: o.vars })}`);
  if (ac.signal.aborted) process.exitCode = EXIT_SIGINT;
  else if (failed) process.exitCode = 1;
}

export function sampleOptions(c: Command): Command {
  return distributedOptions(c)
    .option('--draws <n>', 'post-warmup draws per chain', intOption('draws', 0), D.draws)
    .option('--warmup <n>', 'warmup iterations per chain', intOption('warmup', 0), D.warmup)
    .option('--chains <n>', 'number of chains', intOption('chains', 1), D.chains)
    .option('--seed <n>', 'random seed', intOption('seed'), D.seed)
    .option('--backend <name>', "'fused' (generated C++, the default), 'mlx' or 'reference'", choiceOption('backend', ['fused', 'mlx', 'reference'] as const), D.backend)
    .option('--dtype <name>', "'float32' or 'float64' (default: float64, float32 on mlx)", choiceOption('dtype', ['float32', 'float64'] as const))
    .option('--device <name>', "'cpu' or 'gpu'", choiceOption('device', ['cpu', 'gpu'] as const), D.device)
    .option('--metric <kind>', "'diag' or 'dense'", choiceOption('metric', ['diag', 'dense'] as const), D.metric)
    .option('--metric-adaptation <estimator>', "warmup's metric estimator: 'gradient-diag' (default on the CPU), 'low-rank' or 'stan' (default on the GPU, with --metric dense)",
      choiceOption('metric-adaptation', ['gradient-diag', 'low-rank', 'stan'] as const))
    .option('--adaptation <how>', "'chain' (each chain adapts its own step size and metric; the default on the CPU) or 'pooled' (one metric from every chain's draws; the default on the GPU from 32 chains)",
      choiceOption('adaptation', ['chain', 'pooled'] as const))
    .option('--target-accept <x>', 'target accept statistic, in [0.1, 1)', numberOption('target-accept', ...SAMPLE_LIMITS.targetAccept), D.targetAccept)
    .option('--max-tree-depth <n>', 'maximum tree depth', intOption('max-tree-depth', SAMPLE_LIMITS.maxTreeDepth[0]), D.maxTreeDepth)
    .option('--out <dir>', 'write one Stan CSV per chain into this directory (checked before sampling)')
    .option('--overwrite', 'replace existing CSV files in --out', false)
    .option('--resume <dir>', 'continue the killed or interrupted run in <dir> (its --out) from its last checkpoint; same model, data and options')
    .option('--init <file>', 'inits (JSON), or a warm start from an earlier run: its Stan CSV files (a directory, or files joined by commas) or fit JSON')
    .option('--thin <n>', 'keep every n-th iteration', intOption('thin', 1), D.thin)
    .option('--save-warmup', 'keep the warmup draws too (on the fit and in --out)', false)
    .option('--report <file>', 'write a self-contained HTML report')
    .option('--vars <names>', 'comma-separated variables or columns the report plots (default: all, up to 24)', listOption('vars'))
    .option('--no-progress', 'no progress bars');
}
