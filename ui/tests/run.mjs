// Browser tests of ui/: Debian's chromium driven by playwright-core, a fresh dev node per
// viewport, the production build served statically, and a test wallet injected through
// @polkadot/extension-inject. Drives the story of the original app through the pages, and the
// refusals, at 1440×900 and 390×844; runs axe on every screen; saves screenshots in
// ui/test-results/. Exit code 1 on any failure.
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import os from 'node:os';
import { startNode, serveDist, walletBundle, RESULTS, UI } from './lib.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844, isMobile: true, hasTouch: true },
];
const WALLET_ACCOUNTS = ['Bob', 'Charlie', 'Dave', 'Eve'];

await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const A = Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`).address]));


const timings = [];
let failures = 0;
const t0 = Date.now();

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

let currentPage;
async function step(vp, name, fn) {
  const start = Date.now();
  try {
    await fn();
    const ms = Date.now() - start;
    timings.push({ vp, name, ms });
    console.log(`  ok   ${vp.padEnd(7)} ${name} (${ms} ms)`);
  } catch (e) {
    failures++;
    if (currentPage) {
      await mkdir(RESULTS, { recursive: true });
      await currentPage.screenshot({ path: join(RESULTS, `FAILED-${vp}-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}.png`), fullPage: true }).catch(() => {});
      const html = await currentPage.locator('main').innerHTML().catch(() => '');
      console.log(`       main: ${html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 600)}`);
    }
    console.log(`  FAIL ${vp.padEnd(7)} ${name}: ${e.message.split('\n').slice(0, 6).join('\n       ')}`);
    throw e;
  }
}

// ---- page helpers ----

const renders = (page) => page.evaluate(() => Number(document.body.dataset.renders ?? 0));
async function settledAfter(page, before) {
  await page.waitForFunction((b) => Number(document.body.dataset.renders ?? 0) > b && !document.querySelector('main[aria-busy]'), before, { timeout: 30000 });
}

async function selectAccount(page, name, roleText) {
  const value = await page.$eval('#account', (s, n) => [...s.options].find((o) => o.textContent.startsWith(n))?.value, name);
  assert(value, `account ${name} is offered`);
  const current = await page.$eval('#account', (s) => s.value);
  if (current !== value) {
    const before = await renders(page);
    await page.selectOption('#account', value);
    await settledAfter(page, before);
  }
  if (roleText) await page.getByTestId('roles').filter({ hasText: roleText }).waitFor({ timeout: 20000 });
}

async function tab(page, id) {
  const link = page.locator(`nav a[data-screen="${id}"]`);
  await link.waitFor({ timeout: 20000 });
  if ((await link.getAttribute('aria-current')) !== 'page') {
    const before = await renders(page);
    await link.click();
    await settledAfter(page, before);
  }
  await page.locator(`main [data-screen="${id}"]`).waitFor();
}

/** Runs `action`, then waits for the transaction it sends to end; its last phase. */
async function tx(page, action, expect = 'finalized') {
  const before = await page.evaluate(() => Number(document.querySelector('[data-testid=tx-widget]').dataset.count ?? 0));
  const r = await renders(page);
  await action();
  await page.waitForFunction(
    (b) => {
      const w = document.querySelector('[data-testid=tx-widget]');
      return Number(w.dataset.count ?? 0) > b && ['finalized', 'failed', 'rejected'].includes(w.dataset.lastPhase);
    },
    before,
    { timeout: 60000 },
  );
  const phase = await page.evaluate(() => document.querySelector('[data-testid=tx-widget]').dataset.lastPhase);
  if (expect === 'finalized') {
    if (phase !== 'finalized') {
      const msg = await page.locator('main .notice.error').first().textContent().catch(() => '');
      throw new Error(`transaction ended ${phase}: ${msg}`);
    }
    await settledAfter(page, r);
  } else assert(phase === expect, `transaction ended ${phase}, expected ${expect}`);
  return phase;
}

async function fill(form, fields) {
  for (const [label, value] of Object.entries(fields)) {
    const control = form.getByLabel(label, { exact: true });
    const tag = await control.evaluate((e) => e.tagName);
    if (tag === 'SELECT') await control.selectOption(value);
    else await control.fill(String(value));
  }
}

async function submitForm(page, testid, fields, expect = 'finalized') {
  const form = page.getByTestId(testid).first();
  await fill(form, fields);
  return tx(page, () => form.locator('button[type=submit]').click(), expect);
}

/** Submits a form that fails (before or at the chain); the error notice's text. */
async function submitExpectingError(page, testid, fields) {
  const form = page.getByTestId(testid).first();
  await fill(form, fields);
  await form.locator('button[type=submit]').click();
  const n = form.locator('.notice.error');
  await n.waitFor({ timeout: 60000 });
  return n.textContent();
}

async function bestBlock(page) {
  return Number((await page.getByTestId('best').textContent()).replace('#', ''));
}

async function checkScreen(page, vp, name) {
  await mkdir(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `${name}-${vp.name}.png`), fullPage: true });
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert(bad.length === 0, `axe on ${name}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('; ')}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `${name} scrolls horizontally by ${overflow}px at ${vp.width}px`);
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('button, nav a, select, input:not([type=checkbox]), .button, summary')]
      .filter((e) => e.offsetParent !== null)
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 44 || r.width < 44)
      .map(({ e, r }) => `${e.tagName.toLowerCase()}${e.textContent ? ` "${e.textContent.trim().slice(0, 20)}"` : ''} ${Math.round(r.width)}×${Math.round(r.height)}`),
  );
  assert(small.length === 0, `tap targets under 44px on ${name}: ${small.slice(0, 5).join(', ')}`);
}

// ---- the story ----

async function story(browser, vp, wallet, server) {
  const node = await startNode();
  console.log(`# ${vp.name} ${vp.width}×${vp.height}: node ${node.ws} (up in ${node.startMs} ms), custody ${node.custody}`);
  const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, isMobile: vp.isMobile, hasTouch: vp.hasTouch });
  await context.addInitScript({ content: `window.__testWalletAccounts = ${JSON.stringify(WALLET_ACCOUNTS)};\n${wallet}` });
  const page = await context.newPage();
  currentPage = page;
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The page's and its worker's console errors, printed to explain a failing step.
  page.on('console', (m) => m.type() === 'error' && console.log(`       console: ${m.text().slice(0, 500)}`));
  page.on('worker', (w) => w.on('console', (m) => console.log(`       worker: ${m.text().slice(0, 500)}`)));
  const V = vp.name;
  try {
    await step(V, 'load: header shows the chain, best and finalised heights', async () => {
      const start = Date.now();
      await page.goto(`${server.url}?node=${encodeURIComponent(node.ws)}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
      timings.push({ vp: V, name: 'page load to ready', ms: Date.now() - start });
      assert((await page.getByTestId('chain-name').textContent()) === 'ehr-chain development', 'chain name');
      await page.getByTestId('finalized').waitFor();
      const labels = await page.$$eval('#account option', (os) => os.map((o) => o.textContent));
      assert(labels.some((l) => l.startsWith('Alice (dev account)')), `dev accounts offered: ${labels}`);
      assert(labels.some((l) => l.startsWith('Bob (test wallet)')), `wallet accounts offered: ${labels}`);
      assert(!labels.some((l) => l.startsWith('Bob (dev account)')), 'a wallet account is not offered twice');
    });

    await step(V, 'registrar: register the custodian and a hospital', async () => {
      await selectAccount(page, 'Alice', 'registrar');
      await tab(page, 'registrar');
      await submitForm(page, 'register-custodian', { 'Custody URL': node.custody });
      await page.locator('main').getByText(node.custody, { exact: true }).waitFor();
      await submitForm(page, 'register-hospital', { "Administrator's account": A.Bob, Name: 'St Mary', 'Postal address': '1 Main St', Specialities: 'cardiology, oncology' });
      await page.locator('main td').filter({ hasText: 'St Mary' }).first().waitFor();
      await checkScreen(page, vp, 'registrar');
    });

    await step(V, 'registrar: a refusal shows the chain error by name (hospital registered twice)', async () => {
      const text = await submitExpectingError(page, 'register-hospital', { "Administrator's account": A.Bob, Name: 'St Mary again' });
      assert(text.includes('AlreadyHospital') && text.includes('The account is already a hospital'), `error text: ${text}`);
    });

    await step(V, 'hospital: invite two doctors', async () => {
      await selectAccount(page, 'Bob', 'hospital: St Mary');
      await tab(page, 'hospital');
      await submitForm(page, 'invite-doctor', { "Doctor's account": A.Charlie, Name: 'Dr Grey', Speciality: 'cardiology', 'Professional contact': 'grey@stmary.example' });
      await submitForm(page, 'invite-doctor', { "Doctor's account": A.Ferdie, Name: 'Dr Stranger', Speciality: 'surgery' });
      await page.getByRole('button', { name: 'Withdraw the invitation of Dr Stranger' }).waitFor();
      await checkScreen(page, vp, 'hospital');
    });

    await step(V, 'doctors: each accepts the invitation with their own account', async () => {
      for (const [name, doctor] of [['Charlie', 'Dr Grey'], ['Ferdie', 'Dr Stranger']]) {
        await selectAccount(page, name, 'invited as a doctor');
        await tab(page, 'invitation');
        await page.locator('main dd').filter({ hasText: doctor }).waitFor();
        await submitForm(page, 'accept-invitation', {});
        await selectAccount(page, name, `doctor: ${doctor}, St Mary (active)`);
      }
    });

    await step(V, 'doctor: propose the patient', async () => {
      await selectAccount(page, 'Charlie', 'doctor: Dr Grey, St Mary (active)');
      await tab(page, 'doctor');
      await submitForm(page, 'propose-patient', { "Patient's account": A.Dave });
    });

    await step(V, 'rejected signature: the wallet says no, nothing is sent', async () => {
      await page.evaluate(() => (window.__testWallet.reject = true));
      const text = await submitExpectingError(page, 'propose-patient', { "Patient's account": A.Eve });
      await page.evaluate(() => (window.__testWallet.reject = false));
      assert(/Signature rejected/.test(text), `error text: ${text}`);
      assert((await page.evaluate(() => document.querySelector('[data-testid=tx-widget]').dataset.lastPhase)) === 'rejected', 'widget shows rejected');
      assert((await page.evaluate(() => window.__testWallet.rejected)) === 1, 'the wallet was asked once');
    });

    await step(V, 'patient: confirm the proposal by registering', async () => {
      await selectAccount(page, 'Dave', 'proposed as a patient');
      await tab(page, 'welcome');
      await page.locator('main').getByText('Dr Grey, St Mary').first().waitFor();
      await checkScreen(page, vp, 'welcome');
      await submitForm(page, 'register-patient', {});
      await page.getByTestId('roles').filter({ hasText: 'patient #0' }).waitFor();
    });

    await step(V, 'patient: name a guardian', async () => {
      await tab(page, 'patient');
      await submitForm(page, 'add-guardian', { "Guardian's account": A.Eve });
      await page.locator('main td').filter({ hasText: A.Eve.slice(0, 6) }).first().waitFor();
      await checkScreen(page, vp, 'patient');
    });

    let expiry;
    await step(V, 'consent: grant Dr Grey read-and-write on Coverage, expiring in 3 blocks', async () => {
      await tab(page, 'consent');
      expiry = (await bestBlock(page)) + 3;
      await submitForm(page, 'grant-access', { 'Grant to': `Doctor:${A.Charlie}`, 'Which records': 'Category', Category: 'Coverage', Right: 'ReadWrite', 'Expires at block (optional)': expiry });
      await page.locator('main [data-grant-state="live"]').first().waitFor();
    });

    await step(V, 'doctor: the chain allows a Coverage record under grant #0', async () => {
      await selectAccount(page, 'Charlie');
      await tab(page, 'doctor');
      await page.locator('main td').filter({ hasText: 'Coverage records' }).waitFor();
      const id = await addViaForm(page, 'add-record', { "Patient's account": A.Dave, 'Record part': 'coverage', Insurer: 'Example Mutual' });
      assert(id === 0, `the first record is record 0: ${id}`);
    });

    await step(V, 'invalid FHIR: an uploaded file is refused naming the field', async () => {
      const form = page.getByTestId('add-record');
      await fill(form, { "Patient's account": A.Dave, 'Record part': 'file' });
      await form.locator('input[type=file]').setInputFiles({
        name: 'visit.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify({ resourceType: 'Encounter', class: { code: 'AMB' }, subject: { reference: 'Patient/x' } })),
      });
      await form.locator('button[type=submit]').click();
      const n = form.locator('.notice.error');
      await n.waitFor();
      const text = await n.textContent();
      assert(text.includes('Invalid FHIR at Encounter.status'), `error text: ${text}`);
    });

    await step(V, 'doctor: a guardian and a grant later, the expired grant is refused and shown lapsed', async () => {
      await selectAccount(page, 'Dave');
      await tab(page, 'consent');
      // Blocks pass as the story goes on; one more grant (All, read and write, to Dr Grey).
      await submitForm(page, 'grant-access', { 'Grant to': `Doctor:${A.Charlie}`, 'Which records': 'All', Right: 'ReadWrite' });
      while ((await bestBlock(page)) < expiry) {
        await submitForm(page, 'grant-access', { 'Grant to': `Hospital:${A.Bob}`, 'Which records': 'Category', Category: 'Condition', Right: 'Read' });
      }
      const before = await renders(page);
      await tab(page, 'patient');
      await tab(page, 'consent');
      assert(before >= 0, 'rendered');
      await page.locator('main [data-grant-state="lapsed"]').filter({ hasText: `lapsed at block #${expiry}` }).waitFor();
      await selectAccount(page, 'Charlie');
      await tab(page, 'doctor');
      await page.locator('main td').filter({ hasText: `lapsed at block #${expiry}` }).waitFor();
      await checkScreen(page, vp, 'doctor');
    });

    await recordSteps(page, V, node);

    await step(V, 'revoked grantee: after revocation the chain refuses Dr Grey\'s write', async () => {
      const form = page.getByTestId('add-record');
      await fill(form, { "Patient's account": A.Dave, 'Record part': 'present-illness', Illness: 'Hypertension' });
      await form.locator('button[type=submit]').click();
      // Allowed first, under the All grant (#1).
      await form.locator('.notice').filter({ hasText: /Allowed: consent grant 1|not yet available|added/ }).first().waitFor({ timeout: 120000 });
      await selectAccount(page, 'Dave');
      await tab(page, 'consent');
      await tx(page, () => page.getByRole('button', { name: 'Revoke grant 1' }).click());
      await selectAccount(page, 'Charlie');
      await tab(page, 'doctor');
      const text = await submitExpectingError(page, 'add-record', { "Patient's account": A.Dave, 'Record part': 'present-illness', Illness: 'Hypertension' });
      assert(text.includes('refuse') && text.includes('NoConsent'), `error text: ${text}`);
    });

    await step(V, 'suspended doctor: the chain refuses, by name', async () => {
      await selectAccount(page, 'Bob');
      await tab(page, 'hospital');
      await tx(page, () => page.getByRole('button', { name: 'Suspend Dr Grey' }).click());
      await selectAccount(page, 'Charlie', '(suspended)');
      await tab(page, 'doctor');
      const text = await submitExpectingError(page, 'propose-patient', { "Patient's account": A.Eve });
      assert(text.includes('DoctorNotActive') && text.includes('The doctor is suspended'), `error text: ${text}`);
      const w = await submitExpectingError(page, 'add-record', { "Patient's account": A.Dave, 'Record part': 'present-illness', Illness: 'Hypertension' });
      assert(w.includes('DoctorSuspended'), `write check: ${w}`);
      await selectAccount(page, 'Bob');
      await tab(page, 'hospital');
      await tx(page, () => page.getByRole('button', { name: 'Reinstate Dr Grey' }).click());
    });

    await step(V, "stranger's read: Dr Stranger is refused", async () => {
      await selectAccount(page, 'Ferdie', 'doctor: Dr Stranger');
      await tab(page, 'doctor');
      const form = page.getByTestId('read-record');
      await fill(form, { 'Record id': 0 });
      await form.locator('button[type=submit]').click();
      const n = form.locator('.notice.error');
      await n.waitFor({ timeout: 60000 });
      assert(/NoConsent/.test(await n.textContent()), 'refused for want of consent');
    });

    await step(V, 'emergency: Dr Grey opens break-glass access, loudly', async () => {
      await selectAccount(page, 'Charlie', '(active)');
      await tab(page, 'doctor');
      await page.locator('main').getByText('Break-glass access is audited and the patient is told.').waitFor();
      await submitForm(page, 'open-emergency', { "Patient's account": A.Dave, Reason: 'Unconscious' });
      await page.locator('main td').filter({ hasText: 'The patient is unconscious' }).waitFor();
    });

    await step(V, 'guardian: sees the consent and audit of the patient, closes the emergency', async () => {
      await selectAccount(page, 'Eve', 'guardian of 1 patient');
      await tab(page, 'guardian');
      await page.locator('main').getByText('The patient is unconscious').first().waitFor();
      await checkScreen(page, vp, 'guardian');
      await page.getByText('that doctor then cannot open another for 12 hours').first().waitFor();
      await tx(page, () => page.getByRole('button', { name: `Close emergency access of ${A.Charlie}` }).click());
    });

    await step(V, 'audit trail: every emergency session, consent and guardian, with names and dates', async () => {
      await selectAccount(page, 'Dave');
      await tab(page, 'audit');
      const main = page.locator('main');
      const summary = await page.getByTestId('audit-summary').textContent();
      assert(/1 emergency session/.test(summary), `summary: ${summary}`);
      await main.locator('td').filter({ hasText: 'EMERGENCY access opened' }).first().waitFor();
      await main.locator('td').filter({ hasText: 'Dr Grey, St Mary' }).first().waitFor();
      await main.locator('td').filter({ hasText: 'The patient is unconscious' }).first().waitFor();
      await main.locator('td').filter({ hasText: 'Emergency access closed' }).first().waitFor();
      await main.locator('td').filter({ hasText: 'Consent revoked (#1)' }).first().waitFor();
      await main.locator('td').filter({ hasText: 'Guardian named' }).first().waitFor();
      const year = String(new Date().getFullYear());
      const when = await main.locator('tbody tr td time').first().textContent();
      assert(when.includes(year), `dates are dates: ${when}`);
      await main.locator('td').filter({ hasText: 'Opened' }).first().waitFor();
      await main.locator('td').filter({ hasText: 'REFUSED' }).first().waitFor();
      assert(!/^0 reads/.test(summary), `reads on the trail: ${summary}`);
      await checkScreen(page, vp, 'audit');
    });

    await step(V, 'patient: erase a record', async () => {
      await tab(page, 'patient');
      await tx(page, () => page.getByRole('button', { name: 'Erase record 0' }).click());
      await page.locator('main td').filter({ hasText: 'erased at' }).first().waitFor();
    });

    assert(pageErrors.length === 0, `no uncaught page errors: ${pageErrors.join('; ')}`);
  } finally {
    await context.close();
    await node.stop();
  }
}


// ---- records ----

const SAMPLE = join(UI, '..', 'client/fhir/samples/bundle-visit.json');
const CONDITION = join(UI, '..', 'client/fhir/samples/condition-past.json');
const EHR_CLI = process.env.EHR_CLI || join(os.homedir(), '.cache/ehr-chain/target/debug/ehr');

/** Runs the Rust `ehr` command line against the test's node, signing as `suri`. */
function ehr(node, suri, args) {
  return promisify(execFile)(EHR_CLI, ['--url', node.ws, '--suri', suri, ...args], { maxBuffer: 64 << 20 });
}
const PARTS = [
  ['present-illness', { Illness: 'Hypertension', Since: '2019-05-14' }],
  ['past-illness', { Illness: 'Measles', From: '1990-02-01', Until: '1990-03-01' }],
  ['prescription', { Diagnosis: 'Hypertension', Medication: 'Lisinopril 10 mg', 'Dosage instructions': 'One tablet daily' }],
  ['treatment', { Treatment: 'Angioplasty', 'Performed on': '2024-03-01', 'Outcome / summary': 'Uneventful' }],
  ['visits', { 'Visit dates': '2024-01-10, 2024-02-11', 'Reason for the visits': 'Follow-up' }],
];

async function addViaForm(page, testid, fields) {
  const form = page.getByTestId(testid);
  await fill(form, fields);
  await form.locator('button[type=submit]').click();
  const n = form.locator('.notice.success, .notice.error').filter({ hasNotText: 'Allowed' }).first();
  await n.waitFor({ timeout: 180000 });
  const text = await n.textContent();
  assert(/Record \d+ added/.test(text), `record added: ${text}`);
  return Number(text.match(/Record (\d+) added/)[1]);
}

async function readViaPage(page, form, id) {
  await fill(form, { 'Record id': id });
  await form.locator('button[type=submit]').click();
  const link = page.locator('a[download]').filter({ hasText: `Download record ${id}` });
  const err = form.locator('.notice.error');
  await Promise.race([link.waitFor({ timeout: 180000 }), err.waitFor({ timeout: 180000 })]);
  if (await err.isVisible()) throw new Error(`read ${id}: ${await err.textContent()}`);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await download.path();
  return readFile(path);
}

async function recordSteps(page, V, node) {
  let sampleId;
  await step(V, 'records: a record of each part (forms) and an uploaded FHIR file', async () => {
    await selectAccount(page, 'Charlie');
    await tab(page, 'doctor');
    for (const [kind, fields] of PARTS) await addViaForm(page, 'add-record', { "Patient's account": A.Dave, 'Record part': kind, ...fields });
    const form = page.getByTestId('add-record');
    await fill(form, { "Patient's account": A.Dave, 'Record part': 'file' });
    await form.locator('input[type=file]').setInputFiles(SAMPLE);
    await form.locator('button[type=submit]').click();
    const ok = form.locator('.notice.success').filter({ hasText: 'added' });
    await ok.waitFor({ timeout: 180000 });
    sampleId = Number((await ok.textContent()).match(/Record (\d+) added/)[1]);
  });
  await step(V, 'records: the patient adds demographics, lists and reads records byte for byte', async () => {
    await selectAccount(page, 'Dave');
    await tab(page, 'patient');
    await addViaForm(page, 'demographics', { 'Given name(s)': 'Dave', 'Family name': 'Example', 'Date of birth': '1970-01-01' });
    await tab(page, 'consent');
    await tab(page, 'patient');
    const rows = await page.locator('main table tbody tr').count();
    assert(rows >= PARTS.length + 2, `records listed: ${rows}`);
    await selectAccount(page, 'Charlie');
    await tab(page, 'doctor');
    const back = await readViaPage(page, page.getByTestId('read-record'), sampleId);
    assert(Buffer.compare(back, await readFile(SAMPLE)) === 0, 'the uploaded FHIR file reads back byte for byte');
  });
  await step(V, 'records: the Rust client reads what the page wrote, and the page what the Rust client wrote', async () => {
    const out = join(RESULTS, `rust-read-${V}.json`);
    await ehr(node, '//Charlie', ['record', 'read', String(sampleId), '--out', out]);
    assert(Buffer.compare(await readFile(out), await readFile(SAMPLE)) === 0, 'the ehr CLI reads the page\'s record byte for byte');
    const { stdout } = await ehr(node, '//Charlie', ['--json', 'record', 'add', '--patient', A.Dave, '--file', CONDITION]);
    const back = await readViaPage(page, page.getByTestId('read-record'), JSON.parse(stdout).record);
    assert(Buffer.compare(back, await readFile(CONDITION)) === 0, 'the page reads the ehr CLI\'s record byte for byte');
  });
  await step(V, 'records: 1 MiB added and read in the browser (timed)', async () => {
    await addAndReadLarge(page, V, 786432);
  });
  if (V === 'desktop') {
    await step(V, 'records: 16 MiB added and read, the codec in the worker (timed, with the longest main-thread stall)', async () => {
      await addAndReadLarge(page, V, 12 << 20);
    });
  }
}

/**
 * Adds a DocumentReference of `bytes` of attachment (base64: 4/3 larger) through the page and
 * reads it back byte for byte; records both times and the longest the page's main thread went
 * without running a timer meanwhile (the codec works in the worker, so the page stays live).
 */
async function addAndReadLarge(page, V, bytes) {
  const data = Buffer.alloc(bytes, 7).toString('base64');
  const doc = { resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${A.Dave}` }, content: [{ attachment: { contentType: 'application/octet-stream', data } }] };
  const body = Buffer.from(JSON.stringify(doc));
  const size = `${(body.length / 1048576).toFixed(2)} MiB`;
  const form = page.getByTestId('add-record');
  await fill(form, { "Patient's account": A.Dave, 'Record part': 'file' });
  await form.locator('input[type=file]').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: body });
  await page.evaluate(() => {
    const probe = { last: performance.now(), longest: 0 };
    probe.timer = setInterval(() => {
      const now = performance.now();
      probe.longest = Math.max(probe.longest, now - probe.last);
      probe.last = now;
    }, 10);
    window.__stallProbe = probe;
  });
  let start = Date.now();
  await form.locator('button[type=submit]').click();
  const ok = form.locator('.notice.success').filter({ hasText: 'added' });
  await ok.waitFor({ timeout: 300000 });
  timings.push({ vp: V, name: `add a ${size} record`, ms: Date.now() - start });
  const id = Number((await ok.textContent()).match(/Record (\d+)/)[1]);
  start = Date.now();
  const back = await readViaPage(page, page.getByTestId('read-record'), id);
  timings.push({ vp: V, name: `read a ${size} record`, ms: Date.now() - start });
  const stall = await page.evaluate(() => {
    clearInterval(window.__stallProbe.timer);
    return window.__stallProbe.longest;
  });
  timings.push({ vp: V, name: `longest main-thread stall while adding and reading ${size}`, ms: Math.round(stall) });
  assert(Buffer.compare(back, body) === 0, `the ${size} record reads back byte for byte`);
}

// ---- main ----

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const wallet = await walletBundle();
const server = await serveDist();
await rm(RESULTS, { recursive: true, force: true });
const only = process.env.UI_VIEWPORTS?.split(',');
for (const vp of VIEWPORTS.filter((v) => !only || only.includes(v.name))) {
  try {
    await story(browser, vp, wallet, server);
  } catch {
    /* reported by step; go on with the other viewport */
  }
}
await browser.close();
await server.close();

console.log('\ntimings (ms):');
for (const t of timings) console.log(`  ${t.vp.padEnd(7)} ${String(t.ms).padStart(6)}  ${t.name}`);
console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s; ${failures ? `${failures} FAILED` : 'all passed'}`);
process.exit(failures ? 1 : 0);
