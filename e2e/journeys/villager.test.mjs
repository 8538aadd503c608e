// The villager's five minutes (issue 14): on a phone, in Uyghur, on an EDGE-like link, a new
// villager goes from the home page to a listed product with a photo: she registers, applies,
// is approved by the Tekes centre (in Chinese), is told, and lists dried apricots with a
// Uyghur name only; a buyer then finds them by that name. The journey counts her screens and
// the fields she fills (the approval wait aside) and prints her wall-clock time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, phone, logIn, assertAccessible, screenshot, onRuralLink } from '../support.mjs';

const journey = useServerAndBrowser(before, after);

const PRODUCT = 'تېكەس ئاق ئۆرۈك قېقى';
const SHOP = 'ئايگۈلنىڭ ئۆرۈك دۇكىنى';
const PHONE = '13900005678';

test('a Uyghur villager lists her first product in four screens and ten fields', async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'ug' });
  const villager = await context.newPage();
  await villager.goto(`${server.url}/lang/ug`);
  const offLink = await onRuralLink(villager);

  // What she does: the pages she opens (the approval wait aside) and the fields she fills.
  const screens = [];
  let counting = false;
  villager.on('framenavigated', (frame) => {
    if (counting && frame === villager.mainFrame()) screens.push(new URL(frame.url()).pathname);
  });
  let fields = 0;
  const fill = async (selector, value) => {
    fields += 1;
    await villager.locator(selector).fill(value);
  };
  const choose = async (selector, value) => {
    fields += 1;
    await villager.locator(selector).selectOption(value);
  };

  await villager.goto(server.url + '/');
  const started = Date.now();
  counting = true;
  // Home: "open a shop" takes a newcomer straight to registering, then back to applying.
  await villager.locator('main a[href="/register?next=/shops/apply"]').click();
  await villager.waitForURL(/\/register/);
  await assertAccessible(villager, 'register (ug)');
  await fill('#display_name', 'ئايگۈل');
  await fill('#login', PHONE);
  await fill('#password', 'apricots-in-the-sun');
  await villager.locator('form.form button[type=submit]').click();
  await villager.waitForURL(/\/shops\/apply$/);
  await assertAccessible(villager, 'shop application (ug)');
  // What the centre already knows is filled in: her phone (her login), the kind of shop.
  assert.equal(await villager.locator('#phone').inputValue(), PHONE);
  assert.ok(await villager.locator('input[name=kind][value=farmer]').isChecked());
  await fill('#name', SHOP);
  await choose('#village', 'tekes-qiongkushitai');
  // Sending the application starts the wait for the centre: "what happens next" is the wait.
  counting = false;
  await villager.locator('form.form button[type=submit]').click();
  await villager.waitForURL(/sent=1/);
  const firstPart = Date.now() - started;
  await assert.doesNotReject(villager.locator('ol.steps').waitFor());
  await assertAccessible(villager, 'application sent (ug)');
  await screenshot(villager, 'villager-1-sent-ug');

  // The Tekes centre approves, in Chinese, from its front page.
  const staffContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const staff = await staffContext.newPage();
  await logIn(staff, server.url, 'tekes-centre', 'farmgate-demo');
  await staff.goto(server.url + '/centre/shop-applications');
  const card = staff.locator('section.card', { has: staff.getByRole('heading', { name: SHOP }) });
  await assert.doesNotReject(card.getByText('ئايگۈل').first().waitFor());
  await card.getByRole('button', { name: '通过，开店' }).click();
  await staff.waitForURL(/done=1/);
  await staffContext.close();

  // She is told (a notice in the header) and the notice opens "list your first product".
  await villager.goto(server.url + '/');
  await villager.locator('header a[href="/notices"]').click();
  await villager.waitForURL(/\/notices$/);
  await assertAccessible(villager, 'notices (ug)');
  const resumed = Date.now();
  counting = true;
  await villager.getByRole('link', { name: /دۇكان ئېچىش ئىلتىماسى تەستىقلاندى/ }).first().click();
  await villager.waitForURL(/\/seller\/shops\/\d+\/products\/new$/);
  await assertAccessible(villager, 'first product form (ug)');
  await screenshot(villager, 'villager-2-first-product-ug');
  const picture = await villager.screenshot({ type: 'jpeg', quality: 70, clip: { x: 0, y: 0, width: 240, height: 240 } });
  await fill('#name_ug', PRODUCT);
  await choose('#category', 'dried-fruit');
  await fill('#v0_price', '32.00');
  await fill('#v0_stock', '40');
  fields += 1;
  await villager.setInputFiles('#photo', { name: 'apricots.jpg', mimeType: 'image/jpeg', buffer: picture });
  await villager.locator('form.form button[type=submit]').click();
  await villager.waitForURL(/\/products\/\d+$/);
  counting = false;
  const secondPart = Date.now() - resumed;
  await assert.doesNotReject(villager.getByRole('heading', { name: PRODUCT }).waitFor());
  assert.ok(
    await villager.locator('figure.cover img').evaluate((img) => img.complete && img.naturalWidth > 0),
    'listed with its photo',
  );
  await assertAccessible(villager, 'listed product (ug)');
  await screenshot(villager, 'villager-3-listed-ug');
  await offLink();
  const productPath = new URL(villager.url()).pathname;

  // A buyer finds it by its Uyghur name.
  const buyerContext = await browser.newContext({ ...phone, locale: 'ug' });
  const buyer = await buyerContext.newPage();
  await buyer.goto(`${server.url}/lang/ug`);
  await buyer.goto(`${server.url}/search?q=${encodeURIComponent('ئاق ئۆرۈك')}`);
  await assert.doesNotReject(buyer.locator(`main a[href="${productPath}"]`).first().waitFor());
  await buyerContext.close();

  console.log(`villager: ${screens.length} screens (${screens.join(' > ')}), ${fields} fields, ` +
    `${((firstPart + secondPart) / 1000).toFixed(1)} s on the rural link (approval wait aside)`);
  assert.ok(screens.length <= 4, `screens: ${screens.join(' > ')}`);
  assert.ok(fields <= 10, `fields: ${fields}`);
  await context.close();
});
