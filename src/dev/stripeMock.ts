import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cacheDir, installIntoCache, onPath } from './provisionCache';

export const STRIPE_MOCK_VERSION = '0.203.0';
const MODULE = `github.com/stripe/stripe-mock@v${STRIPE_MOCK_VERSION}`;
const LISTENING = /Listening for HTTP at address: (\S+):(\d+)/;

export interface StripeMockBinary {
  path: string;
  route: 'env' | 'path' | 'cache' | 'go-install';
}

export interface RunningStripeMock {
  /** e.g. `http://127.0.0.1:39399`, ready for `STRIPE_API_BASE`. */
  url: string;
  stop(): Promise<void>;
}

/** Builds stripe-mock with `go install` and moves it into the cache. */
function installWithGo(target: string): void {
  installIntoCache(target, (work) => {
    execFileSync('go', ['install', MODULE], {
      cwd: work,
      env: { ...process.env, GOBIN: join(work, 'bin') },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    return join(work, 'bin', 'stripe-mock');
  });
}

/**
 * Finds stripe-mock: `STRIPE_MOCK_BINARY` → `stripe-mock` on PATH → the cache → `go install` of
 * v0.203.0 into the cache (about 20 s, once per machine). The cache folder names the version
 * because the binary itself only reports "master". Idempotent; prints the route once.
 */
export function resolveStripeMockBinary(log: (line: string) => void = console.log): StripeMockBinary {
  const report = (binary: StripeMockBinary) => {
    log(`stripe-mock: using ${binary.path} (route: ${binary.route})`);
    return binary;
  };
  if (process.env.STRIPE_MOCK_BINARY) return report({ path: process.env.STRIPE_MOCK_BINARY, route: 'env' });
  const fromPath = onPath('stripe-mock');
  if (fromPath) return report({ path: fromPath, route: 'path' });
  const cached = join(cacheDir(), `stripe-mock-${STRIPE_MOCK_VERSION}`, 'stripe-mock');
  if (existsSync(cached)) return report({ path: cached, route: 'cache' });
  log(`stripe-mock: building v${STRIPE_MOCK_VERSION} with go install into ${cached} (one time)`);
  try {
    installWithGo(cached);
  } catch (error) {
    throw new Error(`stripe-mock could not be built (${(error as Error).message}); install Go 1.22+ or set STRIPE_MOCK_BINARY`);
  }
  return report({ path: cached, route: 'go-install' });
}

/**
 * Starts stripe-mock on ports the system picks and resolves once it prints its HTTP address. Both
 * addresses are given because with only `-http-addr` it still binds HTTPS on the fixed port 12112.
 */
export async function startStripeMock(options: { log?: (line: string) => void; timeoutMs?: number } = {}): Promise<RunningStripeMock> {
  const binary = resolveStripeMockBinary(options.log);
  const child = spawn(binary.path, ['-http-addr', '127.0.0.1:', '-https-addr', '127.0.0.1:'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('stripe-mock did not report its address in time')), options.timeoutMs ?? 30_000);
      const onLine = (line: string) => {
        output.push(line);
        const match = LISTENING.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(`http://${match[1]}:${match[2]}`);
        }
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`stripe-mock exited with code ${code}`));
      });
    });
    return { url, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw new Error(`${(error as Error).message}; its output was:\n${output.join('\n')}`);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
