// The page at / with TRUSTED_DOCUMENTS set (README › Deployment › Trusted documents): every
// operation it sends, over HTTP and WebSocket, is one of the manifest's, and the journey works.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { deposit, openAccount } from './support/ledger';
import { createResource, dayFromToday } from './support/operations';
import { waitForSubscribers } from './support/subscriptions';
import { repoManifest } from './support/trusted';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT = { timeout: 15_000 };
const PAGE: Record<string, { hash: string }> = await import(new URL('../web/operations.js', import.meta.url).href);

/** An instance without TRUSTED_DOCUMENTS on the same database, for the operator's part (resources, deposits). */
let operator: TestApp;
let app: TestApp;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: run \`npm run provision:browser\` or set CHROMIUM_PATH`);
  operator = await startTestApp();
  app = await startTestApp({ sharing: operator, trustedDocuments: repoManifest(), localPayments: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await operator?.stop();
});

/** What the pages sent (the hashes of their operations) and every error code they were answered. */
const sent = new Set<string>();
const codes: string[] = [];

function record(body: string | undefined): void {
  // An HTTP body, or a graphql-ws message (its `subscribe` carries the operation in `payload`).
  const message = body ? (JSON.parse(body) as { payload?: { extensions?: any }; extensions?: any }) : undefined;
  const extensions = message?.payload?.extensions ?? message?.extensions;
  if (extensions?.persistedQuery?.sha256Hash) sent.add(extensions.persistedQuery.sha256Hash);
}

function collectCodes(text: string): void {
  for (const match of text.matchAll(/"code":"([A-Z_]+)"/g)) codes.push(match[1]);
}

async function openPage(user: string, resourceId: string, month: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 960, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${user}] page error:`, error));
  page.on('request', (request) => {
    if (request.url().endsWith('/graphql') && request.method() === 'POST') record(request.postData() ?? undefined);
  });
  page.on('response', async (response) => {
    if (response.url().endsWith('/graphql')) collectCodes(await response.text().catch(() => ''));
  });
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => record(String(payload)));
    ws.on('framereceived', ({ payload }) => collectCodes(String(payload)));
  });
  const token = await app.token(user);
  await page.goto(`${app.url}/?${new URLSearchParams({ token, resource: resourceId, month })}`);
  await page.waitForSelector('body[data-ready="true"][data-payments="local"]', WAIT);
  return page;
}

const cell = (date: string, status: string) => `.day[data-date="${date}"][data-status="${status}"]`;

describe('the page, served by a server that runs only trusted documents', () => {
  it('holds, releases, pays, books, cancels, opens an account, transfers and pays from the wallet, live on a second page', async () => {
    const resource = await createResource(operator, { name: 'Trusted cabin', capacity: 1 });
    const date = dayFromToday(app, 3);
    const month = date.slice(0, 7);
    const aliceAccount = await openAccount(operator, await app.token('trusted-alice'));
    await deposit(operator, aliceAccount, 20_000);

    const alice = await openPage('trusted-alice', resource.id, month);
    const bob = await openPage('trusted-bob', resource.id, month);
    await alice.waitForSelector(cell(date, 'AVAILABLE'), WAIT);
    await waitForSubscribers(app, 2);

    // Hold, then release: Bob sees both live (the subscription, by hash over WebSocket).
    await alice.click(`.day[data-date="${date}"]`);
    await bob.waitForSelector(cell(date, 'HELD'), WAIT);
    await alice.locator('#hold-list .hold button.release').click();
    await bob.waitForSelector(cell(date, 'AVAILABLE'), WAIT);

    // Hold again, pay (simulated), book, cancel.
    await alice.click(`.day[data-date="${date}"]`);
    const hold = alice.locator('#hold-list .hold');
    await hold.locator('button.pay').click();
    await hold.locator('button.simulate').click();
    await bob.waitForSelector(cell(date, 'BOOKED'), WAIT);
    const booking = alice.locator('#booking-list .booking[data-status="CONFIRMED"]');
    await booking.locator('button.cancel').click();
    await bob.waitForSelector(cell(date, 'AVAILABLE'), WAIT);

    // Bob opens an account; Alice sends him money.
    await bob.click('#open-form button[type="submit"]');
    const bobAccount = bob.locator('#account-list .account');
    await bobAccount.waitFor(WAIT);
    const bobAccountId = await bobAccount.getAttribute('data-account-id');
    await alice.fill('#transfer-to', bobAccountId ?? '');
    await alice.fill('#transfer-amount', '12.50');
    await alice.click('#transfer-send');
    await alice.waitForSelector('#wallet-message:not(.bad):has-text("Sent €12.50")', WAIT);
    await bob.waitForSelector(`#account-list .account[data-balance="1250"]`, WAIT);

    // Alice holds the date once more and pays from her wallet.
    await alice.click(`.day[data-date="${date}"]`);
    await hold.locator('button.pay-wallet:enabled').click();
    await alice.waitForSelector('#booking-list .booking[data-status="CONFIRMED"][data-payment-method="BALANCE"]', WAIT);
    await bob.waitForSelector(cell(date, 'BOOKED'), WAIT);

    // Every operation of the page went out, by its hash, and none was refused.
    expect([...sent].sort()).toEqual(
      Object.values(PAGE)
        .map((operation) => operation.hash)
        .sort(),
    );
    expect(codes.filter((code) => code === 'FORBIDDEN' || code === 'PERSISTED_QUERY_NOT_FOUND')).toEqual([]);
  });
});
