import { pathToFileURL } from 'node:url';
import { GraphQLClient } from 'graphql-request';

/** Where the API is and who is calling: `endpoint` is `http://host:port/graphql`, `token` a bearer token (`npm run token -- alice`). */
export interface Api {
  endpoint: string;
  token: string;
}

/** A graphql-request client that sends the token on every request. */
export function connect({ endpoint, token }: Api): GraphQLClient {
  return new GraphQLClient(endpoint, { headers: { authorization: `Bearer ${token}` } });
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
