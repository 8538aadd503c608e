// Village stations on a phone (issue 15). In Uyghur: Kokesu's operator lands on the
// station's desk, opens the parcels, receives one that came this morning by typing its number,
// at the counter a wrong pickup code is refused beside that parcel in Uyghur, and the parcel
// nobody came for in ten days goes back to its shop. The page stays
// light (under 50 KB) and axe-core finds nothing serious. (The Chinese path, receiving a buyer's
// order and handing it over with the code from the buyer's page, is the day-to-day journey's.)
// In Chinese: Tekes' centre reads its network on the map, adds a station and pauses it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, logIn, phone, screenshot, useServerAndBrowser, strip } from '../support.mjs';

const journey = useServerAndBrowser(before, after);

test("a station's morning in Uyghur: receive by number, a wrong code refused, one sent back", async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'ug' });
  const operator = await context.newPage();
  await operator.goto(`${server.url}/lang/ug`);
  await logIn(operator, server.url, 'kuokesu-station', 'farmgate-demo');
  assert.match(operator.url(), /\/station$/);
  await operator.getByRole('link', { name: 'بولاق تاپشۇرۇۋېلىش ۋە تاپشۇرۇش' }).first().click();
  await operator.waitForURL(/\/station\/parcels$/);
  assert.equal(await operator.getAttribute('html', 'dir'), 'rtl');
  const bytes = (await operator.content()).length;
  assert.ok(bytes < 50 * 1024, `the desk is ${bytes} bytes`);
  await assertAccessible(operator, 'station parcels (ug)');

  // This morning's parcels are on their way: the first is received by typing its number.
  const onTheWay = operator.locator('section[aria-labelledby="expected-h"] li strong');
  const before = await onTheWay.count();
  assert.ok(before > 0, 'the demo has parcels coming this morning');
  const label = (await onTheWay.first().innerText()).trim();
  await operator.getByLabel('بولاق نومۇرىنى سكانېرلاڭ ياكى كىرگۈزۈڭ').fill(label.toLowerCase());
  await operator.getByRole('button', { name: 'تاپشۇرۇۋالدىم' }).click();
  await operator.waitForURL(/done=received/);
  assert.ok(strip(await operator.locator('p.notice').innerText()).includes(label));
  assert.equal(await onTheWay.count(), before - 1);
  await screenshot(operator, '90-station-received-ug');

  // Receiving it again is refused beside the field, in Uyghur.
  await operator.getByLabel('بولاق نومۇرىنى سكانېرلاڭ ياكى كىرگۈزۈڭ').fill(label);
  await operator.getByRole('button', { name: 'تاپشۇرۇۋالدىم' }).click();
  await assert.doesNotReject(operator.getByText('بۇ بولاق ئاللىبۇرۇن تاپشۇرۇۋېلىنغان.').waitFor());

  // At the counter, a wrong code is refused beside that parcel; the parcel stays on the shelf.
  await operator.goto(`${server.url}/station/parcels`);
  const shelf = operator.locator('ul.parcels > li', { hasText: label });
  await shelf.getByLabel(/ئېلىش نومۇرى/).fill('000000');
  await shelf.getByRole('button', { name: 'ئالغۇچىغا تاپشۇرۇش' }).click();
  const refused = operator.locator('ul.parcels > li', { hasText: label });
  await assert.doesNotReject(refused.getByText(/ئېلىش نومۇرى توغرا ئەمەس/).waitFor());
  assert.equal(await refused.getByLabel(/ئېلىش نومۇرى/).getAttribute('aria-invalid'), 'true');
  await assertAccessible(operator, 'wrong pickup code (ug)');
  await screenshot(operator, '91-station-wrong-code-ug');

  // The parcel nobody came for in ten days is flagged, and goes back to its shop.
  const overdue = operator.locator('ul.parcels > li.overdue').first();
  const overdueLabel = (await overdue.locator('strong').first().innerText()).trim();
  await overdue.getByRole('button', { name: 'دۇكانغا قايتۇرۇش' }).click();
  await operator.waitForURL(/done=returned/);
  assert.ok(strip(await operator.locator('p.notice').innerText()).includes(overdueLabel));
  assert.equal(await operator.locator('ul.parcels > li', { hasText: overdueLabel }).count(), 0);
  await assertAccessible(operator, 'parcel sent back (ug)');
  await context.close();
});

test("the county's network in Chinese: the map, a new station, paused", async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const centre = await context.newPage();
  await logIn(centre, server.url, 'tekes-centre', 'farmgate-demo');
  await centre.getByRole('link', { name: '服务站网络' }).first().click();
  await centre.waitForURL(/\/centre\/stations$/);
  await assert.doesNotReject(centre.locator('figure.map svg circle').first().waitFor());
  await assertAccessible(centre, 'station network (zh-CN)');
  await screenshot(centre, '92-network-zh');
  const width = await centre.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the network page is ${width} px wide`);

  await centre.getByRole('link', { name: '新建服务站' }).click();
  await centre.getByLabel(/^编号/).fill('tekes-qiongkushitai');
  const village = await centre.locator('#place option', { hasText: '琼库什台' }).first().getAttribute('value');
  await centre.getByLabel('所在地').selectOption(village);
  await centre.getByLabel('名称（中文）').fill('琼库什台村服务站');
  await centre.getByLabel('地址（中文）').fill('琼库什台村村委会旁');
  await centre.getByLabel('每件自提费（元）').fill('1');
  await centre.getByLabel('也收购村民的农产品').check();
  await assertAccessible(centre, 'new station form (zh-CN)');
  await centre.getByRole('button', { name: '保存' }).click();
  await centre.waitForURL(/\/centre\/stations\/\d+\/edit\?saved=1$/);
  await centre.getByLabel('状态').selectOption('paused');
  await centre.getByRole('button', { name: '保存' }).click();
  await centre.waitForURL(/saved=1$/);
  await centre.getByRole('link', { name: '村民看到的页面' }).click();
  await assert.doesNotReject(centre.getByText('这个服务站暂停营业了').waitFor());
  await assertAccessible(centre, 'station page (zh-CN)');
  await screenshot(centre, '93-station-page-zh');
  await context.close();
});
