// Shared pieces of the browser journeys: the real farmgate binary on a fresh SQLite database,
// Debian's headless Chromium through playwright-core, and an axe-core check.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const artifacts = path.join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

/** Starts `farmgate serve --demo` on a free port in a fresh data directory. */
export async function startServer(env = {}) {
  const binary = process.env.FARMGATE_BIN ?? path.join(here, '..', 'target', 'debug', 'farmgate');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'farmgate-e2e-'));
  const child = spawn(binary, ['serve', '--demo', '--bind', '127.0.0.1:0'], {
    cwd: dataDir,
    env: {
      ...process.env,
      FARMGATE_DATA_DIR: dataDir,
      FARMGATE_DATABASE_URL: '',
      FARMGATE_HLS_JS: path.join(here, '..', 'vendor', 'node_modules', 'hls.js', 'dist', 'hls.light.min.js'),
      RUST_LOG: 'warn',
      // The distribution centre's past months (300,000 parcels) are left out to start fast.
      FARMGATE_DEMO_PARCEL_MONTHS: '0',
      // Tekes' showroom till: three days of history, not four months.
      FARMGATE_DEMO_TILL_DAYS: '3',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`farmgate did not start: ${seen}`)), 180_000);
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = seen.match(/running at (http:\/\/\S+?)\/?\s/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`farmgate exited with ${code}: ${seen}`)));
  });
  return { url, dataDir, stop: () => child.kill('SIGTERM') };
}

/** Debian's Chromium, headless, at a phone's size. */
export async function startBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
  });
  return browser;
}

export const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Runs axe-core on the page; returns the serious and critical violations. A page that
 * reloads itself meanwhile (a live room's pages do when its status changes) is checked again
 * once the page that follows has loaded. */
export async function seriousViolations(page) {
  let result;
  for (let attempt = 1; !result; attempt += 1) {
    try {
      await page.evaluate(axeSource);
      result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
    } catch (err) {
      if (attempt >= 3 || !/context was destroyed/.test(String(err?.message))) throw err;
      await page.waitForLoadState('load');
    }
  }
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** Fails the test when axe-core finds a serious or critical violation on the page. */
export async function assertAccessible(page, where) {
  const { deepEqual } = await import('node:assert/strict');
  deepEqual(await seriousViolations(page), [], `axe on ${where}`);
}

/** Logs in through the login form as a person would. */
export async function logIn(page, base, login, password) {
  await page.goto(base + '/login');
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.locator('form.form button[type=submit]').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/**
 * A journey's server (the demo on a fresh database) and browser, started before its tests
 * and stopped after them; read `journey.server` and `journey.browser` inside a test.
 */
export function useServerAndBrowser(before, after) {
  const journey = {};
  before(async () => {
    journey.server = await startServer();
    journey.browser = await startBrowser();
  });
  after(async () => {
    await journey.browser?.close();
    journey.server?.stop();
  });
  return journey;
}

/** An EDGE-like rural link (issue 14): 240 kbit/s down, 840 ms round trip. */
export const EDGE = { offline: false, latency: 840, downloadThroughput: (240 * 1024) / 8, uploadThroughput: (200 * 1024) / 8 };

/**
 * Puts `page` on the rural link with a cold cache (Chromium's network emulation over CDP);
 * returns a function that takes it off again.
 */
export async function onRuralLink(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', EDGE);
  return async () => {
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    await cdp.detach();
  };
}

/**
 * Opens `url` and measures it as a person on the link would feel it: milliseconds until the
 * page's load event (lazy photos do not hold it up) and the bytes of everything but photos.
 * Also reports pictures without width and height, and photos below the first screen that are
 * not lazy.
 */
export async function measuredVisit(page, url, navigate = () => page.goto(url, { waitUntil: 'load' })) {
  const sizes = [];
  const onResponse = (response) => {
    if (response.request().resourceType() !== 'image') {
      sizes.push(response.body().then((b) => b.length, () => 0));
    }
  };
  page.on('response', onResponse);
  const started = Date.now();
  const response = await navigate();
  const ms = Date.now() - started;
  page.off('response', onResponse);
  const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  const pictures = await page.evaluate(() => {
    const fold = window.innerHeight;
    return [...document.querySelectorAll('img')].map((img) => ({
      src: img.getAttribute('src'),
      sized: img.hasAttribute('width') && img.hasAttribute('height'),
      belowFold: img.getBoundingClientRect().top > fold,
      lazy: img.getAttribute('loading') === 'lazy',
    }));
  });
  const unsized = pictures.filter((p) => !p.sized).map((p) => p.src);
  const eager = pictures.filter((p) => p.belowFold && !p.lazy).map((p) => p.src);
  return { ms, bytes, unsized, eager, status: response?.status() };
}

/** Text without the Unicode isolation marks that Fluent puts around placeables. */
export const strip = (text) => text.replace(/[\u2066-\u2069]/g, '');

/** Fails when the page is 50 KB or more before photos, or axe-core finds a serious violation. */
export async function light(page, what) {
  const { ok } = await import('node:assert/strict');
  const bytes = (await page.content()).length;
  ok(bytes < 50 * 1024, `${what} is ${bytes} bytes`);
  await assertAccessible(page, what);
}
