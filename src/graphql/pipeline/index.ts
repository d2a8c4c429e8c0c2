import type { Logger } from '../../logger';
import { queryShapeLimits, type QueryShapeLimits } from './limits';
import { errorMasking, type FormatError } from '../masking';
import { mutationRateLimiter, type RateLimiter } from './rateLimit';
import { withRequestId } from './requestId';

/**
 * The safeguards every operation passes, whatever its transport: query-shape limits at parse and
 * validation, the per-user mutation rate limit, and error masking. Built once per instance and
 * handed to both Apollo (HTTP) and graphql-ws (WebSocket), so the two cannot drift apart.
 */
export interface OperationPipeline {
  limits: QueryShapeLimits;
  rateLimiter: RateLimiter;
  formatError: FormatError;
  production: boolean;
}

export function operationPipeline(options: { logger: Logger; production: boolean; mutationsPerMinute: number }): OperationPipeline {
  return {
    limits: queryShapeLimits(options.production),
    rateLimiter: mutationRateLimiter(options.mutationsPerMinute),
    formatError: withRequestId(errorMasking(options.logger, options.production)),
    production: options.production,
  };
}
