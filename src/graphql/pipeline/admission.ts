import type { OperationDefinitionNode } from 'graphql';
import { callerFromAuthorization, type TokenSettings, tokenVerifier } from '../../auth';
import type { Logger } from '../../logger';
import type { Services } from '../../services';
import type { UserView } from '../../users';
import type { Context } from '../context';
import type { RateLimiter } from './rateLimit';

/**
 * The caller as the transport read them before the operation: HTTP reads them for every request,
 * into the request's context; a WebSocket once, when the connection opened.
 */
export type CallerReading = { request: Context } | { connection: UserView | undefined };

/** Told once an operation's type and context are known, before the rate count may refuse it (for its metrics). */
export type OnResolved = (operation: OperationDefinitionNode, contextValue: Context) => void;

export interface Admission {
  /** The caller an `Authorization` value names, verified and read from the users; throws UNAUTHENTICATED for a bad token. */
  recognise(authorization: unknown): Promise<UserView | undefined>;
  /** An HTTP request's context: its caller, read for this request. */
  requestContext(authorization: unknown): Promise<Context>;
  /** The context the operation runs with, once its caller is current and its mutation counted (throws RATE_LIMITED). */
  admitOperation(operation: OperationDefinitionNode, reading: CallerReading, onResolved?: OnResolved): Promise<Context>;
}

export interface AdmissionOptions extends TokenSettings {
  logger?: Logger;
  services: Services;
  rateLimiter: RateLimiter;
}

/** Who an operation acts as, and whether it may run now. */
export function operationAdmission(options: AdmissionOptions): Admission {
  const { services, rateLimiter } = options;
  const contextOf = (caller: UserView | undefined): Context => ({ caller, services });
  // One per instance: an identity provider's keys are fetched and kept once for both transports.
  const verify = tokenVerifier(options);

  async function recognise(authorization: unknown): Promise<UserView | undefined> {
    const claims = await callerFromAuthorization(verify, authorization);
    return claims && (await services.users.recognise(claims));
  }

  // A mutation acts as the caller is now, as an HTTP request does: their role and suspension are
  // read again for it (a hold relies on that read to refuse a suspended caller), not taken from
  // when the connection opened. Queries and subscriptions keep the connection's reading.
  async function contextFor(operation: OperationDefinitionNode, reading: CallerReading): Promise<Context> {
    if ('request' in reading) return reading.request;
    const caller = reading.connection;
    return contextOf(operation.operation === 'mutation' && caller ? await services.users.recognise(caller) : caller);
  }

  return {
    recognise,
    requestContext: async (authorization) => contextOf(await recognise(authorization)),
    async admitOperation(operation, reading, onResolved) {
      const contextValue = await contextFor(operation, reading);
      onResolved?.(operation, contextValue);
      if (operation.operation === 'mutation' && contextValue.caller) rateLimiter.countMutation(contextValue.caller.id);
      return contextValue;
    },
  };
}
