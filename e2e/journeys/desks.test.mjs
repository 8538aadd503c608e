// Every role lands on its own work (issue 14): each demo account signs in at 390x844, lands
// on its desk's front page with work waiting, and opens each tool of its header row in one tap;
// no tool answers 403 or 404, every page is axe-clean, in Chinese and (for the station and
// the seller) in Uyghur.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, phone, logIn, assertAccessible, screenshot } from '../support.mjs';

const journey = useServerAndBrowser(before, after);

// (login, language, front page, something on it that is waiting)
const ROLES = [
  ['tekes-centre', 'zh-CN', '/centre', /等待审核的开店申请（\u2068?1/],
  ['tekes-official', 'zh-CN', '/centre/stats', /网络零售额/],
  ['jinghe-seller', 'ug', '/seller', /./],
  ['huixian-host', 'zh-CN', '/seller', /./],
  ['saibag-station', 'ug', '/station', /#?\u2068?\d+/],
  ['gaodu-courier', 'zh-CN', '/courier', /订单 \u2068?\d+/],
];

for (const [login, lang, front, waiting] of ROLES) {
  test(`${login} lands on ${front} and reaches every tool in one tap (${lang})`, async () => {
    const { server, browser } = journey;
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/lang/${lang}`);
      await logIn(page, server.url, login, 'farmgate-demo');
      assert.equal(new URL(page.url()).pathname, front, `${login} lands on the front page`);
      const main = await page.locator('main').innerText();
      assert.match(main, waiting, `${login} has work waiting`);
      await assertAccessible(page, `${login} ${front}`);
      await screenshot(page, `desk-${login}`);
      const tools = await page.locator('nav.desk a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      assert.ok(tools.length >= 1, `${login} has tools in the header`);
      for (const href of tools) {
        await page.goto(server.url + front);
        const [response] = await Promise.all([
          page.waitForNavigation(),
          page.locator(`nav.desk a[href="${href}"]`).first().click(),
        ]);
        assert.equal(response.status(), 200, `${login} opens ${href}`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 390, `${href} fits the phone (${width}px)`);
        await assertAccessible(page, `${login} ${href}`);
      }
    } finally {
      await context.close();
    }
  });
}
