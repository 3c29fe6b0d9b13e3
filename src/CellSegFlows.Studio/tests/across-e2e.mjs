// Drives the studio's across-runs pages in headless Chromium (Debian's, through playwright-core): the metrics page of a
// workflow with three runs (a metric over run start times, the champion's run marked), then from the champion's run to
// its training log's lineage (producer step and run, the step that consumed it, the model version registered from it).
// Screenshots go to OUT_DIR. Run by tests/CellSegFlows.Server.Tests (StudioBrowserTests) against a real server.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.env.BASE_URL;
const out = process.env.OUT_DIR;
const user = process.env.STUDIO_USER ?? 'viewer';
const password = process.env.STUDIO_PASSWORD;
const workflow = process.env.WORKFLOW_ID ?? 'ui-across';
const model = process.env.MODEL_NAME ?? 'ui-model';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!base || !out || !password) throw new Error('BASE_URL, OUT_DIR and STUDIO_PASSWORD are required');

const profile = mkdtempSync(join(tmpdir(), 'cellsegflows-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1300, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] ?? await context.newPage();
page.setDefaultTimeout(20000);
const consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push(String(e)));
let shot = 0;
const snap = async (name) => page.screenshot({ path: join(out, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
const step = (text) => console.log(`across-e2e: ${text}`);

try {
  step('log in');
  await page.goto(base);
  await page.waitForSelector('#login-user');
  await page.fill('#login-user', user);
  await page.fill('#login-pass', password);
  await page.click('#login-submit');
  await page.waitForSelector('[data-testid=workflow-list]');

  step('metrics across runs: dice over three runs, the champion marked');
  await page.click('a[href="#/metrics"]');
  await page.waitForSelector('[data-testid=metrics-workflow]');
  await page.selectOption('[data-testid=metrics-workflow]', workflow);
  await page.waitForSelector('[data-testid=metric-over-runs]');
  if (await page.$eval('[data-testid=metrics-name]', (s) => s.value) !== 'dice') throw new Error('dice is not the first metric');
  const points = await page.$$('[data-testid=metric-over-runs] a[data-point]');
  if (points.length !== 3) throw new Error(`${points.length} points, not 3`);
  const champion = await page.$eval('[data-testid=metric-over-runs] polygon.champion', (p) => p.getAttribute('data-champion'));
  if (champion !== `${model} v1`) throw new Error(`the champion is marked as ${champion}`);
  if (!(await page.textContent('[data-testid=metric-points]')).includes(`★ ${model} v1`)) throw new Error('the table does not name the champion');
  await snap('metric-over-runs-dice');

  step('another metric, its maximum per run');
  await page.selectOption('[data-testid=metrics-name]', 'loss');
  await page.waitForFunction(() => document.querySelector('[data-testid=metric-over-runs]')?.getAttribute('data-metric') === 'loss');
  await page.selectOption('[data-testid=metrics-aggregate]', 'max');
  await page.waitForFunction(() => location.hash.includes('aggregate=max'));
  await page.waitForSelector('[data-testid=metric-over-runs]');
  await snap('metric-over-runs-loss-max');

  step('from the champion\'s run to its training log\'s lineage');
  await page.selectOption('[data-testid=metrics-name]', 'dice');
  await page.waitForFunction(() => document.querySelector('[data-testid=metric-over-runs]')?.getAttribute('data-metric') === 'dice');
  await page.click('[data-testid=metric-over-runs] a:has(polygon.champion)');
  await page.waitForFunction(() => location.hash.startsWith('#/run/'));
  await page.waitForSelector('a[data-lineage="train-log.txt"]');
  await page.click('a[data-lineage="train-log.txt"]');
  await page.waitForSelector('[data-testid=lineage]');
  const producers = await page.textContent('[data-testid=lineage-producers]');
  const consumers = await page.textContent('[data-testid=lineage-consumers]');
  if (!producers.includes('train') || !producers.includes('test.Train')) throw new Error(`producers: ${producers}`);
  if (!consumers.includes('read') || !consumers.includes(`${model} v1`)) throw new Error(`consumers: ${consumers}`);
  await snap('artifact-lineage');

  const unexpected = consoleErrors.filter((e) => !/status of 4\d\d/.test(e));
  if (unexpected.length > 0) throw new Error(`browser console errors: ${unexpected.join('\n')}`);
  step('done');
} catch (e) {
  await snap('failure').catch(() => {});
  console.error(`across-e2e: FAILED: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
