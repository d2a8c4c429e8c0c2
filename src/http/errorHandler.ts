import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { requestScopeOf } from './requestId';

/** The body of every answer the HTTP layer gives itself: the same shape as a GraphQL error response. */
function errorBody(code: string, message: string, res: Response) {
  const requestId = requestScopeOf(res)?.requestId;
  return { errors: [{ message, extensions: { code, ...(requestId ? { requestId } : {}) } }] };
}

/** Answers an error the HTTP layer decides itself (outside GraphQL), with the request's id like any other. */
export function sendError<C extends string = ErrorCode>(res: Response, status: number, code: C, message: string): void {
  res.status(status).json(errorBody(code, message, res));
}

/** What body-parser, serve-static and other http-errors style failures carry: a 4xx the client caused. */
interface ClientHttpError {
  status: number;
  type?: string;
  limit?: number;
  /** Only when the error says it may be shown (a missing file's message names a local path). */
  message?: string;
}

/** The fields http-errors (used by body-parser and serve-static) puts on an error. */
interface HttpErrorLike {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  limit?: number;
  message?: string;
}

function clientError(error: unknown): ClientHttpError | undefined {
  const candidate = error as HttpErrorLike | null;
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const status = candidate.status ?? candidate.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  return { status, type: candidate.type, limit: candidate.limit, message: candidate.expose ? String(candidate.message) : undefined };
}

/** body-parser's messages quote parser internals ("Unexpected token…"); these say what to fix. */
function clientMessage(error: ClientHttpError): string {
  if (error.type === 'entity.parse.failed') return 'The request body must be a JSON object';
  if (error.type === 'entity.too.large') {
    return error.limit ? `The request body is larger than ${error.limit} bytes` : 'The request body is too large';
  }
  return error.message ?? (error.status === 404 ? 'Not found' : 'The request could not be read');
}

/**
 * Mounted after every route, so whatever Express itself would answer (its HTML error page, with a
 * stack trace and file paths outside production) is answered in JSON, in the shape of a GraphQL
 * error, on every path and in every mode:
 * - an unknown route or static file is 404 `NOT_FOUND`;
 * - a request the client got wrong before GraphQL saw it (malformed or non-object JSON, a body over
 *   the limit, an unknown charset or encoding) keeps its 4xx status (400, 413, 415) with
 *   `BAD_REQUEST`: the status says which, so clients switch on one code for "fix the request";
 * - anything else is a bug or an outage: logged in full, answered 500 `INTERNAL_SERVER_ERROR`.
 */
export function jsonFallbacks(logger: Logger): [RequestHandler, ErrorRequestHandler] {
  const unknownRoute: RequestHandler = (req, res) => {
    sendError(res, 404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`);
  };
  const errorHandler: ErrorRequestHandler = (error, req, res, next) => {
    // Part of the answer is already out; Express's own handler then just closes the connection.
    if (res.headersSent) return next(error);
    const client = clientError(error);
    if (client) {
      logger.debug({ err: error, method: req.method, path: req.path }, 'refused a malformed HTTP request');
      sendError(res, client.status, client.status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', clientMessage(client));
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unexpected error in an HTTP request');
    sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  };
  return [unknownRoute, errorHandler];
}
