// The summary of many columns on worker threads. Each column's summarize() (src/diagnostics/summary.ts) is independent
// of the others and costs about a microsecond per draw (ranks, sorts, five ESS), so the summary of a fit of tens of
// thousands of chains — a GPU run — took minutes on one thread: logistic at 65,536 chains × 500 draws, 22 columns of
// 32.8 M draws each. The workers run the same function on the same numbers: the rows are those of summaryRows.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { OptionError } from '../base/errors.ts';
import { summarize, type SummaryRow } from '../diagnostics/summary.ts';
import type { Chains } from '../diagnostics/draws.ts';

/** Fewer draws than this over all columns are summarised on the calling thread (a worker takes ~0.1 s to start). */
export const POOL_MIN_DRAWS = 1 << 22;

/**
 * A worker's code (CommonJS, run with eval): it loads the function `workerData.fn` of `workerData.module` — a compiled
 * .js module, or under a TypeScript loader's tests the .ts source, for which it registers tsx first — then answers one
 * message per column (its chains packed into one buffer with their lengths) with fn(name, chains), or fn(chains, args)
 * with the column's arguments when `workerData.named` is false.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ready = (async () => {
  if (workerData.module.endsWith('.ts')) (await import('tsx/esm/api')).register();
  return (await import(workerData.module))[workerData.fn];
})();
parentPort.on('message', async (m) => {
  let fn;
  try {
    fn = await ready;
  } catch (e) {
    return parentPort.postMessage({ id: m.id, error: String((e && e.message) || e), load: true });
  }
  try {
    const chains = [];
    let at = 0;
    for (const n of m.lengths) { chains.push(m.packed.subarray(at, at + n)); at += n; }
    const value = workerData.named ? fn(m.name, chains) : fn(chains, m.args);
    // the value's own buffers move back (a Float64Array, or an object's Float64Array fields)
    const moved = new Set();
    for (const x of [value, ...(value && typeof value === 'object' ? Object.values(value) : [])]) if (x instanceof Float64Array) moved.add(x.buffer);
    parentPort.postMessage({ id: m.id, value }, [...moved]);
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  }
});
`;

/** A module of src ('diagnostics/summary') as the workers import it: its .ts when this file runs as TypeScript, else its .js. */
export function srcModule(path: string): string {
  const ts = import.meta.url.endsWith('.ts');
  return new URL(`../${path}.${ts ? 'ts' : 'js'}`, import.meta.url).href;
}

/** Which function the workers run per column: `fn` exported by `module`, given the column's name first when `named`
 * (else its arguments second). */
export interface ColumnTask { readonly module: string; readonly fn: string; readonly named: boolean }

/** `threads` checked: a positive integer, or undefined for the machine's parallelism. */
export function poolThreads(threads: number | undefined, where: string): number {
  if (threads === undefined) return availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new OptionError(`[${where}] threads must be a positive integer, got ${String(threads)}`);
  return threads;
}

/**
 * summarize(names[j], columns[j]) for every column, on up to `threads` workers (on this thread when one thread is
 * asked for, when there is one column, or when all columns hold fewer than `minDraws` draws).
 */
export async function summarizeColumns(names: readonly string[], columns: readonly Chains[], threads: number,
  minDraws = POOL_MIN_DRAWS): Promise<SummaryRow[]> {
  const draws = columns.reduce((s, c) => s + c.reduce((t, x) => t + x.length, 0), 0);
  if (Math.min(threads, columns.length) <= 1 || draws < minDraws) return columns.map((c, j) => summarize(names[j]!, c));
  return orOnThisThread(mapColumns<SummaryRow>({ module: srcModule('diagnostics/summary'), fn: 'summarize', named: true }, names, columns, threads),
    () => columns.map((c, j) => summarize(names[j]!, c)));
}

/** The workers themselves failed (could not load the module, died): not an error of the function on a column. */
export class WorkerFailure extends Error {}

/**
 * The workers' result, or, when the workers themselves fail (WorkerFailure: they can, where this module runs under a
 * loader they do not have), `here()` on this thread with a process warning naming the failure: the same function of
 * the same numbers, only slower. An error of the function on a column is the caller's, as it is.
 */
export async function orOnThisThread<T>(onWorkers: Promise<T>, here: () => T): Promise<T> {
  try {
    return await onWorkers;
  } catch (e) {
    if (!(e instanceof WorkerFailure)) throw e;
    process.emitWarning(`[mlx-nuts] worker threads failed (${e instanceof Error ? e.message : String(e)}); working on the calling thread`);
    return here();
  }
}

/** The task's function of every column (with args[j], structured-cloneable) on min(threads, columns) workers, in order. */
export async function mapColumns<T>(task: ColumnTask, names: readonly string[], columns: readonly Chains[], threads: number,
  args?: readonly unknown[]): Promise<T[]> {
  const n = Math.max(1, Math.min(threads, columns.length));
  const out = new Array<T>(columns.length);
  let next = 0;
  let done = 0;
  const workers = Array.from({ length: n }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: task }));
  try {
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      const give = () => {
        if (next >= columns.length) return resolve();
        const id = next++;
        // one packed copy of the column, moved to the worker (posting the chains' views would clone the whole
        // buffers they lie in: with many chains, a block of every draw)
        const chains = columns[id]!;
        const lengths = chains.map((c) => c.length);
        const packed = new Float64Array(lengths.reduce((a, b) => a + b, 0));
        let at = 0;
        for (const c of chains) { packed.set(c, at); at += c.length; }
        w.postMessage({ id, name: names[id], packed, lengths, args: args?.[id] }, [packed.buffer]);
      };
      w.on('message', (m: { id: number; value?: T; error?: string; load?: boolean }) => {
        if (m.load) return reject(new WorkerFailure(`[${task.fn}] a worker could not load ${task.module}: ${m.error}`));
        if (m.error !== undefined) return reject(new Error(`[${task.fn}] column '${names[m.id]}': ${m.error}`));
        out[m.id] = m.value!;
        done++;
        give();
      });
      w.on('error', (e) => reject(new WorkerFailure(`[${task.fn}] a worker failed: ${e.message}`)));
      w.on('exit', (code) => { if (done < columns.length) reject(new WorkerFailure(`[${task.fn}] a worker exited (code ${code}) before the columns were done`)); });
      give();
    })));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}
