// `mlx-nuts sample … --processes N | --hostfile FILE --rank R | --dist-backend B`: chains spread over processes.
// The launcher (--processes) starts the ranks and watches them (src/distributed/launcher.ts); each rank samples its
// share (sampleDistributed); rank 0 prints the summary of every chain and writes the report.
import { OptionError } from '../base/errors.ts';
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { Model } from '../model/model.ts';
import { checkOutput } from '../io/outputCheck.ts';
import { DIST_BACKENDS, hardExit, type DistBackend } from '../distributed/group.ts';
import { HEARTBEAT_MS, launchLocal } from '../distributed/launcher.ts';
import { sampleDistributed } from '../distributed/sampleDistributed.ts';
import { checkRankCheckpoint } from '../distributed/rankResume.ts';
import { writeReport } from '../plots/report.ts';
import { formatCliError } from './errors.ts';
import { choiceOption, intOption, numberOption } from './options.ts';
import { summaryText } from '../fit/format.ts';
import type { SampleCliOptions } from './options.ts';

export interface DistributedCliOptions {
  processes?: number; hostfile?: string; rank?: number; distBackend?: DistBackend; rankTimeout: number; exchangeTimeout: number;
  gather: 'draws' | 'summary';
}

export function distributedOptions(c: Command): Command {
  return c
    .option('--processes <n>', 'spread the chains over n processes on this machine (ring over loopback; nccl with --device gpu)', intOption('processes', 1))
    .option('--hostfile <file>', "this process is one rank of the hosts listed (JSON, one [\"ip:port\"] per rank, as mlx.launch writes); its rank from --rank or MLX_RANK")
    .option('--rank <r>', 'this process\'s rank (default: MLX_RANK)', intOption('rank', 0))
    .option('--dist-backend <name>', "MLX's distributed backend: 'ring', 'nccl', 'mpi' or 'any'", choiceOption('dist-backend', DIST_BACKENDS))
    .option('--rank-timeout <s>', 'with --processes: seconds a sampling rank may stay silent before it is taken as hung', numberOption('rank-timeout', 1), 60)
    .option('--exchange-timeout <s>', 'seconds a rank waits for the others at an exchange (a window of pooled warmup, the end)', numberOption('exchange-timeout', 1), 3600)
    .option('--gather <what>', "what rank 0 gathers at the end: 'draws' (every draw) or 'summary' (only what the summary and warnings need; no --report)",
      choiceOption('gather', ['draws', 'summary'] as const), 'draws');
}

/** True when the options ask for more than one process. */
export function isDistributed(o: DistributedCliOptions): boolean {
  return o.processes !== undefined || o.hostfile !== undefined || o.distBackend !== undefined || process.env['MLX_NUTS_LAUNCHED'] === '1';
}

/** The rank command: this node process's arguments without --processes. */
function rankArgv(): string[] {
  const args = process.argv.slice(2);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--processes') i++;
    else if (!args[i]!.startsWith('--processes=')) out.push(args[i]!);
  }
  return [...process.execArgv, process.argv[1]!, ...out];
}

export async function runDistributed(m: Model, o: SampleCliOptions & DistributedCliOptions): Promise<void> {
  const timeoutMs = o.exchangeTimeout * 1000;
  if (o.gather === 'summary' && o.report) throw new OptionError('[mlx-nuts sample] --report plots every draw, and with --gather summary no process has them all: drop one of the two');
  if (o.processes !== undefined && process.env['MLX_NUTS_LAUNCHED'] !== '1') {
    if (o.hostfile) throw new OptionError('[mlx-nuts sample] --processes starts ranks on this machine, --hostfile is one rank of a list: pass one of them');
    if (o.processes > o.chains) throw new OptionError(`[mlx-nuts sample] --processes ${o.processes} exceeds --chains ${o.chains}: every rank needs at least one chain`);
    if (o.out && !o.resume) checkOutput(o.out, { overwrite: o.overwrite, chains: o.chains, modelName: m.name });
    // a resume: every rank's checkpoint is here and was written by this split, before any rank starts
    if (o.resume) for (let r = 0; r < o.processes; r++) checkRankCheckpoint(o.resume, m.name, o.chains, o.processes, r);
    const backend = o.distBackend ?? (o.device === 'gpu' ? 'nccl' : 'ring');
    console.error(`sampling ${m.name}: ${o.chains} chains over ${o.processes} processes (${backend}), ${o.warmup} warmup + ${o.draws} draws, seed ${o.seed}`);
    process.exitCode = await launchLocal({ processes: o.processes, backend, argv: rankArgv(), hangMs: o.rankTimeout * 1000, device: o.device });
    return;
  }
  // one rank: a heartbeat to the launcher (when there is one), SIGTERM stops sampling and every exchange
  // (the launcher watches a rank's heartbeats from its first iteration on: compiling the model may block for a while)
  const beat = process.send ? setInterval(() => process.send?.({ beat: Date.now() }), HEARTBEAT_MS) : null;
  beat?.unref();
  let started = false;
  const onProgress = () => {
    if (started) return;
    started = true;
    process.send?.({ started: true });
  };
  const sampling = new AbortController();
  const exchanges = new AbortController();
  process.on('SIGINT', () => sampling.abort());
  process.on('SIGTERM', () => { sampling.abort(); exchanges.abort(); });
  try {
    const r = await sampleDistributed(m, o.draws, {
      warmup: o.warmup, chains: o.chains, seed: o.seed, backend: o.backend, dtype: o.dtype, device: o.device, metric: o.metric,
      targetAccept: o.targetAccept, maxTreeDepth: o.maxTreeDepth, signal: sampling.signal, progress: onProgress, thin: o.thin, saveWarmup: o.saveWarmup,
      ...(o.out ? { output: o.out, overwrite: o.overwrite } : {}), ...(o.metricAdaptation ? { metricAdaptation: o.metricAdaptation } : {}),
      ...(o.resume ? { resume: o.resume } : {}), ...(o.adaptation ? { adaptation: o.adaptation } : {}),
      distributed: { backend: o.distBackend ?? 'any', hostfile: o.hostfile, rank: o.rank, timeoutMs, signal: exchanges.signal, gather: o.gather },
    });
    const last = r.first + r.count - 1;
    console.error(`rank ${r.rank} of ${r.size} (host ${r.host}): chains ${r.first}–${last} done${r.local.complete ? '' : ' (stopped early)'}`);
    if (r.rank === 0) {
      const f = r.fit;
      const s = r.summary;
      const t = s?.timing ?? f!.data.timing;
      const [chains, draws, complete] = s ? [s.chains, s.draws, s.complete] : [f!.chains, f!.numDraws, f!.complete];
      console.log(`\n${m.name}: ${chains} chains × ${draws} draws on ${r.size} processes (${r.local.data.config.engine ?? 'typescript'} kernel) — ` +
        `warmup ${t.warmupSeconds.toFixed(2)} s, sampling ${t.samplingSeconds.toFixed(2)} s (slowest rank)${sampling.signal.aborted ? ' — interrupted' : ''}`);
      if (!s) await f!.summaryAsync(); // the columns on worker threads; the table and the warnings reuse its rows
      console.log(s ? summaryText(s.rows) : f!.summaryTable());
      if (s) console.log(s.approximate ? `(summary gathered without the draws: ${s.approximate})` : '(summary gathered without the draws: every column exact up to rounding)');
      for (const w of s ? s.warnings.map((x) => x.message) : f!.warnings()) console.log(`warning: ${w}`);
      const dir = o.out ?? o.resume;
      if (dir) console.log(`Stan CSV files written to ${resolve(dir)} by each rank as it sampled${o.resume ? ' (resumed)' : ''} (${chains} files${complete ? '' : ', marked incomplete'})`);
      if (o.report && f) console.log(`report written to ${await writeReport(f, o.report, { vars: o.vars })}`);
    }
    hardExit(sampling.signal.aborted ? 130 : 0);
  } catch (e) {
    console.error(formatCliError(e, undefined));
    hardExit(1); // a collective may still wait on a dead peer in a worker thread: leave without joining it
  }
}
