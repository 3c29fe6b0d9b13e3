// Drives the studio's operations view and node form in headless Chromium (Debian's, through playwright-core): a worker
// that is draining (its step still running) is listed as draining, and a gpu-queue node's form says whether its activity
// holds its device alone or shares it. Screenshots go to OUT_DIR. Run by tests/CellSegFlows.Server.Tests
// (StudioBrowserTests) against a real server whose own worker is draining.
import { openStudio } from './studio-browser.mjs';

const base = process.env.BASE_URL;
const out = process.env.OUT_DIR;
const user = process.env.STUDIO_USER ?? 'viewer';
const password = process.env.STUDIO_PASSWORD;
const worker = process.env.WORKER_NAME;
const workflow = process.env.WORKFLOW_ID ?? 'ui-gpu';
if (!base || !out || !password || !worker) throw new Error('BASE_URL, OUT_DIR, STUDIO_PASSWORD and WORKER_NAME are required');

const { page, snap, step, login, run } = await openStudio('ops-e2e');

await run(async () => {
  step('log in');
  await page.goto(base);
  await page.waitForSelector('#login-user');
  await login(user, password);

  step('the draining worker is listed as draining, with its running step');
  await page.goto(`${base}#/ops`);
  await page.waitForSelector('[data-testid=workers] [data-worker-state=draining]');
  const row = await page.$$eval('[data-testid=workers] tbody tr', (rows, name) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)).find((cells) => cells[0] === name), worker);
  if (!row) throw new Error(`worker ${worker} is not listed`);
  if (row[7] !== 'draining') throw new Error(`worker ${worker} is shown as ${row[7]}, not draining`);
  if (row[4] !== '1') throw new Error(`worker ${worker} shows ${row[4]} running steps, not 1`);
  await snap('operations-draining');

  step('a gpu-queue node says whether its device is held alone or shared');
  await page.goto(`${base}#/workflows`);
  await page.click(`a[data-workflow="${workflow}"]`);
  await page.click('[data-testid=graph] g[data-node="shared"]');
  await page.waitForFunction(() => document.querySelector('[data-testid=node-device-use]')?.textContent?.includes('shared with other sharing steps'));
  await page.click('[data-testid=graph] g[data-node="alone"]');
  await page.waitForFunction(() => document.querySelector('[data-testid=node-device-use]')?.textContent?.includes('held alone'));
  await snap('node-device-alone');
  await page.click('[data-testid=graph] g[data-node="cpu"]');
  await page.waitForSelector('input[data-input="value"]');
  if (await page.$('[data-testid=node-device-use]')) throw new Error('a cpu-queue node speaks of a gpu device');
});
