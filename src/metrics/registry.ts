import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Timestamp } from 'mongodb';

/** Seconds; from a cached read (5 ms) to past the MongoDB time budget (8 s by default). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The Stripe event types the webhook acts on; any other type is counted as `other`. */
const WEBHOOK_TYPES = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
]);

const IDEMPOTENCY_OUTCOMES = ['new', 'replayed', 'in_use', 'reused', 'taken_over'] as const;
const TRANSACTION_OUTCOMES = ['committed', 'rolled_back', 'failed'] as const;
export type IdempotencyOutcome = (typeof IDEMPOTENCY_OUTCOMES)[number];
export type TransactionOutcome = (typeof TRANSACTION_OUTCOMES)[number];
export type WebhookResult = 'applied' | 'duplicate' | 'ignored' | 'invalid' | 'unapplicable' | 'retry' | 'failed';
export type JobRunResult = 'worked' | 'idle' | 'failed';

export interface OperationLabels {
  transport: 'http' | 'ws';
  type: 'query' | 'mutation' | 'subscription' | 'unknown';
  operation: string;
  outcome: string;
}

/** Process-wide (CPU, memory, event loop, GC): one collector per process however many apps it runs. */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

type Registers = Registry[];

/** GraphQL operations and HTTP requests. */
function requestMetrics(registers: Registers) {
  const operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operations from arrival to answer, by transport, operation type, root field and outcome (result type or error code); for subscriptions, until the subscription is set up',
    labelNames: ['transport', 'type', 'operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests, by method, route and status (WebSocket upgrades are not HTTP requests here)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  return {
    operation(labels: OperationLabels, seconds: number): void {
      operationDuration.observe({ ...labels }, seconds);
    },
    httpRequest(method: string, route: string, status: number, seconds: number): void {
      httpDuration.observe({ method, route, status: String(status) }, seconds);
    },
  };
}

/** MongoDB transactions, idempotency keys and the group-commit engines. */
function storageMetrics(registers: Registers) {
  const transactions = new Counter({
    name: 'mongodb_transactions_total',
    help: 'MongoDB transactions run, by outcome: committed, rolled_back (an expected business outcome) or failed',
    labelNames: ['outcome'] as const,
    registers,
  });
  const transactionAttempts = new Counter({
    name: 'mongodb_transaction_attempts_total',
    help: 'Attempts at MongoDB transactions, first ones included',
    registers,
  });
  const transactionRetries = new Counter({
    name: 'mongodb_transaction_retries_total',
    help: 'Attempts after the first (a write conflict or another transient error made the transaction run again)',
    registers,
  });
  const idempotency = new Counter({
    name: 'idempotency_requests_total',
    help: 'Requests carrying an idempotency key, by what the key said: new, replayed (stored result), in_use, reused (different input), taken_over (after a lease ran out)',
    labelNames: ['outcome'] as const,
    registers,
  });
  // Known series start at 0, so the first increment shows in rate() and absent means "not this app".
  for (const outcome of IDEMPOTENCY_OUTCOMES) idempotency.inc({ outcome }, 0);
  for (const outcome of TRANSACTION_OUTCOMES) transactions.inc({ outcome }, 0);
  return {
    transactionAttempt(attempt: number): void {
      transactionAttempts.inc();
      if (attempt > 0) transactionRetries.inc();
    },
    transactionFinished(outcome: TransactionOutcome): void {
      transactions.inc({ outcome });
    },
    idempotencyOutcome(outcome: IdempotencyOutcome): void {
      idempotency.inc({ outcome });
    },
    /** Where the group-commit engines report (src/mongo/groupCommit). */
    groupCommit: groupCommitMetrics(registers),
  };
}

function groupCommitMetrics(registers: Registers) {
  const batches = new Histogram({
    name: 'group_commit_batch_orders',
    help: 'Orders per group-commit transaction attempt, by engine (holds, ledger): 1 = ran alone',
    labelNames: ['engine'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 100],
    registers,
  });
  const splits = new Counter({
    name: 'group_commit_splits_total',
    help: 'Batches that had to retry or whose plan the database refused, so each of their orders ran again alone, by engine',
    labelNames: ['engine'] as const,
    registers,
  });
  const queueFull = new Counter({
    name: 'group_commit_queue_full_total',
    help: 'Orders refused SERVICE_UNAVAILABLE (retryable) because their engine already had its most orders waiting',
    labelNames: ['engine'] as const,
    registers,
  });
  return {
    batch: (engine: string, orders: number): void => batches.observe({ engine }, orders),
    split: (engine: string): void => splits.inc({ engine }),
    queueFull: (engine: string): void => queueFull.inc({ engine }),
  };
}

/** The Stripe webhook, live availability and the background jobs. */
function activityMetrics(registers: Registers) {
  const webhooks = new Counter({
    name: 'stripe_webhook_events_total',
    help: 'Stripe webhook deliveries, by event type and result',
    labelNames: ['type', 'result'] as const,
    registers,
  });
  const changeLag = new Histogram({
    name: 'availability_change_lag_seconds',
    help: "From a date slot change's commit (the change event's wallTime, else its clusterTime) to its fan-out to this instance's subscribers",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const webSockets = new Gauge({
    name: 'websocket_connections',
    help: 'Open, accepted graphql-ws connections on this instance',
    registers,
  });
  let subscriberCount: () => number = () => 0;
  new Gauge({
    name: 'graphql_subscriptions',
    help: 'Live availabilityChanged subscriptions on this instance',
    registers,
    collect() {
      this.set(subscriberCount());
    },
  });
  const jobRuns = new Counter({
    name: 'background_job_runs_total',
    help: 'Runs of the leased background jobs (hold-sweeper, refund-retrier, slot-horizon) on this instance, by result: worked (held the lock), idle (another instance holds it), failed',
    labelNames: ['job', 'result'] as const,
    registers,
  });
  const jobItems = new Counter({
    name: 'background_job_items_total',
    help: 'What the background jobs did: holds expired by the sweeper, refunds sent by the retrier, slots created by the horizon job',
    labelNames: ['job'] as const,
    registers,
  });
  return {
    webhook(type: string | undefined, result: WebhookResult): void {
      webhooks.inc({ type: type === undefined ? 'unknown' : WEBHOOK_TYPES.has(type) ? type : 'other', result });
    },

    /** A change event right after its fan-out. */
    changeFannedOut(change: { wallTime?: Date; clusterTime?: Timestamp }): void {
      const committedAtMs = change.wallTime?.getTime() ?? (change.clusterTime ? change.clusterTime.getHighBits() * 1000 : undefined);
      if (committedAtMs === undefined) return;
      changeLag.observe(Math.max(0, Date.now() - committedAtMs) / 1000);
    },

    webSocketOpened: (): void => webSockets.inc(),
    webSocketClosed: (): void => webSockets.dec(),

    /** Where the subscription gauge reads its value at scrape time. */
    countSubscribersWith(count: () => number): void {
      subscriberCount = count;
    },

    backgroundJobRun(job: string, result: JobRunResult, items?: number): void {
      jobRuns.inc({ job, result });
      if (items) jobItems.inc({ job }, items);
    },
  };
}

/**
 * One app's metrics, in its own registry (tests run several apps in one process). Every label takes
 * values from a fixed set (operation names from the schema, error codes, event types the webhook
 * knows, or `other`), never ids or free text, so the number of series stays bounded.
 */
export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,

    /** The text a Prometheus scrape gets: this app's metrics and the process's. */
    async scrape(): Promise<{ contentType: string; body: string }> {
      const merged = Registry.merge([processMetrics(), registry]);
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
    ...requestMetrics(registers),
    ...storageMetrics(registers),
    ...activityMetrics(registers),
  };
}

export type AppMetrics = ReturnType<typeof createMetrics>;
