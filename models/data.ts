// Loads a benchmark model's data file (copied from shared/benchmark-models; group indices are 0-based).
import { readFileSync } from 'node:fs';

export function loadData<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./data/${name}.data.json`, import.meta.url), 'utf8')) as T;
}

export interface ModelEntry {
  readonly name: string;
  readonly dim: number;
  /** Parameters reported by the benchmark (all when omitted). */
  readonly report?: readonly string[];
}
