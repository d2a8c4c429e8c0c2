import type { Express } from 'express';
import type { Db } from 'mongodb';
import type { Logger } from '../logger';

export interface ProbeOptions {
  db: Db;
  logger: Logger;
  /** Whether this instance's change stream is open (live availability depends on it). */
  changeStreamOpen: () => boolean;
  /** How long readiness waits for the primary before calling it unavailable. */
  timeoutMs?: number;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Kubernetes-style probes. `/healthz` is liveness: the process answers, whatever MongoDB does, so
 * an outage never gets a healthy instance restarted. `/readyz` is readiness: 200 only while a
 * primary answers a ping (within `timeoutMs`) and the change stream is open; otherwise 503 with the
 * reason, so a load balancer sends traffic elsewhere until it recovers by itself.
 */
export function serveProbes(app: Express, { db, logger, changeStreamOpen, timeoutMs = 2_000 }: ProbeOptions): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const reasons: string[] = [];
    try {
      await within(db.command({ ping: 1 }, { readPreference: 'primary' }), timeoutMs);
    } catch (error) {
      reasons.push(`no MongoDB primary answered: ${(error as Error).message}`);
    }
    if (!changeStreamOpen()) reasons.push('the availability change stream is not open');
    if (reasons.length === 0) {
      res.json({ status: 'ready' });
      return;
    }
    logger.warn({ reasons }, 'not ready');
    res.status(503).set('retry-after', '2').json({ status: 'unavailable', reasons });
  });
}
