// Bulk ESS of many columns in parallel (worker threads, one column per task) with mlx-nuts' own essBulk: with
// thousands of chains one column takes seconds, and the GPU benchmark has tens of columns per model.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';


/** essBulk of each column (each an array of per-chain Float64Arrays), computed on up to `threads` workers. */
export async function essBulkMany(columns: Float64Array[][], threads = Math.max(1, availableParallelism() - 1)): Promise<number[]> {
  const module = new URL('../src/diagnostics/ess.ts', import.meta.url).href;
  const n = Math.min(threads, columns.length);
  const out = new Array<number>(columns.length).fill(NaN);
  let next = 0;
  const url = new URL('./essWorker.mjs', import.meta.url);
  const workers = Array.from({ length: n }, () => new Worker(url, { workerData: { module } }));
  try {
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      const give = () => {
        if (next >= columns.length) return resolve();
        const id = next++;
        // One packed copy per column, moved to the worker: posting the per-chain views themselves would clone the
        // whole buffer each view lies in (with many chains, one block of every draw: gigabytes, or 'could not be cloned').
        const chains = columns[id]!;
        const lengths = chains.map((c) => c.length);
        const packed = new Float64Array(lengths.reduce((a, b) => a + b, 0));
        let at = 0;
        for (const c of chains) { packed.set(c, at); at += c.length; }
        w.postMessage({ id, packed, lengths }, [packed.buffer]);
      };
      w.on('message', (m: { id: number; ess: number }) => {
        out[m.id] = m.ess;
        give();
      });
      w.on('error', reject);
      give();
    })));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}
