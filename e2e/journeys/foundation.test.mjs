// Issue 2's journey, on a phone: open home, switch to Uyghur (right to left, mirrored header),
// register, log in, log out. Every page is checked with axe-core.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { phone, screenshot, seriousViolations, startBrowser, startServer } from '../support.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function assertAccessible(page, where) {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `axe on ${where}`);
}

test('a villager opens FarmGate, switches to Uyghur, registers, logs in and out', async () => {
  const context = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The re-shown form answers 422 on purpose; anything else the console reports is a fault.
  page.on('console', (m) => m.type() === 'error' && !/status of 422/.test(m.text()) && pageErrors.push(m.text()));

  await page.goto(server.url + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  await assert.doesNotReject(page.getByRole('link', { name: '特克斯县' }).waitFor());
  const brandLtr = await page.locator('.brand').boundingBox();
  assert.ok(brandLtr.x < 390 / 2, `brand starts on the left in Chinese (x=${brandLtr.x})`);
  await screenshot(page, '01-home-zh');
  await assertAccessible(page, 'home (zh-CN)');

  await page.locator('a[lang="ug"]').click();
  await page.waitForURL(server.url + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'ug');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  const brandRtl = await page.locator('.brand').boundingBox();
  assert.ok(brandRtl.x + brandRtl.width > 390 / 2 && brandRtl.x > brandLtr.x, `the header is mirrored (brand x=${brandRtl.x})`);
  await assert.doesNotReject(page.getByRole('link', { name: 'تېكەس ناھىيىسى' }).waitFor());
  await screenshot(page, '02-home-ug');
  await assertAccessible(page, 'home (ug)');

  await page.getByRole('link', { name: 'تىزىملىتىش' }).first().click();
  await page.waitForURL(/\/register$/);
  await assertAccessible(page, 'register (ug)');
  // A first try with a short password is refused beside the field, in Uyghur.
  await page.getByLabel('ئىسمىڭىز').fill('مىرىگۈل');
  await page.getByLabel('يانفون نومۇرى ياكى كىرىش نامى').fill('13899990001');
  await page.getByLabel('پارول').fill('short');
  await page.getByRole('button', { name: 'تىزىملىتىش' }).click();
  await assert.doesNotReject(page.locator('#password-error').waitFor());
  assert.match(await page.locator('#password-error').innerText(), /8/);
  await screenshot(page, '03-register-error-ug');
  await page.getByLabel('پارول').fill('saibag-strawberries');
  await page.getByRole('button', { name: 'تىزىملىتىش' }).click();
  // Registering signs her in: she is on the home page under her own name.
  await page.waitForURL(server.url + '/');
  await assert.doesNotReject(page.getByRole('link', { name: 'مىرىگۈل' }).waitFor());
  await screenshot(page, '04-logged-in-ug');

  await page.getByRole('link', { name: 'مىرىگۈل' }).click();
  await page.waitForURL(/\/account$/);
  await assert.doesNotReject(page.getByText('سېتىۋالغۇچى').first().waitFor());
  await assertAccessible(page, 'account (ug)');
  await screenshot(page, '05-account-ug');

  await page.getByRole('button', { name: 'چېكىنىش' }).click();
  await page.waitForURL(/\/login\?out=1$/);
  await assert.doesNotReject(page.getByRole('link', { name: 'كىرىش' }).first().waitFor());
  await screenshot(page, '06-logged-out-ug');

  // She signs in again with the number as she types it.
  await page.getByLabel('يانفون نومۇرى ياكى كىرىش نامى').fill('138 9999 0001');
  await page.getByLabel('پارول').fill('saibag-strawberries');
  await page.getByRole('button', { name: 'كىرىش' }).click();
  await page.waitForURL(server.url + '/');
  await assertAccessible(page, 'home, signed in (ug)');

  assert.deepEqual(pageErrors, [], 'no script or CSP errors on any page');
  await context.close();
});

test('the home page stays light on a rural connection', async () => {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const bodies = [];
  const photos = [];
  page.on('response', (response) => {
    const size = response.body().then((b) => b.length, () => 0);
    (response.request().resourceType() === 'image' ? photos : bodies).push(size);
  });
  await page.goto(server.url + '/', { waitUntil: 'networkidle' });
  const bytes = (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
  const photoBytes = (await Promise.all(photos)).reduce((a, b) => a + b, 0);
  // The first screen shows a row of products: their thumbnails come after the page, lazily.
  assert.ok(bytes <= 30 * 1024, `home page and its assets before photos: ${bytes} bytes`);
  assert.ok(photoBytes <= 80 * 1024, `thumbnails on the home page: ${photoBytes} bytes`);
  console.log(`home page weight: ${bytes} bytes before photos, ${photos.length} thumbnails (${photoBytes} bytes)`);
  await context.close();
});
