// The marketplace on an ordinary Tuesday, on phones: a seller in Chinese sells out a product,
// restocks it and changes its price; a buyer in Uyghur sees the new price and buys it through
// the sandbox; the seller is told, packs it with two other orders in one step and prints the
// pick list; the station receives it and the buyer collects it with the pickup code, asks for part of the money back, the seller grants a part,
// the sandbox pays it back and the buyer's timeline shows it. Axe-core on every page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, logIn as logInAt, phone, screenshot, startBrowser, startServer, strip } from '../support.mjs';

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


async function api(path, { token, body, method } = {}) {
  const response = await fetch(server.url + path, {
    method: method ?? (body ? 'POST' : 'GET'),
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body?.items ? { 'idempotency-key': `tuesday-${Math.random().toString(36).slice(2, 12)}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

test('a Tuesday: reprice and restock, buy, notice, pack three, pick list, a part refunded', async () => {
  // The seller (Chinese) opens their walnuts' page from the console.
  const sellerContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const seller = await sellerContext.newPage();
  await logInAt(seller, server.url, 'huixian-host', 'farmgate-demo');
  await seller.goto(server.url + '/seller');
  await assertAccessible(seller, 'seller console (zh-CN)');
  await seller.getByRole('link', { name: '徽县薄皮核桃' }).first().click();
  await seller.waitForURL(/\/seller\/products\/\d+$/);
  const productId = seller.url().match(/\/seller\/products\/(\d+)$/)[1];
  const variant = seller.locator('article.variant').first();

  // Sold out after a count, then restocked, then repriced.
  await variant.getByLabel('盘点后改为').check();
  await variant.getByLabel('数量').fill('0');
  await variant.getByLabel('原因').selectOption({ label: '盘点更正' });
  await variant.getByRole('button', { name: '更新库存' }).click();
  await seller.waitForURL(/saved=/);
  await assert.doesNotReject(variant.getByText(/库存 \u2068?0\u2069?/).first().waitFor());
  await variant.getByLabel('增加').check();
  await variant.getByLabel('数量').fill('30');
  await variant.getByLabel('原因').selectOption({ label: '进货' });
  await variant.getByRole('button', { name: '更新库存' }).click();
  await seller.waitForURL(/saved=/);
  await variant.getByLabel('单价（元）').fill('45.00');
  await variant.getByRole('button', { name: '保存价格' }).click();
  await seller.waitForURL(/saved=/);
  await assert.doesNotReject(variant.getByText('¥45.00').first().waitFor());
  await assertAccessible(seller, 'product management (zh-CN)');
  await screenshot(seller, '60-restocked-repriced-zh');

  // The buyer (Uyghur) sees the new price and buys, paying in the sandbox.
  const buyerContext = await browser.newContext({ ...phone, locale: 'ug' });
  const buyer = await buyerContext.newPage();
  await logInAt(buyer, server.url, 'buyer', 'farmgate-demo');
  await buyer.goto(`${server.url}/products/${productId}`);
  assert.equal(await buyer.getAttribute('html', 'dir'), 'rtl');
  assert.ok(strip(await buyer.locator('main').innerText()).includes('¥45.00'), 'the new price');
  await assertAccessible(buyer, 'product page (ug)');
  await buyer.getByRole('button', { name: 'سېۋەتكە سېلىش' }).click();
  await buyer.waitForURL(/\/cart$/);
  await buyer.getByRole('link', { name: 'ھېسابلاش', exact: true }).click();
  await buyer.waitForURL(/\/checkout$/);
  await buyer.locator('#station').selectOption({ index: 1 });
  await buyer.getByLabel('توردا تۆلەش (سىناق)').check();
  await assertAccessible(buyer, 'checkout (ug)');
  await buyer.getByRole('button', { name: 'زاكاز قىلىش' }).click();
  await buyer.waitForURL(/\/sandbox-pay\/checkout/);
  await buyer.getByRole('button', { name: 'تۆلەشنى جەزملەش' }).click();
  await buyer.waitForURL(/\/checkout\/[0-9a-f-]+$/);
  await buyer.locator('ul.cards h2 a').first().click();
  await buyer.waitForURL(/\/orders\/\d+$/);
  const orderUrl = buyer.url();
  const order = orderUrl.match(/\/orders\/(\d+)$/)[1];
  await screenshot(buyer, '61-bought-ug');

  // Two more orders of the same walnuts come in through the API (cash at a station).
  const { token } = await api('/api/v1/auth/login', { body: { login: 'buyer', password: 'farmgate-demo' } });
  const variantId = Number(await seller.locator('article.variant').first().getAttribute('aria-labelledby').then((id) => id.match(/v(\d+)-title/)[1]));
  const stations = await api('/api/v1/stations?region=huixian');
  const others = [];
  for (let n = 0; n < 2; n++) {
    const placed = await api('/api/v1/orders', {
      token,
      body: { items: [{ variant_id: variantId, quantity: 1 + n }], delivery: { kind: 'pickup', station: String(stations[0].id) }, payment: 'cash' },
    });
    others.push(String(placed.orders[0].id));
  }

  // The seller is told (the header counts it) and finds the new order in the inbox.
  await seller.goto(server.url + '/seller');
  await seller.getByRole('link', { name: /消息/ }).first().click();
  await seller.waitForURL(/\/notices$/);
  await assert.doesNotReject(seller.getByText(new RegExp(`订单 #\\u2068?${order}\\u2069? 已付款`)).first().waitFor());
  await assertAccessible(seller, 'notices (zh-CN)');
  await screenshot(seller, '62-notices-zh');

  // Three orders packed in one step, then the pick list.
  const shop = (await buyer.locator('a.shop-link').getAttribute('href')).match(/\/shops\/(\d+)$/)[1];
  await seller.goto(`${server.url}/seller/shops/${shop}/orders`);
  for (const id of [order, ...others]) {
    await seller.locator(`input[name=order][value="${id}"]`).check();
  }
  await seller.getByRole('button', { name: '把勾选的订单打包（按下单重量）' }).click();
  await assert.doesNotReject(seller.getByText(/已打包\u2069?：\u2068?3\u2069? 个订单/).waitFor());
  await assertAccessible(seller, 'order worklist (zh-CN)');
  await screenshot(seller, '63-packed-three-zh');
  for (const id of [order, ...others]) {
    await seller.locator(`input[name=order][value="${id}"]`).check();
  }
  await seller.getByRole('button', { name: '打印拣货单' }).click();
  await assert.doesNotReject(seller.getByRole('heading', { name: '拣货单' }).waitFor());
  const list = strip(await seller.locator('main').innerText());
  assert.ok(list.includes('徽县薄皮核桃'), list);
  assert.ok(/\b4\b/.test(list), `1 + 1 + 2 bags summed: ${list}`);
  await assertAccessible(seller, 'pick list (zh-CN)');
  await screenshot(seller, '64-picklist-zh');

  // The parcel goes to the station; the buyer collects it.
  await seller.goto(`${server.url}/orders/${order}`);
  await seller.getByLabel('快递公司').fill('县配送中心');
  await seller.getByLabel('快递单号').fill('HX20261130001');
  await seller.getByRole('button', { name: '发货' }).click();
  await seller.waitForURL(/\/seller\/shops\/\d+\/orders/);
  // The station receives it by its number (its operator; here the administrator, who may act
  // for any station), the buyer reads the pickup code on the order, and collects it with it.
  const { station_id: stationId } = await api(`/api/v1/orders/${order}`, { token });
  const deskContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const desk = await deskContext.newPage();
  await logInAt(desk, server.url, 'admin', 'farmgate-demo');
  await desk.goto(`${server.url}/station/parcels?station=${stationId}`);
  await desk.getByLabel('扫描或输入包裹单号').fill(order);
  await desk.getByLabel('扫描或输入包裹单号').press('Enter');
  await desk.waitForURL(/done=received/);
  await assertAccessible(desk, 'station parcels (zh-CN)');
  await screenshot(desk, '64b-station-received-zh');
  await buyer.goto(orderUrl);
  const code = (await buyer.locator('#pickup-code').innerText()).trim();
  assert.match(code, /^\d{6}$/);
  const codeLabel = new RegExp(`FG0*${order}\u2069? 的取件码`);
  const onShelf = desk.locator('li', { has: desk.getByLabel(codeLabel) });
  await onShelf.getByLabel(codeLabel).fill(code);
  await onShelf.getByRole('button', { name: '交给买家' }).click();
  await desk.waitForURL(/done=handed/);
  await buyer.goto(orderUrl);
  await assert.doesNotReject(buyer.locator('ol.timeline').getByText('ئېلىندى').waitFor());

  // The buyer asks for part of the money back: the bag arrived damaged.
  await buyer.goto(orderUrl);
  await buyer.getByRole('link', { name: 'پۇل قايتۇرۇشنى ئىلتىماس قىلىش' }).click();
  await buyer.waitForURL(/\/refund$/);
  await assertAccessible(buyer, 'refund request form (ug)');
  await buyer.getByLabel('مال بۇزۇلۇپ كەلدى').check();
  await buyer.getByLabel(/قوشۇمچە/).fill('خالتىسى يېرىلىپتۇ');
  await screenshot(buyer, '65-refund-ask-ug');
  await buyer.getByRole('button', { name: 'ئىلتىماسنى يوللاش' }).click();
  await buyer.waitForURL(/\/orders\/\d+\?refund=asked$/);
  await assert.doesNotReject(buyer.getByText('دۇكاننىڭ جاۋابىنى كۈتۈۋاتىدۇ').first().waitFor());

  // The seller grants ¥20.00 of it.
  await seller.goto(`${server.url}/orders/${order}`);
  await assertAccessible(seller, 'refund answer (zh-CN)');
  await seller.getByLabel('退一部分（填下面的金额）').check();
  await seller.getByLabel('退多少钱（元）').fill('20.00');
  await screenshot(seller, '66-refund-answer-zh');
  await seller.getByRole('button', { name: '提交答复' }).click();
  await assert.doesNotReject(seller.locator('section.refund .tag').getByText(/同意退款|钱已退回/).waitFor());

  // The sandbox pays it back; the buyer's timeline shows every step.
  let shown = '';
  for (let tries = 0; tries < 50; tries++) {
    await buyer.goto(orderUrl);
    shown = strip(await buyer.locator('main').innerText());
    if (shown.includes('¥20.00 قايتۇرۇلدى')) break;
    await buyer.waitForTimeout(200);
  }
  assert.ok(shown.includes('¥20.00 قايتۇرۇلدى'), shown);
  assert.ok(shown.includes('پۇل قايتۇرۇلدى'), 'the request is paid');
  await assert.doesNotReject(buyer.locator('ol.timeline').getByText(/SBXR/).waitFor());
  await assertAccessible(buyer, 'order with refund (ug)');
  await screenshot(buyer, '67-refunded-ug');
  await sellerContext.close();
  await buyerContext.close();
});
