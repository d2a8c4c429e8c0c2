import { fileURLToPath } from 'node:url';
import { loadTrustedManifest, type TrustedManifest } from '../../src/graphql';
import type { TestApp } from './app';

/** The manifest `npm run codegen` writes: the examples' and the page's operations. */
export const MANIFEST_PATH = fileURLToPath(new URL('../../examples/gql/persisted-documents.json', import.meta.url));

export const repoManifest = (): TrustedManifest => loadTrustedManifest(MANIFEST_PATH);

/** One operation by its hash (the Apollo/Yoga wire format), optionally with a `query` too. */
export function byHash(sha256Hash: string, query?: string) {
  return { ...(query === undefined ? {} : { query }), extensions: { persistedQuery: { version: 1, sha256Hash } } };
}

/** A GraphQL POST with any body, answered with its status, headers and JSON body. */
export async function postGraphQL(app: Pick<TestApp, 'url'>, body: unknown, token?: string) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}
