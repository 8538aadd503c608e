// Buying on a phone, in Chinese and in Uyghur: search, product, cart, checkout with station
// pickup and the sandbox payment, the paid order; the seller packs it with the scale's weight
// and ships it; the buyer follows the timeline. Every page is checked with axe-core.
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
  assert.deepEqual(await seriousViolations(page), [], `axe on ${where}`);
}

/** Logs in on the login page the browser was sent to, and waits to be sent on. */
async function logInHere(page, login) {
  await page.locator('#login').fill(login);
  await page.locator('#password').fill('farmgate-demo');
  await page.locator('form.form button[type=submit]').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/**
 * The buyer's part, in the page's language: search, open the first result, add it to the cart,
 * check out for pickup at `stationText` paying online, pay on the sandbox page. Returns the
 * order page's URL.
 */
async function buy(page, { words, query, stationText, shots }) {
  await page.goto(server.url + '/');
  await page.getByRole('link', { name: words.search, exact: true }).click();
  await page.getByLabel(words.what).fill(query);
  await page.getByRole('button', { name: words.searchButton, exact: true }).click();
  await page.waitForURL(/\/search\?/);
  await assertAccessible(page, `search results (${shots})`);
  await screenshot(page, `20-search-${shots}`);
  await page.locator('ul.cards h3 a').first().click();
  await page.waitForURL(/\/products\/\d+$/);
  await assertAccessible(page, `product page (${shots})`);
  await page.getByRole('button', { name: words.addToCart }).click();
  await page.waitForURL(/\/cart$/);
  await assertAccessible(page, `cart (${shots})`);
  await screenshot(page, `21-cart-${shots}`);
  await page.getByRole('link', { name: words.checkout, exact: true }).click();
  await page.waitForURL(/\/login\?next=/);
  await logInHere(page, 'buyer');
  await page.waitForURL(/\/checkout$/);
  await assertAccessible(page, `checkout (${shots})`);
  const option = page.locator('#station option', { hasText: stationText });
  await page.locator('#station').selectOption({ label: await option.textContent() });
  await page.getByLabel(words.online).check();
  await screenshot(page, `22-checkout-${shots}`);
  await page.getByRole('button', { name: words.placeOrder }).click();
  await page.waitForURL(/\/sandbox-pay\/checkout/);
  await assertAccessible(page, `sandbox payment page (${shots})`);
  await page.getByRole('button', { name: words.pay }).click();
  await page.waitForURL(/\/checkout\/[0-9a-f-]+$/);
  await assert.doesNotReject(page.getByText(words.paid).first().waitFor());
  await assertAccessible(page, `checkout done (${shots})`);
  await screenshot(page, `23-paid-${shots}`);
  await page.locator('ul.cards h2 a').first().click();
  await page.waitForURL(/\/orders\/\d+$/);
  return page.url();
}

test('a buyer in Chinese buys walnuts, pays in the sandbox, and follows the seller packing and shipping', async () => {
  const buyerContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const buyer = await buyerContext.newPage();
  const orderUrl = await buy(buyer, {
    words: {
      search: '搜索', what: '想买什么？', searchButton: '搜索', addToCart: '加入购物车', checkout: '去结算',
      online: '在线支付（沙箱测试）', placeOrder: '立即下单', pay: '确认付款', paid: '已付款',
    },
    query: '薄皮核桃',
    stationText: '嘉陵村服务站',
    shots: 'zh',
  });
  await assert.doesNotReject(buyer.getByText('嘉陵村服务站').first().waitFor());

  // The seller of the walnuts packs the parcel with what the scale shows and ships it.
  const order = orderUrl.match(/\/orders\/(\d+)$/)[1];
  const shop = (await buyer.locator('a.shop-link').getAttribute('href')).match(/\/shops\/(\d+)$/)[1];
  const sellerContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const seller = await sellerContext.newPage();
  let found = false;
  for (const login of ['huixian-host', 'kuqa-seller', 'tekes-seller']) {
    await seller.context().clearCookies();
    await seller.goto(server.url + '/login');
    await logInHere(seller, login);
    const response = await seller.goto(`${server.url}/seller/shops/${shop}/orders`);
    if (response.status() === 200) {
      found = true;
      break;
    }
  }
  assert.ok(found, 'one of the demo walnut sellers owns the shop');
  assert.equal(await seller.locator(`#order-${order}`).count(), 1);
  await assertAccessible(seller, 'seller orders (zh-CN)');
  await screenshot(seller, '24-seller-orders-zh');
  const card = seller.locator(`#order-${order}`);
  await card.getByLabel('实际重量（克）').fill('1020');
  await card.getByRole('button', { name: '打包并称重' }).click();
  await seller.waitForURL(/\/seller\/shops\/\d+\/orders$/);
  await card.getByLabel('快递公司').fill('县配送中心');
  await card.getByLabel('快递单号').fill('HX20261123001');
  await card.getByRole('button', { name: '发货' }).click();
  await seller.waitForURL(/\/seller\/shops\/\d+\/orders$/);

  // The buyer sees every step, with the weight and the tracking number.
  await buyer.goto(orderUrl);
  for (const step of ['已下单', '已付款', '已打包', '已发货']) {
    await assert.doesNotReject(buyer.locator('ol.timeline').getByText(step).first().waitFor());
  }
  await assert.doesNotReject(buyer.getByText('县配送中心 HX20261123001').waitFor());
  await assert.doesNotReject(buyer.getByText(/实称 \u2068?1020\u2069? 克/).waitFor());
  await assertAccessible(buyer, 'order timeline (zh-CN)');
  await screenshot(buyer, '25-timeline-zh');
  await sellerContext.close();
  await buyerContext.close();
});

test('a buyer in Uyghur finds walnuts by their Uyghur name and pays at a village station', async () => {
  const context = await browser.newContext({ ...phone, locale: 'ug' });
  const buyer = await context.newPage();
  await buyer.goto(server.url + '/');
  assert.equal(await buyer.getAttribute('html', 'dir'), 'rtl');
  await buy(buyer, {
    words: {
      search: 'ئىزدەش', what: 'نېمە ئالماقچى؟', searchButton: 'ئىزدەش', addToCart: 'سېۋەتكە سېلىش', checkout: 'ھېسابلاش',
      online: 'توردا تۆلەش (سىناق)', placeOrder: 'زاكاز قىلىش', pay: 'تۆلەشنى جەزملەش', paid: 'تۆلەندى',
    },
    query: 'ياڭاق',
    stationText: 'ئۇچا كەنتى مۇلازىمەت پونكىتى',
    shots: 'ug',
  });
  assert.equal(await buyer.getAttribute('html', 'dir'), 'rtl');
  await assert.doesNotReject(buyer.getByText('پۇل تۆلەندى').first().waitFor());
  await assertAccessible(buyer, 'order page (ug)');
  await screenshot(buyer, '26-order-ug');
  await context.close();
});
