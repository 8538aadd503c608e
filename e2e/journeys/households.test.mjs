// Korla's registered low-income households on a phone (issue 18). In Chinese at 390x844, the
// centre opens the households from its desk (the demo's families of Saibag and Qiaerbag, those
// not yet lifted out first), registers a family with its head (a mistyped identity number is
// told beside its field), adds the spouse, links the family's tricycle with its share, and sees
// a whole identity number only on asking. The family's shop sells: its month's income rises with
// the stall takings the centre enters and with a buyer's paid order, the chart drawn against the
// line; a trainer of the county reads the family with the number masked. In Uyghur the list
// reads right to left and the income page too. Every page is under 50 KB and axe-core clean.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { logIn, phone, screenshot, useServerAndBrowser, strip, light } from '../support.mjs';

const journey = useServerAndBrowser(before, after);

test('in Chinese: a family registered, its spouse added, its tricycle linked, a number seen whole on asking', async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const page = await context.newPage();
  await logIn(page, server.url, 'korla-centre', 'farmgate-demo');
  await page.goto(`${server.url}/centre`);
  await page.locator('nav.desk a', { hasText: '建档脱贫户' }).first().click();
  await page.waitForURL(/\/centre\/households/);
  const listed = strip(await page.locator('main').innerText());
  assert.ok(listed.includes('吐尔逊·买买提') && listed.includes('努尔东·热合曼'), 'the families not yet lifted out');
  assert.ok(!listed.includes('王建国'), 'lifted out in 2019: shown under "all"');
  await light(page, 'the households');
  await screenshot(page, '180-households-zh');

  await page.getByLabel('户主姓名').last().fill('库尔班·吐尔逊');
  await page.getByLabel('身份证号').fill('652801198807071235');
  await page.getByLabel('村', { exact: true }).last().selectOption({ label: '库尔勒市 · 恰尔巴格乡 · 赛巴格村' });
  await page.getByLabel('建档年份').fill('2016');
  await page.getByRole('button', { name: '登记一户' }).click();
  const error = page.locator('#id_number-error');
  await error.waitFor();
  assert.ok((await error.innerText()).includes('最后一位'), 'the check character is told beside its field');
  await light(page, 'a mistyped number');
  await page.getByLabel('身份证号').fill('65280119880707123X');
  await page.getByRole('button', { name: '登记一户' }).click();
  await page.waitForURL(/\/centre\/households\/\d+/);
  assert.ok(strip(await page.locator('main').innerText()).includes('6528**********123X'), 'masked');

  await page.getByLabel('姓名', { exact: true }).fill('古丽');
  await page.getByLabel('与户主关系').selectOption('spouse');
  await page.getByLabel('身份证号').fill('652801199001011232');
  await page.getByRole('button', { name: '添加家庭成员' }).click();
  await page.waitForURL(/saved=1/);
  const tricycle = await page.locator('#target option', { hasText: 'QEB-08' }).getAttribute('value');
  await page.locator('#target').selectOption(tricycle);
  await page.getByRole('button', { name: '关联', exact: true }).click();
  await page.waitForURL(/saved=1/);
  const household = strip(await page.locator('main').innerText());
  assert.ok(household.includes('古丽') && household.includes('三轮车：QEB-08（占 100%）'));
  await light(page, 'the household');

  await page.locator('li', { hasText: '库尔班·吐尔逊' }).getByRole('button', { name: '查看完整身份证号' }).click();
  await page.locator('.id-number.revealed').waitFor();
  assert.equal((await page.locator('.id-number.revealed').innerText()).trim(), '65280119880707123X');
  await screenshot(page, '181-household-zh');
  await context.close();
});

/** This month's total on the household's income page, in fen. */
async function thisMonth(page) {
  const cell = strip(await page.locator('#income-months tbody tr').first().locator('td').first().innerText());
  return Math.round(Number(cell.replace(/[^0-9.]/g, '')) * 100);
}

test("in Chinese: the family's shop and stall earn and its month's income rises", async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const page = await context.newPage();
  await logIn(page, server.url, 'korla-centre', 'farmgate-demo');
  await page.goto(`${server.url}/centre/households?q=${encodeURIComponent('库尔班')}`);
  await page.getByRole('link', { name: '库尔班·吐尔逊' }).click();
  await page.waitForURL(/\/centre\/households\/\d+$/);
  const household = page.url();
  const shop = await page.locator('#target option', { hasText: '赛巴格村果蔬摊' }).getAttribute('value');
  await page.locator('#target').selectOption(shop);
  await page.getByLabel('这户所占份额（%）').fill('50');
  await page.getByRole('button', { name: '关联', exact: true }).click();
  await page.waitForURL(/saved=1/);
  assert.ok(strip(await page.locator('main').innerText()).includes('赛巴格村果蔬摊（占 50%）'));
  assert.equal(await page.locator('#income-h ~ figure div[role=img] > svg').count(), 1, 'the chart of the months');

  await page.getByRole('link', { name: '查看和记入收入' }).click();
  await page.waitForURL(/\/income$/);
  const before = await thisMonth(page);
  await page.getByLabel('来源', { exact: true }).selectOption('stall');
  await page.getByLabel('金额（元）').fill('200');
  await page.getByLabel('说明').fill('赛巴格摊位一天');
  await page.getByRole('button', { name: '记入收入' }).click();
  await page.waitForURL(/saved=1/);
  assert.equal(await thisMonth(page), before + 20000, 'the stall takings count');
  assert.ok(strip(await page.locator('main').innerText()).includes('摊位 · ¥200.00 · 赛巴格摊位一天'));
  await light(page, 'the household income');
  await screenshot(page, '183-household-income-zh');

  // A buyer pays for a box of the stall's strawberries: half of it is the family's.
  const buyerContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const buyer = await buyerContext.newPage();
  await logIn(buyer, server.url, 'buyer', 'farmgate-demo');
  await buyer.goto(server.url + '/search?q=' + encodeURIComponent('赛巴格草莓'));
  await buyer.getByRole('link', { name: '赛巴格草莓' }).first().click();
  await buyer.waitForURL(/\/products\/\d+$/);
  await buyer.getByRole('button', { name: '立即购买' }).click();
  await buyer.waitForURL(/\/checkout/);
  await buyer.getByLabel('到服务站自提').check();
  const saibag = buyer.locator('#station option', { hasText: '赛巴格村服务站' });
  await buyer.locator('#station').selectOption({ label: await saibag.textContent() });
  await buyer.getByLabel('在线支付（沙箱测试）').check();
  await buyer.getByRole('button', { name: '立即下单' }).click();
  await buyer.waitForURL(/\/sandbox-pay\/checkout/);
  await buyer.getByRole('button', { name: '确认付款' }).click();
  await buyer.waitForURL(/\/checkout\/[0-9a-f-]+$/);
  await buyerContext.close();
  await page.reload();
  assert.equal(await thisMonth(page), before + 20000 + 1250, 'half of the ¥25 box');

  // A trainer of the county reads the family, the number masked, nothing to ask.
  const trainerContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const trainer = await trainerContext.newPage();
  await logIn(trainer, server.url, 'korla-trainer', 'farmgate-demo');
  await trainer.goto(household);
  const read = strip(await trainer.locator('main').innerText());
  assert.ok(read.includes('6528**********123X') && !read.includes('65280119880707123X'), 'masked');
  assert.equal(await trainer.getByRole('button', { name: '查看完整身份证号' }).count(), 0);
  await light(trainer, 'the household as a trainer');
  await trainerContext.close();
  await context.close();
});

test('in Uyghur: the households read right to left', async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'ug' });
  const page = await context.newPage();
  await logIn(page, server.url, 'korla-centre', 'farmgate-demo');
  await page.goto(`${server.url}/centre/households?show=all`);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  assert.ok(strip(await page.locator('main').innerText()).includes('نامراتلىقتىن قۇتۇلدى'), 'the lifted-out families marked');
  await light(page, 'the households (ug)');
  await page.goto(`${server.url}/centre/households/lines`);
  assert.ok(strip(await page.locator('main').innerText()).includes('¥4600.00'));
  await light(page, 'the poverty lines (ug)');
  await screenshot(page, '182-lines-ug');
  await page.goto(`${server.url}/centre/households?show=falling`);
  assert.ok(strip(await page.locator('main').innerText()).includes('قايتا نامراتلىشىش خەۋپى بار'), 'falling back');
  await page.locator('a', { hasText: '王建国' }).first().click();
  await page.getByRole('link', { name: 'كىرىمنى كۆرۈش ۋە كىرگۈزۈش' }).click();
  await page.waitForURL(/\/income$/);
  assert.ok(strip(await page.locator('main').innerText()).includes('سىزىقتىن تۆۋەن'), 'below the line');
  await light(page, 'the household income (ug)');
  await screenshot(page, '184-household-income-ug');
  await context.close();
});
