// Drives the studio's across-runs pages in headless Chromium (Debian's, through playwright-core): the metrics page of a
// workflow with three runs (a metric over run start times, the champion's run marked), then from the champion's run to
// its training log's lineage (producer step and run, the step that consumed it, the model version registered from it);
// then two runs picked in the runs list and compared side by side (A, B and B − A per model and cell type).
// Screenshots go to OUT_DIR. Run by tests/CellSegFlows.Server.Tests (StudioBrowserTests) against a real server.
import { openStudio } from './studio-browser.mjs';

const base = process.env.BASE_URL;
const out = process.env.OUT_DIR;
const user = process.env.STUDIO_USER ?? 'viewer';
const password = process.env.STUDIO_PASSWORD;
const workflow = process.env.WORKFLOW_ID ?? 'ui-across';
const model = process.env.MODEL_NAME ?? 'ui-model';
const compareWorkflow = process.env.COMPARE_WORKFLOW;
const compareA = process.env.COMPARE_A;
const compareB = process.env.COMPARE_B;
const compareDelta = Number(process.env.COMPARE_DELTA);
if (!base || !out || !password) throw new Error('BASE_URL, OUT_DIR and STUDIO_PASSWORD are required');

const { page, snap, step, login, run } = await openStudio('across-e2e');

await run(async () => {
  step('log in');
  await page.goto(base);
  await page.waitForSelector('#login-user');
  await login(user, password);

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

  if (compareWorkflow) {
    step('compare two runs picked in the runs list');
    await page.goto(`${base}#/runs?workflow=${compareWorkflow}`);
    await page.waitForSelector(`input[data-compare="${compareA}"]`);
    if (!(await page.isDisabled('[data-testid=compare-picked]'))) throw new Error('compare is enabled before two runs are picked');
    await page.check(`input[data-compare="${compareA}"]`);
    await page.check(`input[data-compare="${compareB}"]`);
    await page.click('[data-testid=compare-picked]');
    await page.waitForFunction(() => location.hash.startsWith('#/compare?'));
    await page.waitForSelector('table.compare-table[data-metric="AP"] tbody tr');
    if (await page.textContent('[data-testid=compare-a]') !== compareA || await page.textContent('[data-testid=compare-b]') !== compareB) throw new Error('A and B are not the runs picked, in order');
    const heads = await page.$$eval('table.compare-table[data-metric="AP"] thead th', (ths) => ths.map((t) => t.textContent));
    if (!heads.includes('evaluate') || !heads.includes('B − A')) throw new Error(`compare table heads: ${heads}`);
    const first = await page.$eval('table.compare-table[data-metric="AP"] tbody tr', (tr) => ({ label: tr.cells[0].textContent, delta: tr.cells[3].dataset.delta }));
    if (first.label !== 'LIVECell' || Math.abs(Number(first.delta) - compareDelta) > 1e-9) throw new Error(`the whole-set delta is ${JSON.stringify(first)}, not ${compareDelta}`);
    if (await page.$$eval('table.compare-table', (ts) => ts.length) !== 3) throw new Error('not three compare tables (F1, AP, AFNR)');
    await snap('compare-runs');
  }
});
