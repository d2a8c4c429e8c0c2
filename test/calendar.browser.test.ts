import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday } from './support/operations';
import { waitForSubscribers } from './support/subscriptions';

/** Debian's chromium, installed by `npm run provision:browser` (part of `pretest`). Never skipped. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'race-free-api-screenshots');

let app: TestApp;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No browser at ${CHROMIUM}: run \`npm run provision:browser\` (as root on Debian) or set CHROMIUM_PATH`);
  }
  app = await startTestApp();
  // Running as root (CI containers) needs --no-sandbox.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function openCalendar(user: string, resourceId: string, month: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 760 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${user}] page error:`, error));
  const token = await app.token(user);
  await page.goto(`${app.url}/?${new URLSearchParams({ token, resource: resourceId, month })}`);
  return page;
}

const cell = (date: string, status: string) => `.day[data-date="${date}"][data-status="${status}"]`;

describe('when two people have the calendar open', () => {
  it("shows one person's hold on the other's page without a reload", async () => {
    const resource = await createResource(app, { name: 'Lake cabin', capacity: 1 });
    const date = dayFromToday(app, 3);
    const month = date.slice(0, 7);
    const alice = await openCalendar('alice', resource.id, month);
    const bob = await openCalendar('bob', resource.id, month);
    await alice.waitForSelector(cell(date, 'AVAILABLE'));
    await bob.waitForSelector(cell(date, 'AVAILABLE'));
    await waitForSubscribers(app, 2);
    await bob.evaluate('window.notReloaded = true');

    await alice.click(`.day[data-date="${date}"]`);
    await alice.waitForSelector(cell(date, 'HELD'), { timeout: 5_000 });
    await bob.waitForSelector(cell(date, 'HELD'), { timeout: 5_000 });

    expect(await bob.evaluate('window.notReloaded')).toBe(true);
    expect(await alice.textContent('#message')).toMatch(new RegExp(`Held Lake cabin .* on ${date}`));
    expect(await bob.textContent('#connection')).toBe('live');

    // Bob's click on the date Alice holds is refused by the server, not by the page.
    await bob.click(`.day[data-date="${date}"]`);
    await bob.waitForSelector('#message.bad:has-text("no longer available")');

    mkdirSync(SCREENSHOTS, { recursive: true });
    await alice.screenshot({ path: join(SCREENSHOTS, 'calendar-alice.png'), fullPage: true });
    await bob.screenshot({ path: join(SCREENSHOTS, 'calendar-bob.png'), fullPage: true });
  });

  it('asks for a token when it has none', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/`);
    await page.waitForSelector('#message:has-text("Paste a bearer token")');
    await context.close();
  });
});
