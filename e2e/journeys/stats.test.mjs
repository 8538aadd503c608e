// The county's numbers on a phone (issue 18). Tekes' official signs in and lands on the county's
// month in Chinese: the headline figures with their change on the month and the year, the
// thirteen months drawn, the townships under it; a tap goes down to a township, another to a
// village, and back a month; the workbook downloads and reads back (openpyxl). Korla's official
// does the same in Uyghur, right to left. Every page under 50 KB and axe-core clean.
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
