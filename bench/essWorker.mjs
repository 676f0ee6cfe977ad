// Worker of bench/essPool.ts: loads mlx-nuts' diagnostics through tsx and answers essBulk for one column per message.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { essBulk } = await import(workerData.module);
parentPort.on('message', (m) => {
  const chains = [];
  let at = 0;
  for (const n of m.lengths) { chains.push(m.packed.subarray(at, at + n)); at += n; }
  parentPort.postMessage({ id: m.id, ess: essBulk(chains) });
});
