// Writes docs/img/trace.png, the README's plot: a trace plot rendered in Node (vega headless SVG → resvg PNG).
// Usage: npx tsx scripts/readme-plot.ts [out.png]. For now the fit is synthetic (seeded AR(1) draws shaped like
// eight_schools); swap `syntheticFit()` for `(await sample(model, 1000, { chains: 4, seed: 1 })).data` to draw a real one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { toPNG, tracePlot } from '../src/plots/index.ts';
import { syntheticFit } from '../test/fixtures/syntheticFit.ts';

const out = resolve(process.argv[2] ?? 'docs/img/trace.png');
const fit = { ...syntheticFit({ chains: 4, draws: 500, seed: 1, divergeEvery: 97, rho: 0.5 }), modelName: 'eight_schools (synthetic draws)' };
const spec = tracePlot(fit, { params: ['mu', 'tau', 'theta[0]'], width: 560, height: 80 });
const png = await toPNG(spec, { scale: 1.5 });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
