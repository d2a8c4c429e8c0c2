import { setTimeout as sleep } from 'node:timers/promises';
import { signToken } from '../src/auth';
import type { History, Operation } from './history';
import type { Random } from './random';
import { JWT_SECRET, type Topology } from './topology';

/** Codes a correct client retries with the same idempotency key. */
const RETRYABLE = new Set(['SERVICE_UNAVAILABLE', 'IDEMPOTENCY_KEY_IN_USE', 'RATE_LIMITED', 'PAYMENT_PROVIDER_ERROR']);
const REQUEST_TIMEOUT_MS = 12_000;

export interface GqlAnswer {
  status: number;
  data?: any;
  errors?: { message: string; extensions?: { code?: string; retryable?: boolean } }[];
}

const tokens = new Map<string, Promise<string>>();
export function tokenFor(userId: string, role: 'user' | 'admin' = 'user'): Promise<string> {
  const id = `${role}:${userId}`;
  if (!tokens.has(id)) tokens.set(id, signToken(new TextEncoder().encode(JWT_SECRET), { id: userId, role }, '1d'));
  return tokens.get(id)!;
}

/** One POST /graphql; throws on a network error or timeout. */
export async function postGraphql(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<GqlAnswer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = (await response.json()) as Omit<GqlAnswer, 'status'>;
  return { status: response.status, ...body };
}

export interface ClientContext {
  topology: Topology;
  history: History;
  random: Random;
  /** Retrying stops at this moment (the run's hard deadline) or after `giveUpMs`, whichever is first. */
  deadline: number;
  giveUpMs: number;
}

/**
 * Sends an operation the way a correct client does: on a network error, HTTP 503 or a retryable
 * code it retries the very same request (same idempotency key) with backoff, on the next instance
 * that is up; it gives up after `giveUpMs` and records the outcome as unknown.
 */
export async function send(
  ctx: ClientContext,
  op: { kind: string; userId: string; role?: 'user' | 'admin'; query: string; variables: Record<string, unknown> },
  preferred = 0,
): Promise<Operation> {
  const role = op.role ?? 'user';
  const recorded = ctx.history.begin({ ...op, role });
  const token = await tokenFor(op.userId, role);
  const giveUpAt = Math.min(recorded.startedAt + ctx.giveUpMs, ctx.deadline);
  let instance = preferred % ctx.topology.instances.length;
  let firstFailureAt: number | undefined;
  for (let attempt = 0; ; attempt += 1) {
    const target = pickUp(ctx.topology, instance);
    recorded.attempts += 1;
    let retryable = false;
    try {
      const answer = await postGraphql(target.url, token, op.query, op.variables);
      const code = answer.errors?.[0]?.extensions?.code;
      if (!answer.errors && answer.data) {
        recorded.outcome = 'ok';
        recorded.data = answer.data;
      } else if (answer.status === 503 || (code && RETRYABLE.has(code))) {
        retryable = true;
        recorded.code = code ?? `HTTP_${answer.status}`;
      } else {
        recorded.outcome = 'failed';
        recorded.code = code ?? `HTTP_${answer.status}`;
        if (recorded.code === 'INTERNAL_SERVER_ERROR' || answer.status >= 500) {
          ctx.history.anomalies.push(`${op.kind} #${recorded.id} answered ${recorded.code}: ${answer.errors?.[0]?.message}`);
        }
      }
    } catch (error) {
      retryable = true;
      recorded.code = `NETWORK(${(error as Error).name})`;
    }
    if (!retryable) break;
    firstFailureAt ??= Date.now();
    if (Date.now() >= giveUpAt) {
      recorded.outcome = 'unknown';
      break;
    }
    instance += 1;
    await sleep(Math.min(50 * 2 ** Math.min(attempt, 5), 1500) * (0.5 + ctx.random.next()));
  }
  recorded.endedAt = Date.now();
  if (firstFailureAt !== undefined) ctx.history.noteRetrying(op.kind, recorded.endedAt - firstFailureAt);
  return recorded;
}

/** The instance at `index` if it is up, else the next one that is (or `index` itself if none is). */
function pickUp(topology: Topology, index: number) {
  const all = topology.instances;
  for (let i = 0; i < all.length; i += 1) {
    const candidate = all[(index + i) % all.length];
    if (candidate.up) return candidate;
  }
  return all[index % all.length];
}

/** A read (no key), retried the same way but not recorded in the history. */
export async function query(ctx: Pick<ClientContext, 'topology'>, userId: string, role: 'user' | 'admin', text: string, variables = {}) {
  const token = await tokenFor(userId, role);
  for (let attempt = 0; attempt < 40; attempt += 1) {
    try {
      const answer = await postGraphql(pickUp(ctx.topology, attempt).url, token, text, variables);
      if (answer.data && !answer.errors) return answer.data;
      const code = answer.errors?.[0]?.extensions?.code;
      if (answer.status !== 503 && !(code && RETRYABLE.has(code))) throw new Error(`query failed: ${JSON.stringify(answer.errors)}`);
    } catch (error) {
      if ((error as Error).message.startsWith('query failed')) throw error;
    }
    await sleep(250);
  }
  throw new Error('query did not succeed after 40 attempts');
}
