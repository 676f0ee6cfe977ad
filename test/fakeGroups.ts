// Test helper: `n` in-process ranks whose allGather meets like MLX's — each call resolves, with every rank's bytes in
// rank order, once every rank has made its call; every rank must pass the same length, as MLX needs.
import { expect } from 'vitest';
import type { RankGroup } from '../src/distributed/group.ts';

export function fakeGroups(n: number): RankGroup[] {
  let round: Uint8Array[] = [];
  let waiting: ((all: Uint8Array) => void)[] = [];
  return Array.from({ length: n }, (_, rank) => ({
    rank, size: n, backend: 'fake', host: 'here',
    allGather: (bytes: Uint8Array) => new Promise<Uint8Array>((resolve) => {
      round[rank] = Uint8Array.from(bytes);
      waiting.push(resolve);
      if (waiting.length < n) return;
      expect(new Set(round.map((b) => b.length)).size).toBe(1);
      const all = new Uint8Array(round.reduce((k, b) => k + b.length, 0));
      round.reduce((o, b) => (all.set(b, o), o + b.length), 0);
      const w = waiting;
      round = [];
      waiting = [];
      w.forEach((f) => f(all));
    }),
  }));
}
