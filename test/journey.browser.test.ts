import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { authorize, deposit, openAccount, transfer, withdraw } from './support/ledger';
import { type LiveSocket, liveSocket } from './support/liveSocket';
import { createResource, dayFromToday, holdDates } from './support/operations';
import { collections } from './support/payments';
import { until, waitForSubscribers } from './support/subscriptions';

/** Debian's chromium, installed by `npm run provision:browser` (part of `pretest`). Never skipped. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'race-free-api-screenshots');
const HOLD_TTL_SECONDS = 1800;
/** Generous: two cores shared with other work. Every wait is for a condition, never a fixed sleep. */
const WAIT = { timeout: 15_000 };

let app: TestApp;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No browser at ${CHROMIUM}: run \`npm run provision:browser\` (as root on Debian) or set CHROMIUM_PATH`);
  }
  // Local mode, as `npm start` without STRIPE_SECRET_KEY: stripe-mock, and "simulate payment".
  app = await startTestApp({ localPayments: true, holdTtlSeconds: HOLD_TTL_SECONDS });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** `socket`: route the page's WebSocket through it (support/liveSocket.ts), to cut or hold it later. */
async function openJourney(user: string, resourceId: string, month: string, { socket }: { socket?: LiveSocket } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 960, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${user}] page error:`, error));
  await socket?.attach(page);
  const token = await app.token(user);
  await page.goto(`${app.url}/?${new URLSearchParams({ token, resource: resourceId, month })}`);
  await page.waitForSelector('body[data-ready="true"][data-payments="local"]', WAIT);
  return page;
}

const cell = (date: string, status: string) => `.day[data-date="${date}"][data-status="${status}"]`;
const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `journey-${name}.png`), fullPage: true });
const text = async (page: Page, selector: string) => (await page.textContent(selector))?.trim();

/** Waits until the app has `count` accountUpdates subscribers, so a transfer made next is pushed, not read back. */
const waitForAccountSubscribers = (count: number) =>
  until(() => app.app.services.liveAccounts.subscriberCount() >= count, `${count} account subscribers are registered`);

/** The bodies of every GraphQL request the page sends over HTTP, in order. */
function graphqlRequests(page: Page): string[] {
  const bodies: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/graphql') && request.method() === 'POST') bodies.push(request.postData() ?? '');
  });
  return bodies;
}

/** A date `days` from today on the app's clock, within `month` (whichever of the candidates is). */
function dayIn(month: string, ...candidates: number[]): string {
  const date = candidates.map((days) => dayFromToday(app, days)).find((day) => day.startsWith(month));
  if (!date) throw new Error(`none of ${candidates} days from today is in ${month}`);
  return date;
}

describe('the booking journey on the page, two people at once', () => {
  it('holds, pays (simulated), books, cancels with a refund, and moves money, live on both pages', async () => {
    const resource = await createResource(app, { name: 'Lake cabin', capacity: 1, pricePerDate: 12_500, currency: 'EUR' });
    const date = dayFromToday(app, 3);
    const month = date.slice(0, 7);
    const later = dayIn(month, 4, 2);
    // Wallets, seeded the way an operator would: accounts opened by their owners, money deposited by an admin.
    const aliceAccount = await openAccount(app, await app.token('alice'));
    const bobAccount = await openAccount(app, await app.token('bob'));
    await deposit(app, aliceAccount, 10_000);

    const alice = await openJourney('alice', resource.id, month);
    const bob = await openJourney('bob', resource.id, month);
    await alice.waitForSelector(cell(date, 'AVAILABLE'), WAIT);
    await bob.waitForSelector(cell(date, 'AVAILABLE'), WAIT);
    await waitForSubscribers(app, 2);
    await bob.evaluate('window.notReloaded = true');
    expect(await text(alice, '#hold-list')).toMatch(/No holds/);
    expect(await text(alice, '#booking-list')).toMatch(/No bookings/);

    // 1. Alice holds the date: hers on her page (outlined, "your hold", a live countdown), someone else's on Bob's.
    await alice.click(`.day[data-date="${date}"]`);
    await alice.waitForSelector(`${cell(date, 'HELD')}[data-mine="hold"]`, WAIT);
    await bob.waitForSelector(cell(date, 'HELD'), WAIT);
    expect(await text(alice, '#message')).toMatch(new RegExp(`Held Lake cabin .* on ${date}`));
    expect(await text(alice, `.day[data-date="${date}"] .label`)).toBe('your hold');
    expect(await bob.getAttribute(`.day[data-date="${date}"]`, 'data-mine')).toBeNull();
    expect(await text(bob, `.day[data-date="${date}"] .label`)).toBe('held');
    const border = (page: Page) => page.evaluate(`getComputedStyle(document.querySelector('.day[data-date="${date}"]')).borderTopStyle`);
    expect([await border(alice), await border(bob)]).toEqual(['dashed', 'solid']);

    const hold = alice.locator('#hold-list .hold');
    await hold.waitFor(WAIT);
    expect(await hold.locator('.what').textContent()).toContain(`Lake cabin · ${date} · €125.00`);
    const first = await hold.locator('.countdown').textContent();
    expect(first).toMatch(/^(2\d|30):\d\d left$/); // 30 min from the (manual) server clock
    // It counts down on its own.
    await alice.waitForFunction(
      `document.querySelector('#hold-list .countdown').textContent !== ${JSON.stringify(first)}`,
      undefined,
      WAIT,
    );
    await shot(alice, '01-alice-holds');
    await shot(bob, '02-bob-sees-held');

    // 2. Pay: Checkout starts; stripe-mock has no payment page, so the link is shown, not followed.
    const aliceUrl = alice.url();
    await hold.locator('button.pay').click();
    const link = hold.locator('a.checkout-link');
    await link.waitFor(WAIT);
    expect(await link.getAttribute('href')).toMatch(/^https?:\/\//);
    expect(alice.url()).toBe(aliceUrl);
    expect(alice.context().pages()).toHaveLength(1);
    expect(await text(alice, '#message')).toMatch(/Simulate payment/);
    await shot(alice, '03-alice-checkout-started');

    // 3. Simulate payment: the server signs checkout.session.completed and posts it to its own webhook.
    await hold.locator('button.simulate').click();
    await alice.waitForSelector(`${cell(date, 'BOOKED')}[data-mine="booking"]`, WAIT);
    await bob.waitForSelector(cell(date, 'BOOKED'), WAIT);
    expect(await bob.getAttribute(`.day[data-date="${date}"]`, 'data-mine')).toBeNull();
    const booking = alice.locator('#booking-list .booking');
    await booking.and(alice.locator('[data-status="CONFIRMED"]')).waitFor(WAIT);
    expect(await booking.locator('.status').textContent()).toBe('confirmed');
    await alice.waitForSelector('#hold-list .empty', WAIT);
    expect(await collections(app).events.countDocuments({ type: 'checkout.session.completed' })).toBe(1);
    expect(await bob.evaluate('window.notReloaded')).toBe(true);
    await shot(alice, '04-alice-booked');
    await shot(bob, '05-bob-sees-booked');

    // 4. Bob tries the taken date: the server refuses, and he is told so in words.
    await bob.click(`.day[data-date="${date}"]`);
    await bob.waitForSelector('#message.bad:has-text("no longer available")', WAIT);
    expect(await text(bob, '#message')).toMatch(new RegExp(`Sorry, ${date} is no longer available.*Pick another date`));
    await shot(bob, '06-bob-date-taken');

    // 5. Alice cancels: CANCELLED, the refund's progress, and the date is free again on Bob's page.
    await booking.locator('button.cancel').click();
    await booking.and(alice.locator('[data-status="CANCELLED"]')).waitFor(WAIT);
    expect(await booking.locator('.refund').textContent()).toMatch(/refund on its way|refunded in full/);
    await bob.waitForSelector(cell(date, 'AVAILABLE'), WAIT);
    await booking.and(alice.locator('[data-refund="SUCCEEDED"]')).waitFor(WAIT);
    expect(await booking.locator('.refund').textContent()).toBe('refunded in full');
    expect(await booking.locator('button.cancel').count()).toBe(0);
    expect(await alice.getAttribute(`.day[data-date="${date}"]`, 'data-mine')).toBeNull();
    expect(await bob.evaluate('window.notReloaded')).toBe(true);
    await shot(alice, '07-alice-cancelled-refunded');
    await shot(bob, '08-bob-date-free-again');

    // 6. Wallet: a transfer whose answer is lost on the way back is retried with the same key: sent once.
    await alice.waitForSelector(`#account-list .account[data-account-id="${aliceAccount}"][data-balance="10000"]`, WAIT);
    const sent: string[] = [];
    let dropped = false;
    await alice.route('**/graphql', async (route: Route) => {
      const body = route.request().postData() ?? '';
      if (!body.includes('transfer(input')) return route.continue();
      sent.push(JSON.parse(body).variables.input.idempotencyKey);
      if (dropped) return route.continue();
      dropped = true;
      await route.fetch(); // the server moves the money…
      await route.abort('connectionreset'); // …and the answer never reaches the page
    });
    await alice.fill('#transfer-to', bobAccount);
    await alice.fill('#transfer-amount', '25.00');
    await alice.fill('#transfer-memo', 'cabin share');
    await alice.click('#transfer-send');
    await alice.waitForSelector('#wallet-message:not(.bad):has-text("Sent €25.00")', WAIT);
    await alice.waitForSelector(`#account-list .account[data-account-id="${aliceAccount}"][data-balance="7500"]`, WAIT);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(sent[1]);
    expect(await app.db.collection('transfers').countDocuments({})).toBe(1);
    expect(await alice.locator('#entry-list .entry[data-kind="TRANSFER_DEBIT"]').count()).toBe(1);
    await alice.unrouteAll({ behavior: 'wait' });
    await shot(alice, '09-alice-transfer-sent');
    // Bob's wallet shows the money arrive, live (accountUpdates).
    await bob.waitForSelector(`#account-list .account[data-account-id="${bobAccount}"][data-balance="2500"]`, WAIT);
    await shot(bob, '10-bob-money-received');

    // A second submit is a new transfer with a fresh key; more than the balance is refused in words.
    await alice.fill('#transfer-to', bobAccount);
    await alice.fill('#transfer-amount', '1000');
    await alice.click('#transfer-send');
    await alice.waitForSelector('#wallet-message.bad:has-text("Insufficient funds")', WAIT);
    expect(await text(alice, '#wallet-message')).toMatch(/has less than €1,000\.00 available\. Nothing was sent\./);
    expect(await alice.getAttribute(`#account-list .account[data-account-id="${aliceAccount}"]`, 'data-balance')).toBe('7500');
    await shot(alice, '11-alice-insufficient-funds');

    // 7. A hold that lapsed before Pay: the server says so, and the page tells her to hold again.
    await alice.click(`.day[data-date="${later}"]`);
    const lapsing = alice.locator('#hold-list .hold');
    await lapsing.locator('button.pay').waitFor(WAIT);
    // The page has not reloaded its list since (as after a laptop's sleep): keep it from doing so meanwhile.
    let releaseLists!: () => void;
    const listsHeld = new Promise<void>((resolve) => (releaseLists = resolve));
    await alice.route('**/graphql', async (route: Route) => {
      if ((route.request().postData() ?? '').includes('myHolds')) await listsHeld;
      await route.continue();
    });
    app.clock.advance((HOLD_TTL_SECONDS + 60) * 1000);
    await lapsing.locator('button.pay').click();
    await alice.waitForSelector('#message.bad:has-text("expired")', WAIT);
    expect(await text(alice, '#message')).toMatch(new RegExp(`This hold has expired.*Hold ${later} again`));
    releaseLists();
    await alice.unrouteAll({ behavior: 'wait' });
    await alice.waitForSelector('#hold-list .empty', WAIT);
    await shot(alice, '12-alice-hold-expired');
  });
});

describe('the wallet journey on the page', () => {
  it('pays a hold from the wallet (once, though the answer was lost), and says when the wallet has not enough available', async () => {
    const resource = await createResource(app, { name: 'Hill hut', capacity: 1, pricePerDate: 6_000, currency: 'EUR' });
    const date = dayFromToday(app, 5);
    const month = date.slice(0, 7);
    const second = dayIn(month, 6, 4);
    const carolToken = await app.token('carol');
    const carolAccount = await openAccount(app, carolToken);
    await deposit(app, carolAccount, 10_000);
    // €10 of it set aside for someone else: the balance stays €100, €90 of it is available.
    const toDave = await openAccount(app, await app.token('dave'));
    const reserved = await authorize(app, carolToken, {
      fromAccountId: carolAccount,
      toAccountId: toDave,
      amount: 1_000,
      expiresInSeconds: 3600,
    });
    expect(reserved.data?.authorizeTransfer.__typename).toBe('TransferAuthorized');
    const account = `#account-list .account[data-account-id="${carolAccount}"]`;

    // 1. Carol's wallet: balance, what is available, and what is reserved.
    const carolSocket = liveSocket();
    const carol = await openJourney('carol', resource.id, month, { socket: carolSocket });
    await carol.waitForSelector(`${account}[data-balance="10000"][data-available="9000"][data-reserved="1000"]`, WAIT);
    expect(await text(carol, `${account} .balance`)).toBe('balance €100.00');
    expect(await text(carol, `${account} .available`)).toBe('available €90.00');
    expect(await text(carol, `${account} .reserved`)).toBe('reserved €10.00');
    await shot(carol, '13-carol-wallet');

    // 2. She holds a date: the hold offers to pay with card or from the wallet (her one EUR account).
    await carol.click(`.day[data-date="${date}"]`);
    const hold = carol.locator('#hold-list .hold');
    await hold.locator('button.pay-wallet:enabled').waitFor(WAIT);
    expect(await hold.locator('button.pay').textContent()).toBe('Pay €60.00 with card');
    expect(await hold.locator('.wallet-note').textContent()).toBe(`from …${carolAccount.slice(-6)}, €90.00 available`);
    await shot(carol, '14-carol-holds');

    // 3. Pay from wallet, the first answer lost on the way back: sent again with the same key, paid once.
    const sent: string[] = [];
    await carol.route('**/graphql', async (route: Route) => {
      const body = route.request().postData() ?? '';
      if (!body.includes('payHold(input')) return route.continue();
      sent.push(JSON.parse(body).variables.input.idempotencyKey);
      if (sent.length > 1) return route.continue();
      await route.fetch(); // the server books and takes the money…
      await route.abort('connectionreset'); // …and the answer never reaches the page
    });
    await hold.locator('button.pay-wallet').click();
    await carol.waitForSelector('#message:not(.bad):has-text("Paid €60.00 from your wallet")', WAIT);
    expect(await text(carol, '#message')).toMatch(new RegExp(`${date} is booked`));
    const booking = carol.locator('#booking-list .booking[data-status="CONFIRMED"][data-payment-method="BALANCE"]');
    await booking.waitFor(WAIT);
    expect(await booking.locator('.status').textContent()).toBe('confirmed');
    expect(await booking.locator('.method').textContent()).toBe('paid from wallet');
    await carol.waitForSelector(`${cell(date, 'BOOKED')}[data-mine="booking"]`, WAIT);
    await carol.waitForSelector(`${account}[data-balance="4000"][data-available="3000"][data-reserved="1000"]`, WAIT);
    await carol.waitForSelector('#hold-list .empty', WAIT);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(sent[1]);
    expect(await collections(app).bookings.countDocuments({ paymentMethod: 'BALANCE' })).toBe(1);
    await carol.unrouteAll({ behavior: 'wait' });
    await shot(carol, '15-carol-paid-from-wallet');

    // 4. A second hold costs more than is available: the page says so, and offers no payment from the wallet.
    await carol.click(`.day[data-date="${second}"]`);
    const costly = carol.locator(`#hold-list .hold:has-text("${second}")`);
    await costly.locator('button.pay-wallet:disabled').waitFor(WAIT);
    expect(await costly.locator('.wallet-note').textContent()).toBe('Not enough available in the wallet: €30.00 available, €60.00 needed.');
    expect(await costly.locator('button.pay:enabled').count()).toBe(1);
    await shot(carol, '16-carol-not-enough-available');

    // 5. Money arrives (live, accountUpdates) and is spent elsewhere before the page hears of it (its
    // socket and its wallet reloads held back): she clicks, the server answers InsufficientFunds, said
    // in words, and nothing is paid.
    await deposit(app, carolAccount, 5_000);
    await carol.waitForSelector(`${account}[data-available="8000"]`, WAIT);
    await costly.locator('button.pay-wallet:enabled').waitFor(WAIT);
    let releaseWallet!: () => void;
    const walletHeld = new Promise<void>((resolve) => (releaseWallet = resolve));
    await carol.route('**/graphql', async (route: Route) => {
      if ((route.request().postData() ?? '').includes('myAccounts')) await walletHeld;
      await route.continue();
    });
    carolSocket.hold();
    const spent = await withdraw(app, carolToken, carolAccount, 5_000);
    expect(spent.data?.withdraw.__typename).toBe('Withdrawn');
    await costly.locator('button.pay-wallet').click();
    await carol.waitForSelector('#message.bad:has-text("Not enough available in the wallet")', WAIT);
    expect(await text(carol, '#message')).toMatch(/has less than €60\.00 available\. Nothing was paid; the hold is still yours\./);
    carolSocket.release();
    releaseWallet();
    await carol.unrouteAll({ behavior: 'wait' });
    await carol.waitForSelector(`${account}[data-balance="4000"][data-available="3000"]`, WAIT);
    await costly.locator('button.pay-wallet:disabled').waitFor(WAIT);
    expect(await collections(app).bookings.countDocuments({ paymentMethod: 'BALANCE' })).toBe(1);
    await shot(carol, '17-carol-insufficient-funds');
  });
});

describe('the page stays live', () => {
  it('shows money received from someone else as it is committed, without reloading the wallet', async () => {
    const resource = await createResource(app, { name: 'Forest hut', capacity: 1, pricePerDate: 5_000, currency: 'EUR' });
    const month = dayFromToday(app, 3).slice(0, 7);
    const erinAccount = await openAccount(app, await app.token('erin'));
    const frankToken = await app.token('frank');
    const frankAccount = await openAccount(app, frankToken);
    await deposit(app, frankAccount, 20_000);
    const account = `#account-list .account[data-account-id="${erinAccount}"]`;

    const erin = await openJourney('erin', resource.id, month);
    const requests = graphqlRequests(erin);
    await erin.waitForSelector(`${account}[data-balance="0"]`, WAIT);
    await waitForAccountSubscribers(1);
    await erin.evaluate('window.notReloaded = true');

    // Frank pays Erin through the API; her page shows it arrive: balance, available, the entry.
    const sent = await transfer(app, frankToken, frankAccount, erinAccount, 4_200);
    expect(sent.data?.transfer.__typename).toBe('TransferCompleted');
    await erin.waitForSelector(`${account}[data-balance="4200"][data-available="4200"]`, WAIT);
    expect(await text(erin, `${account} .balance`)).toBe('balance €42.00');
    const entry = erin.locator('#entry-list .entry[data-kind="TRANSFER_CREDIT"]');
    await entry.waitFor(WAIT);
    expect(await entry.locator('.amount').textContent()).toBe('€42.00');
    expect(await erin.evaluate('window.notReloaded')).toBe(true);
    // Pushed, not read back: the page asked for no account or entry since it loaded.
    expect(requests.filter((body) => /myAccounts|ledgerEntries/.test(body))).toEqual([]);
    await shot(erin, '18-erin-money-received');
  });

  it('says "reconnecting…" while its socket is down, then "caught up" with what it missed, without re-querying', async () => {
    const resource = await createResource(app, { name: 'River hut', capacity: 1, pricePerDate: 5_000, currency: 'EUR' });
    const date = dayFromToday(app, 3);
    const month = date.slice(0, 7);
    const ginaAccount = await openAccount(app, await app.token('gina'));
    const halToken = await app.token('hal');
    const halAccount = await openAccount(app, halToken);
    await deposit(app, halAccount, 20_000);
    const account = `#account-list .account[data-account-id="${ginaAccount}"]`;
    const subscribersBefore = app.app.services.live.subscriberCount();
    const accountSubscribersBefore = app.app.services.liveAccounts.subscriberCount();

    const socket = liveSocket();
    const gina = await openJourney('gina', resource.id, month, { socket });
    const requests = graphqlRequests(gina);
    await gina.waitForSelector(cell(date, 'AVAILABLE'), WAIT);
    await gina.waitForSelector(`${account}[data-balance="0"]`, WAIT);
    await gina.waitForSelector('#connection[data-state="live"]', WAIT);
    await waitForSubscribers(app, subscribersBefore + 1);
    await waitForAccountSubscribers(accountSubscribersBefore + 1);
    // Every state the badge goes through from now on.
    await gina.evaluate(`{
      const badge = document.getElementById('connection');
      window.states = [];
      new MutationObserver(() => window.states.push(badge.dataset.state)).observe(badge, { attributeFilter: ['data-state'] });
      window.notReloaded = true;
    }`);

    // 1. The network drops. Meanwhile Hal holds the date and pays Gina, through the API: her page cannot know yet.
    socket.drop();
    await gina.waitForSelector('#connection[data-state="reconnecting"]', WAIT);
    expect(await text(gina, '#connection')).toBe('reconnecting…');
    const held = await holdDates(app, halToken, resource.id, [date]);
    expect(held.data?.holdDates.__typename).toBe('DatesHeld');
    const paid = await transfer(app, halToken, halAccount, ginaAccount, 1_500);
    expect(paid.data?.transfer.__typename).toBe('TransferCompleted');
    expect(await gina.getAttribute(`.day[data-date="${date}"]`, 'data-status')).toBe('AVAILABLE');
    expect(await gina.getAttribute(account, 'data-balance')).toBe('0');
    await shot(gina, '19-gina-reconnecting');

    // 2. The network is back: graphql-ws reconnects, each view resubscribes from its last cursor, and
    // the server replays what was committed meanwhile.
    socket.restore();
    await gina.waitForSelector('#connection[data-state="caught-up"]', WAIT);
    expect(await text(gina, '#connection')).toBe('caught up');
    await gina.waitForSelector(cell(date, 'HELD'), WAIT);
    await gina.waitForSelector(`${account}[data-balance="1500"]`, WAIT);
    await gina.locator('#entry-list .entry[data-kind="TRANSFER_CREDIT"]').waitFor(WAIT);
    await shot(gina, '20-gina-caught-up');
    const calendarSubscribes = socket.subscribes('PageAvailabilityUpdates');
    expect(calendarSubscribes).toHaveLength(2);
    expect(calendarSubscribes[0].after).toBeNull();
    expect(calendarSubscribes[1]).toMatchObject({ resourceId: resource.id, after: expect.any(String) });
    expect(socket.subscribes('PageAccountUpdates').map((variables) => typeof variables.after)).toEqual(['object', 'string']);
    // Nothing was re-queried: no `availability` (the page has no such query any more), no wallet reload.
    expect(requests.filter((body) => /availability\(|myAccounts|ledgerEntries/.test(body))).toEqual([]);

    // 3. A drop during which nothing changed: nothing to replay, so back to plain "live".
    socket.drop();
    await gina.waitForFunction('window.states.at(-1) === "reconnecting"', undefined, WAIT);
    socket.restore();
    await gina.waitForFunction('window.states.at(-1) === "live" && window.states.length >= 4', undefined, WAIT);
    const states = await gina.evaluate('window.states');
    expect(states).toEqual(expect.arrayContaining(['reconnecting', 'caught-up']));
    expect((states as string[]).filter((state, i, all) => state !== all[i - 1]).slice(-2)).toEqual(['reconnecting', 'live']);
    expect(await gina.evaluate('window.notReloaded')).toBe(true);
  });
});
