// Worker of bench/essPool.ts: loads mlx-nuts' diagnostics through tsx and answers essBulk for one column per message.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { essBulk } = await import(workerData.module);
parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, ess: essBulk(m.chains) }));
