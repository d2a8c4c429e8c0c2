import type { MongoClient, Timestamp } from 'mongodb';
import type { AccountDocument, Ledger, LedgerEntryDocument } from '../ledger';
import { readAtSnapshot } from '../mongo';
import { type Commit, cursorOf, parseCursor } from './commits';
import { sharedResets } from './sharedResets';
import type { CommitHistory } from './history';
import { UpdateStream } from './updateStream';

export interface AccountUpdateMessage {
  cursor: string;
  reset: boolean;
  account: AccountDocument;
  entries: LedgerEntryDocument[];
}

type Stream = UpdateStream<AccountUpdateMessage>;

/** A slow subscriber's waiting updates, merged: the newest account, every entry in order. */
const mergeUpdates = (older: AccountUpdateMessage, newer: AccountUpdateMessage): AccountUpdateMessage => ({
  cursor: newer.cursor,
  reset: older.reset,
  account: newer.account,
  entries: [...older.entries, ...newer.entries],
});

/** The commit's change to one account (its state as the commit left it, the entries it wrote), if it changed it. */
function updateOf(commit: Commit, accountId: string): AccountUpdateMessage | undefined {
  const account = commit.accounts.find((doc) => doc._id.toHexString() === accountId);
  if (!account) return undefined;
  const entries = commit.entries.filter((entry) => entry.accountId.toHexString() === accountId);
  return { cursor: commit.cursor, reset: false, account, entries };
}

/**
 * `accountUpdates`: one message per commit that changed the account (a balance, its authorizations),
 * with the entries that commit wrote; resume and reset exactly as availability updates
 * (availabilityUpdates.ts). Every subscriber of one account gets the same update object.
 */
export function accountUpdates(deps: { client: MongoClient; ledger: Pick<Ledger, 'accountById'>; history: CommitHistory }) {
  /** Per account, its subscribers' streams and the account as each one subscribed to it. */
  const byAccount = new Map<string, Map<Stream, AccountDocument>>();
  let count = 0;

  function remove(accountId: string, stream: Stream): void {
    const streams = byAccount.get(accountId);
    if (!streams?.delete(stream)) return;
    count -= 1;
    if (streams.size === 0) byAccount.delete(accountId);
  }

  const resets = sharedResets<{ update: AccountUpdateMessage; at: Timestamp }>();

  /** The account on one snapshot (shared by its subscribers asking at once), sent first. */
  async function reset(stream: Stream, account: AccountDocument): Promise<void> {
    stream.hold();
    const { update, at } = await resets(account._id.toHexString(), async () => {
      const { value, at } = await readAtSnapshot(deps.client, (session) => deps.ledger.accountById(account._id, session));
      return { update: { cursor: cursorOf(at), reset: true, account: value ?? account, entries: [] }, at };
    });
    stream.release(update, at);
  }

  return {
    /** For an account the caller may see (checked by the resolver, G12). */
    async subscribe(account: AccountDocument, after?: string | null): Promise<Stream> {
      const since: Timestamp | undefined = after ? parseCursor(after) : undefined;
      const accountId = account._id.toHexString();
      const stream: Stream = new UpdateStream(since ?? deps.history.latest(), mergeUpdates, (ended) => remove(accountId, ended));
      const resumable = since !== undefined && deps.history.covers(since);
      if (resumable) {
        for (const commit of deps.history.since(since)) {
          const update = updateOf(commit, accountId);
          if (update) stream.replay(update, commit.at);
        }
      }
      let streams = byAccount.get(accountId);
      if (!streams) byAccount.set(accountId, (streams = new Map()));
      streams.set(stream, account);
      count += 1;
      if (!resumable) {
        try {
          await reset(stream, account);
        } catch (error) {
          await stream.return();
          throw error;
        }
      }
      return stream;
    },

    publish(commit: Commit): void {
      for (const account of commit.accounts) {
        const accountId = account._id.toHexString();
        const streams = byAccount.get(accountId);
        if (!streams) continue;
        const update = updateOf(commit, accountId);
        if (update) for (const stream of streams.keys()) stream.offer(update, commit.at);
      }
    },

    /** The feed lost commits for good: every subscriber starts again from a reset. */
    resetAll(): void {
      for (const streams of byAccount.values()) {
        for (const [stream, account] of streams) void reset(stream, account).catch((error: Error) => stream.fail(error));
      }
    },

    subscriberCount: (): number => count,
  };
}
