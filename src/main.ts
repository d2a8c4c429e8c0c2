import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MongoClient } from 'mongodb';
import { type App, type AppOptions, buildApp } from './app';
import { assert } from './assert';
import { loadJwtSecret } from './auth';
import { systemClock } from './clock';
import { type Config, loadConfig } from './config';
import { loadTrustedManifest, type TrustedManifest } from './graphql';
import { createLogger, type Logger } from './logger';
import { createMongoClient } from './mongo';
import { connectStripe, type StripeConnection } from './payments';
import { exitOnStartupError, requireFreeDataDir, requireFreePort, requireReplicaSet } from './startupErrors';

/** Composition root: config → MongoDB (given or embedded) → services → HTTP server → signals. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // Read and checked before anything starts: a wrong manifest is a one-line start-up error.
  const trustedDocuments = config.trustedDocuments ? loadTrustedManifest(config.trustedDocuments) : undefined;
  const dbPath = join(config.dataDir, 'db');

  if (process.argv.includes('--reset-only')) {
    rmSync(config.dataDir, { recursive: true, force: true });
    logger.info({ dataDir: config.dataDir }, 'embedded data wiped');
    return;
  }

  if (!config.mongoUri) requireFreeDataDir(dbPath);
  // Dev tooling (provisioning, mongodb-memory-server) is loaded only when there is no MONGODB_URI.
  const embedded = config.mongoUri
    ? undefined
    : await (await import('./dev')).startEmbeddedReplSet({ dbPath, log: (line) => logger.info(line) });
  const mongoUri = config.mongoUri ?? embedded?.uri;
  assert(mongoUri !== undefined, 'without MONGODB_URI the embedded replica set was started');
  logger.info({ mongoUri, embedded: Boolean(embedded), dbPath: embedded ? dbPath : undefined }, 'MongoDB replica set ready');

  const client = createMongoClient(mongoUri, config.mongoTimeoutMs);
  let app: App;
  let port: number;
  let stripe: StripeConnection | undefined;
  try {
    // Known causes are checked before they surface as something else (src/startupErrors.ts).
    await requireFreePort(config.port);
    if (config.metricsPort !== undefined) await requireFreePort(config.metricsPort, 'METRICS_PORT');
    await client.connect();
    await requireReplicaSet(client);
    stripe = await connectStripe(config.stripe, config.dataDir, logger);
    app = await buildApp({ ...appOptions(config, client, logger, stripe), trustedDocuments });
    port = await app.start(config.port);
  } catch (error) {
    // Never leave a stray mongod behind when start-up fails half way.
    await client.close();
    await stripe?.stop();
    await embedded?.stop();
    throw error;
  }
  announce({ config, logger, port, metricsPort: app.metricsPort(), local: stripe.local, trustedDocuments });
  handleSignals({ config, logger, app, client, stripe, embedded });
}

interface Started {
  config: Config;
  logger: Logger;
  port: number;
  metricsPort: number | undefined;
  local: boolean;
  trustedDocuments: TrustedManifest | undefined;
}

/** The start-up lines: where everything is served, and what the environment changed. */
function announce({ config, logger, port, metricsPort, local, trustedDocuments }: Started): void {
  const metrics = metricsPort === undefined ? 'metrics at /metrics' : `metrics at http://localhost:${metricsPort}/metrics (METRICS_PORT)`;
  logger.info(`GraphQL (HTTP and graphql-ws) at http://localhost:${port}/graphql, health at /healthz, ${metrics}`);
  if (!config.production) logger.info(`Apollo Sandbox: open http://localhost:${port}/graphql in a browser`);
  const idp = config.identityProvider;
  if (idp)
    logger.info({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience }, 'bearer tokens: from the identity provider only');
  else logger.info('Mint a token with: npm run token -- <userId> [user|admin]');
  if (trustedDocuments) {
    const { source, documents } = trustedDocuments;
    logger.info({ trustedDocuments: source }, `only the ${documents.size} trusted documents run (TRUSTED_DOCUMENTS)`);
  }
  logger.info(`Stripe webhooks at http://localhost:${port}/webhooks/stripe`);
  if (local) logger.info(`stripe-mock: the page at / can simulate payments (POST http://localhost:${port}/dev/simulate-payment)`);
}

function appOptions(config: Config, client: MongoClient, logger: Logger, stripe: StripeConnection): AppOptions {
  return {
    client,
    db: client.db(config.dbName),
    clock: systemClock,
    logger,
    jwtSecret: loadJwtSecret(config.jwtSecret, config.dataDir),
    identityProvider: config.identityProvider,
    holdTtlSeconds: config.holdTtlSeconds,
    sweepIntervalMs: config.sweepIntervalMs,
    refundRetryIntervalMs: config.refundRetryIntervalMs,
    slotHorizonIntervalMs: config.slotHorizonIntervalMs,
    idempotencyLeaseMs: config.idempotencyLeaseMs,
    mutationsPerMinute: config.mutationsPerMinute,
    webSocketLimits: config.webSocketLimits,
    production: config.production,
    metricsPort: config.metricsPort,
    payments: stripe.payments,
    localPayments: stripe.local,
  };
}

/** What a running server holds: shutdown stops it. */
interface Running {
  config: Config;
  logger: Logger;
  app: App;
  client: MongoClient;
  stripe: StripeConnection;
  embedded: { stop(): Promise<void> } | undefined;
}

/** Graceful, bounded shutdown on SIGINT/SIGTERM. */
function handleSignals({ config, logger, app, client, stripe, embedded }: Running): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const startedAt = Date.now();
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing in-flight requests');
    // Each step is named, so a shutdown that runs out of time says what it left behind.
    let step = 'draining HTTP and WebSocket connections';
    const deadline = setTimeout(() => {
      logger.error(
        { step, afterMs: Date.now() - startedAt, openConnections: app.server.listening ? 'some' : 'none' },
        'shutdown timed out; abandoning the rest and exiting with code 1',
      );
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    try {
      await app.stop();
      step = 'closing the MongoDB client';
      await client.close();
      step = 'stopping stripe-mock';
      await stripe.stop();
      step = 'stopping the embedded mongod';
      await embedded?.stop();
      logger.info({ tookMs: Date.now() - startedAt }, 'stopped cleanly');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error, step }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

// A known cause (port, data directory, environment, mongod, replica set) is one line; anything else keeps its stack.
main().catch(exitOnStartupError);
