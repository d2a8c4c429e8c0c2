// Talking to the server: GraphQL over HTTP, mutations retried safely, errors in words a person wants.

const TOKEN_KEY = 'calendar.token';
let token = '';

export const getToken = () => token;
export function setToken(value, remember = true) {
  token = value;
  if (remember) localStorage.setItem(TOKEN_KEY, value);
}
export const storedToken = () => localStorage.getItem(TOKEN_KEY) || '';

/** A failure with the server's `extensions.code` (or NETWORK when no answer arrived). */
export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const RETRYABLE = new Set(['NETWORK', 'SERVICE_UNAVAILABLE', 'IDEMPOTENCY_KEY_IN_USE', 'RATE_LIMITED']);

/**
 * How the page names an operation (one of web/operations.js): by its sha256 in the Apollo/Yoga wire
 * format, next to its text, so a server started with TRUSTED_DOCUMENTS runs it, and any other too.
 */
export const persisted = (operation) => ({ persistedQuery: { version: 1, sha256Hash: operation.hash } });

/** Runs one of the operations in web/operations.js over HTTP and answers its `data`. */
export async function gql(operation, variables) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: operation.query, variables, extensions: persisted(operation) }),
    });
  } catch {
    throw new ApiError('the server could not be reached', 'NETWORK');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`the server answered ${response.status}`, response.status >= 500 ? 'NETWORK' : 'BAD_REQUEST', response.status);
  }
  const error = body.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code ?? 'INTERNAL_SERVER_ERROR', response.status);
  return body.data;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A mutation that is safe to send again: one carrying an idempotency key (the same key on every
 * attempt, so it takes effect at most once) or one that is idempotent by itself (releaseHold).
 * Retried on a network error or a retryable code, at most 5 attempts over about 8 s.
 */
export async function mutate(operation, variables, { onRetry } = {}) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await gql(operation, variables);
    } catch (error) {
      if (!(error instanceof ApiError) || !RETRYABLE.has(error.code) || attempt >= 5) throw error;
      onRetry?.(attempt, error);
      await pause(250 * 2 ** attempt);
    }
  }
}

/** A fresh key per user action. Works outside secure contexts too (crypto.randomUUID does not). */
export function idempotencyKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What a person should read when something failed. */
export function humanError(error) {
  const code = error instanceof ApiError ? error.code : undefined;
  switch (code) {
    case 'NETWORK':
      return 'Cannot reach the server. Check your connection and try again.';
    case 'UNAUTHENTICATED':
      return 'Your token was refused (invalid or expired). Paste a fresh one: npm run token -- <your name>.';
    case 'RATE_LIMITED':
      return 'Too many requests just now. Wait a few seconds and try again.';
    case 'SERVICE_UNAVAILABLE':
    case 'IDEMPOTENCY_KEY_IN_USE':
      return 'The service is briefly unavailable. Try again in a moment; nothing was done twice.';
    case 'BAD_USER_INPUT':
    case 'NOT_FOUND': {
      // "dates: 2027-06-01 is in the past" → "2027-06-01 is in the past."
      const text = error.message.replace(/^\w+: /, '');
      return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?)]$/.test(text) ? '' : '.'}`;
    }
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** Local mode (stripe-mock): the server offers to play Stripe's part after "payment". */
export async function simulationAvailable() {
  try {
    const response = await fetch('/dev/simulate-payment');
    return response.ok && (await response.json()).available === true;
  } catch {
    return false;
  }
}

/** Asks the server to deliver a signed `checkout.session.completed` for the hold to its own webhook. */
export async function simulatePayment(holdId) {
  let response;
  try {
    response = await fetch('/dev/simulate-payment', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ holdId }),
    });
  } catch {
    throw new ApiError('the server could not be reached', 'NETWORK');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = body.errors?.[0];
    throw new ApiError(error?.message ?? `the server answered ${response.status}`, error?.extensions?.code ?? 'NETWORK', response.status);
  }
  return body;
}
