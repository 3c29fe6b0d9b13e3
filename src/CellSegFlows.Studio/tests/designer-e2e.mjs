// Builds the quickstart's pipeline in the studio's designer from an empty canvas, in headless Chromium (Debian's, through
// playwright-core), by dragging and connecting only (the forms for ids and settings; no JSON typed): nodes dragged in from
// the palette, outputs dragged to inputs (a wrong type refused while dragging), a map over a node's list, a parameter and
// workflow outputs, undo/redo, copy/paste/delete with the keyboard, a rubber-band selection moved, pan/zoom/fit and the
// auto-layout; then save a draft, publish, run it three times and open the metrics page over those runs.
// Screenshots go to OUT_DIR. Run by tests/CellSegFlows.Server.Tests (StudioBrowserTests) against a real server.
import { openStudio } from './studio-browser.mjs';

const base = process.env.BASE_URL;
const out = process.env.OUT_DIR;
const user = process.env.STUDIO_USER ?? 'admin';
const password = process.env.STUDIO_PASSWORD;
const workflow = process.env.WORKFLOW_ID ?? 'designed';
if (!base || !out || !password) throw new Error('BASE_URL, OUT_DIR and STUDIO_PASSWORD are required');

const { page, snap, step, run } = await openStudio('designer-e2e', { viewport: { width: 1900, height: 1250 } });

const definition = async () => JSON.parse(await page.inputValue('[data-testid=json]'));
const node = async (id) => (await definition()).nodes.find((n) => n.id === id);
const status = (text) => page.waitForFunction((t) => document.querySelector('[data-testid=validation-status]')?.textContent === t, text);
const centre = async (selector) => {
  const b = await (await page.waitForSelector(selector, { state: 'attached' })).boundingBox();
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
};

/** Drags an activity from the palette onto the canvas at (x, y) of the canvas, then names the new node in its form. */
async function dragIn(activity, x, y, id) {
  const before = (await definition()).nodes.length;
  await (await page.$(`.palette-item[data-activity="${activity}"]`)).scrollIntoViewIfNeeded();
  const item = await centre(`.palette-item[data-activity="${activity}"]`);
  const canvas = await (await page.$('[data-testid=graph]')).boundingBox();
  await page.mouse.move(item.x, item.y);
  await page.mouse.down();
  await page.mouse.move(item.x + 30, item.y + 10, { steps: 4 });
  await page.mouse.move(canvas.x + x, canvas.y + y, { steps: 10 });
  await page.mouse.up();
  await page.waitForFunction((n) => JSON.parse(document.querySelector('[data-testid=json]').value).nodes.length === n, before + 1);
  await page.fill('[data-testid=node-id]', id);
  await page.press('[data-testid=node-id]', 'Tab');
  await page.waitForSelector(`[data-testid=graph] [data-node="${id}"].selected`, { state: 'attached' });
}

/** Drags from an output port to an input port; returns how many ports were offered while dragging. */
async function drag(from, output, to, input) {
  const a = await centre(`[data-node="${from}"] [port="out:${output}"]`);
  const b = await centre(`[data-node="${to}"] [port="in:${input}"]`);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 20, { steps: 6 });
  await page.mouse.move(b.x, b.y, { steps: 6 });
  const offered = await page.$$eval('.csf-port-available', (e) => e.length);
  const accepted = await page.$$eval(`[data-node="${to}"] [port="in:${input}"].csf-port-available`, (e) => e.length);
  await page.mouse.up();
  return { offered, accepted: accepted > 0 };
}

async function connect(from, output, to, input) {
  const edge = `${from}.${output}->${to}.${input}`;
  const { accepted } = await drag(from, output, to, input);
  if (!accepted) throw new Error(`${edge} was not offered while dragging`);
  await page.waitForSelector(`[data-testid=graph] [data-edge="${edge}"]`, { state: 'attached' });
}

/** Selects a node by clicking its title. */
async function select(id) {
  const p = await centre(`[data-node="${id}"] .csf-title`);
  await page.mouse.click(p.x, p.y);
  await page.waitForFunction((n) => document.querySelector('[data-testid=node-id]')?.value === n, id);
}

async function setInput(name, value) {
  await page.fill(`input[data-input="${name}"]`, String(value));
  await page.press(`input[data-input="${name}"]`, 'Tab');
}

await run(async () => {
  step('log in and start a new workflow: an empty canvas');
  await page.goto(base);
  await page.waitForSelector('#login-user');
  // An empty store: the list shows no workflows, only the form to make one.
  await page.fill('#login-user', user);
  await page.fill('#login-pass', password);
  await page.click('#login-submit');
  await page.waitForSelector('#new-workflow-id');
  await page.fill('#new-workflow-id', workflow);
  await page.click('text=New workflow');
  await page.waitForSelector('[data-testid=palette]');
  if ((await definition()).nodes.length !== 0) throw new Error('a new workflow is not empty');
  for (let i = 0; i < 3; i++) await page.click('[data-testid=zoom-out]');
  if (await page.textContent('[data-testid=zoom]') !== '58%') throw new Error(`zoom after three steps out: ${await page.textContent('[data-testid=zoom]')}`);

  step('drag the nine nodes in from the palette (searching it once)');
  await page.fill('[data-testid=palette-search]', 'prepare');
  if (await page.$$eval('.palette-item', (e) => e.length) !== 1) throw new Error('the palette search did not narrow to PrepareDataset');
  await dragIn('PrepareDataset', 90, 80, 'train');
  await page.fill('[data-testid=palette-search]', '');
  await dragIn('PrepareDataset', 90, 260, 'val');
  await dragIn('PrepareDataset', 90, 440, 'test');
  await dragIn('BuildCellBank', 320, 80, 'bank');
  await dragIn('GenerateSynthetic', 320, 230, 'synthetic');
  await dragIn('TrainUNet', 560, 80, 'unet');
  await dragIn('SegmentImageClassical', 560, 460, 'segment');
  await dragIn('EvaluateSemantic', 820, 80, 'semantic');
  await dragIn('EvaluateInstances', 820, 430, 'evaluate');
  await snap('nodes-dragged-in');

  step('a wrong type is refused while dragging, and said why');
  const wrong = await drag('train', 'imageCount', 'bank', 'annotations');
  if (wrong.accepted) throw new Error('an int output was offered to an artifact input');
  await page.waitForFunction(() => document.querySelector('[data-testid=designer-hint]')?.textContent?.includes('not connected: bank.annotations is artifact, train.imageCount is int'));
  if (await page.$('[data-testid=graph] [data-edge]')) throw new Error('a refused connection was drawn');

  step('connect outputs to inputs by dragging');
  const offered = await drag('train', 'annotations', 'bank', 'annotations');
  if (!offered.accepted || offered.offered < 2) throw new Error(`train.annotations: ${JSON.stringify(offered)}`);
  await page.waitForSelector('[data-testid=graph] [data-edge="train.annotations->bank.annotations"]', { state: 'attached' });
  await connect('train', 'images', 'bank', 'images');
  await connect('bank', 'bank', 'synthetic', 'bank');
  for (const [from, output, input] of [['train', 'annotations', 'annotations'], ['train', 'images', 'images'], ['synthetic', 'annotations', 'syntheticAnnotations'],
    ['synthetic', 'images', 'syntheticImages'], ['val', 'annotations', 'validationAnnotations'], ['val', 'images', 'validationImages']]) {
    await connect(from, output, 'unet', input);
  }
  for (const [from, output, input] of [['unet', 'model', 'models'], ['unet', 'name', 'names'], ['test', 'annotations', 'annotations'], ['test', 'images', 'images']]) {
    await connect(from, output, 'semantic', input);
  }
  if (JSON.stringify((await node('semantic')).inputs.models) !== '["${nodes.unet.model}"]') throw new Error('an artifact into a list input is not a list of references');
  await connect('test', 'annotations', 'segment', 'annotations');
  await connect('test', 'annotations', 'evaluate', 'annotations');
  await snap('connected');

  step('a map over a node\'s list: tick map, connect the list to the map port, bind the element');
  await select('segment');
  await page.check('[data-testid=node-map]');
  await page.waitForSelector('[data-node="segment"] [port="in:@map"]', { state: 'attached' });
  await connect('test', 'images', 'segment', '@map');
  if ((await node('segment')).map?.over !== '${nodes.test.images}') throw new Error('map.over is not the connected list');
  await select('segment');
  await page.selectOption('select[data-link="image"]', '${item}');
  await connect('segment', 'predictions', 'evaluate', 'predictions');

  step('settings in the forms');
  for (const [id, split] of [['train', 'train'], ['val', 'val'], ['test', 'test']]) {
    await select(id);
    await setInput('split', split);
    await setInput('imagesPerCellType', 1);
  }
  await select('synthetic');
  await setInput('density', 20);
  await setInput('imagesPerCellType', 1);
  await select('unet');
  for (const [name, value] of [['synthetic', 'true'], ['epochs', 2], ['iterationsPerEpoch', 2], ['batchSize', 2], ['cropSize', 48], ['baseChannels', 4], ['depth', 2], ['threads', 1]]) {
    await setInput(name, value);
  }

  step('a parameter, bound to the training seed; the workflow outputs');
  await page.click('[data-testid=workflow-settings]');
  await page.fill('[data-testid=new-parameter]', 'seed');
  await page.click('[data-testid=add-parameter]');
  await page.selectOption('select[data-param-type="seed"]', 'int');
  await page.fill('input[data-param-default="seed"]', '1');
  await page.press('input[data-param-default="seed"]', 'Tab');
  for (const [name, ref] of [['f1', '${nodes.semantic.f1}'], ['ap', '${nodes.evaluate.ap}']]) {
    await page.fill('[data-testid=new-output]', name);
    await page.click('[data-testid=add-output]');
    await page.selectOption(`select[data-output="${name}"]`, ref);
  }
  await select('unet');
  await page.selectOption('select[data-link="seed"]', '${params.seed}');
  await status('valid');
  await snap('valid');

  step('undo and redo (buttons and keys)');
  await page.click('[data-testid=undo]');
  await page.waitForFunction(() => !JSON.parse(document.querySelector('[data-testid=json]').value).nodes.find((n) => n.id === 'unet').inputs.seed);
  await page.click('[data-testid=redo]');
  await page.waitForFunction(() => JSON.parse(document.querySelector('[data-testid=json]').value).nodes.find((n) => n.id === 'unet').inputs.seed === '${params.seed}');
  await page.click('[data-testid=graph]', { position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => !JSON.parse(document.querySelector('[data-testid=json]').value).nodes.find((n) => n.id === 'unet').inputs.seed);
  await page.keyboard.press('Control+Shift+z');
  await page.waitForFunction(() => JSON.parse(document.querySelector('[data-testid=json]').value).nodes.find((n) => n.id === 'unet').inputs.seed === '${params.seed}');

  step('copy, paste and delete with the keyboard; a connection deleted and undone');
  await select('bank');
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await page.waitForSelector('[data-testid=graph] [data-node="bank2"].selected', { state: 'attached' });
  if ((await node('bank2')).inputs.annotations !== '${nodes.train.annotations}') throw new Error('the pasted node lost its connections');
  await page.waitForSelector('[data-testid=graph] [data-edge="train.annotations->bank2.annotations"]', { state: 'attached' });
  await page.keyboard.press('Backspace');
  await page.waitForFunction(() => !document.querySelector('[data-testid=graph] [data-node="bank2"]'));
  if (await node('bank2')) throw new Error('Backspace did not remove the pasted node');
  const edge = await page.$eval('[data-testid=graph] [data-edge="unet.name->semantic.names"] path.csf-edge', (path) => {
    const p = path.getPointAtLength(path.getTotalLength() / 2);
    const m = path.getScreenCTM();
    return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
  });
  await page.mouse.click(edge.x, edge.y);
  await page.waitForSelector('[data-testid=disconnect]');
  await page.keyboard.press('Backspace');
  await page.waitForFunction(() => !document.querySelector('[data-testid=graph] [data-edge="unet.name->semantic.names"]'));
  await page.keyboard.press('Control+z');
  await page.waitForSelector('[data-testid=graph] [data-edge="unet.name->semantic.names"]', { state: 'attached' });

  step('select several with a rubber band and move them together; the layout keeps the positions');
  await page.click('[data-testid=fit]');
  const placed = (await definition()).layout.nodes;
  const t = await centre('[data-node="train"] .csf-title');
  const first = await (await page.$('[data-node="train"] .csf-body')).boundingBox();
  const last = await (await page.$('[data-node="test"] .csf-body')).boundingBox();
  await page.keyboard.down('Shift');
  await page.mouse.move(first.x - 6, first.y - 6);
  await page.mouse.down();
  await page.mouse.move(last.x + last.width + 6, last.y + last.height + 6, { steps: 8 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  const chosen = await page.$$eval('[data-testid=graph] [data-node].selected', (e) => e.map((x) => x.getAttribute('data-node')).sort().join(','));
  if (chosen !== 'test,train,val') throw new Error(`the rubber band selected ${chosen}`);
  await page.mouse.move(t.x, t.y);
  await page.mouse.down();
  await page.mouse.move(t.x - 40, t.y + 30, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction((x) => JSON.parse(document.querySelector('[data-testid=json]').value).layout.nodes.val.x < x, placed.val.x);
  const moved = (await definition()).layout.nodes;
  const dx = ['train', 'val', 'test'].map((id) => moved[id].x - placed[id].x);
  if (new Set(dx).size !== 1 || moved.unet.x !== placed.unet.x) throw new Error(`the selection did not move together: ${dx}`);

  step('pan by dragging the background, zoom, fit, auto-layout');
  const before = await centre('[data-node="unet"] .csf-title');
  const canvas = await (await page.$('[data-testid=graph]')).boundingBox();
  await page.mouse.move(canvas.x + canvas.width - 15, canvas.y + canvas.height - 15);
  await page.mouse.down();
  await page.mouse.move(canvas.x + canvas.width - 115, canvas.y + canvas.height - 65, { steps: 6 });
  await page.mouse.up();
  const after = await centre('[data-node="unet"] .csf-title');
  if (Math.abs(after.x - before.x + 100) > 3 || Math.abs(after.y - before.y + 50) > 3) throw new Error(`panning moved the view by ${after.x - before.x}, ${after.y - before.y}`);
  await page.click('[data-testid=auto-layout]');
  await page.waitForFunction(() => document.querySelector('[data-testid=designer-hint]')?.textContent === 'laid out');
  const laid = (await definition()).layout.nodes;
  if (!(laid.train.x < laid.bank.x && laid.bank.x < laid.synthetic.x && laid.synthetic.x < laid.unet.x && laid.unet.x < laid.semantic.x)) throw new Error(`the auto-layout is not left to right: ${JSON.stringify(laid)}`);
  await status('valid');
  await snap('laid-out');

  step('what was built is the quickstart\'s pipeline');
  const built = await definition();
  const edges = built.nodes.flatMap((n) => JSON.stringify(n.inputs).match(/\$\{nodes\.[a-z]+\.[a-zA-Z]+\}/g)?.map((r) => `${r}>${n.id}`) ?? []);
  if (built.nodes.map((n) => `${n.id}:${n.activity}`).join(' ') !== 'train:PrepareDataset val:PrepareDataset test:PrepareDataset bank:BuildCellBank synthetic:GenerateSynthetic unet:TrainUNet segment:SegmentImageClassical semantic:EvaluateSemantic evaluate:EvaluateInstances') {
    throw new Error(`nodes: ${built.nodes.map((n) => n.id)}`);
  }
  if (edges.length !== 16) throw new Error(`${edges.length} connections: ${edges.join(' ')}`);

  step('save a draft, publish it');
  await page.click('[data-testid=save]');
  await page.waitForFunction(() => document.querySelector('.toast')?.textContent?.startsWith('draft saved'));
  await page.waitForFunction(() => document.querySelector('[data-testid=editing]')?.textContent?.startsWith('draft'));
  await page.waitForSelector('[data-testid=graph] [data-node="unet"]', { state: 'attached' });
  if (JSON.stringify((await definition()).layout.nodes) !== JSON.stringify(laid)) throw new Error('the saved draft lost the layout');
  await page.click('[data-testid=publish]');
  await page.waitForFunction(() => document.querySelector('.toast')?.textContent?.startsWith('published version 1'));
  await page.waitForFunction(() => document.querySelector('[data-testid=editing]')?.textContent?.startsWith('published v1'));

  for (const seed of [1, 2, 3]) {
    step(`run ${seed} of 3 (seed ${seed})`);
    await page.goto(`${base}#/workflow/${workflow}`);
    await page.click('[data-testid=start-open]');
    await page.fill('input[data-param="seed"]', String(seed));
    await page.click('[data-testid=start-run]');
    await page.waitForFunction(() => location.hash.startsWith('#/run/'));
    await page.waitForFunction(() => ['Succeeded', 'Failed'].includes(document.querySelector('[data-testid=run-status]')?.textContent ?? ''), null, { timeout: 60000 });
    if (await page.textContent('[data-testid=run-status]') !== 'Succeeded') { await snap(`run-${seed}-failed`); throw new Error(`run ${seed} failed`); }
  }
  await snap('third-run');

  step('the metrics page: the training loss over the three runs');
  await page.click('a[href="#/metrics"]');
  await page.waitForSelector('[data-testid=metrics-workflow]');
  await page.selectOption('[data-testid=metrics-workflow]', workflow);
  await page.waitForSelector('[data-testid=metrics-name]');
  await page.selectOption('[data-testid=metrics-name]', 'loss');
  await page.waitForFunction(() => document.querySelector('[data-testid=metric-over-runs]')?.getAttribute('data-metric') === 'loss');
  const points = await page.$$('[data-testid=metric-over-runs] a[data-point]');
  if (points.length !== 3) throw new Error(`${points.length} points, not 3`);
  await snap('metrics-over-runs');
});
