// Drives the example chat page in headless Chromium, as three users would:
// Ada and Bob join room "x", Cy joins room "y"; Ada says something in "x";
// Bob's page shows it, both pages in "x" list Ada and Bob as the room's members,
// and Cy's page never shows it.
//
// Usage: node rooms.mjs <base URL of the chat page, e.g. http://127.0.0.1:8080>
// Env: CHROMIUM (default /usr/bin/chromium). Exits 0 when every check held, 1 otherwise.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2];
if (!base) {
  console.error('usage: node rooms.mjs <base URL of the chat page>');
  process.exit(2);
}
const WAIT = 15_000;
const profile = mkdtempSync(join(tmpdir(), 'chat-browser-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});

async function open(name) {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] page error: ${error.message}`));
  await page.goto(`${base}/?name=${encodeURIComponent(name)}`);
  await page.locator('#status').filter({ hasText: /^connected/ }).waitFor({ timeout: WAIT });
  return page;
}

async function joinRoom(page, room) {
  await page.fill('#room', room);
  await page.click('#join');
}

async function say(page, text) {
  await page.fill('#text', text);
  await page.click('#button');
}

async function members(page) {
  return (await page.locator('#members li').allTextContents()).sort();
}

let failed = false;
function check(what, ok, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : ': ' + detail}`);
  failed ||= !ok;
}

try {
  const ada = await open('Ada');
  const bob = await open('Bob');
  const cy = await open('Cy');

  await joinRoom(ada, 'x');
  await joinRoom(bob, 'x');
  await joinRoom(cy, 'y');
  for (const [who, page] of [['Ada', ada], ['Bob', bob]]) {
    await page.waitForFunction(() => document.querySelectorAll('#members li').length === 2, null, { timeout: WAIT })
      .catch(() => {});
    const names = await members(page);
    check(`${who}'s page lists the members of room x`, JSON.stringify(names) === '["Ada","Bob"]', JSON.stringify(names));
  }
  await cy.waitForFunction(() => document.querySelectorAll('#members li').length === 1, null, { timeout: WAIT })
    .catch(() => {});
  check("Cy's page lists Cy alone in room y", JSON.stringify(await members(cy)) === '["Cy"]',
    JSON.stringify(await members(cy)));

  await say(ada, 'hello room x');
  const seen = await bob.locator('#log').filter({ hasText: 'Ada: hello room x' })
    .waitFor({ timeout: WAIT }).then(() => true, () => false);
  check("Bob's page shows what Ada said in room x", seen, await bob.locator('#log').innerText());
  const own = await ada.locator('#log').filter({ hasText: 'Ada: hello room x' })
    .waitFor({ timeout: WAIT }).then(() => true, () => false);
  check("Ada's page shows her own message", own, await ada.locator('#log').innerText());

  // Cy speaks in room y after Ada's message was delivered: once Cy sees her own line, anything
  // sent to her for room x would have arrived before it.
  await say(cy, 'hello room y');
  const cyOwn = await cy.locator('#log').filter({ hasText: 'Cy: hello room y' })
    .waitFor({ timeout: WAIT }).then(() => true, () => false);
  check("Cy's page shows her own message in room y", cyOwn, await cy.locator('#log').innerText());
  const cyLog = await cy.locator('#log').innerText();
  check("Cy's page, in room y, never shows room x's message", !cyLog.includes('hello room x'), cyLog);
  const bobLog = await bob.locator('#log').innerText();
  check("Bob's page, in room x, never shows room y's message", !bobLog.includes('hello room y'), bobLog);
} catch (error) {
  check('the browser run', false, error.stack || String(error));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
