import type { ChaosOptions } from './args';
import type { BookingFigures } from './checkBookings';
import type { LedgerFigures } from './checkLedger';
import type { HeldMoneyFigures } from './checkHeldMoney';
import type { FaultLog } from './faults';
import type { History } from './history';

export interface RunFigures {
  options: ChaosOptions;
  history: History;
  faults: FaultLog[];
  faultCounts: Record<string, number>;
  ledger?: LedgerFigures;
  bookings?: BookingFigures;
  heldMoney?: HeldMoneyFigures;
  replayed: number;
  webhookDeliveries: { events: number; sends: number; acked: number; statuses: Record<string, number> };
  subscribers: { name: string; connects: number; events: number; resets: number }[];
  broken?: string;
  violations: string[];
  elapsedMs: number;
}

const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

/** The short report: what was attempted, what came of it, what was injected, and any violation with the seed to replay it. */
export function formatReport(f: RunFigures): string {
  const ops = f.history.operations;
  const outcomes: Record<string, number> = {};
  const failedByCode: Record<string, number> = {};
  const unknownByCode: Record<string, number> = {};
  const byKind: Record<string, Record<string, number>> = {};
  for (const op of ops) {
    outcomes[op.outcome] = (outcomes[op.outcome] ?? 0) + 1;
    byKind[op.kind] ??= {};
    byKind[op.kind][op.outcome] = (byKind[op.kind][op.outcome] ?? 0) + 1;
    if (op.outcome === 'failed') failedByCode[op.code!] = (failedByCode[op.code!] ?? 0) + 1;
    if (op.outcome === 'unknown') unknownByCode[op.code!] = (unknownByCode[op.code!] ?? 0) + 1;
  }
  const retried = ops.filter((op) => op.attempts > 1).length;
  const lines = [
    `chaos run: seed ${f.options.seed}, ${f.options.durationMs / 1000} s of load, ${f.options.members} mongod, ${f.options.instances} API instances, ${(f.elapsedMs / 1000).toFixed(1)} s in all`,
    `operations: ${ops.length} attempted, ${outcomes.ok ?? 0} acknowledged, ${outcomes.failed ?? 0} failed, ${outcomes.unknown ?? 0} unknown outcome; ${retried} needed retries`,
    ...Object.entries(byKind).map(([kind, counts]) => `  ${kind}: ${list(counts)}`),
    `  failed by code: ${list(failedByCode)}`,
    `  unknown (last code seen): ${list(unknownByCode)}`,
    `faults: ${f.faults.length} injected: ${list(f.faultCounts)}`,
    `longest unavailability seen by a client: ${(f.history.unavailability.longestMs / 1000).toFixed(1)} s (${f.history.unavailability.longestKind ?? '-'})`,
    `webhooks: ${f.webhookDeliveries.events} events, ${f.webhookDeliveries.sends} deliveries, ${f.webhookDeliveries.acked} acknowledged; statuses ${list(f.webhookDeliveries.statuses)}`,
    f.bookings
      ? `bookings: ${list(f.bookings.bookings)}; ${f.bookings.paidSessions} paid sessions, ${f.bookings.capturesDone} captures, ${f.bookings.voidsDone} voids and ${f.bookings.refundsDone} refunds sent, ${f.bookings.pendingLeased} pending under a dead sender's lease`
      : 'bookings: not checked',
    f.ledger ? `ledger: ${f.ledger.accounts} accounts, Σ balances ${f.ledger.totalBalance}` : 'ledger: not checked',
    f.heldMoney
      ? `held money: authorizations ${list(f.heldMoney.authorizations)}; balance bookings ${list(f.heldMoney.balanceBookings)}`
      : 'held money: not checked',
    `replayed keys: ${f.replayed}`,
    `subscribers (availabilityUpdates, resumed by cursor): ${f.subscribers.map((s) => `${s.name} ${s.connects} connects/${s.events} messages/${s.resets} resets`).join(', ')}`,
    ...(f.broken ? [`BROKEN ON PURPOSE: ${f.broken}`] : []),
    `anomalies (product errors): ${f.history.anomalies.length}`,
    ...f.history.anomalies.slice(0, 10).map((a) => `  ${a}`),
    `violations: ${f.violations.length}`,
    ...f.violations.slice(0, 30).map((v) => `  ✗ ${v}`),
    ...(f.violations.length > 30 ? [`  … and ${f.violations.length - 30} more`] : []),
    f.violations.length > 0
      ? `FAILED — replay with: npm run chaos -- --seed ${f.options.seed} --duration ${f.options.durationMs / 1000}s`
      : `OK (seed ${f.options.seed})`,
  ];
  return lines.join('\n');
}
