// Writes the ESS/s-ratio chart (vega-lite spec + SVG) for a results file: npx tsx bench/chart.ts [results.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { benchmarkPlot, toSVG } from '../src/plots/index.ts';
import type { BenchRecord } from './record.ts';

/** Writes <stem>.chart.json and <stem>.chart.svg; ratios are against Stan when it ran. */
export async function writeChart(records: readonly BenchRecord[], stem: string): Promise<string[]> {
  const spec = benchmarkPlot(records, { title: 'ESS/s relative to Stan (median over seeds)' });
  writeFileSync(`${stem}.chart.json`, JSON.stringify(spec, null, 2) + '\n');
  writeFileSync(`${stem}.chart.svg`, await toSVG(spec));
  return [`${stem}.chart.json`, `${stem}.chart.svg`];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? 'bench/results/latest.json';
  const records = JSON.parse(readFileSync(file, 'utf8')) as BenchRecord[];
  console.log((await writeChart(records, file.replace(/\.json$/, ''))).join('\n'));
}
