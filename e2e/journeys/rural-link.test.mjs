// A rural connection (issue 14, item 7): on an EDGE-like link (240 kbit/s down, 840 ms round
// trip, Chromium's network emulation) with a cold cache, at 390x844, every page a villager,
// a buyer or a worker opens first loads within 3 s, weighs at most 50 KB before photos, and
// gives every picture its width and height, lazy below the first screen. The timings are
// printed as a table for the note.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, phone, logIn, measuredVisit, onRuralLink, artifacts, assertAccessible } from '../support.mjs';
import path from 'node:path';

const journey = useServerAndBrowser(before, after);
const LIMIT_MS = 3000;
const LIMIT_BYTES = 50 * 1024;
const rows = [];

/** Visits `path` on the rural link as the page's person and checks the three promises. */
async function check(page, label, path, navigate) {
  const off = await onRuralLink(page);
  try {
    const url = journey.server.url + path;
    const visit = await measuredVisit(page, url, navigate);
    rows.push({ page: label, ms: visit.ms, kb: +(visit.bytes / 1024).toFixed(1) });
    assert.equal(visit.status ?? 200, 200, `${label} answers`);
    assert.ok(visit.bytes <= LIMIT_BYTES, `${label}: ${visit.bytes} bytes before photos`);
    assert.ok(visit.ms <= LIMIT_MS, `${label}: ${visit.ms} ms on the rural link`);
    assert.deepEqual(visit.unsized, [], `${label}: pictures without width and height`);
    assert.deepEqual(visit.eager, [], `${label}: photos below the first screen not lazy`);
  } finally {
    await off();
  }
}

async function asPerson(login, lang, body) {
  const context = await journey.browser.newContext({ ...phone, locale: lang });
  const page = await context.newPage();
  try {
    await page.goto(`${journey.server.url}/lang/${lang}`);
    if (login) await logIn(page, journey.server.url, login, 'farmgate-demo');
    await body(page);
  } finally {
    await context.close();
  }
}

test('a buyer: home, search results, product and checkout (Uyghur)', async () => {
  await asPerson(null, 'ug', async (page) => {
    await check(page, 'home (ug)', '/');
    // The first screen sells: a search box, what is live, a row of products with photos.
    const fold = await page.evaluate(() => {
      const inView = (el) => el && el.getBoundingClientRect().top < window.innerHeight;
      return {
        search: inView(document.querySelector('main form[role=search] input[name=q]')),
        photo: inView(document.querySelector('main .shelf img')),
      };
    });
    assert.deepEqual(fold, { search: true, photo: true }, 'the first screen has search and products');
    await assertAccessible(page, 'home (ug)');
    await page.screenshot({ path: path.join(artifacts, 'rural-home-first-screen-ug.png') });
    await check(page, 'search results (ug)', '/search?q=' + encodeURIComponent('ياڭاق'));
    const product = await page.locator('main a[href^="/products/"]').first().getAttribute('href');
    await check(page, 'product (ug)', product);
  });
  await asPerson('buyer', 'ug', async (page) => {
    const product = await (async () => {
      await page.goto(journey.server.url + '/search?q=' + encodeURIComponent('核桃'));
      return page.locator('main a[href^="/products/"]').first().getAttribute('href');
    })();
    await page.goto(journey.server.url + product);
    await page.locator('button[name=next][value=cart]').click();
    await page.waitForURL(/\/cart$/);
    await check(page, 'checkout (ug)', '/checkout');
  });
});

test("a seller's product form and every role's front page (Chinese and Uyghur)", async () => {
  await asPerson('tekes-seller', 'ug', async (page) => {
    await page.goto(journey.server.url + '/seller');
    const form = await page.locator('main a[href$="/products/new"]').first().getAttribute('href');
    await check(page, 'seller: product form (ug)', form);
    await check(page, 'seller: console (ug)', '/seller');
  });
  const FRONTS = [
    ['tekes-centre', 'zh-CN', '/centre'],
    ['tekes-official', 'zh-CN', '/centre/stats'],
    ['huixian-host', 'zh-CN', '/seller'],
    ['saibag-station', 'ug', '/station'],
    ['gaodu-courier', 'zh-CN', '/courier'],
  ];
  for (const [login, lang, front] of FRONTS) {
    await asPerson(login, lang, (page) => check(page, `${login}: ${front} (${lang})`, front));
  }
});

test("the county's numbers read on a phone in Uyghur: every stage on the chart, no number broken", async () => {
  await asPerson('tekes-official', 'ug', async (page) => {
    await page.goto(journey.server.url + '/centre/training');
    const readable = await page.evaluate(() => {
      const stages = [...document.querySelectorAll('#funnel-total dt')].slice(0, 5).map((dt) => dt.textContent.trim());
      const drawn = [...document.querySelectorAll('figure.chart svg text')].map((t) => t.textContent.trim());
      const brokenNumbers = [...document.querySelectorAll('main table td')].filter((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return range.getClientRects().length > 1;
      }).length;
      return {
        missing: stages.filter((s) => !drawn.includes(s)),
        brokenNumbers,
        width: document.documentElement.scrollWidth,
      };
    });
    assert.deepEqual(readable, { missing: [], brokenNumbers: 0, width: 390 });
    await assertAccessible(page, 'funnel (ug)');
  });
});

after(() => {
  console.log('rural link (240 kbit/s, 840 ms RTT, cold cache):');
  console.table(rows);
});
