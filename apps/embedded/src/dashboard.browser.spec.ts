/// <reference lib="dom" />
// The dashboard in a real browser: Debian's chromium, driven by puppeteer-core, against an embedded
// gateway that has just served known requests. The page loads without console errors, its tables and
// charts show exactly those requests, a model filter narrows them, and a screenshot is kept in
// test-artifacts/dashboard.png.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { sendKnownRequests, startUsageGateway, type SentRequests, type UsageGateway } from './usage-dashboard.scenarios';

jest.setTimeout(120_000);

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts');

let target: UsageGateway;
let sent: SentRequests;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`the dashboard's browser test needs Debian's chromium at ${CHROMIUM}, and it is missing: apt-get install chromium (.ci/run installs it)`);
  }
  target = await startUsageGateway('dashboard-browser');
  sent = await sendKnownRequests(target);
  // puppeteer-core is an ES module only.
  const { default: puppeteer } = await import('puppeteer-core');
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--headless=new'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1100 });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${(error as Error).message}`));
  page.on('requestfailed', (request) => consoleErrors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
});

afterAll(async () => {
  await browser?.close();
  await target?.stop();
});

/** What the page shows: its totals table, the sums of its charts' data, and its tables' rows. */
function shown(): Promise<{ totals: Record<string, string>; charts: Record<string, number[]>; models: string[][]; keys: string[][]; errors: string[][]; filters: unknown; refreshes: number }> {
  return page.evaluate(() => {
    const state = (window as unknown as { switchyardDashboard: { charts: Record<string, { data: { datasets: { data: (number | null)[] }[] } }>; report: { filters: unknown }; refreshes: number } }).switchyardDashboard;
    const rows = (id: string) => [...document.querySelectorAll(`#${id} tbody tr`)].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? ''));
    return {
      totals: Object.fromEntries([...document.querySelectorAll<HTMLElement>('#totals [data-figure]')].map((cell) => [cell.dataset.figure!, cell.textContent ?? ''])),
      charts: Object.fromEntries(Object.entries(state.charts).map(([name, chart]) => [name, chart.data.datasets.map((dataset) => dataset.data.reduce<number>((sum, value) => sum + (value ?? 0), 0))])),
      models: rows('top-models'),
      keys: rows('top-keys'),
      errors: rows('errors-by-code'),
      filters: state.report.filters,
      refreshes: state.refreshes,
    };
  });
}

const refreshesSoFar = () => page.evaluate(() => (window as unknown as { switchyardDashboard: { refreshes: number } }).switchyardDashboard.refreshes);
const refreshedAfter = (count: number) => page.waitForFunction((seen: number) => (window as unknown as { switchyardDashboard: { refreshes: number } }).switchyardDashboard.refreshes > seen, { timeout: 30_000 }, count);

describe('the dashboard, in chromium', () => {
  it('asks for the admin key, then shows exactly the requests sent, and a model filter narrows them', async () => {
    await page.goto(`${target.httpUrl}/dashboard`, { waitUntil: 'load' });
    expect(await page.$eval('#status', (status) => status.textContent)).toBe('Enter the admin key to see usage.');
    await page.type('#admin-key', target.adminKey);
    await page.click('#key-form button[type=submit]');
    await refreshedAfter(0);
    expect(await page.evaluate(() => sessionStorage.getItem('switchyard-admin-key'))).toBe(target.adminKey);

    const { alpha, beta } = sent.byModel;
    const everything = await shown();
    expect(everything.totals).toEqual({
      requests: '6',
      errors: '1',
      prompt_tokens: '55',
      completion_tokens: '35',
      cached_prompt_tokens: '10',
      cost_usd: (alpha.cost_usd + beta.cost_usd).toFixed(6),
      p50: expect.stringMatching(/^\d+\.\d$/),
      p95: expect.stringMatching(/^\d+\.\d$/),
      p99: expect.stringMatching(/^\d+\.\d$/),
    });
    expect(everything.charts.requests).toEqual([6, 1]);
    expect(everything.charts.tokens).toEqual([55, 35, 10]);
    expect(everything.charts.cost[0]).toBeCloseTo(alpha.cost_usd + beta.cost_usd, 12);
    expect(everything.models.map((row) => row.slice(0, 5))).toEqual([
      ['alpha', '3', '0', '54', alpha.cost_usd.toFixed(6)],
      ['beta', '2', '0', '36', beta.cost_usd.toFixed(6)],
      ['gamma', '1', '1', '0', '0.000000'],
    ]);
    // Three requests each: ties go in the order of their values (key_ before vk_).
    expect(everything.keys.map((row) => row.slice(0, 4))).toEqual([
      [sent.envKeyId, '', '3', '1'],
      [sent.virtualKey.id, sent.virtualKey.name, '3', '0'],
    ]);
    expect(everything.errors).toEqual([['error', 'model_not_found', '1']]);

    const before = await refreshesSoFar();
    await page.type('#filter-model', 'beta');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => (window as unknown as { switchyardDashboard: { report: { filters: { model?: string } } } }).switchyardDashboard.report.filters.model === 'beta', { timeout: 30_000 });
    const filtered = await shown();
    expect(filtered.refreshes).toBeGreaterThan(before);
    expect([filtered.totals.requests, filtered.totals.errors, filtered.totals.prompt_tokens, filtered.totals.cost_usd]).toEqual(['2', '0', '22', beta.cost_usd.toFixed(6)]);
    expect([filtered.charts.requests, filtered.charts.tokens]).toEqual([
      [2, 0],
      [22, 14, 4],
    ]);
    expect(filtered.models.map((row) => row[0])).toEqual(['beta']);
    expect(filtered.errors).toEqual([]);

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('keeps refreshing by itself', async () => {
    await refreshedAfter(await refreshesSoFar());
    expect(consoleErrors).toEqual([]);
  });
});
