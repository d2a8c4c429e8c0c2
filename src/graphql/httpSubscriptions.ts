import type { ApolloServerPlugin } from '@apollo/server';
import { DomainError } from '../errors';
import { toGraphQLError } from './errors';

/**
 * Subscriptions are served by graphql-ws only. Apollo would otherwise execute one over HTTP like a
 * query, with no event to resolve, and answer INTERNAL_SERVER_ERROR; this makes it a 400.
 */
export function refuseSubscriptionsOverHttp<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw toGraphQLError(
            new DomainError('BAD_REQUEST', 'Subscriptions are served over WebSocket (graphql-ws) on this path, not HTTP'),
          );
        },
      };
    },
  };
}
