import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { DomainError } from '../errors';
import type { Logger } from '../logger';

/** How the identity provider's key set is fetched and kept (README › Deployment › Tokens from an identity provider). */
export interface KeySetTiming {
  /** After a fetch that succeeded, the least time before the next one: an unknown `kid` refetches at most this often. */
  refetchIntervalMs: number;
  /** After a fetch that failed, the least time before the next one: an unreachable provider is not asked on every request. */
  retryIntervalMs: number;
  /** A set older than this is fetched again, in the background, when next used; the old one serves meanwhile, and on if that fails. */
  maxAgeMs: number;
  /** One fetch, body included; past it the fetch has failed. */
  timeoutMs: number;
}

export const DEFAULT_KEY_SET_TIMING: KeySetTiming = {
  refetchIntervalMs: 30_000,
  retryIntervalMs: 5_000,
  maxAgeMs: 10 * 60_000,
  timeoutMs: 3_000,
};

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * The provider's public keys, fetched when first needed and kept. A token whose `kid` is not in
 * the set fetches it again (a rotation needs no restart), but never more often than the timing
 * allows, and concurrent requests share one fetch. A set is never dropped for a failed fetch.
 * When no set can be had, or the `kid` is unknown and the latest fetch failed, the token cannot be
 * judged: SERVICE_UNAVAILABLE (retryable), not UNAUTHENTICATED, since it may well be valid.
 */
export function remoteKeySet(url: URL, timing: KeySetTiming, logger?: Logger): JWTVerifyGetKey {
  let local: LocalKeySet | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let failedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;

  const lastFailed = () => failedAt > fetchedAt;
  const mayFetch = (now = Date.now()) => now - fetchedAt >= timing.refetchIntervalMs && now - failedAt >= timing.retryIntervalMs;

  function refresh(): Promise<void> {
    pending ??= fetchKeySet(url, timing.timeoutMs)
      .then(
        (set) => {
          local = set;
          fetchedAt = Date.now();
          logger?.debug({ url: url.href }, 'identity provider key set fetched');
        },
        (error: unknown) => {
          failedAt = Date.now();
          logger?.warn({ url: url.href, err: error }, 'could not fetch the identity provider key set');
        },
      )
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  /** Waits for the fetch under way, or one the timing allows now; resolves either way (the outcome is in fetchedAt/failedAt). */
  const refreshIfAllowed = () => (pending || mayFetch() ? refresh() : Promise.resolve());

  return async (header, token) => {
    if (!local) await refreshIfAllowed();
    else if (Date.now() - fetchedAt >= timing.maxAgeMs && mayFetch()) void refresh();
    const keys = local;
    if (!keys) throw unavailable(timing);
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      await refreshIfAllowed();
      if (lastFailed()) throw unavailable(timing);
      // No newer set (the interval had not passed): the kid stays unknown.
      const current = local;
      if (!current || current === keys) throw error;
      return current(header, token);
    }
  };
}

function unavailable(timing: KeySetTiming): DomainError {
  return new DomainError('SERVICE_UNAVAILABLE', "The identity provider's signing keys cannot be fetched right now; retry shortly", {
    retryable: true,
    retryAfterSeconds: Math.max(1, Math.ceil(timing.retryIntervalMs / 1000)),
  });
}

async function fetchKeySet(url: URL, timeoutMs: number): Promise<LocalKeySet> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'manual',
    headers: { accept: 'application/jwk-set+json, application/json' },
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`the key set answered HTTP ${response.status}`);
  }
  // Throws JWKSInvalid for anything that is not a key set.
  return createLocalJWKSet((await response.json()) as JSONWebKeySet);
}
