import type { Request } from 'express';
import { asGraphQLError, type Context, type NamedDocument, type OperationPipeline } from '../graphql';

/** `extensions` of a GET: JSON in the search parameters, as Apollo reads it (undefined when it is not JSON: Apollo refuses that itself). */
function jsonParameter(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** How an HTTP request names its document, as Apollo reads it: a POST's JSON body, a GET's search parameters. */
function namedDocument(req: Request): NamedDocument {
  if (req.method === 'GET') return { query: req.query.query, extensions: jsonParameter(req.query.extensions) };
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
}

/**
 * The context of a GraphQL request over HTTP, or the error that refuses it before Apollo parses
 * anything: with TRUSTED_DOCUMENTS, a document that is not trusted (FORBIDDEN, HTTP 403) or a hash
 * the manifest lacks (PERSISTED_QUERY_NOT_FOUND, 404), checked before the caller is read; then the
 * caller, read for every request (a bad token is UNAUTHENTICATED, 401).
 */
export function graphqlContext(pipeline: OperationPipeline) {
  return async ({ req }: { req: Request }): Promise<Context> => {
    try {
      pipeline.trustedQuery(namedDocument(req));
      return await pipeline.requestContext(req.headers.authorization);
    } catch (error) {
      throw asGraphQLError(error);
    }
  };
}
