// The county's numbers on a phone (issue 18). Tekes' official signs in and lands on the county's
// month in Chinese: the headline figures with their change on the month and the year, the
// thirteen months drawn, the townships under it; a tap goes down to a township, another to a
// village, and back a month; the workbook downloads and reads back (openpyxl). Korla's official
// does the same in Uyghur, right to left. Zezhou's centre finds Beijie a Taobao village (each
// criterion beside its threshold) and opens the month's report for printing; anyone, signed in or
// not, reads Zezhou's open data in Uyghur and downloads its CSV. Every page under 50 KB and
// axe-core clean.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, logIn, phone, screenshot, useServerAndBrowser, strip, light } from '../support.mjs';

const journey = useServerAndBrowser(before, after);
const python = path.join(path.dirname(artifacts), '.venv', 'bin', 'python');

/** The sheets of a downloaded workbook and the number of rows of each, read by openpyxl. */
function readBack(file) {
  const script = 'import json, sys, openpyxl\n'
    + 'wb = openpyxl.load_workbook(sys.argv[1])\n'
    + 'print(json.dumps({ws.title: [[c for c in r] for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}))';
  return JSON.parse(execFileSync(python, ['-c', script, file]).toString());
}

async function drillAndDownload(page, where, lang) {
  const chart = page.locator('figure.chart div[role=img] > svg');
  assert.ok((await chart.count()) >= 1, 'the months are drawn');
  await light(page, `the dashboard ${where} (${lang})`);
  const township = page.locator('#places tbody a').first();
  const townshipName = strip(await township.innerText());
  await township.click();
  await page.waitForURL(/region=/);
  assert.ok(strip(await page.locator('h1').innerText()).includes(townshipName), 'down to the township');
  await light(page, `a township (${lang})`);
  await page.locator('#places tbody a').first().click();
  await page.waitForURL(/region=/);
  assert.equal(await page.locator('#places').count(), 0, 'a village has no places under it');
  const month = strip(await page.locator('.pager strong').innerText());
  await page.locator('.pager a').first().click();
  await page.waitForURL(/month=/);
  assert.notEqual(strip(await page.locator('.pager strong').innerText()), month, 'a month back');
  await light(page, `a village's month before (${lang})`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[href^="/centre/stats.xlsx"]').click(),
  ]);
  const file = path.join(artifacts, `stats-${where}-${lang}.xlsx`);
  await download.saveAs(file);
  const book = readBack(file);
  assert.deepEqual(Object.keys(book), ['months', 'places', 'categories']);
  assert.equal(book.months.length, 14, 'a heading and thirteen months');
}

test("in Chinese: Tekes' official reads the county's month and goes down to a village", async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'zh-CN', acceptDownloads: true });
  const page = await context.newPage();
  await logIn(page, server.url, 'tekes-official', 'farmgate-demo');
  assert.equal(new URL(page.url()).pathname, '/centre/stats', 'the official lands on the numbers');
  const main = strip(await page.locator('main').innerText());
  assert.ok(main.includes('特克斯县') && main.includes('网络零售额') && main.includes('同比'));
  assert.match(main, /¥\d/);
  await screenshot(page, '190-stats-zh');
  await drillAndDownload(page, 'tekes', 'zh');
  await context.close();
});

test("in Uyghur: Korla's official reads the city's month right to left", async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'ug', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${server.url}/lang/ug`);
  await logIn(page, server.url, 'korla-official', 'farmgate-demo');
  assert.equal(new URL(page.url()).pathname, '/centre/stats');
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  assert.ok(strip(await page.locator('main').innerText()).includes('تور پارچە سېتىش'));
  await screenshot(page, '191-stats-ug');
  await drillAndDownload(page, 'korla', 'ug');
  await context.close();
});

test("in Chinese: Zezhou's centre finds Beijie a Taobao village and prints the month's report", async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'zh-CN', acceptDownloads: true });
  const page = await context.newPage();
  await logIn(page, server.url, 'zezhou-centre', 'farmgate-demo');
  await page.goto(`${server.url}/centre/stats?region=zezhou`);
  await page.locator('a[href^="/centre/taobao"]').first().click();
  await page.waitForURL(/\/centre\/taobao/);
  const beijie = page.locator('#v-zezhou-beijie');
  assert.equal(await beijie.getAttribute('class'), 'card qualifies', 'Beijie qualifies');
  const card = strip(await beijie.innerText());
  assert.ok(card.includes('北街村') && card.includes('达到标准'), card);
  assert.match(card, /年网络销售额：¥1[0-9],\d{3},\d{3}（标准 ¥10,000,000）/);
  assert.match(strip(await page.locator('#taobao-summary').innerText()), /淘宝村 1 个/);
  await screenshot(page, '192-taobao-zh');
  await light(page, 'the Taobao page (zh)');
  await page.locator('.filters a').nth(2).click();
  await page.waitForURL(/show=close/);
  assert.equal(await page.locator('#v-zezhou-beijie').count(), 0, 'a qualifying village is not merely close');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[href^="/centre/taobao.xlsx"]').click(),
  ]);
  const file = path.join(artifacts, 'taobao-zezhou-zh.xlsx');
  await download.saveAs(file);
  const book = readBack(file);
  assert.deepEqual(Object.keys(book), ['villages', 'towns']);
  assert.ok(book.villages.some((row) => row[0] === '北街村' && row[2] >= 10000000), 'Beijie past ten million');
  await page.goto(`${server.url}/centre/stats?region=zezhou`);
  await page.locator('a[href^="/centre/stats/report"]').click();
  await page.waitForURL(/\/centre\/stats\/report/);
  const report = strip(await page.locator('main').innerText());
  assert.ok(report.includes('月报') && report.includes('快递公司') && report.includes('有服务站的村'), report.slice(0, 200));
  assert.equal(await page.locator('[data-print]').count(), 1, 'a print button');
  await screenshot(page, '193-report-zh');
  await light(page, 'the monthly report (zh)');
  await context.close();
});

test("in Uyghur: anyone reads Zezhou's open data and downloads its CSV", async () => {
  const { server, browser } = journey;
  const context = await browser.newContext({ ...phone, locale: 'ug', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${server.url}/lang/ug`);
  await page.goto(`${server.url}/open/zezhou`);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  const main = strip(await page.locator('main').innerText());
  assert.ok(main.includes('تور پارچە سېتىش'), 'the headline in Uyghur');
  assert.equal(await page.locator('#taobao li').count(), 1, 'one Taobao village');
  assert.equal(await page.locator('a[href^="/centre"]').count(), 0, 'nothing of the centre');
  await screenshot(page, '194-open-ug');
  await light(page, 'the open page (ug)');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[href*="figures.csv"]').click(),
  ]);
  const file = path.join(artifacts, 'open-zezhou-ug.csv');
  await download.saveAs(file);
  const lines = (await import('node:fs')).readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1 + 24 * 4, 'two years of the county and its three townships');
  assert.ok(lines.some((l) => l.includes(',zezhou-gaodu,')), 'Gaodu by month');
  await context.close();
});
