// The Uyghur checkout with home delivery fits a small phone (issue 14): at 360 and 390 px the
// page never scrolls sideways (the village picker's long labels included) and the submit
// button can be tapped; axe-clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, logIn, assertAccessible, screenshot } from '../support.mjs';

const journey = useServerAndBrowser(before, after);

for (const width of [360, 390]) {
  test(`the Uyghur checkout with home delivery fits ${width} px`, async () => {
    const { server, browser } = journey;
    const context = await browser.newContext({ viewport: { width, height: 800 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/lang/ug`);
      await logIn(page, server.url, 'buyer', 'farmgate-demo');
      await page.goto(`${server.url}/search?q=${encodeURIComponent('核桃')}`);
      await page.locator('ul.cards h3 a').first().click();
      await page.waitForURL(/\/products\/\d+$/);
      await page.locator('form[action="/cart"] button[value="cart"]').click();
      await page.waitForURL(/\/cart$/);
      await page.goto(`${server.url}/checkout`);
      await page.locator('input[name="delivery"][value="home"]').check();
      const details = page.locator('details.home-fields');
      if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
      await page.locator('#region').selectOption({ index: 1 });
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scroll <= width, `no sideways scroll at ${width}px (document ${scroll}px)`);
      const submit = page.locator('form[action="/checkout"] button[type=submit]');
      await submit.scrollIntoViewIfNeeded();
      const box = await submit.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= width, `the submit button is on screen: ${JSON.stringify(box)}`);
      await submit.click({ trial: true });
      await assertAccessible(page, `checkout with home delivery (ug, ${width}px)`);
      await screenshot(page, `checkout-home-ug-${width}`);
    } finally {
      await context.close();
    }
  });
}
