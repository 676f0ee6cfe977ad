// The HTML report in headless Chromium: every plot drawn, no console errors, no network request, a screenshot kept.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportPlots, writeReport } from '../src/plots/index.ts';
import { syntheticFit } from './fixtures/syntheticFit.ts';

// The page's document, inside page.evaluate callbacks (the project's tsconfig has no DOM lib).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/system-deps does this in CI)`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 60_000 });
    dir = join(tmpdir(), `mlx-nuts-report-${process.pid}`);
    mkdirSync(dir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders every plot offline without console errors and saves a screenshot', async () => {
    const fit = syntheticFit({ chains: 4, draws: 300, warmup: 150, divergeEvery: 41 });
    const path = await writeReport(fit, join(dir, 'report.html'), { pairParams: ['mu', 'tau'] });
    const url = pathToFileURL(path).href;
    const expectedIds = reportPlots(fit, { pairParams: ['mu', 'tau'] }).map((p) => p.id);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    // Every request but the report itself is aborted and recorded; so is any request the route does not see.
    await context.route('**/*', async (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      foreign.push(u);
      return route.abort();
    });
    page.on('request', (r) => {
      if (r.url() !== url) foreign.push(r.url());
    });

    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.getAttribute('data-rendered') !== null, undefined, { timeout: 60_000 });
    expect(await page.getAttribute('body', 'data-rendered')).toBe(`${expectedIds.length}/${expectedIds.length}`);

    const drawn = await page.evaluate((ids: string[]) => {
      return ids.map((id: string) => {
        const el = document.getElementById(id);
        const svg = el?.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        // Data marks carry vega's class 'role-mark'; axes, legends and titles have other roles.
        const marks = svg ? svg.querySelectorAll('g.role-mark > path, g.role-mark > rect, g.role-mark > line, g.role-mark > circle').length : 0;
        return { id, hasSvg: svg != null, width: box?.width ?? 0, height: box?.height ?? 0, marks };
      });
    }, expectedIds);
    for (const d of drawn) {
      expect(d.hasSvg, `${d.id} has an <svg>`).toBe(true);
      expect(d.width, `${d.id} width`).toBeGreaterThan(50);
      expect(d.height, `${d.id} height`).toBeGreaterThan(50);
      expect(d.marks, `${d.id} data marks`).toBeGreaterThan(0);
    }

    // The pair plot draws one red symbol per divergent draw (all kept through thinning).
    const divergent = fit.stats.reduce((a, s) => a + s.divergent__.reduce((b, x) => b + x, 0), 0);
    const redPoints = await page.evaluate(
      () => document.querySelectorAll('#plot-pair g.role-mark path[fill="#d62728"], #plot-pair g.role-mark circle[fill="#d62728"]').length,
    );
    expect(redPoints).toBe(divergent);

    // Warnings and the summary table are there.
    expect(await page.locator('ul.warnings li[data-kind="divergences"]').count()).toBe(1);
    expect(await page.locator('table.summary tbody tr').count()).toBe(fit.columns.length);

    const shot = resolve('test-results/report.png');
    mkdirSync(resolve('test-results'), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);

    expect(consoleErrors).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });
});
