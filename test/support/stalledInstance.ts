/**
 * A second API process for the crash test, run with `node --import tsx` so that SIGKILL hits the
 * process holding the request (the tsx CLI would put a child in between). The whole app on the
 * test's database (`MONGODB_URI`, `MONGODB_DB`, `IDEMPOTENCY_LEASE_MS`, `STRIPE_API_BASE`), whose
 * requests stop for good right after claiming their idempotency key: a process about to be killed.
 * Prints `{"port": n}` once it listens.
 */
import { MongoClient } from 'mongodb';
import { buildApp } from '../../src/app';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createStripeClient, MOCK_SECRET_KEY } from '../../src/payments';

const config = loadConfig();
const secretHex = process.env.TEST_JWT_SECRET_HEX;
if (!config.mongoUri || !secretHex) throw new Error('MONGODB_URI and TEST_JWT_SECRET_HEX are required');

const client = await new MongoClient(config.mongoUri).connect();
const app = await buildApp({
  client,
  db: client.db(config.dbName),
  clock: systemClock,
  logger: createLogger(config.logLevel),
  jwtSecret: Buffer.from(secretHex, 'hex'),
  holdTtlSeconds: config.holdTtlSeconds,
  sweepIntervalMs: 0,
  refundRetryIntervalMs: 0,
  slotHorizonIntervalMs: 0,
  idempotencyLeaseMs: config.idempotencyLeaseMs,
  idempotencyHooks: { afterKeyTaken: () => new Promise<void>(() => {}) },
  mutationsPerMinute: config.mutationsPerMinute,
  production: false,
  payments: {
    stripe: createStripeClient({ secretKey: MOCK_SECRET_KEY, apiBase: config.stripe.apiBase }),
    webhookSecret: 'whsec_unused',
    successUrl: config.stripe.successUrl,
    cancelUrl: config.stripe.cancelUrl,
  },
});
const port = await app.start(0);
process.stdout.write(`${JSON.stringify({ port })}\n`);
