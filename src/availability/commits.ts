import { Timestamp } from 'mongodb';
import type { DateSlotDoc } from '../capacity';
import { badInput } from '../errors';
import type { AccountDocument, LedgerEntryDocument } from '../ledger';

/**
 * One committed transaction (or single write) as the change stream reports it: every document it
 * wrote that live views show, as the write left it (post-images). All the events of one transaction
 * carry its one commit time, so the feed groups them by it (changeFeed.ts).
 */
export interface Commit {
  /** The commit's cluster time: unique per transaction, the same on every instance. */
  at: Timestamp;
  cursor: string;
  slots: DateSlotDoc[];
  accounts: AccountDocument[];
  entries: LedgerEntryDocument[];
}

/**
 * A cursor is a commit time, opaque to clients: 16 hex digits (seconds, then the increment), so
 * cursors sort as the commits they name, and every instance reading the same replica set spells a
 * commit the same way.
 */
export const cursorOf = (at: Timestamp): string => at.high.toString(16).padStart(8, '0') + at.low.toString(16).padStart(8, '0');

export function parseCursor(cursor: string, field = 'after'): Timestamp {
  if (!/^[0-9a-f]{16}$/.test(cursor)) throw badInput(field, 'is not a cursor this API gave out');
  return new Timestamp({ t: Number.parseInt(cursor.slice(0, 8), 16), i: Number.parseInt(cursor.slice(8), 16) });
}

/** Commit order. */
export const isAfter = (a: Timestamp, b: Timestamp): boolean => a.greaterThan(b);
