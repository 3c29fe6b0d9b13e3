// Opens a run report (report.html, written by `cellsegflows report`) from disk in headless Chromium (Debian's, through
// playwright-core) with every request routed: the page itself is served, anything else is aborted and counted. Checks
// that every score table and every figure rendered (each image decoded, non-empty), saves a full-page screenshot, and
// prints one JSON line with what it found. Run by tests/CellSegFlows.Cli.Tests (ReportCommandTests).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const report = process.env.REPORT_HTML;
const out = process.env.OUT_DIR;
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!report || !out) throw new Error('REPORT_HTML and OUT_DIR are required');

const url = pathToFileURL(report).href;
const profile = mkdtempSync(join(tmpdir(), 'cellsegflows-report-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const blocked = [];
const errors = [];
try {
  // data: URIs are not requests; the file itself is the one request let through.
  await context.route('**/*', (route) => {
    const requested = route.request().url();
    if (requested === url) return route.continue();
    blocked.push(requested);
    return route.abort();
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('requestfailed', (r) => { if (r.url() !== url && !blocked.includes(r.url())) blocked.push(r.url()); });
  await page.goto(url, { waitUntil: 'load' });
  const found = await page.evaluate(async () => {
    const images = [...document.querySelectorAll('figure img')];
    await Promise.all(images.map((i) => (i.complete ? null : new Promise((r) => { i.onload = r; i.onerror = r; }))));
    return {
      title: document.title,
      tables: [...document.querySelectorAll('table.scores')].map((t) => ({ metric: t.dataset.metric, rows: t.tBodies[0].rows.length, columns: t.tHead.rows[0].cells.length })),
      sections: [...document.querySelectorAll('section[data-section]')].map((s) => s.dataset.section),
      figures: images.map((i) => ({ id: i.closest('figure').dataset.figure, width: i.naturalWidth, height: i.naturalHeight, shown: i.getBoundingClientRect().width, dataUri: i.src.startsWith('data:image/png;base64,') })),
      missing: [...document.querySelectorAll('.missing')].map((m) => m.textContent),
      better: document.querySelectorAll('.better').length,
      worse: document.querySelectorAll('.worse').length,
    };
  });
  await page.screenshot({ path: join(out, 'report.png'), fullPage: true });
  // One picture per section too, at full size, for a person to look at.
  for (const id of found.sections) await page.locator(`section[data-section="${id}"]`).screenshot({ path: join(out, `section-${id}.png`) });
  console.log(JSON.stringify({ ...found, blocked, errors }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
