import { tokenFor, postGraphql } from './gql';
import type { History, Operation } from './history';
import type { Topology } from './topology';

const KEYED = new Set(['deposit', 'withdraw', 'transfer', 'holdDates', 'checkoutHold', 'cancelBooking']);
const CONCURRENCY = 4;
/** Fields that describe the object now, not the answer then (a hold's or booking's current status). */
const LIVE_FIELDS = new Set(['status', 'refundStatus']);

/** The answer without live fields, so a replay is compared on what the key decided. */
function decided(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => decided(v, depth + 1));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => depth < 2 || !LIVE_FIELDS.has(k))
      .map(([k, v]) => [k, decided(v, depth + 1)]),
  );
}

/**
 * Every key that was answered once must answer the same on a final replay (same caller, same
 * input, same key), on any instance. Returns how many were replayed (at most `limit`, spread over
 * the run when there are more). A hold's or booking's `status` is read live, so it is left out.
 */
export async function checkReplays(topology: Topology, history: History, violations: string[], limit = 2000): Promise<number> {
  const answered = history.operations.filter((op) => op.outcome === 'ok' && KEYED.has(op.kind));
  const step = Math.max(1, answered.length / limit);
  const chosen: Operation[] = [];
  for (let i = 0; i < answered.length && chosen.length < limit; i += step) chosen.push(answered[Math.floor(i)]);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (next < chosen.length) {
        const op = chosen[next++];
        const token = await tokenFor(op.userId, op.role);
        const url = topology.instances[(op.id + worker) % topology.instances.length].url;
        let replayed: Awaited<ReturnType<typeof postGraphql>> | undefined;
        for (let attempt = 0; attempt < 5 && !replayed?.data; attempt += 1) {
          replayed = await postGraphql(url, token, op.query, op.variables).catch(() => undefined);
        }
        const before = JSON.stringify(decided(op.data));
        const after = JSON.stringify(replayed?.data ? decided(replayed.data) : replayed?.errors);
        if (before !== after)
          violations.push(
            `replay of ${op.kind} #${op.id} (key ${op.variables.input && (op.variables.input as { idempotencyKey?: string }).idempotencyKey}) answered ${after} instead of ${before}`,
          );
      }
    }),
  );
  return chosen.length;
}
