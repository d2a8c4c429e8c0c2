import type { ApolloServerOptions, ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import type { Context } from './context';
import { asGraphQLError } from './errors';
import { isRefused, type OperationPipeline } from './pipeline';

type DocumentStore = NonNullable<ApolloServerOptions<Context>['documentStore']>;

/**
 * With TRUSTED_DOCUMENTS, Apollo is handed the trusted text to run rather than the client's way of
 * naming it: `query` becomes the manifest's text and `extensions.persistedQuery` is dropped (Apollo's
 * own persisted queries are off then). A request the manifest refuses was answered when its context
 * was created (src/http/graphqlContext.ts); one that gets here all the same (Apollo's
 * `executeOperation` creates no context) is made one Apollo refuses itself, and never runs.
 */
function runTrustedText(pipeline: OperationPipeline, request: GraphQLRequest): void {
  let text: string | undefined;
  try {
    text = pipeline.trustedQuery(request);
  } catch {
    request.query = undefined;
    request.extensions = { persistedQuery: { version: 1, sha256Hash: '' } };
    return;
  }
  if (text === undefined) return;
  request.query = text;
  if (request.extensions) {
    const { persistedQuery: _named, ...rest } = request.extensions;
    request.extensions = rest;
  }
}

/**
 * GraphQL over HTTP through the one pipeline. Apollo runs its own request lifecycle, in which it
 * parses and validates a query unless its document store answers with the document. So as soon as
 * Apollo has the query's text (`didResolveSource`) the pipeline prepares it and hands the document
 * to the store, and Apollo executes the pipeline's document. A document the pipeline refuses is not
 * handed over: Apollo then parses and validates it with the same limits (they are the pipeline's)
 * only to answer the refusal its HTTP way (400, GRAPHQL_PARSE_FAILED or GRAPHQL_VALIDATION_FAILED).
 * Once Apollo has the operation (`didResolveOperation`), the pipeline admits it with the caller read
 * for this request (RATE_LIMITED, HTTP 429). With TRUSTED_DOCUMENTS, Apollo only ever sees a
 * trusted document's text (see runTrustedText).
 */
export function apolloPipeline(pipeline: OperationPipeline): { documentStore: DocumentStore; plugin: ApolloServerPlugin<Context> } {
  /** By Apollo's query hash: the document prepared for requests about to ask the store, and how many of them there are. */
  const handedOver = new Map<string, { document: DocumentNode; waiting: number }>();

  function handOver(queryHash: string, document: DocumentNode): void {
    const offered = handedOver.get(queryHash);
    if (offered) offered.waiting += 1;
    else handedOver.set(queryHash, { document, waiting: 1 });
  }

  const documentStore: DocumentStore = {
    async get(key) {
      // Apollo asks for `<schema hash>:<query hash>`, right after `didResolveSource`.
      const queryHash = key.slice(key.lastIndexOf(':') + 1);
      const offered = handedOver.get(queryHash);
      if (!offered) return undefined;
      offered.waiting -= 1;
      if (offered.waiting === 0) handedOver.delete(queryHash);
      return offered.document;
    },
    // What Apollo parsed and validated itself is not kept: the pipeline's documents are the only ones handed out.
    async set() {},
    async delete() {},
  };

  const plugin: ApolloServerPlugin<Context> = {
    async requestDidStart({ request }) {
      if (pipeline.trustedOnly) runTrustedText(pipeline, request);
      return {
        async didResolveSource({ source, queryHash }) {
          const document = pipeline.prepareDocument(source);
          if (!isRefused(document)) handOver(queryHash, document);
        },
        async didResolveOperation({ operation, contextValue }) {
          // Without an operation to run, Apollo answers the request itself.
          if (!operation) return;
          try {
            await pipeline.admitOperation(operation, { request: contextValue });
          } catch (error) {
            throw asGraphQLError(error);
          }
        },
      };
    },
  };
  return { documentStore, plugin };
}
