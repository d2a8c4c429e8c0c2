/**
 * A transfer client that retries the way the API expects: ONE idempotency key per logical transfer,
 * sent again on every retry, so a transfer whose answer was lost is never made twice (the server
 * replays the stored answer instead). It retries what may succeed unchanged later, with capped
 * exponential backoff and jitter, and nothing else:
 *
 * - a network error: fetch threw (connection refused or reset, the answer cut off, the attempt timed
 *   out); the server may or may not have run the transfer, which is exactly what the key resolves;
 * - an HTTP 5xx, 429 or 408 without a GraphQL body (a proxy or load balancer answered);
 * - a GraphQL error the server marks retryable: `extensions.retryable: true` (it sends it with
 *   IDEMPOTENCY_KEY_IN_USE, SERVICE_UNAVAILABLE, RATE_LIMITED, PAYMENT_PROVIDER_ERROR), or one of those codes.
 *
 * Business outcomes (`InsufficientFunds`, `CurrencyMismatch`, `AccountNotFound`) are answers, not
 * failures: returned at once, never retried. Neither are BAD_USER_INPUT, UNAUTHENTICATED,
 * FORBIDDEN, NOT_FOUND, IDEMPOTENCY_KEY_REUSED or INTERNAL_SERVER_ERROR: sent again unchanged they
 * would fail again.
 *
 *   API_URL=http://localhost:4000/graphql TOKEN=$(npm run -s token -- alice) \
 *     FROM=<accountId> TO=<accountId> AMOUNT=1250 npx tsx examples/transfer.ts
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientError, type GraphQLClient } from 'graphql-request';
import { apiFromEnv, assertNever, connect, isMain } from './client';
import { graphql } from './gql';
import type { TransferMutation } from './gql/graphql';

const TransferDocument = graphql(`
  mutation Transfer($input: TransferInput!) {
    transfer(input: $input) {
      __typename
      ... on TransferCompleted {
        transfer {
          id
          fromAccountId
          toAccountId
          amount
          currency
          memo
          createdAt
        }
      }
      ... on InsufficientFunds {
        accountId
        requested
      }
      ... on CurrencyMismatch {
        fromCurrency
        toCurrency
      }
      ... on AccountNotFound {
        accountId
      }
    }
  }
`);

/** What the server answered: the transfer, or why nothing moved. */
export type TransferOutcome = TransferMutation['transfer'];

export interface TransferRequest {
  fromAccountId: string;
  toAccountId: string;
  /** Minor units (cents). */
  amount: number;
  memo?: string;
}

export interface RetryOptions {
  /** Attempts in all, the first included (at least 1). */
  maxAttempts: number;
  /** The backoff before the first retry; it doubles for every further one. */
  baseDelayMs: number;
  /** No wait is longer, not even one the server asks for with `retryAfterSeconds` (default 10 s). */
  maxDelayMs?: number;
  /**
   * One attempt is abandoned (and retried, as a network error) after this long (default 15 s, above
   * the server's own 8 s limit on waiting for MongoDB).
   */
  attemptTimeoutMs?: number;
  /**
   * Only to resume a transfer whose outcome is unknown (a `TransferError` with `outcomeUnknown`):
   * pass its `idempotencyKey` to learn what happened, or make it happen once. Otherwise a new one is made.
   */
  idempotencyKey?: string;
  /** Told before every wait, e.g. to log it. */
  onRetry?: (retry: RetryNotice) => void;
  /** For tests: a number in [0, 1), as Math.random (the default). */
  random?: () => number;
}

export interface RetryNotice {
  /** The attempt that failed (1 = the first). */
  attempt: number;
  delayMs: number;
  reason: string;
  idempotencyKey: string;
}

export interface TransferResult {
  outcome: TransferOutcome;
  attempts: number;
  idempotencyKey: string;
}

export interface TransferErrorDetails {
  /** `extensions.code` of the last GraphQL error, if the last failure was one. */
  code?: string;
  attempts: number;
  idempotencyKey: string;
  /**
   * True when retries ran out: the transfer may have happened (once) or not. Retry later with
   * `idempotencyKey` to find out. False when the server refused it: nothing moved.
   */
  outcomeUnknown: boolean;
}

export class TransferError extends Error {
  override readonly name = 'TransferError';

  constructor(
    message: string,
    readonly details: TransferErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Codes that may succeed unchanged later; the server also marks each `extensions.retryable: true`. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'IDEMPOTENCY_KEY_IN_USE',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
  'PAYMENT_PROVIDER_ERROR',
]);

export interface Failure {
  retryable: boolean;
  reason: string;
  code?: string;
  /** The server's `retryAfterSeconds` or `Retry-After`, in ms. */
  retryAfterMs?: number;
}

/** Why an attempt failed, and whether sending it again unchanged may help. Errors that are neither fetch's nor the server's are rethrown. */
export function classifyFailure(error: unknown): Failure {
  if (error instanceof ClientError) {
    const { status, headers, errors = [] } = error.response;
    const header = Number(headers?.get('retry-after'));
    const fromHeader = Number.isFinite(header) && header >= 0 ? header * 1000 : undefined;
    if (errors.length === 0) {
      // No GraphQL answer: something in front of the server (or the server's HTTP layer) answered.
      const retryable = status >= 500 || status === 429 || status === 408;
      return { retryable, reason: `HTTP ${status} without a GraphQL body`, retryAfterMs: fromHeader };
    }
    const codes = errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
    const retryable = errors.every((e) => e.extensions?.retryable === true || RETRYABLE_CODES.has(String(e.extensions?.code)));
    const seconds = errors.map((e) => e.extensions?.retryAfterSeconds).filter((s): s is number => typeof s === 'number');
    const retryAfterMs = seconds.length > 0 ? Math.max(...seconds) * 1000 : fromHeader;
    return { retryable, reason: `${codes.join(', ')}: ${errors[0].message}`, code: codes[codes.length - 1], retryAfterMs };
  }
  // fetch reports every network failure (refused, reset, cut off mid-answer) as a TypeError; an attempt timeout aborts it.
  if (error instanceof TypeError || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { retryable: true, reason: `network error: ${cause?.code ?? cause?.message ?? error.message}` };
  }
  throw error;
}

/**
 * The wait before retry number `retry` (1 = the first retry): exponential (`baseDelayMs` · 2^(retry−1))
 * and capped at `maxDelayMs`, with "equal jitter" (a random point in the upper half) so clients that
 * failed together do not retry together, yet every wait keeps growing. A longer `retryAfterMs` from the
 * server wins, up to the cap.
 */
export function backoffDelay(
  retry: number,
  options: { baseDelayMs: number; maxDelayMs: number },
  random: () => number = Math.random,
  retryAfterMs = 0,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.min(options.maxDelayMs, Math.max(jittered, retryAfterMs)));
}

/**
 * Moves `amount` from one account to another at most once, however many attempts it takes.
 * Resolves with the server's answer (a completed transfer or why nothing moved); rejects with a
 * `TransferError` when the server refuses the request or retries run out.
 */
export async function transferWithRetry(client: GraphQLClient, request: TransferRequest, options: RetryOptions): Promise<TransferResult> {
  const { maxAttempts, baseDelayMs, maxDelayMs = 10_000, attemptTimeoutMs = 15_000, random = Math.random } = options;
  if (!(maxAttempts >= 1)) throw new RangeError('maxAttempts must be at least 1');
  // One key for the logical transfer, made once, before the first attempt: every retry sends the same one.
  const idempotencyKey = options.idempotencyKey ?? randomUUID();
  const input = { ...request, idempotencyKey };
  for (let attempt = 1; ; attempt += 1) {
    let failure: Failure;
    try {
      const { transfer } = await client.request({
        document: TransferDocument,
        variables: { input },
        signal: AbortSignal.timeout(attemptTimeoutMs),
      });
      return { outcome: transfer, attempts: attempt, idempotencyKey };
    } catch (error) {
      failure = classifyFailure(error);
      if (!failure.retryable) {
        throw new TransferError(
          `transfer refused: ${failure.reason}`,
          { code: failure.code, attempts: attempt, idempotencyKey, outcomeUnknown: false },
          { cause: error },
        );
      }
      if (attempt >= maxAttempts) {
        throw new TransferError(
          `transfer outcome unknown after ${attempt} attempt(s): ${failure.reason}`,
          { code: failure.code, attempts: attempt, idempotencyKey, outcomeUnknown: true },
          { cause: error },
        );
      }
    }
    const delayMs = backoffDelay(attempt, { baseDelayMs, maxDelayMs }, random, failure.retryAfterMs);
    options.onRetry?.({ attempt, delayMs, reason: failure.reason, idempotencyKey });
    await sleep(delayMs);
  }
}

/** One line for any answer; the switch compiles only while it handles every member of the union. */
export function describeTransfer(outcome: TransferOutcome): string {
  switch (outcome.__typename) {
    case 'TransferCompleted': {
      const t = outcome.transfer;
      return `moved ${t.amount} ${t.currency} from ${t.fromAccountId} to ${t.toAccountId} (transfer ${t.id})`;
    }
    case 'InsufficientFunds':
      return `nothing moved: ${outcome.accountId} holds less than ${outcome.requested}`;
    case 'CurrencyMismatch':
      return `nothing moved: ${outcome.fromCurrency} account to ${outcome.toCurrency} account`;
    case 'AccountNotFound':
      return `nothing moved: no account ${outcome.accountId} of yours`;
    default:
      return assertNever(outcome);
  }
}

/** What `npx tsx examples/transfer.ts` does. */
async function main(): Promise<void> {
  const { FROM, TO, AMOUNT, MEMO } = process.env;
  if (!FROM || !TO || !AMOUNT) throw new Error('set FROM and TO (account ids) and AMOUNT (minor units)');
  const client = connect(apiFromEnv());
  const request = { fromAccountId: FROM, toAccountId: TO, amount: Number(AMOUNT), ...(MEMO ? { memo: MEMO } : {}) };
  try {
    const result = await transferWithRetry(client, request, {
      maxAttempts: 6,
      baseDelayMs: 200,
      onRetry: (r) => console.log(`attempt ${r.attempt} failed (${r.reason}); retrying in ${r.delayMs} ms with key ${r.idempotencyKey}`),
    });
    console.log(`${describeTransfer(result.outcome)} after ${result.attempts} attempt(s), key ${result.idempotencyKey}`);
  } catch (error) {
    if (!(error instanceof TransferError)) throw error;
    console.error(error.message);
    if (error.details.outcomeUnknown) console.error(`resume with idempotencyKey ${error.details.idempotencyKey} to learn the outcome`);
    process.exitCode = 1;
  }
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
