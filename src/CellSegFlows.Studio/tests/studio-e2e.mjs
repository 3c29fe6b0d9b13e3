// Drives the studio in headless Chromium (Debian's, through playwright-core): log in, open a workflow, change a
// node's input, see the validation error on the node, fix it, save a draft, diff it with the published version, publish it,
// start a run, watch it finish,
// open a step's journal, download an artifact, see an image artifact previewed and the run's report in its frame, filter the runs list, open the operations view, export a definition, and make,
// edit, fire and remove a schedule on the triggers page.
// Screenshots go to OUT_DIR. Run by tests/CellSegFlows.Server.Tests (StudioBrowserTests) against a real server.
import { openStudio } from './studio-browser.mjs';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const base = process.env.BASE_URL;
const out = process.env.OUT_DIR;
const user = process.env.STUDIO_USER ?? 'admin';
const password = process.env.STUDIO_PASSWORD;
const workflow = process.env.WORKFLOW_ID ?? 'ui-demo';
if (!base || !out || !password) throw new Error('BASE_URL, OUT_DIR and STUDIO_PASSWORD are required');

const { page, snap, step, run } = await openStudio('studio-e2e', { viewport: { width: 1500, height: 1000 }, acceptDownloads: true });

await run(async () => {
  step('log in');
  await page.goto(base);
  await page.waitForSelector('#login-user');
  await page.fill('#login-user', user);
  await page.fill('#login-pass', 'not-the-password');
  await page.click('#login-submit');
  await page.waitForFunction(() => document.querySelector('[data-testid=login-error]')?.textContent?.includes('wrong password'));
  await page.fill('#login-pass', password);
  await page.click('#login-submit');
  await page.waitForSelector('[data-testid=workflow-list]');
  await snap('workflows');

  step('open the workflow');
  await page.click(`a[data-workflow="${workflow}"]`);
  await page.waitForSelector('[data-testid=graph] g[data-node="sample"]');
  await page.waitForFunction(() => document.querySelector('[data-testid=validation-status]')?.textContent === 'valid');
  await page.click('[data-testid=graph] g[data-node="sample"]');
  await page.waitForSelector('input[data-input="imagesPerCellType"]');

  step('change a node input to a wrong type: the node shows the error');
  await page.fill('input[data-input="imagesPerCellType"]', 'two');
  await page.press('input[data-input="imagesPerCellType"]', 'Tab');
  await page.waitForFunction(() => document.querySelector('[data-testid=validation-status]')?.textContent === '1 problem');
  await page.waitForSelector('[data-testid=graph] g[data-node="sample"].has-errors');
  const message = await page.textContent('[data-testid=node-panel] [data-testid=node-problems]');
  if (!/int/.test(message ?? '')) throw new Error(`the node's problem does not name the type: ${message}`);
  if (!(await page.inputValue('[data-testid=json]')).includes('"imagesPerCellType": "two"')) throw new Error('the JSON did not follow the form');
  await snap('validation-error');

  step('fix it in the form; the JSON follows');
  await page.fill('input[data-input="imagesPerCellType"]', '1');
  await page.press('input[data-input="imagesPerCellType"]', 'Tab');
  await page.waitForFunction(() => document.querySelector('[data-testid=validation-status]')?.textContent === 'valid');
  if (await page.$('[data-testid=graph] g.has-errors')) throw new Error('an error is still shown on a node');
  if (!(await page.inputValue('[data-testid=json]')).includes('"imagesPerCellType": 1')) throw new Error('the JSON did not follow the fix');

  step('add a node, connect it to another node\'s output, remove it');
  const edgesBefore = await page.$$eval('[data-testid=graph] [data-edge]', (p) => p.length);
  await page.fill('[data-testid=palette-search]', 'readtext');
  await page.dblclick('.palette-item[data-activity="test.ReadText"]');
  await page.waitForSelector('[data-testid=graph] g[data-node="testReadText1"].selected');
  // A new node lacks its required input and feeds no workflow output: two problems, both on it.
  await page.waitForFunction(() => document.querySelector('[data-testid=validation-status]')?.textContent === '2 problems');
  await page.waitForSelector('[data-testid=graph] g[data-node="testReadText1"].has-errors');
  await page.selectOption('select[data-link="file"]', '${nodes.train.log}');
  await page.waitForFunction(() => document.querySelector('[data-testid=validation-status]')?.textContent === '1 problem');
  if (!(await page.textContent('[data-testid=problems]')).includes('unreachable')) throw new Error('the remaining problem is not the unreachable node');
  const edgesAfter = await page.$$eval('[data-testid=graph] [data-edge]', (p) => p.length);
  if (edgesAfter !== edgesBefore + 1) throw new Error(`connecting did not draw an edge (${edgesBefore} → ${edgesAfter})`);
  if (!(await page.inputValue('[data-testid=json]')).includes('"file": "${nodes.train.log}"')) throw new Error('the JSON did not get the connection');
  await snap('node-added-and-connected');
  await page.click('[data-testid=remove-node]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=graph] g[data-node="testReadText1"]'));
  if ((await page.inputValue('[data-testid=json]')).includes('testReadText1')) throw new Error('the removed node is still in the JSON');
  await page.waitForFunction(() => document.querySelector('[data-testid=validation-status]')?.textContent === 'valid');

  step('an edit in the JSON updates the graph');
  const json = JSON.parse(await page.inputValue('[data-testid=json]'));
  json.description = 'edited in the studio';
  json.nodes.find((n) => n.id === 'train').inputs.steps = 15;
  await page.fill('[data-testid=json]', JSON.stringify(json, null, 2));
  await page.waitForFunction(() => document.querySelector('[data-testid=validation-status]')?.textContent === 'valid');
  await snap('edited');

  step('save a draft: the published version stays what runs');
  await page.click('[data-testid=save]');
  await page.waitForFunction(() => document.querySelector('.toast')?.textContent?.startsWith('draft saved'));
  await page.waitForFunction(() => location.hash.includes('saved='));
  await page.waitForFunction(() => document.querySelector('[data-testid=editing]')?.textContent?.startsWith('draft'));
  await page.waitForSelector('[data-testid=diff-open]');
  await snap('draft-saved');
  const listed = await (await page.request.get(`${base}api/workflows/${workflow}`)).json();
  if (listed.versionLabel !== 1) throw new Error(`saving a draft changed the published version: v${listed.versionLabel}`);

  step('diff the draft and the published version');
  await page.click('[data-testid=diff-open]');
  await page.waitForSelector('[data-testid=diff] .add');
  const diff = await page.textContent('[data-testid=diff]');
  if (!diff.includes('+   "description": "edited in the studio"') || !diff.includes('"steps": 15')) throw new Error(`unexpected diff: ${diff}`);
  await snap('diff');

  step('publish the draft as version 2');
  await page.click('[data-testid=publish]');
  await page.waitForFunction(() => document.querySelector('.toast')?.textContent?.startsWith('published version 2'));
  await page.waitForFunction(() => document.querySelector('[data-testid=editing]')?.textContent?.startsWith('published v2'));
  if (await page.$('[data-testid=discard-draft]')) throw new Error('the draft is still there after publishing');
  await snap('published');

  step('start a run with parameters');
  await page.click('[data-testid=start-open]');
  await page.fill('input[data-param="seed"]', '3');
  await page.click('[data-testid=start-run]');
  await page.waitForFunction(() => location.hash.startsWith('#/run/'));
  await page.waitForSelector('[data-testid=graph] g[data-node="train"]');
  await page.waitForSelector('[data-testid=graph] g.state-running, [data-testid=graph] g.state-succeeded', { timeout: 30000 });
  await snap('run-live');

  step('watch it finish');
  await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'Succeeded', null, { timeout: 90000 });
  await page.waitForSelector('svg.chart[data-metric="loss"]');
  await page.waitForSelector('svg.chart[data-metric="dice"]');
  const states = await page.$$eval('[data-testid=graph] g[data-node]', (gs) => gs.map((g) => g.getAttribute('class')));
  if (!states.every((c) => /state-(succeeded|cached)/.test(c))) throw new Error(`not every node is green: ${states}`);
  await page.waitForFunction(() => document.querySelector('[data-testid=history]')?.textContent?.includes('start by admin'));
  await snap('run-finished');

  step("open a step's journal");
  await page.click('[data-testid=graph] g[data-node="segment"]');
  await page.waitForSelector('[data-testid=step-panel] [data-testid=journal] tbody tr');
  await page.click('[data-testid=graph] g[data-node="evaluate"]');
  await page.waitForFunction(() => document.querySelector('[data-testid=step-facts]')?.textContent?.includes('EvaluateInstances'));
  const journal = await page.textContent('[data-testid=step-panel] [data-testid=journal]');
  if (!journal.includes('attempt 1 started on') || !journal.includes('Succeeded')) throw new Error(`journal incomplete: ${journal}`);
  await snap('step-journal');

  step('download an artifact');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=artifacts] a[data-artifact="report.md"]')]);
  const file = join(out, `downloaded-${download.suggestedFilename()}`);
  await download.saveAs(file);
  if (statSync(file).size === 0) throw new Error('the downloaded artifact is empty');

  step('preview an image artifact and show the run report');
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid=artifact-previews] img[data-preview="pca.png"]');
    return img && img.complete && img.naturalWidth > 0;
  });
  await page.click('[data-testid=report-show]');
  const report = page.frameLocator('[data-testid=report-frame]');
  await report.locator('table.scores[data-metric="AP"]').waitFor();
  await report.locator('figure[data-figure="gantt"] img').waitFor();
  const reportFigures = await report.locator('figure img').evaluateAll((imgs) => imgs.map((i) => i.naturalWidth));
  if (reportFigures.length < 5 || reportFigures.some((w) => w === 0)) throw new Error(`report figures not drawn: ${reportFigures}`);
  await page.locator('[data-testid=report]').scrollIntoViewIfNeeded();
  await snap('run-report');

  step('follow the link to the exact definition version');
  await page.click('[data-testid=definition-link]');
  await page.waitForSelector('[data-testid=version-select]');
  const chosen = await page.$eval('[data-testid=version-select]', (s) => s.options[s.selectedIndex].textContent);
  if (!chosen.startsWith('v2 ')) throw new Error(`the run links to ${chosen}, not v2`);
  await page.click('[data-testid=version-runs]');
  await page.waitForSelector('[data-testid=filter-version]');
  await page.waitForSelector('[data-testid=runs-table] a[data-run]');

  step('runs list with filters');
  await page.goto(`${base}#/runs?workflow=${workflow}&status=Succeeded&trigger=manual`);
  await page.waitForSelector('[data-testid=runs-table] a[data-run]');
  await snap('runs-filtered');
  await page.goto(`${base}#/runs?workflow=${workflow}&status=Failed`);
  await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('No runs match.'));

  step('runs list: search in parameter values, answered by the server');
  await page.goto(`${base}#/runs?workflow=${workflow}`);
  await page.waitForSelector('[data-testid=runs-table] a[data-run]');
  await page.fill('[data-testid=filter-search]', 'no-such-value');
  await page.press('[data-testid=filter-search]', 'Enter');
  await page.waitForFunction(() => location.hash.includes('q=no-such-value'));
  await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('No runs match.'));
  await page.fill('[data-testid=filter-search]', '3');
  await page.press('[data-testid=filter-search]', 'Enter');
  await page.waitForSelector('[data-testid=runs-table] a[data-run]');
  if (!(await page.textContent('[data-testid=runs-table]')).includes('seed=3')) throw new Error('the search did not find the run with seed 3');
  await snap('runs-search');

  step('operations');
  await page.goto(`${base}#/ops`);
  await page.waitForSelector('[data-testid=workers] tbody tr');
  await page.waitForSelector('[data-testid=trigger-summary]');
  const audit = await page.textContent('[data-testid=audit]');
  for (const action of ['definition.draft', 'definition.publish', 'run.start']) if (!audit.includes(action)) throw new Error(`the audit log lacks ${action}: ${audit}`);
  await snap('operations');

  step('triggers: pause and resume a schedule');
  await page.click('a[href="#/triggers"]');
  await page.waitForSelector('[data-testid=schedules] tbody tr');
  await page.click('button[data-schedule="nightly-demo"]');
  await page.waitForFunction(() => document.querySelector('[data-testid=schedules] tbody tr')?.textContent?.includes('paused'));
  await snap('schedule-paused');
  await page.click('button[data-schedule="nightly-demo"]');
  await page.waitForFunction(() => document.querySelector('[data-testid=schedules] tbody tr')?.textContent?.includes('Pause'));

  step('a new workflow from scratch: a node, an output, published as version 1');
  await page.goto(`${base}#/workflows`);
  await page.fill('#new-workflow-id', 'ui-new');
  await page.click('text=New workflow');
  await page.waitForSelector('[data-testid=palette]');
  await page.dblclick('.palette-item[data-activity="test.Constant"]');
  await page.fill('input[data-input="value"]', '7');
  await page.press('input[data-input="value"]', 'Tab');

  step('run settings through the forms: retry, timeout, queue, cache');
  await page.fill('[data-testid=node-retry-attempts]', '3');
  await page.press('[data-testid=node-retry-attempts]', 'Tab');
  await page.selectOption('[data-testid=node-retry-backoff]', 'exponential');
  await page.fill('[data-testid=node-retry-delay]', '2s');
  await page.press('[data-testid=node-retry-delay]', 'Tab');
  await page.fill('[data-testid=node-timeout]', 'ten minutes');
  await page.press('[data-testid=node-timeout]', 'Tab');
  await page.waitForFunction(() => document.querySelector('[data-testid=node-panel] .node-problems')?.textContent?.includes('is not a duration'));
  await page.fill('[data-testid=node-timeout]', '10m');
  await page.press('[data-testid=node-timeout]', 'Tab');
  await page.selectOption('[data-testid=node-queue]', 'cpu');
  await page.uncheck('[data-testid=node-cache]');
  const settings = JSON.parse(await page.inputValue('[data-testid=json]')).nodes[0];
  if (settings.retry?.attempts !== 3 || settings.retry?.backoff !== 'exponential' || settings.retry?.delay !== '2s' || settings.timeout !== '10m' || settings.queue !== 'cpu' || settings.cache !== false) {
    throw new Error(`the run settings are not in the JSON: ${JSON.stringify(settings)}`);
  }
  await page.waitForFunction(() => document.querySelector('[data-testid=validation-status]')?.textContent === 'valid');
  await snap('node-run-settings');
  await page.click('[data-testid=workflow-settings]');
  await page.fill('[data-testid=new-output]', 'answer');
  await page.click('[data-testid=add-output]');
  await page.waitForSelector('select[data-output="answer"]');
  await page.waitForFunction(() => document.querySelector('[data-testid=validation-status]')?.textContent === 'valid');
  if (!(await page.inputValue('[data-testid=json]')).includes('"answer": "${nodes.testConstant1.value}"')) throw new Error('the output is not in the JSON');
  await snap('new-workflow');
  await page.click('[data-testid=publish]');
  await page.waitForFunction(() => document.querySelector('.toast')?.textContent?.startsWith('published version 1'));
  await page.waitForSelector('[data-testid=version-select]');

  step('export the definition as a file');
  const [exported] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export]')]);
  const exportedFile = join(out, `exported-${exported.suggestedFilename()}`);
  await exported.saveAs(exportedFile);
  if (JSON.parse(readFileSync(exportedFile, 'utf8')).id !== 'ui-new') throw new Error('the exported file is not the ui-new definition');

  step('triggers: a schedule made through the form, showing the next fire times');
  await page.goto(`${base}#/triggers`);
  await page.click('[data-testid=new-schedule]');
  await page.fill('[data-testid=schedule-id]', 'ui-hourly');
  await page.selectOption('[data-testid=trigger-definition]', 'ui-new');
  await page.fill('[data-testid=schedule-cron]', '0 0 3 * *');
  await page.waitForFunction(() => document.querySelector('[data-testid=cron-error]')?.textContent?.startsWith('cron:'));
  await page.fill('[data-testid=schedule-cron]', '0 0 * * * ?');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=cron-next] li').length === 5);
  await snap('schedule-form');
  await page.click('[data-testid=schedule-form-save]');
  await page.waitForSelector('button[data-fire-schedule="ui-hourly"]');

  step('edit it');
  await page.click('button[data-edit-schedule="ui-hourly"]');
  await page.fill('[data-testid=schedule-cron]', '0 30 * * * ?');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=cron-next] li').length === 5 && document.querySelector('[data-testid=cron-next] li')?.textContent?.includes(':30:00'));
  await page.click('[data-testid=schedule-form-save]');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=schedules] tbody tr')].some((r) => r.textContent.includes('ui-hourly') && r.textContent.includes('0 30 * * * ?')));

  step('fire it now: a run appears');
  await page.click('button[data-fire-schedule="ui-hourly"]');
  await page.waitForSelector('tr:has(button[data-fire-schedule="ui-hourly"]) a[data-last-run]');
  await snap('schedule-fired');
  await page.click('tr:has(button[data-fire-schedule="ui-hourly"]) a[data-last-run]');
  await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'Succeeded', null, { timeout: 30000 });

  step('remove it');
  await page.goto(`${base}#/triggers`);
  await page.waitForSelector('button[data-remove-schedule="ui-hourly"]');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.click('button[data-remove-schedule="ui-hourly"]');
  await page.waitForFunction(() => !document.querySelector('button[data-remove-schedule="ui-hourly"]'));

  step('triggers: a folder watch made through the form (a folder inside the data roots)');
  await page.goto(`${base}#/triggers`);
  await page.click('[data-testid=new-watch]');
  await page.fill('[data-testid=watch-id]', 'ui-inbox');
  await page.selectOption('[data-testid=watch-form] [data-testid=trigger-definition]', 'ui-inbox');
  await page.fill('[data-testid=watch-folder]', '/etc');
  await page.dispatchEvent('[data-testid=watch-folder]', 'change');
  await page.waitForFunction(() => document.querySelector('[data-testid=watch-check]')?.textContent?.includes('folder'));
  if (!(await page.textContent('[data-testid=watch-check]')).includes('data roots')) throw new Error('a folder outside the data roots is not refused: ' + (await page.textContent('[data-testid=watch-check]')));
  await page.fill('[data-testid=watch-folder]', 'incoming');
  await page.dispatchEvent('[data-testid=watch-folder]', 'change');
  await page.waitForFunction(() => document.querySelector('[data-testid=watch-check]')?.textContent?.startsWith('folder: '));
  await page.fill('[data-testid=watch-parameter]', 'file');
  await page.fill('[data-testid=watch-settle]', '0s');
  await page.fill('[data-testid=watch-poll]', '1h');
  await snap('watch-form');
  await page.click('[data-testid=watch-form-save]');
  await page.waitForSelector('button[data-scan-watch="ui-inbox"]');

  step('edit the watch: another file pattern');
  await page.click('button[data-edit-watch="ui-inbox"]');
  await page.fill('[data-testid=watch-glob]', '*.txt');
  await page.click('[data-testid=watch-form-save]');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=watches] tbody tr')].some((r) => r.textContent.includes('ui-inbox') && r.textContent.includes('*.txt')));

  step('a file lands; scan now: its run appears');
  writeFileSync(join(process.env.INBOX_DIR, 'a.txt'), 'new annotations');
  await page.click('button[data-scan-watch="ui-inbox"]');
  await page.waitForFunction(() => document.querySelector('.toast')?.textContent?.includes('scanned ui-inbox: 1 run(s) started'));
  await page.waitForSelector('tr:has(button[data-scan-watch="ui-inbox"]) a[data-last-run]');
  await snap('watch-scanned');
  await page.click('tr:has(button[data-scan-watch="ui-inbox"]) a[data-last-run]');
  await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'Succeeded', null, { timeout: 30000 });

  step('remove the watch');
  await page.goto(`${base}#/triggers`);
  await page.waitForSelector('button[data-remove-watch="ui-inbox"]');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.click('button[data-remove-watch="ui-inbox"]');
  await page.waitForFunction(() => !document.querySelector('button[data-remove-watch="ui-inbox"]'));

  step('an admin adds a viewer and an API key');
  await page.goto(`${base}#/ops`);
  await page.waitForSelector('[data-testid=workers]');
  await page.click('a[href="#/users"]');
  await page.waitForSelector('[data-testid=users]');
  await page.fill('[data-testid=new-user-name]', 'reviewer');
  await page.selectOption('[data-testid=new-user-role]', 'viewer');
  await page.fill('[data-testid=new-user-password]', 'reviewer-password');
  await page.click('[data-testid=add-user]');
  await page.waitForFunction(() => document.querySelector('[data-testid=users]')?.textContent?.includes('reviewer'));
  await page.selectOption('[data-testid=new-key-user]', 'reviewer');
  await page.fill('[data-testid=new-key-label]', 'dashboards');
  await page.click('[data-testid=add-key]');
  await page.waitForFunction(() => /csf_[0-9a-f]{8}_/.test(document.querySelector('[data-testid=new-key]')?.textContent ?? ''));
  await snap('users-and-keys');

  step('a viewer reads but is offered no edits or runs');
  await page.click('text=Sign out');
  await page.waitForSelector('#login-user');
  await page.fill('#login-user', 'reviewer');
  await page.fill('#login-pass', 'reviewer-password');
  await page.click('#login-submit');
  await page.waitForSelector('[data-testid=workflow-list]');
  if (await page.$('a[href="#/users"]')) throw new Error('a viewer is offered the users view');
  await page.click(`a[data-workflow="${workflow}"]`);
  await page.waitForSelector('[data-testid=graph] g[data-node="sample"]');
  for (const control of ['save', 'publish', 'start-open', 'palette', 'undo', 'auto-layout']) {
    if (await page.$(`[data-testid=${control}]`)) throw new Error(`a viewer is offered ${control}`);
  }
  if (!(await page.$eval('[data-testid=json]', (t) => t.readOnly))) throw new Error('a viewer can type in the JSON');
  if (!(await page.$eval('input[data-input="imagesPerCellType"]', (i) => i.disabled))) throw new Error('a viewer can edit node inputs');
  await snap('viewer-read-only');
  await page.goto(`${base}#/triggers`);
  await page.waitForSelector('[data-testid=schedules] tbody tr');
  for (const control of ['[data-testid=new-schedule]', '[data-testid=new-watch]', 'button[data-fire-schedule]', 'button[data-remove-schedule]', 'button[data-schedule]']) {
    if (await page.$(control)) throw new Error(`a viewer is offered ${control} on the triggers page`);
  }

});
