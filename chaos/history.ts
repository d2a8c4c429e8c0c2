/**
 * The client-side record of the run: every operation as the client saw it. `ok` means the API
 * answered with data (the effect, or a typed "nothing happened" like InsufficientFunds); `failed`
 * a non-retryable error (no effect); `unknown` the client gave up retrying, so the effect may or
 * may not have happened, but at most once.
 */
export type Outcome = 'ok' | 'failed' | 'unknown';

export interface Operation {
  id: number;
  kind: string;
  /** Who sent it (the token's user), so a replay uses the same scope. */
  userId: string;
  role: 'user' | 'admin';
  query: string;
  variables: Record<string, unknown>;
  outcome: Outcome;
  /** `data` of the answer when ok. */
  data?: any;
  /** The final error code when failed, or the last one seen when unknown. */
  code?: string;
  attempts: number;
  startedAt: number;
  endedAt: number;
}

export interface Unavailability {
  /** Longest stretch a client spent retrying one operation before it was answered or given up. */
  longestMs: number;
  longestKind?: string;
}

export class History {
  readonly operations: Operation[] = [];
  readonly unavailability: Unavailability = { longestMs: 0 };
  /** Answers that are product bugs whatever the fault: INTERNAL_SERVER_ERROR and the like. */
  readonly anomalies: string[] = [];
  private nextId = 1;

  begin(op: Omit<Operation, 'id' | 'outcome' | 'attempts' | 'startedAt' | 'endedAt'>): Operation {
    const recorded: Operation = { ...op, id: this.nextId++, outcome: 'unknown', attempts: 0, startedAt: Date.now(), endedAt: 0 };
    this.operations.push(recorded);
    return recorded;
  }

  noteRetrying(kind: string, ms: number): void {
    if (ms > this.unavailability.longestMs) {
      this.unavailability.longestMs = ms;
      this.unavailability.longestKind = kind;
    }
  }

  byKind(kind: string): Operation[] {
    return this.operations.filter((op) => op.kind === kind);
  }
}
