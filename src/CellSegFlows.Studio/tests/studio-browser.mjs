// One headless Chromium session (Debian's, through playwright-core) for the studio's browser scripts: a throwaway
// profile, console and page errors collected, numbered full-page screenshots into OUT_DIR, a step log, a login, and the
// closing checks every script ends with. Used by studio-e2e.mjs, across-e2e.mjs and ops-e2e.mjs.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function openStudio(name, { viewport = { width: 1300, height: 900 }, acceptDownloads = false } = {}) {
  const out = process.env.OUT_DIR;
  const profile = mkdtempSync(join(tmpdir(), 'cellsegflows-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    acceptDownloads,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(20000);
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  let shot = 0;
  const snap = async (label) => page.screenshot({ path: join(out, `${String(++shot).padStart(2, '0')}-${label}.png`), fullPage: true });
  const step = (text) => console.log(`${name}: ${text}`);

  /** Signs in on the login form and waits for the workflow list. */
  const login = async (user, password) => {
    await page.fill('#login-user', user);
    await page.fill('#login-pass', password);
    await page.click('#login-submit');
    await page.waitForSelector('[data-testid=workflow-list]');
  };

  /** Runs the script's body; a failure is screenshotted and printed, console errors other than 4xx fail it; always cleans up. */
  const run = async (body) => {
    try {
      await body();
      const unexpected = consoleErrors.filter((e) => !/status of 4\d\d/.test(e));
      if (unexpected.length > 0) throw new Error(`browser console errors: ${unexpected.join('\n')}`);
      step('done');
    } catch (e) {
      await snap('failure').catch(() => {});
      console.error(`${name}: FAILED: ${e instanceof Error ? e.stack : e}`);
      process.exitCode = 1;
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  };

  return { context, page, snap, step, login, run };
}
