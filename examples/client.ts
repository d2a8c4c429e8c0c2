import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, parse } from 'graphql';
import { GraphQLClient, type RequestMiddleware } from 'graphql-request';

/** Where the API is and who is calling: `endpoint` is `http://host:port/graphql`, `token` a bearer token (`npm run token -- alice`). */
export interface Api {
  endpoint: string;
  token: string;
}

/**
 * The trusted-documents manifest `npm run codegen` writes beside the types (sha256 in hex → the
 * document as the server is to run it), by operation name: names are unique across the documents.
 */
function manifestByName(): Map<string, { hash: string; query: string }> {
  const manifest = JSON.parse(readFileSync(new URL('./gql/persisted-documents.json', import.meta.url), 'utf8')) as Record<string, string>;
  const byName = new Map<string, { hash: string; query: string }>();
  for (const [hash, query] of Object.entries(manifest)) {
    const name = getOperationAST(parse(query))?.name?.value;
    if (name) byName.set(name, { hash, query });
  }
  return byName;
}

let trusted: ReturnType<typeof manifestByName> | undefined;

/** The manifest's entry for an operation, by name (undefined for one it lacks). */
function trustedEntry(operationName: string): { hash: string; query: string } | undefined {
  trusted ??= manifestByName();
  return trusted.get(operationName);
}

/** The Apollo/Yoga wire format naming a trusted document by its sha256. */
const persistedQuery = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

/**
 * Sends each operation as the manifest holds it: that text, and its sha256 in
 * `extensions.persistedQuery` (the Apollo/Yoga wire format), so a server started with
 * TRUSTED_DOCUMENTS runs it, and any other server too (the text's hash is the one sent).
 */
const asTrustedDocument: RequestMiddleware = (request) => {
  const entry = request.operationName ? trustedEntry(request.operationName) : undefined;
  if (!entry || typeof request.body !== 'string') return request;
  const body = JSON.parse(request.body) as Record<string, unknown>;
  return { ...request, body: JSON.stringify({ ...body, query: entry.query, extensions: persistedQuery(entry.hash) }) };
};

/** A graphql-request client that sends the token on every request, and every operation as its trusted document. */
export function connect({ endpoint, token }: Api): GraphQLClient {
  return new GraphQLClient(endpoint, { headers: { authorization: `Bearer ${token}` }, requestMiddleware: asTrustedDocument });
}

/** One operation as graphql-ws (or any GraphQL-over-HTTP client) sends it. */
export interface OperationPayload<TVariables> {
  operationName: string;
  query: string;
  variables: TVariables;
  extensions: ReturnType<typeof persistedQuery>;
}

/**
 * A typed document as the WebSocket examples send it: the manifest's text and hash, as `connect`
 * sends it over HTTP. The document must be one of the manifest's (every `graphql(...)` in examples/ is).
 */
export function trustedPayload<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): OperationPayload<TVariables> {
  const operationName = getOperationAST(document)?.name?.value;
  const entry = operationName ? trustedEntry(operationName) : undefined;
  if (!operationName || !entry) throw new Error(`${operationName ?? 'an anonymous operation'} is not in the manifest: run npm run codegen`);
  return { operationName, query: entry.query, variables, extensions: persistedQuery(entry.hash) };
}

/** For the `default:` of a switch over `__typename`: compiles only while every member is handled. */
export function assertNever(value: never): never {
  throw new Error(`unexpected answer: ${JSON.stringify(value)}`);
}

/** True when `moduleUrl` (its `import.meta.url`) is the script run, as in `npx tsx examples/booking.ts`. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/** `API_URL` (default `http://localhost:4000/graphql`) and `TOKEN` from the environment. */
export function apiFromEnv(): Api {
  const token = process.env.TOKEN;
  if (!token) throw new Error('set TOKEN to a bearer token, e.g. TOKEN=$(npm run -s token -- alice)');
  return { endpoint: process.env.API_URL ?? 'http://localhost:4000/graphql', token };
}
