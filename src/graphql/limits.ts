import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Context } from './context';
import { apiError } from './errors';

/** Query-shape limits, enforced at validation (GRAPHQL_VALIDATION_FAILED / GRAPHQL_PARSE_FAILED). */
export const QUERY_LIMITS = { maxDepth: 8, maxCost: 5000, maxAliases: 15, maxDirectives: 20, maxTokens: 2000 };

/** graphql-armor's depth, cost, alias, directive and token limits, plus no batched HTTP requests. */
export function queryShapeLimits(production: boolean) {
  return new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ignoreIntrospection: true },
    costLimit: { maxCost: QUERY_LIMITS.maxCost, ignoreIntrospection: true },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    maxTokens: { n: QUERY_LIMITS.maxTokens },
    // Suggestions ("did you mean …") help developers and attackers alike; only offer them outside production.
    blockFieldSuggestion: { enabled: production },
  }).protect();
}

/**
 * At most `perMinute` mutations per user per minute on this instance (fixed one-minute windows),
 * answered with RATE_LIMITED and HTTP 429. Per instance by design: it protects the instance, not a
 * global quota, and costs no database round trip.
 */
export function mutationRateLimit(perMinute: number, now: () => number = Date.now): ApolloServerPlugin<Context> {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          const caller = contextValue.caller;
          if (operation?.operation !== 'mutation' || !caller) return;
          const minute = Math.floor(now() / 60_000) * 60_000;
          if (windows.size > 100_000) for (const [id, w] of windows) if (w.start < minute) windows.delete(id);
          const window = windows.get(caller.id);
          if (!window || window.start !== minute) {
            windows.set(caller.id, { start: minute, count: 1 });
            return;
          }
          window.count += 1;
          if (window.count > perMinute) {
            const retryAfterSeconds = Math.ceil((minute + 60_000 - now()) / 1000);
            throw apiError('RATE_LIMITED', `At most ${perMinute} mutations per minute; retry in ${retryAfterSeconds} s`, {
              retryAfterSeconds,
              http: { status: 429 },
            });
          }
        },
      };
    },
  };
}
