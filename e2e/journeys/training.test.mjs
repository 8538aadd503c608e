// Training on a phone: Tekes' trainer schedules a five-day camp; a villager enrols herself in
// Uyghur; a village station enrols a neighbour who has no smartphone; she checks in on four
// days by opening the trainer's QR code; the certificate appears and its public page verifies
// it; from the certificate she applies for a shop, filled in; the centre's funnel counts her.
// Every page is checked with axe-core.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, logIn as logInAt, phone, screenshot, useServerAndBrowser } from '../support.mjs';

const journey = useServerAndBrowser(before, after);

function logIn(page, login, password) {
  return logInAt(page, journey.server.url, login, password);
}

async function funnelCounts(page) {
  const { server } = journey;
  await page.goto(server.url + '/centre/training');
  const counts = [];
  for (let stage = 1; stage <= 5; stage++) {
    counts.push(Number(await page.locator(`#funnel-total dd[data-stage="${stage}"]`).textContent()));
  }
  return counts;
}

test('a camp from scheduling to certificate, shop application and funnel', async () => {
  const { server, browser } = journey;
  const inTenDays = new Date(Date.now() + 10 * 86400_000).toISOString().slice(0, 10);

  // The trainer schedules a camp of the centre's five-day course.
  const trainerContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const trainer = await trainerContext.newPage();
  await logIn(trainer, 'tekes-centre', 'farmgate-demo');
  const before = await funnelCounts(trainer);
  assert.ok(before[0] > 5000, `the demo's trainees are counted: ${before}`);
  await assertAccessible(trainer, 'funnel (zh-CN)');
  await screenshot(trainer, '50-funnel-zh');
  await trainer.goto(server.url + '/centre/training/attendance');
  await assert.doesNotReject(trainer.getByRole('heading', { name: '每年培训人次' }).waitFor());
  await assertAccessible(trainer, 'attendance (zh-CN)');
  await screenshot(trainer, '51-attendance-zh');

  await trainer.goto(server.url + '/trainer');
  await assertAccessible(trainer, 'trainer console (zh-CN)');
  const camp = await trainer.locator('#course option', { hasText: '五日训练营' }).first().getAttribute('value');
  await trainer.locator('#course').selectOption(camp);
  await trainer.locator('#starts_on').fill(inTenDays);
  await trainer.locator('#venue_kind').selectOption('centre');
  await trainer.locator('#venue_name').fill('中心二楼培训室');
  await trainer.locator('#region').selectOption('tekes');
  await trainer.locator('#capacity').fill('30');
  await trainer.getByRole('button', { name: '安排培训' }).click();
  await trainer.waitForURL(/\/trainer\/sessions\/\d+$/);
  const session = trainer.url().split('/').pop();
  await assertAccessible(trainer, 'roster (zh-CN)');

  // A villager registers and enrols in Uyghur, in a few taps.
  const villagerContext = await browser.newContext({ ...phone, locale: 'ug' });
  const villager = await villagerContext.newPage();
  await villager.goto(server.url + '/register');
  await villager.locator('#display_name').fill('ئايگۈل');
  await villager.locator('#login').fill('13900007777');
  await villager.locator('#password').fill('lavender-fields');
  await villager.locator('form.form button[type=submit]').click();
  // Registering signs in.
  await villager.waitForURL((url) => url.pathname === '/');
  await villager.getByRole('link', { name: 'تەربىيە', exact: true }).click();
  await villager.waitForURL(/\/training$/);
  assert.equal(await villager.getAttribute('html', 'dir'), 'rtl');
  await assertAccessible(villager, 'training list (ug)');
  await villager.locator('li.session', { hasText: inTenDays }).getByRole('link').first().click();
  await villager.waitForURL(new RegExp(`/training/sessions/${session}$`));
  await assertAccessible(villager, 'session page (ug)');
  assert.equal(await villager.locator('#phone').inputValue(), '13900007777', 'phone filled in from the account');
  const pageBytes = (await villager.content()).length;
  assert.ok(pageBytes < 50_000, `session page ${pageBytes} bytes`);
  await villager.getByRole('button', { name: 'بۇ مەزگىلگە تىزىملىتىش' }).click();
  await villager.waitForURL(/done=enrolled/);
  await assert.doesNotReject(villager.getByText('تىزىملاتتىڭىز!').waitFor());
  await screenshot(villager, '52-enrolled-ug');

  // The village station enrols a neighbour with a name and a phone number.
  const stationContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const station = await stationContext.newPage();
  await logIn(station, 'kuokesu-station', 'farmgate-demo');
  await station.goto(`${server.url}/training/sessions/${session}`);
  await station.locator('#o-name').fill('吐尔逊·别克');
  await station.locator('#o-phone').fill('13900008888');
  await station.locator('#o-village').selectOption('tekes-kuokesu');
  await station.getByRole('button', { name: '帮他报名' }).click();
  await station.waitForURL(/done=other/);
  await assert.doesNotReject(station.getByText('已帮村民报名。').waitFor());
  await assertAccessible(station, 'session page after enrolling someone (zh-CN)');

  // Four days: the trainer's screen shows the code, her camera opens it.
  for (const day of [1, 2, 3, 4]) {
    await trainer.goto(`${server.url}/trainer/sessions/${session}/check-in?day=${day}`);
    await assert.doesNotReject(trainer.locator('#check-in-qr svg').waitFor());
    if (day === 1) {
      await assertAccessible(trainer, 'check-in screen (zh-CN)');
      await screenshot(trainer, '53-check-in-screen-zh');
    }
    const url = await trainer.locator('#check-in-url').getAttribute('href');
    await villager.goto(url);
    await assert.doesNotReject(villager.locator('#checked-in').waitFor());
    if (day === 1) await assertAccessible(villager, 'checked in (ug)');
  }
  await screenshot(villager, '54-checked-in-ug');
  const roster = await trainer.locator('body').textContent();
  assert.ok(roster.length > 0);

  // The fourth day completed the camp: the certificate, and its public verification.
  await villager.locator('a[href^="/training/certificates/"]').click();
  await villager.waitForURL(/\/training\/certificates\//);
  await assert.doesNotReject(villager.locator('#certificate-name', { hasText: 'ئايگۈل' }).waitFor());
  await assertAccessible(villager, 'certificate (ug)');
  await screenshot(villager, '55-certificate-ug');
  const verifyUrl = await villager.locator('#verify-link').getAttribute('href');
  const publicContext = await browser.newContext({ ...phone, locale: 'zh-CN' });
  const anyone = await publicContext.newPage();
  await anyone.goto(verifyUrl);
  await assert.doesNotReject(anyone.getByText('这是一张真实有效的结业证书。').waitFor());
  assert.equal(await anyone.locator('#verify-name').textContent(), 'ئايگۈل');
  await assertAccessible(anyone, 'verify page (zh-CN)');

  // From the certificate to a shop application, filled in.
  await villager.getByRole('link', { name: 'دۇكان ئېچىشنى ئىلتىماس قىلىش' }).click();
  await villager.waitForURL(/\/shops\/apply\?certificate=/);
  assert.match(await villager.locator('#name').inputValue(), /ئايگۈل/);
  assert.equal(await villager.locator('#phone').inputValue(), '13900007777');
  await assertAccessible(villager, 'prefilled shop application (ug)');
  await villager.getByLabel('دېھقان').check();
  await villager.getByLabel('كەنت', { exact: true }).selectOption('tekes-qiongkushitai');
  await villager.getByRole('button', { name: 'ئىلتىماس يوللاش' }).click();
  await villager.waitForURL(/sent=1/);

  // The centre's funnel counts her: one more completed, one more application.
  const afterCounts = await funnelCounts(trainer);
  assert.equal(afterCounts[0], before[0] + 1, `completed ${before} → ${afterCounts}`);
  assert.equal(afterCounts[1], before[1] + 1, `applied ${before} → ${afterCounts}`);
  await screenshot(trainer, '56-funnel-after-zh');
});
