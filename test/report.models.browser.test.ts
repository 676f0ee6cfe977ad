// The report of real fits (eight_schools, centred eight_schools) in headless Chromium: its warnings are fit.warnings(),
// every column is shown, chain labels match, the pair plot is on the unconstrained scale; screenshots are kept.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fit, sample, writeReport, type Model } from 'mlx-nuts';
import { eightSchools } from '../models/eight_schools.ts';
import { eightSchoolsCentered } from '../models/eight_schools_centered.ts';
import { syntheticFit } from './fixtures/syntheticFit.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
let dir: string;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/system-deps does this)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 60_000 });
  dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-report-models-'));
});
afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(path: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.getAttribute('data-rendered') !== null, undefined, { timeout: 60_000 });
  return { page, errors, close: () => context.close() };
}

const texts = (page: Page, selector: string): Promise<string[]> =>
  page.evaluate((sel: string) => Array.from(document.querySelectorAll(sel) as ArrayLike<{ textContent: string | null }>).map((e) => e.textContent ?? ''), selector);

async function checkReport(name: string, m: Model, expectDivergences: boolean): Promise<Fit> {
  const fit = await sample(m, 500, { warmup: 500, chains: 4, seed: 2, backend: 'reference' });
  const path = await writeReport(fit, join(dir, `${name}.html`));
  const { page, errors, close } = await open(path);
  const rendered = (await page.getAttribute('body', 'data-rendered'))!.split('/');
  expect(rendered[0]).toBe(rendered[1]);

  // the warnings are fit.warnings(), word for word and in order
  expect(await texts(page, 'ul.warnings li')).toEqual(fit.warnings());
  if (expectDivergences) expect(await page.locator('ul.warnings li[data-kind="divergences"]').count()).toBe(1);

  // every column in the table and in the trace plot; no "showing N of M" line for 18 columns
  expect(await texts(page, 'table.summary tbody td:first-child')).toEqual([...fit.columns]);
  const traceText = (await texts(page, '#plot-trace svg text')).join('\n');
  for (const c of fit.columns) expect(traceText, c).toContain(c);
  expect(await page.locator('#shown').count()).toBe(0);

  // chains 0–3 in the legends, as in fit.warnings() and fit.draws(name)[chain]
  const legend = await texts(page, '#plot-trace g.role-legend-label text');
  expect(legend).toEqual(['0', '1', '2', '3']);

  // lp__ and the sampler statistics are traced
  const statsText = (await texts(page, '#plot-stats svg text')).join('\n');
  for (const s of ['lp__', 'accept_stat__', 'stepsize__', 'treedepth__', 'n_leapfrog__']) expect(statsText).toContain(s);

  // the pair plot: lowest-ESS parameters on the unconstrained scale, one red point per divergent transition
  const pairText = (await texts(page, '#plot-pair svg text')).join('\n');
  expect(pairText).toContain('log(tau)');
  const divergent = fit.divergences().reduce((a, b) => a + b, 0);
  const red = await page.evaluate(() => document.querySelectorAll('#plot-pair g.role-mark path[fill="#d62728"], #plot-pair g.role-mark circle[fill="#d62728"]').length);
  const panels = await page.evaluate(() => document.querySelectorAll('#plot-pair g.role-mark path[fill="#d62728"]').length > 0);
  expect(panels || divergent === 0).toBe(true);
  expect(red % Math.max(divergent, 1)).toBe(0); // every scatter panel shows all of them
  if (expectDivergences) expect(divergent).toBeGreaterThan(0);

  // R-hat with 3 decimals and integer ESS in the table
  const firstRow = await texts(page, 'table.summary tbody tr:first-child td');
  expect(firstRow[7]).toMatch(/^\d+$/);
  expect(firstRow[9]).toMatch(/^\d\.\d{3}$/);

  mkdirSync(resolve('test-results'), { recursive: true });
  const shot = resolve(`test-results/report-${name}.png`);
  await page.screenshot({ path: shot, fullPage: false });
  expect(statSync(shot).size).toBeGreaterThan(10_000);
  await page.screenshot({ path: resolve(`test-results/report-${name}-full.png`), fullPage: true });
  expect(errors).toEqual([]);
  await close();
  return fit;
}

describe('the report of real fits, in headless Chromium', () => {
  it('eight_schools (non-centred)', async () => {
    await checkReport('eight_schools', eightSchools, false);
  });

  it('eight_schools_centered: divergences warned and marked, tau on the log scale', async () => {
    const fit = await checkReport('eight_schools_centered', eightSchoolsCentered, true);
    expect(fit.warningList().map((w) => w.kind)).toEqual(expect.arrayContaining(['divergences', 'ess']));
  });

  it('says "showing N of M" when it leaves columns out, and shows what vars asks for', async () => {
    const fit = syntheticFit({ chains: 2, draws: 120, thetaSize: 30 });
    const path = await writeReport(fit, join(dir, 'many.html'));
    const { page, close } = await open(path);
    expect((await texts(page, '#shown'))[0]).toMatch(/^Showing 24 of 32 columns \(mu … theta\[21\]\): pass vars to choose others/);
    await close();
    const chosen = await writeReport(fit, join(dir, 'chosen.html'), { vars: ['theta'] });
    const second = await open(chosen);
    expect((await texts(second.page, '#shown'))[0]).toBe('Showing 30 of 32 columns, as chosen with vars: theta.');
    const trace = (await texts(second.page, '#plot-trace svg text')).join('\n');
    expect(trace).toContain('theta[29]');
    expect(trace).not.toMatch(/^mu$/m);
    await second.close();
  });
});
