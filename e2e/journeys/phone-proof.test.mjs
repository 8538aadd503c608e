// A typed phone number takes over nothing: a village station enrols a neighbour by name and
// phone; someone else who types that number is told to prove it; the neighbour, registered in
// Uyghur, proves it with the code the demo's outbox kept (read by the administrator) and finds
// her training in her account. The centre's refunds and the audit log are readable on a phone.
// Every page is checked with axe-core at 390x844.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, logIn as logInAt, phone, screenshot, useServerAndBrowser } from '../support.mjs';

const journey = useServerAndBrowser(before, after);

function logIn(page, login, password) {
  return logInAt(page, journey.server.url, login, password);
}

async function register(page, name, login) {
  await page.goto(journey.server.url + '/register');
  await page.locator('#display_name').fill(name);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill('apricots-in-june');
  await page.locator('form.form button[type=submit]').click();
  // Registering signs in.
  await page.waitForURL((url) => url.pathname === '/');
}

test('a neighbour enrolled by a station proves her phone before her record is hers', async () => {
  const { server, browser } = journey;

  // The station enrols a neighbour in the first Tekes session to come.
  const station = await (await browser.newContext({ ...phone, locale: 'zh-CN' })).newPage();
  await logIn(station, 'kuokesu-station', 'farmgate-demo');
  await station.goto(server.url + '/training');
  const link = station.locator('li.session a[href^="/training/sessions/"]').first();
  const sessionPath = await link.getAttribute('href');
  await station.goto(server.url + sessionPath);
  await station.locator('#o-name').fill('ئايگۈل');
  await station.locator('#o-phone').fill('13900006666');
  await station.locator('#o-village').selectOption('tekes-kuokesu');
  await station.getByRole('button', { name: '帮他报名' }).click();
  await station.waitForURL(/done=other/);

  // Someone else types her number: refused beside the phone field, with where to prove it.
  const stranger = await (await browser.newContext({ ...phone, locale: 'zh-CN' })).newPage();
  await register(stranger, '冒名的人', 'someone-else-01');
  await stranger.goto(server.url + sessionPath);
  await stranger.locator('#phone').fill('13900006666');
  await stranger.getByRole('button', { name: '报名这一期' }).click();
  await assert.doesNotReject(stranger.getByText('请先验证手机号').first().waitFor());
  await assertAccessible(stranger, 'enrolment refused for an unproven phone (zh-CN)');

  // She registers in Uyghur and asks for a code.
  const her = await (await browser.newContext({ ...phone, locale: 'ug' })).newPage();
  await register(her, 'ئايگۈل', 'aygul-kuokesu');
  await her.goto(server.url + '/account');
  await her.getByRole('link', { name: 'تېلېفون نومۇرىڭىزنى ئىسپاتلاڭ' }).click();
  await her.waitForURL(/\/account\/phone$/);
  assert.equal(await her.getAttribute('html', 'dir'), 'rtl');
  await assertAccessible(her, 'prove your phone (ug)');
  await her.locator('#phone').fill('13900006666');
  await her.getByRole('button', { name: 'دەلىللەش كودى ئەۋەتىش' }).click();
  await assert.doesNotReject(her.locator('#code').waitFor());
  await assertAccessible(her, 'enter the code (ug)');
  const width = await her.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the code page is ${width}px wide`);

  // The demo sends no SMS: the administrator reads the outbox.
  const admin = await (await browser.newContext({ ...phone, locale: 'zh-CN' })).newPage();
  await logIn(admin, 'admin', 'farmgate-demo');
  await admin.goto(server.url + '/admin/outbox');
  await assertAccessible(admin, 'outbox (zh-CN)');
  const message = await admin
    .locator('ul.list li', { hasText: '13900006666' })
    .first()
    .locator('p[dir=auto]')
    .textContent();
  const code = message.match(/\b(\d{6})\b/)[1];
  await screenshot(admin, '70-outbox-zh');

  await her.locator('#code').fill(code);
  await her.getByRole('button', { name: 'جەزملەش' }).click();
  await assert.doesNotReject(her.locator('p.notice[role=status]').waitFor());
  await screenshot(her, '71-phone-proven-ug');
  await her.goto(server.url + '/training/me');
  await assert.doesNotReject(her.locator(`a[href="${sessionPath}"]`).first().waitFor());
  await assertAccessible(her, 'my training after proving the phone (ug)');

  // The centre's pages for money owed back and the administrator's audit log, on a phone.
  const centre = await (await browser.newContext({ ...phone, locale: 'ug' })).newPage();
  await logIn(centre, 'tekes-centre', 'farmgate-demo');
  await centre.goto(server.url + '/centre/refunds');
  await assertAccessible(centre, 'money to pay back (ug)');
  await admin.goto(server.url + '/centre/audit');
  await assertAccessible(admin, 'audit log (zh-CN)');
  const bytes = (await admin.content()).length;
  assert.ok(bytes < 50_000, `audit page ${bytes} bytes`);
  // Test money is announced on every page while the sandbox runs.
  await assert.doesNotReject(admin.getByText('测试支付').first().waitFor());
});
