import type { TestProject } from 'vitest/node';
import { startEmbeddedReplSet } from '../../src/dev';
import { startStripeMock } from '../../src/dev';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    stripeApiBase: string;
  }
}

/**
 * Starts one real replica set and one stripe-mock for the run, unless MONGODB_URI / STRIPE_API_BASE
 * name existing ones.
 */
export default async function setup(project: TestProject) {
  const existing = process.env.MONGODB_URI;
  const replSet = existing ? undefined : await startEmbeddedReplSet({ testCommands: true });
  project.provide('mongoUri', existing ?? replSet!.uri);
  const stripeMock = process.env.STRIPE_API_BASE ? undefined : await startStripeMock();
  project.provide('stripeApiBase', process.env.STRIPE_API_BASE ?? stripeMock!.url);
  return async () => {
    await stripeMock?.stop();
    await replSet?.stop();
  };
}
