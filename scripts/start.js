/**
 * npm start: builds dist/ if src/ changed since the last build, then runs the compiled server in
 * this same process (so SIGINT/SIGTERM reach its handlers directly). Plain JavaScript: it runs
 * after `npm ci --omit=dev`, where tsx is not installed.
 */
import { buildIfStale } from './build.js';

await buildIfStale();
await import('../dist/main.js');
