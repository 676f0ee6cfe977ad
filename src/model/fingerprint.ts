// A traced model's fingerprint: one hash of its graph's structure and parameter layout, one of the data it holds.
import { createHash, type Hash } from 'node:crypto';
import type { TracedModel } from './traced.ts';

export interface ModelFingerprint {
  readonly name: string;
  /** Ops, inputs, shapes, dtypes and attributes of every node, and each parameter's name, shape and transform. */
  readonly graph: string;
  /** Every constant's values (observed data included), bit for bit. */
  readonly data: string;
}

function bytesOf(a: Float64Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** sha256 (first 32 hex digits) of the graph and of the data of `m`; a model traced twice gets the same fingerprint. */
export function modelFingerprint(m: TracedModel): ModelFingerprint {
  const graph: Hash = createHash('sha256');
  const data: Hash = createHash('sha256');
  graph.update(`dim ${m.ir.dim} output ${m.ir.output}\n`);
  m.ir.nodes.forEach((n, i) => {
    graph.update(`${i} ${n.op} ${n.dtype} [${n.shape.join(',')}] (${n.inputs.join(',')}) ${n.attrs ? JSON.stringify(n.attrs) : ''}\n`);
    if (n.data) {
      data.update(`${i} ${n.data instanceof Float64Array ? 'f64' : 'i32'} ${n.data.length}\n`);
      data.update(bytesOf(n.data));
    }
  });
  for (const p of m.params) graph.update(`param ${p.name} [${p.shape.join(',')}] ${p.transform.name} @${p.offset}\n`);
  for (const v of m.deterministics) graph.update(`deterministic ${v.name} [${v.shape.join(',')}] #${v.node}\n`);
  return { name: m.name, graph: graph.digest('hex').slice(0, 32), data: data.digest('hex').slice(0, 32) };
}
