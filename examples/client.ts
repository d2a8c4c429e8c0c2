import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
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

/**
 * Sends each operation as the manifest holds it: that text, and its sha256 in
 * `extensions.persistedQuery` (the Apollo/Yoga wire format), so a server started with
 * TRUSTED_DOCUMENTS runs it, and any other server too (the text's hash is the one sent).
 */
function asTrustedDocument(byName: ReturnType<typeof manifestByName>): RequestMiddleware {
  return (request) => {
    const entry = request.operationName ? byName.get(request.operationName) : undefined;
    if (!entry || typeof request.body !== 'string') return request;
    const body = JSON.parse(request.body) as Record<string, unknown>;
    const extensions = { persistedQuery: { version: 1, sha256Hash: entry.hash } };
    return { ...request, body: JSON.stringify({ ...body, query: entry.query, extensions }) };
  };
}

let trusted: ReturnType<typeof manifestByName> | undefined;

/** A graphql-request client that sends the token on every request, and every operation as its trusted document. */
export function connect({ endpoint, token }: Api): GraphQLClient {
  trusted ??= manifestByName();
  return new GraphQLClient(endpoint, { headers: { authorization: `Bearer ${token}` }, requestMiddleware: asTrustedDocument(trusted) });
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
