// Proves G11 (README › Guarantees): the one error table every transport answers from.
import { MongoNetworkError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { AssertionFailed } from '../src/assert';
import { DomainError } from '../src/errors';
import { errorResponse } from '../src/errorResponse';

describe('when an error reaches a transport', () => {
  it('answers a domain error with its code, details and status, failing a GraphQL request only for request-wide codes', () => {
    const input = errorResponse(new DomainError('BAD_USER_INPUT', 'amount: too much', { field: 'amount' }));
    expect(input).toMatchObject({ kind: 'refusal', status: 400, failsRequest: false, retryable: false, bug: false });
    expect(input.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'amount' });
    const limited = errorResponse(new DomainError('RATE_LIMITED', 'slow down', { retryable: true, retryAfterSeconds: 7 }));
    expect(limited).toMatchObject({ status: 429, failsRequest: true, retryable: true, headers: { 'retry-after': '7' } });
  });

  it('answers MongoDB being unreachable as a retryable 503 with Retry-After', () => {
    const outage = errorResponse(new MongoNetworkError('connection reset'));
    expect(outage).toMatchObject({ kind: 'outage', status: 503, code: 'SERVICE_UNAVAILABLE', retryable: true, bug: false });
    expect(outage.headers).toEqual({ 'retry-after': '2' });
  });

  it('answers a failed assertion and any other error as a bug, telling nothing of it', () => {
    for (const [error, kind] of [
      [new AssertionFailed('one outcome per order'), 'assertion'],
      [new TypeError('x is undefined'), 'unexpected'],
      ['a string', 'unexpected'],
    ] as const) {
      const response = errorResponse(error);
      expect(response).toMatchObject({ kind, bug: true, status: 500, failsRequest: false, retryable: false });
      expect([response.message, response.extensions, response.headers]).toEqual([
        'Internal server error',
        { code: 'INTERNAL_SERVER_ERROR' },
        {},
      ]);
    }
  });
});
