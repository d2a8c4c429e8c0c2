// Proves G16 and G17 (README › Guarantees).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import {
  AUTHORIZATION,
  authorize,
  capture,
  deposit,
  fundsOf,
  inFlight,
  ledgerCheck,
  openAccount,
  transfer,
  voidAuthorization,
  withdraw,
} from './support/ledger';
import { newKey } from './support/operations';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** A payer with `funds` and a payee, each with their own account. */
async function parties(name: string, funds: number) {
  const payer = await app.token(`${name}-payer`);
  const payee = await app.token(`${name}-payee`);
  const from = await openAccount(app, payer);
  const to = await openAccount(app, payee);
  if (funds > 0) await deposit(app, from, funds);
  return { payer, payee, from, to };
}

async function authorized(p: { payer: string; from: string; to: string }, amount: number, expiresInSeconds = 600) {
  const response = await authorize(app, p.payer, { fromAccountId: p.from, toAccountId: p.to, amount, expiresInSeconds });
  expect(response.data.authorizeTransfer.__typename).toBe('TransferAuthorized');
  return response.data.authorizeTransfer.authorization as { id: string; status: string; amount: number };
}

describe('when an authorization holds funds', () => {
  it('reserves them: available drops, the balance does not, and nothing may spend them', async () => {
    const p = await parties('reserve', 100);
    const authorization = await authorized(p, 70);
    expect(authorization.status).toBe('ACTIVE');
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ balance: 100, reserved: 70, available: 30 });
    expect((await withdraw(app, p.payer, p.from, 31)).data.withdraw.__typename).toBe('InsufficientFunds');
    expect((await transfer(app, p.payer, p.from, p.to, 31)).data.transfer.__typename).toBe('InsufficientFunds');
    const second = await authorize(app, p.payer, { fromAccountId: p.from, toAccountId: p.to, amount: 31 });
    expect(second.data.authorizeTransfer).toEqual({ __typename: 'InsufficientFunds', accountId: p.from, requested: 31 });
    expect((await withdraw(app, p.payer, p.from, 30)).data.withdraw.__typename).toBe('Withdrawn');
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ balance: 70, reserved: 70, available: 0 });
  });

  it('a partial capture moves that much once, links the transfer, and releases the rest', async () => {
    const p = await parties('partial', 100);
    const authorization = await authorized(p, 80);
    const captured = await capture(app, p.payee, authorization.id, 50);
    expect(captured.data.captureTransfer).toMatchObject({
      __typename: 'TransferCompleted',
      transfer: { fromAccountId: p.from, toAccountId: p.to, amount: 50, authorizationId: authorization.id },
    });
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ balance: 50, reserved: 0, available: 50 });
    expect(await fundsOf(app, p.payee, p.to)).toMatchObject({ balance: 50, reserved: 0, available: 50 });
    const again = await capture(app, p.payer, authorization.id);
    expect(again.data.captureTransfer).toMatchObject({
      __typename: 'AuthorizationNotActive',
      authorization: { status: 'CAPTURED', capturedAmount: 50, transfer: { amount: 50 } },
    });
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it('refuses a capture above the authorized amount as bad input, moving nothing', async () => {
    const p = await parties('over', 100);
    const authorization = await authorized(p, 40);
    const response = await capture(app, p.payer, authorization.id, 41);
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ balance: 100, reserved: 40 });
  });

  it('a void releases the funds and moves nothing; a capture after it is refused', async () => {
    const p = await parties('void', 100);
    const authorization = await authorized(p, 60);
    const voided = await voidAuthorization(app, p.payee, authorization.id);
    expect(voided.data.voidTransfer).toMatchObject({ __typename: 'TransferVoided', authorization: { status: 'VOIDED' } });
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ balance: 100, reserved: 0, available: 100 });
    expect((await capture(app, p.payer, authorization.id)).data.captureTransfer).toMatchObject({
      __typename: 'AuthorizationNotActive',
      authorization: { status: 'VOIDED', capturedAmount: 0, transfer: null },
    });
  });
});

describe('when an authorization expires', () => {
  it('stops counting the instant it passes, with no sweeper, reads EXPIRED and can no longer be captured or voided', async () => {
    const p = await parties('expiry', 100);
    const authorization = await authorized(p, 90, 60);
    app.clock.advance(59_999);
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ reserved: 90, available: 10 });
    app.clock.advance(1);
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ balance: 100, reserved: 0, available: 100 });
    expect((await app.gql(p.payer, AUTHORIZATION, { id: authorization.id })).data.authorization.status).toBe('EXPIRED');
    expect((await capture(app, p.payee, authorization.id)).data.captureTransfer).toMatchObject({
      __typename: 'AuthorizationNotActive',
      authorization: { status: 'EXPIRED' },
    });
    expect((await voidAuthorization(app, p.payer, authorization.id)).data.voidTransfer.__typename).toBe('AuthorizationNotActive');
    // Its funds are spendable at once, by the conditional update itself.
    expect((await withdraw(app, p.payer, p.from, 100)).data.withdraw.__typename).toBe('Withdrawn');
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('when captures, voids and expiry race', () => {
  it('10 concurrent captures with different keys: one TransferCompleted, nine AuthorizationNotActive, one debit', async () => {
    const p = await parties('tencaptures', 100);
    const authorization = await authorized(p, 100);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => capture(app, i % 2 ? p.payer : p.payee, authorization.id)));
    const kinds = responses.map((r) => r.data.captureTransfer.__typename);
    expect(kinds.filter((k) => k === 'TransferCompleted')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'AuthorizationNotActive')).toHaveLength(9);
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ balance: 0, reserved: 0 });
    expect(await fundsOf(app, p.payee, p.to)).toMatchObject({ balance: 100 });
  });

  it('of a capture and a void sent together exactly one wins, every time (40 authorizations)', async () => {
    const p = await parties('capvoid', 40 * 10);
    const ids = await inFlight(40, 10, async () => (await authorized(p, 10)).id);
    const raced = await Promise.all(
      ids.map((id, i) =>
        Promise.all(
          i % 2
            ? [capture(app, p.payee, id), voidAuthorization(app, p.payer, id)]
            : [voidAuthorization(app, p.payer, id), capture(app, p.payee, id)],
        ),
      ),
    );
    let captured = 0;
    for (const pair of raced) {
      const kinds = pair.map((r) => r.data.captureTransfer?.__typename ?? r.data.voidTransfer.__typename).sort();
      expect(['AuthorizationNotActive,TransferCompleted', 'AuthorizationNotActive,TransferVoided']).toContain(kinds.join());
      if (kinds.includes('TransferCompleted')) captured += 1;
    }
    expect(await fundsOf(app, p.payee, p.to)).toMatchObject({ balance: captured * 10 });
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ balance: 400 - captured * 10, reserved: 0 });
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it('a capture sent as the authorization expires either moves it or answers EXPIRED, never both', async () => {
    const p = await parties('capexpiry', 20 * 5);
    const ids = await inFlight(20, 10, async () => (await authorized(p, 5, 30)).id);
    app.clock.advance(29_990);
    const captures = ids.map((id) => capture(app, p.payee, id));
    app.clock.advance(10);
    const kinds = (await Promise.all(captures)).map((r) => r.data.captureTransfer);
    const completed = kinds.filter((k) => k.__typename === 'TransferCompleted').length;
    for (const k of kinds) if (k.__typename !== 'TransferCompleted') expect(k.authorization.status).toBe('EXPIRED');
    expect(await fundsOf(app, p.payee, p.to)).toMatchObject({ balance: completed * 5 });
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({
      balance: 100 - completed * 5,
      reserved: 0,
      available: 100 - completed * 5,
    });
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('when authorizations, withdrawals and transfers race on one account', () => {
  it('available never goes below 0 and reserved equals the live authorizations (200 in flight)', async () => {
    const p = await parties('mixed', 1_000);
    const ops = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        if (i % 3 === 0) return authorize(app, p.payer, { fromAccountId: p.from, toAccountId: p.to, amount: 15 });
        if (i % 3 === 1) return withdraw(app, p.payer, p.from, 15);
        return transfer(app, p.payer, p.from, p.to, 15);
      }),
    );
    const kindOf = (r: { data?: Record<string, { __typename: string }> }) => Object.values(r.data ?? {})[0]?.__typename;
    const succeeded = ops.filter((r) => ['TransferAuthorized', 'Withdrawn', 'TransferCompleted'].includes(kindOf(r)));
    const refused = ops.filter((r) => kindOf(r) === 'InsufficientFunds');
    expect(succeeded.length + refused.length).toBe(200);
    // 1,000 covers exactly 66 operations of 15 (990): the funds, not the luck of the race, decide how many succeed.
    expect(succeeded).toHaveLength(66);
    const funds = await fundsOf(app, p.payer, p.from);
    expect(funds.available).toBe(10);
    const authorizedCount = ops.filter((r) => r.data.authorizeTransfer?.__typename === 'TransferAuthorized').length;
    expect(funds.reserved).toBe(authorizedCount * 15);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('when someone else names an authorization or an account', () => {
  it('answers their capture and void AuthorizationNotFound and their authorization from a foreign account AccountNotFound', async () => {
    const p = await parties('foreign', 100);
    const authorization = await authorized(p, 10);
    const stranger = await app.token('foreign-stranger');
    expect((await capture(app, stranger, authorization.id)).data.captureTransfer).toEqual({
      __typename: 'AuthorizationNotFound',
      authorizationId: authorization.id,
    });
    expect((await voidAuthorization(app, stranger, authorization.id)).data.voidTransfer.__typename).toBe('AuthorizationNotFound');
    expect((await app.gql(stranger, AUTHORIZATION, { id: authorization.id })).data.authorization).toBeNull();
    const theft = await authorize(app, stranger, { fromAccountId: p.from, toAccountId: p.to, amount: 10 });
    expect(theft.data.authorizeTransfer).toEqual({ __typename: 'AccountNotFound', accountId: p.from });
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ reserved: 10 });
  });

  it('refuses an expiry past 7 days and an authorization to the same account as bad input', async () => {
    const p = await parties('input', 100);
    const tooLong = await authorize(app, p.payer, { fromAccountId: p.from, toAccountId: p.to, amount: 1, expiresInSeconds: 604_801 });
    expect(tooLong.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const self = await authorize(app, p.payer, { fromAccountId: p.from, toAccountId: p.from, amount: 1 });
    expect(self.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await fundsOf(app, p.payer, p.from)).toMatchObject({ reserved: 0, available: 100 });
  });

  it('lists an account’s authorizations, newest first, to its owner only', async () => {
    const p = await parties('listing', 100);
    const first = await authorized(p, 10);
    const second = await authorized(p, 20);
    const LIST = `query($accountId: ID!) { authorizations(accountId: $accountId, first: 10) { edges { node { id amount } } } }`;
    const listed = await app.gql(p.payer, LIST, { accountId: p.from });
    expect(listed.data.authorizations.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([second.id, first.id]);
    const stranger = await app.token('listing-stranger');
    expect((await app.gql(stranger, LIST, { accountId: p.from })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await app.gql(stranger, `{ houseAccounts { id } }`)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('replays a capture retried with its key, moving money once', async () => {
    const p = await parties('replay', 100);
    const authorization = await authorized(p, 30);
    const key = newKey();
    const first = await capture(app, p.payee, authorization.id, undefined, key);
    const retried = await capture(app, p.payee, authorization.id, undefined, key);
    expect(retried.data).toEqual(first.data);
    expect(await fundsOf(app, p.payee, p.to)).toMatchObject({ balance: 30 });
  });
});
