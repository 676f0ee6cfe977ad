// Writes docs/img/trace.png, the README's plot: a trace plot of a real eight_schools fit (vega headless SVG → resvg PNG).
// Usage: npx tsx scripts/readme-plot.ts [out.png]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { sample } from '../src/index.ts';
import { toPNG, tracePlot } from '../src/plots/index.ts';
import { eightSchools } from '../models/eight_schools.ts';

const out = resolve(process.argv[2] ?? 'docs/img/trace.png');
const fit = await sample(eightSchools, 1000, { chains: 4, seed: 1, backend: 'mlx' });
const spec = tracePlot(fit.data, { params: ['mu', 'tau', 'theta[0]'], width: 560, height: 80 });
const png = await toPNG(spec, { scale: 1.5 });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
