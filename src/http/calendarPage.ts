import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';

const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
/** graphql-ws's ESM build (client.js and the chunk it imports), straight from node_modules: no build step. */
const GRAPHQL_WS_DIST = dirname(createRequire(import.meta.url).resolve('graphql-ws'));

/** The live calendar at `/` (plain HTML and JS in web/) and the graphql-ws client it imports. */
export function serveCalendarPage(app: Express): void {
  app.use('/vendor/graphql-ws', express.static(GRAPHQL_WS_DIST, { index: false, fallthrough: false }));
  app.use(express.static(WEB_DIR, { index: 'index.html' }));
}
