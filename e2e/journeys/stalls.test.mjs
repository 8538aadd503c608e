// Qiaerbag's stalls (issue 19), on the centre clerk's phone: the day's map of the 38 stalls,
// a free one booked for a registered household (free of rent), the day's takings recorded in
// one tap, and the household's income showing them as stall income. The map in Uyghur reads
// right to left. Every page stays under 50 KB and axe-core finds nothing serious.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { light, logIn, phone, screenshot, strip, useServerAndBrowser } from '../support.mjs';

const journey = useServerAndBrowser(before, after);

test('a stall booked for a household: its takings reach the household income', async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const page = await context.newPage();
  await logIn(page, server.url, 'korla-centre', 'farmgate-demo');
  await page.getByRole('link', { name: '摊位', exact: true }).first().click();
  await page.waitForURL(/\/centre\/stalls$/);
  await assert.doesNotReject(page.getByText(/38.*个摊位中已订/).waitFor());
  await light(page, 'the stall map');
  await screenshot(page, 'stalls-map');

  const free = page.locator('a.stall:not(.held):not(.paused)').first();
  const code = (await free.locator('strong').innerText()).trim();
  await free.click();
  await page.waitForURL(/\/centre\/stalls\/\d+$/);
  await light(page, 'a stall');
  const households = page.getByLabel('建档立卡户');
  const options = await households.locator('option').allInnerTexts();
  const family = options[options.length - 1];
  await households.selectOption({ label: family });
  await page.getByRole('button', { name: '预订', exact: true }).click();
  await page.waitForURL(/\/centre\/stalls\/bookings\/\d+\?saved=booked$/);
  await assert.doesNotReject(page.getByText('已预订。').waitFor());
  assert.ok(strip(await page.locator('main').innerText()).includes('租金 ¥0.00'), 'free for the household');
  await light(page, 'a booking');

  await page.getByRole('button', { name: '¥200' }).click();
  await page.waitForURL(/saved=takings$/);
  await assert.doesNotReject(page.getByText('收入已保存，计入这户的收入。').waitFor());
  assert.ok(strip(await page.locator('table').innerText()).includes('¥200.00'));
  await screenshot(page, 'stalls-takings');

  await page.getByRole('link', { name: '这户的收入' }).click();
  await page.waitForURL(/\/centre\/households\/\d+$/);
  await page.getByRole('link', { name: '查看和记入收入' }).click();
  await page.waitForURL(/\/income$/);
  const ledger = strip(await page.locator('main').innerText());
  assert.ok(ledger.includes(family), 'the household booked');
  assert.ok(ledger.includes('摊位 ¥200.00'), `the stall's takings in the ledger: ${ledger.slice(0, 800)}`);
  await light(page, 'the household income');

  // The map in Uyghur, right to left; the stall just booked shows its holder.
  await page.goto(`${server.url}/lang/ug?next=/centre/stalls`);
  await page.waitForURL(/\/centre\/stalls$/);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  const booked = page.locator('a.stall.held', { hasText: code });
  await assert.doesNotReject(booked.waitFor());
  assert.ok((await booked.innerText()).includes(family));
  await light(page, 'the stall map in Uyghur');
  await screenshot(page, 'stalls-map-ug');
  await context.close();
});

test("the Saibag family's stall-holder notes today's takings on her phone, in Uyghur", async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'ug' });
  const page = await context.newPage();
  await logIn(page, server.url, 'saibag-stallholder', 'farmgate-demo');
  assert.match(page.url(), /\/stalls\/mine$/, 'she lands on her stall');
  await page.goto(`${server.url}/lang/ug?next=/stalls/mine`);
  await page.waitForURL(/\/stalls\/mine$/);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  await assert.doesNotReject(page.getByText('بۈگۈن قانچە پۇل ساتتىڭىز؟').first().waitFor());
  await light(page, "the stall-holder's page");
  await page.getByRole('button', { name: '¥150' }).first().click();
  await page.waitForURL(/\/stalls\/mine\?saved=takings$/);
  await assert.doesNotReject(page.getByText('خاتىرىلەندى.').waitFor());
  assert.ok(strip(await page.locator('main').innerText()).includes('¥150.00'), "today's takings shown");
  await light(page, "the stall-holder's page after a tap");
  await screenshot(page, 'stalls-holder-ug');
  await context.close();
});

test("Gaodu's centre receives a month's rent from a park tenant behind with it", async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const page = await context.newPage();
  await logIn(page, server.url, 'zezhou-centre', 'farmgate-demo');
  await page.goto(`${server.url}/centre/park`);
  await assert.doesNotReject(page.getByText(/所有商户共欠租/).waitFor());
  await light(page, 'the park');
  const behind = page.locator('li.card', { hasText: /欠租\W*3\W*个月/ }).first();
  await behind.getByRole('link', { name: '租金' }).click();
  await page.waitForURL(/\/centre\/park\/leases\/\d+$/);
  await light(page, "a tenant's rent");
  const oldest = page.locator('li.card', { has: page.getByRole('button', { name: /^收到/ }) }).last();
  await oldest.getByRole('button', { name: /^收到/ }).click();
  await page.waitForURL(/saved=rent$/);
  await assert.doesNotReject(page.getByText('租金已记下。').waitFor());
  assert.ok(strip(await page.locator('main').innerText()).includes('欠租 2 个月'), 'one month fewer owed');
  await screenshot(page, 'park-rent');
  await context.close();
});
