import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { DomainError } from '../errors';
import { type ErrorResponse, errorResponse } from '../errorResponse';
import type { Logger } from '../logger';
import { requestScopeOf } from './requestId';

/**
 * Answers an error outside GraphQL in the shape of a GraphQL error response, with the request's id
 * like any other: the status, code, extensions and `Retry-After` the one error table
 * (src/errorResponse.ts) gives, or a parser's own 4xx (below).
 */
export function sendErrorResponse(res: Response, response: Pick<ErrorResponse, 'status' | 'message' | 'extensions' | 'headers'>): void {
  const requestId = requestScopeOf(res)?.requestId;
  const extensions = { ...response.extensions, ...(requestId ? { requestId } : {}) };
  res
    .status(response.status)
    .set(response.headers)
    .json({ errors: [{ message: response.message, extensions }] });
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
 * - anything else is answered as the one error table says (src/errorResponse.ts): a bug is logged in
 *   full and answered 500 `INTERNAL_SERVER_ERROR`.
 */
export function jsonFallbacks(logger: Logger): [RequestHandler, ErrorRequestHandler] {
  const unknownRoute: RequestHandler = (req, res) => {
    sendErrorResponse(res, errorResponse(new DomainError('NOT_FOUND', `No route for ${req.method} ${req.path}`)));
  };
  const errorHandler: ErrorRequestHandler = (error, req, res, next) => {
    // Part of the answer is already out; Express's own handler then just closes the connection.
    if (res.headersSent) return next(error);
    const client = clientError(error);
    if (client) {
      logger.debug({ err: error, method: req.method, path: req.path }, 'refused a malformed HTTP request');
      const code = client.status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
      sendErrorResponse(res, { status: client.status, message: clientMessage(client), extensions: { code }, headers: {} });
      return;
    }
    const response = errorResponse(error);
    if (response.bug) logger.error({ err: error, method: req.method, path: req.path }, 'unexpected error in an HTTP request');
    else if (response.kind === 'outage')
      logger.warn({ err: error, method: req.method, path: req.path }, 'MongoDB unavailable during an HTTP request');
    sendErrorResponse(res, response);
  };
  return [unknownRoute, errorHandler];
}
