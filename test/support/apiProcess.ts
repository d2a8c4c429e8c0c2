import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  /** Every log line the process printed so far (pino JSON). */
  lines: string[];
  /** Resolves with the exit code (or signal) and how long after `since` it came. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** The server from source (`npm run dev`'s way), or the compiled build (`npm start`'s; `npm run build` first). */
export const FROM_SOURCE = [join('node_modules', '.bin', 'tsx'), 'src/main.ts'];
export const FROM_BUILD = [process.execPath, 'dist/main.js'];

/**
 * The server as a real child process on a free port, against the given replica set and
 * stripe-mock, so tests can SIGTERM or SIGKILL it. Resolves once it listens.
 */
export async function startApiProcess(env: Record<string, string>, timeoutMs = 30_000, command = FROM_SOURCE): Promise<ApiProcess> {
  const child = spawn(command[0], command.slice(1), {
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'race-free-api-')),
      SWEEP_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API did not start within ${timeoutMs} ms:\n${lines.join('')}`)), timeoutMs);
    const read = (chunk: Buffer) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        lines.push(line);
        const match = /http:\/\/localhost:(\d+)\/graphql/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${match[1]}`);
        }
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then(({ code }) => reject(new Error(`the API exited with ${code} before listening:\n${lines.join('\n')}`)));
  });
  return { child, url, lines, exited };
}

/** `npm start`'s own command: scripts/start.js builds dist/ when src/ changed, then runs it in the same process. */
export const FROM_START = [process.execPath, 'scripts/start.js'];

export interface FinishedProcess {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The server as a real child process that is expected to exit by itself (a failed start): resolves
 * with its exit code and output. `env` is laid over the test's environment; `undefined` removes a
 * variable. Past `timeoutMs` the process is killed and the promise rejects.
 */
export function runToExit(env: Record<string, string | undefined>, timeoutMs = 30_000, command = FROM_START): Promise<FinishedProcess> {
  const merged: Record<string, string | undefined> = { ...process.env, PORT: '0', SWEEP_INTERVAL_MS: '0', LOG_LEVEL: 'info', ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  const child = spawn(command[0], command.slice(1), { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += String(chunk)));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the API did not exit within ${timeoutMs} ms:\n${output.stdout}${output.stderr}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ...output });
    });
  });
}
