import { resolve } from 'node:path';
import type { IdentityProviderConfig } from './auth';
import { DEFAULT_MONGODB_TIMEOUT_MS } from './mongo';
import { DEFAULT_WEBSOCKET_LIMITS, type WebSocketLimits } from './graphql';
import { DEFAULT_LEASE_MS } from './idempotency';
import type { StripeConfig } from './payments';
import { StartupError } from './startupErrors';

export interface Config {
  port: number;
  /** METRICS_PORT: `/metrics` is served only on this port (0 = any free one), not on `port`. */
  metricsPort?: number;
  /** An existing replica set to use; when absent the server starts an embedded one. */
  mongoUri?: string;
  dbName: string;
  /** Where the embedded database and the generated JWT secret live between restarts. */
  dataDir: string;
  jwtSecret?: string;
  /** Tokens from an identity provider (AUTH_JWKS_URL…) instead of HS256 ones signed with `jwtSecret`. */
  identityProvider?: IdentityProviderConfig;
  holdTtlSeconds: number;
  sweepIntervalMs: number;
  /** How often each instance tries to retry pending refunds; 0 = never (not even at start). */
  refundRetryIntervalMs: number;
  /** How often each instance tries to create the slots that come into the horizon; 0 = never (not even at start). */
  slotHorizonIntervalMs: number;
  /** How long an idempotency key stays with a request that has not finished; then a retry may take it over. */
  idempotencyLeaseMs: number;
  mutationsPerMinute: number;
  /** How long a request may wait on MongoDB before answering SERVICE_UNAVAILABLE. */
  mongoTimeoutMs: number;
  /** Past this, shutdown logs what it abandoned and exits non-zero. */
  shutdownTimeoutMs: number;
  webSocketLimits: WebSocketLimits;
  logLevel: string;
  production: boolean;
  stripe: StripeConfig;
  /** TRUSTED_DOCUMENTS: the manifest (sha256 → document) of the only documents that run. */
  trustedDocuments?: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new StartupError(`${name} must be an integer >= ${min}, got "${raw}": set it to one, or unset it for the default (${fallback})`);
  }
  return value;
}

/** METRICS_PORT: unset keeps /metrics on PORT; else a port of its own, never PORT's. */
function metricsPort(env: NodeJS.ProcessEnv, port: number): number | undefined {
  const raw = env.METRICS_PORT;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0 || value > 65_535) {
    throw new StartupError(
      `METRICS_PORT must be an integer from 0 to 65535, got "${raw}": set it to one, or unset it to serve /metrics on PORT`,
    );
  }
  if (value !== 0 && value === port) {
    throw new StartupError(
      `METRICS_PORT must differ from PORT (both ${port}): set it to another port, or unset it to serve /metrics on PORT`,
    );
  }
  return value;
}

/** Reads the environment once at start; a bad value stops the server with one line naming it and the fix (a StartupError). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer(env, 'PORT', 4000, 0);
  return {
    port,
    metricsPort: metricsPort(env, port),
    mongoUri: env.MONGODB_URI || undefined,
    dbName: env.MONGODB_DB || 'race_free',
    dataDir: resolve(env.DATA_DIR || '.data'),
    jwtSecret: env.JWT_SECRET || undefined,
    identityProvider: identityProviderConfig(env),
    holdTtlSeconds: integer(env, 'HOLD_TTL_SECONDS', 1800, 1),
    sweepIntervalMs: integer(env, 'SWEEP_INTERVAL_MS', 5000, 0),
    refundRetryIntervalMs: integer(env, 'REFUND_RETRY_INTERVAL_MS', 10_000, 0),
    slotHorizonIntervalMs: integer(env, 'SLOT_HORIZON_INTERVAL_MS', 3_600_000, 0),
    idempotencyLeaseMs: integer(env, 'IDEMPOTENCY_LEASE_MS', DEFAULT_LEASE_MS, 1),
    mutationsPerMinute: integer(env, 'RATE_LIMIT_MUTATIONS_PER_MINUTE', 600, 1),
    mongoTimeoutMs: integer(env, 'MONGODB_TIMEOUT_MS', DEFAULT_MONGODB_TIMEOUT_MS, 500),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0),
    webSocketLimits: {
      maxConnectionsPerUser: integer(env, 'WS_MAX_CONNECTIONS_PER_USER', DEFAULT_WEBSOCKET_LIMITS.maxConnectionsPerUser, 1),
      maxSubscriptionsPerConnection: integer(
        env,
        'WS_MAX_OPERATIONS_PER_CONNECTION',
        DEFAULT_WEBSOCKET_LIMITS.maxSubscriptionsPerConnection,
        1,
      ),
      maxMessageBytes: integer(env, 'WS_MAX_MESSAGE_BYTES', DEFAULT_WEBSOCKET_LIMITS.maxMessageBytes, 1024),
    },
    logLevel: env.LOG_LEVEL || 'info',
    production: env.NODE_ENV === 'production',
    stripe: stripeConfig(env),
    trustedDocuments: env.TRUSTED_DOCUMENTS ? resolve(env.TRUSTED_DOCUMENTS) : undefined,
  };
}

const IDENTITY_PROVIDER_SETTINGS = ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_ROLE_CLAIM'] as const;

/** AUTH_JWKS_URL turns on the identity provider's tokens; its companions mean nothing without it, so they are refused alone. */
function identityProviderConfig(env: NodeJS.ProcessEnv): IdentityProviderConfig | undefined {
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  if (!jwksUrl) {
    const alone = IDENTITY_PROVIDER_SETTINGS.find((name) => env[name]);
    if (alone) {
      throw new StartupError(
        `${alone} is set but AUTH_JWKS_URL is not: set AUTH_JWKS_URL to your identity provider's key set, or unset ${alone}`,
      );
    }
    return undefined;
  }
  if (!URL.canParse(jwksUrl) || !/^https?:$/.test(new URL(jwksUrl).protocol)) {
    throw new StartupError(
      `AUTH_JWKS_URL must be an http(s) URL, got "${jwksUrl}": set it to your identity provider's JWKS endpoint, or unset it for local HS256 tokens`,
    );
  }
  const roleClaim = env.AUTH_ROLE_CLAIM || undefined;
  if (roleClaim && roleClaim.split('.').some((name) => name === '')) {
    throw new StartupError(
      `AUTH_ROLE_CLAIM must be a claim name or a dot path such as realm_access.roles, got "${roleClaim}": fix it, or unset it`,
    );
  }
  return { jwksUrl, issuer: required(env, 'AUTH_ISSUER', '"iss"'), audience: required(env, 'AUTH_AUDIENCE', '"aud"'), roleClaim };
}

function required(env: NodeJS.ProcessEnv, name: string, claim: string): string {
  const value = env[name];
  if (!value) {
    throw new StartupError(
      `${name} must be set when AUTH_JWKS_URL is: set it to the tokens' ${claim} exactly as your identity provider writes it`,
    );
  }
  return value;
}

function stripeConfig(env: NodeJS.ProcessEnv): StripeConfig {
  const secretKey = env.STRIPE_SECRET_KEY || undefined;
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET || undefined;
  // Without the signing secret every real delivery would be refused; say so at start, not per request.
  if (secretKey && !webhookSecret) {
    throw new StartupError(
      "STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is: set it to the endpoint's signing secret (whsec_…)",
    );
  }
  const apiBase = env.STRIPE_API_BASE || undefined;
  if (apiBase && !/^https?:\/\/[^/]+\/?$/.test(apiBase)) {
    throw new StartupError(`STRIPE_API_BASE must look like http://host:port, got "${apiBase}": fix it, or unset it`);
  }
  return {
    secretKey,
    webhookSecret,
    apiBase,
    successUrl: env.CHECKOUT_SUCCESS_URL || 'http://localhost:4000/checkout/success?session_id={CHECKOUT_SESSION_ID}',
    cancelUrl: env.CHECKOUT_CANCEL_URL || 'http://localhost:4000/checkout/cancelled',
  };
}
