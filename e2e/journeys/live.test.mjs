// A livestream on phones: the host schedules a room, pins walnuts with a room price and goes
// live; a real RTMP push (ffmpeg's test pattern through nginx-rtmp, which asks FarmGate for the
// key) plays in the viewers' pages, natively and through hls.js; two viewers, one in Uyghur,
// chat; one buys with one tap and the other's card shows the stock drop; the host ends the
// room and reads the results chart. Every page is checked with axe-core.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { assertAccessible, phone, screenshot, startBrowser, startServer } from '../support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
let server;
let browser;
let nginx;
let rtmpPort;
const pushes = [];

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

before(async () => {
  rtmpPort = await freePort();
  server = await startServer({ FARMGATE_RTMP_URL: `rtmp://127.0.0.1:${rtmpPort}/live` });
  browser = await startBrowser();
  nginx = spawn(path.join(here, '..', '..', 'scripts', 'live-video'), [
    '--farmgate', server.url,
    '--rtmp', `127.0.0.1:${rtmpPort}`,
    '--hls-dir', path.join(server.dataDir, 'hls'),
    '--dir', mkdtempSync(path.join(tmpdir(), 'farmgate-nginx-')),
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  await new Promise((resolve) => setTimeout(resolve, 800));
});

after(async () => {
  for (const push of pushes) push.kill('SIGKILL');
  nginx?.kill('SIGTERM');
  await browser?.close();
  server?.stop();
});

/** Clicks a form's button and waits for the page it posts to: the room console posts back to
 * its own address, so waiting for the URL alone would not wait at all. */
async function submit(page, button) {
  const loaded = page.waitForEvent('load');
  await button.click();
  await loaded;
}

async function logIn(page, login) {
  await page.goto(server.url + '/login');
  await page.locator('#login').fill(login);
  await page.locator('#password').fill('farmgate-demo');
  await page.locator('form.form button[type=submit]').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** ffmpeg pushes a test pattern (H.264/AAC, yuv420p) for `seconds` with `key`. */
function push(key, seconds) {
  const child = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `testsrc=size=640x360:rate=25`,
    '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency',
    '-pix_fmt', 'yuv420p', '-g', '25', '-c:a', 'aac', '-f', 'flv',
    `rtmp://127.0.0.1:${rtmpPort}/live/${key}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  pushes.push(child);
  return child;
}

/** Waits until the page's player has played `seconds` more than it had. */
async function playerAdvances(page, seconds) {
  const state = () => page.evaluate(() => {
    const v = document.getElementById('player');
    return v && { src: v.currentSrc, readyState: v.readyState, networkState: v.networkState, error: v.error && v.error.message, time: v.currentTime };
  });
  await page.waitForFunction(() => {
    const v = document.getElementById('player');
    return v && v.readyState >= 3 && v.currentTime > 0;
  }, null, { timeout: 30_000 }).catch(async (err) => {
    throw new Error(`the player did not start: ${JSON.stringify(await state())}: ${err.message}`);
  });
  const start = await page.evaluate(() => document.getElementById('player').currentTime);
  await page.waitForFunction((from) => {
    const v = document.getElementById('player');
    return v.currentTime >= from && v.error === null && v.videoWidth > 0;
  }, start + seconds, { timeout: 20_000 });
}

test('a host goes live with video; viewers chat in Chinese and Uyghur, buy with one tap, and the host reads the results', async () => {
  // The host schedules, pins walnuts at a room price, and goes live.
  const hostContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const host = await hostContext.newPage();
  await logIn(host, 'huixian-host');
  await host.goto(server.url + '/host');
  await assertAccessible(host, 'host console');
  await host.locator('#title_zh').fill('徽县核桃直播：今年的新核桃');
  await host.locator('#title_ug').fill('خۇيشيەن ياڭىقى نەق مەيدانى');
  const soon = new Date(Date.now() + 8 * 3600_000 + 10 * 60_000).toISOString().slice(0, 16);
  await host.locator('#starts_at').fill(soon);
  await host.locator('form.form button[type=submit]').click();
  await host.waitForURL(/\/host\/rooms\/\d+$/);
  const roomId = host.url().match(/(\d+)$/)[1];
  const walnuts = host.locator('#variant option', { hasText: '徽县薄皮核桃' });
  await host.locator('#variant').selectOption({ label: await walnuts.textContent() });
  await host.locator('#room_price').fill('29.90');
  await submit(host, host.getByRole('button', { name: '挂上' }));
  await host.waitForURL(/\/host\/rooms\/\d+$/);
  await submit(host, host.getByRole('button', { name: '开始直播' }));
  await host.waitForURL(/\/host\/rooms\/\d+$/);
  await assertAccessible(host, 'room console');
  await screenshot(host, '40-host-room-zh');
  const key = await host.locator('#stream_key').inputValue();
  assert.match(await host.locator('#rtmp_url').inputValue(), new RegExp(`:${rtmpPort}/live$`));

  // A push with a wrong key is refused by the streaming server; the room's key goes through.
  const wrong = push('not-the-key', 5);
  const wrongExit = await new Promise((resolve) => wrong.on('exit', resolve));
  assert.notEqual(wrongExit, 0, 'a wrong key is refused');
  push(key, 90);

  // Two viewers: one in Chinese, one in Uyghur.
  const zhContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const zh = await zhContext.newPage();
  zh.on('console', (m) => { if (m.type() === 'error') console.log(`console: ${m.text()}`); });
  await logIn(zh, 'buyer');
  const ugContext = await browser.newContext({ ...phone, locale: 'ug' });
  const ug = await ugContext.newPage();
  await logIn(ug, 'jinghe-seller');
  const bodies = [];
  zh.on('response', (response) => {
    const type = response.request().resourceType();
    if (type !== 'media' && type !== 'image' && type !== 'xhr' && type !== 'fetch' && type !== 'websocket') {
      bodies.push(response.body().then((b) => b.length, () => 0));
    }
  });
  await zh.goto(`${server.url}/live/${roomId}`, { waitUntil: 'load' });
  await ug.goto(`${server.url}/live/${roomId}`);
  assert.equal(await ug.getAttribute('html', 'dir'), 'rtl');
  const pageBytes = (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
  console.log(`live room page weight: ${pageBytes} bytes before photos and video`);
  assert.ok(pageBytes <= 50 * 1024, `room page: ${pageBytes} bytes`);

  // The video plays: natively here, through hls.js in the Uyghur viewer's second tab.
  await playerAdvances(zh, 3);
  const hlsjs = await ugContext.newPage();
  await hlsjs.goto(`${server.url}/live/${roomId}?player=hlsjs`);
  await playerAdvances(hlsjs, 3);
  assert.equal(await hlsjs.evaluate(() => document.getElementById('player').dataset.player), 'hls.js');
  await hlsjs.close();
  await screenshot(zh, '41-live-room-zh');

  // They chat and see each other's messages.
  await zh.waitForSelector('#room[data-connected="1"]');
  await ug.waitForSelector('#room[data-connected="1"]');
  await zh.getByLabel('说点什么…').fill('核桃是今年的新货吗？');
  await zh.getByRole('button', { name: '发送' }).click();
  await assert.doesNotReject(ug.locator('#messages').getByText('核桃是今年的新货吗？').waitFor());
  await ug.locator('#chat-text').fill('ياڭاق قانچە پۇل؟');
  await ug.locator('#chat-form button').click();
  await assert.doesNotReject(zh.locator('#messages').getByText('ياڭاق قانچە پۇل؟').waitFor());
  await assertAccessible(zh, 'live room (zh-CN)');
  await assertAccessible(ug, 'live room (ug)');
  await screenshot(ug, '42-live-room-ug');

  // The Chinese viewer's first purchase chooses a pickup station once; after that one tap buys.
  const stockText = async (page) => (await page.locator('#pins li.card .stock').first().textContent()).replace(/[\u2066-\u2069]/g, '');
  await zh.getByRole('button', { name: '马上抢' }).first().click();
  await zh.waitForURL(/\/checkout\?only=now$/);
  await assert.doesNotReject(zh.getByText('¥29.90').first().waitFor());
  const station = zh.locator('#station option', { hasText: '嘉陵村服务站' });
  await zh.locator('#station').selectOption({ label: await station.textContent() });
  await zh.locator('input[name=payment][value=cash]').check();
  await zh.getByRole('button', { name: '立即下单' }).click();
  await zh.waitForURL(/\/checkout\/[0-9a-f-]+$/);
  await zh.goto(`${server.url}/live/${roomId}`);
  await zh.waitForSelector('#room[data-connected="1"]');
  const count = (text) => Number(text.match(/\d+/)[0]);
  const stockOf = (page) => page.evaluate(() => Number(document.querySelector('#pins li.card .stock').textContent.match(/\d+/)[0]));
  // The Uyghur viewer's card has caught up with the first purchase (the reloaded page reads it fresh).
  const before = await stockOf(zh);
  await ug.waitForFunction((n) => Number(document.querySelector('#pins li.card .stock').textContent.match(/\d+/)[0]) === n, before);
  await zh.getByRole('button', { name: '马上抢' }).first().click();
  await assert.doesNotReject(zh.getByText('已下单！').waitFor());
  assert.match(zh.url(), new RegExp(`/live/${roomId}$`), 'one tap: the buyer stays in the room');
  // ...and drops by one when the other viewer taps, without a reload.
  await ug.waitForFunction((n) => Number(document.querySelector('#pins li.card .stock').textContent.match(/\d+/)[0]) === n, before - 1);
  assert.equal(count(await stockText(ug)), before - 1, 'stock drops in the other viewer\'s card');
  await assert.doesNotReject(ug.locator('#ticker').getByText('خۇيشيەن', { exact: false }).waitFor());
  await screenshot(ug, '43-live-stock-ug');

  // The host ends the room and reads its results.
  await host.goto(`${server.url}/host/rooms/${roomId}`);
  // The host's console follows the chat, with delete and mute, and the purchases.
  await assert.doesNotReject(host.locator('#messages').getByText('核桃是今年的新货吗？').waitFor());
  assert.ok(await host.locator('#messages button', { hasText: '禁言' }).count() > 0, 'the host can mute');
  await assertAccessible(host, 'room console with the chat');
  await submit(host, host.getByRole('button', { name: '结束直播' }));
  await host.waitForURL(/\/host\/rooms\/\d+$/);
  await host.getByRole('link', { name: '直播数据' }).click();
  await host.waitForURL(/\/results$/);
  assert.equal((await host.locator('#orders').textContent()).trim(), '2');
  await assert.doesNotReject(host.locator('figure.chart [role=img] svg').waitFor());
  assert.ok(Number(await host.locator('#messages').textContent()) >= 2);
  await assertAccessible(host, 'room results');
  await screenshot(host, '44-results-zh');
  for (const c of [hostContext, zhContext, ugContext]) await c.close();
});

test('the streaming tools this journey needs are installed', () => {
  for (const tool of ['ffmpeg', 'nginx']) {
    assert.equal(spawnSync('which', [tool]).status, 0, `${tool} is installed`);
  }
  assert.ok(existsSync('/usr/lib/nginx/modules/ngx_rtmp_module.so'), 'the RTMP module is installed');
});
