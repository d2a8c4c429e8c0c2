import { resolve } from 'node:path';

export interface Config {
  port: number;
  /** An existing replica set to use; when absent the server starts an embedded one. */
  mongoUri?: string;
  dbName: string;
  /** Where the embedded database and the generated JWT secret live between restarts. */
  dataDir: string;
  jwtSecret?: string;
  holdTtlSeconds: number;
  sweepIntervalMs: number;
  mutationsPerMinute: number;
  logLevel: string;
  production: boolean;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

/** Reads the environment once at start; a bad value stops the server with a message naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integer(env, 'PORT', 4000, 0),
    mongoUri: env.MONGODB_URI || undefined,
    dbName: env.MONGODB_DB || 'race_free',
    dataDir: resolve(env.DATA_DIR || '.data'),
    jwtSecret: env.JWT_SECRET || undefined,
    holdTtlSeconds: integer(env, 'HOLD_TTL_SECONDS', 1800, 1),
    sweepIntervalMs: integer(env, 'SWEEP_INTERVAL_MS', 5000, 0),
    mutationsPerMinute: integer(env, 'RATE_LIMIT_MUTATIONS_PER_MINUTE', 600, 1),
    logLevel: env.LOG_LEVEL || 'info',
    production: env.NODE_ENV === 'production',
  };
}
