// A fingerprint of a fit's draws: FNV-1a over the bit patterns of every chain's draws and sampling statistics, so that
// two runs meant to give the same draws (read-back modes, kernel loops) can be compared without keeping both.
import type { Fit } from '../src/index.ts';

/** Equal runs give equal strings (8 hex digits). */
export function drawsChecksum(fit: Fit): string {
  let h = 0x811c9dc5;
  const add = (a: Float64Array) => {
    const w = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i]!, 0x01000193);
  };
  for (const chain of fit.data.values) for (const col of chain) add(col);
  for (const st of fit.data.stats) for (const k of Object.keys(st).sort()) add((st as Record<string, Float64Array>)[k]!);
  return (h >>> 0).toString(16).padStart(8, '0');
}
