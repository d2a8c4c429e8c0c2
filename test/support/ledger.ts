import type { TestApp } from './app';
import { newKey } from './operations';

export const OPEN_ACCOUNT = `mutation($input: OpenAccountInput!) { openAccount(input: $input) { id ownerId currency balance version } }`;

export const DEPOSIT = `mutation($input: DepositInput!) {
  deposit(input: $input) { __typename ... on Deposited { account { id balance version } entry { id kind amount balanceAfter } } }
}`;

export const WITHDRAW = `mutation($input: WithdrawInput!) {
  withdraw(input: $input) {
    __typename
    ... on Withdrawn { account { id balance version } entry { id kind amount balanceAfter } }
    ... on InsufficientFunds { accountId requested }
  }
}`;

export const TRANSFER = `mutation($input: TransferInput!) {
  transfer(input: $input) {
    __typename
    ... on TransferCompleted { transfer { id fromAccountId toAccountId amount currency memo createdAt } }
    ... on InsufficientFunds { accountId requested }
    ... on CurrencyMismatch { fromCurrency toCurrency }
    ... on AccountNotFound { accountId }
  }
}`;

export const ACCOUNT = `query($id: ID!) { account(id: $id) { id balance version currency ownerId } }`;
export const LEDGER_CHECK = `{ ledgerCheck { ok accountsChecked problems } }`;

export async function openAccount(app: TestApp, token: string, currency = 'EUR'): Promise<string> {
  const response = await app.gql(token, OPEN_ACCOUNT, { input: { currency } });
  if (!response.data) throw new Error(`openAccount failed: ${JSON.stringify(response.errors)}`);
  return response.data.openAccount.id;
}

export async function deposit(app: TestApp, accountId: string, amount: number) {
  const admin = await app.token('treasury', 'admin');
  const response = await app.gql(admin, DEPOSIT, { input: { accountId, amount, idempotencyKey: newKey() } });
  if (response.data?.deposit.__typename !== 'Deposited') throw new Error(`deposit failed: ${JSON.stringify(response)}`);
  return response.data.deposit;
}

export function withdraw(app: TestApp, token: string, accountId: string, amount: number, idempotencyKey = newKey()) {
  return app.gql(token, WITHDRAW, { input: { accountId, amount, idempotencyKey } });
}

export function transfer(
  app: TestApp,
  token: string,
  fromAccountId: string,
  toAccountId: string,
  amount: number,
  idempotencyKey = newKey(),
) {
  return app.gql(token, TRANSFER, { input: { fromAccountId, toAccountId, amount, idempotencyKey } });
}

export async function ledgerCheck(app: TestApp) {
  const admin = await app.token('auditor', 'admin');
  return (await app.gql(admin, LEDGER_CHECK)).data.ledgerCheck as { ok: boolean; accountsChecked: number; problems: string[] };
}

/** Runs `total` operations with `concurrency` in flight at every moment. */
export async function inFlight<T>(total: number, concurrency: number, op: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await op(i);
      }
    }),
  );
  return results;
}

const AUTHORIZATION_FIELDS =
  'id fromAccountId toAccountId amount capturedAmount currency status expiresAt memo transfer { id amount authorizationId }';

export const AUTHORIZE = `mutation($input: AuthorizeTransferInput!) {
  authorizeTransfer(input: $input) {
    __typename
    ... on TransferAuthorized { authorization { ${AUTHORIZATION_FIELDS} } }
    ... on InsufficientFunds { accountId requested }
    ... on CurrencyMismatch { fromCurrency toCurrency }
    ... on AccountNotFound { accountId }
  }
}`;

export const CAPTURE = `mutation($input: CaptureTransferInput!) {
  captureTransfer(input: $input) {
    __typename
    ... on TransferCompleted { transfer { id fromAccountId toAccountId amount authorizationId } }
    ... on AuthorizationNotActive { authorization { ${AUTHORIZATION_FIELDS} } }
    ... on AuthorizationNotFound { authorizationId }
  }
}`;

export const VOID = `mutation($input: VoidTransferInput!) {
  voidTransfer(input: $input) {
    __typename
    ... on TransferVoided { authorization { ${AUTHORIZATION_FIELDS} } }
    ... on AuthorizationNotActive { authorization { ${AUTHORIZATION_FIELDS} } }
    ... on AuthorizationNotFound { authorizationId }
  }
}`;

export const AUTHORIZATION = `query($id: ID!) { authorization(id: $id) { ${AUTHORIZATION_FIELDS} } }`;
export const FUNDS = `query($id: ID!) { account(id: $id) { id balance reserved available version } }`;

export function authorize(
  app: TestApp,
  token: string,
  input: { fromAccountId: string; toAccountId: string; amount: number; expiresInSeconds?: number; idempotencyKey?: string; memo?: string },
) {
  return app.gql(token, AUTHORIZE, { input: { expiresInSeconds: 600, idempotencyKey: newKey(), ...input } });
}

export function capture(app: TestApp, token: string, authorizationId: string, amount?: number, idempotencyKey = newKey()) {
  return app.gql(token, CAPTURE, { input: { authorizationId, amount, idempotencyKey } });
}

export function voidAuthorization(app: TestApp, token: string, authorizationId: string, idempotencyKey = newKey()) {
  return app.gql(token, VOID, { input: { authorizationId, idempotencyKey } });
}

export async function fundsOf(app: TestApp, token: string, accountId: string) {
  return (await app.gql(token, FUNDS, { id: accountId })).data.account as { balance: number; reserved: number; available: number };
}
