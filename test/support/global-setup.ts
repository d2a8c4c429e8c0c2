import type { TestProject } from 'vitest/node';
import { startEmbeddedReplSet } from '../../src/mongo/embedded';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

/** Starts one real replica set for the run, unless MONGODB_URI names an existing one. */
export default async function setup(project: TestProject) {
  const existing = process.env.MONGODB_URI;
  const replSet = existing ? undefined : await startEmbeddedReplSet();
  project.provide('mongoUri', existing ?? replSet!.uri);
  return async () => {
    await replSet?.stop();
  };
}
