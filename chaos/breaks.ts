import { type Db, ObjectId } from 'mongodb';
import type { AccountDoc, AuthorizationDoc, LedgerEntryDoc } from '../src/ledger';
import type { DateSlotDoc } from '../src/capacity';
import type { BookingDoc } from '../src/bookings';
import type { BreakName } from './args';
import type { History } from './history';

/**
 * Test-only corruption, done to the database behind the API's back after the load and before the
 * checker runs, so a run can prove the checker reports what a broken product would do. No product
 * code knows about it. `subscription` and `split-transaction` are done client-side instead (a
 * subscriber drops events; a subscriber takes each multi-date message apart, one date at a time).
 */
export async function breakOnPurpose(name: BreakName, db: Db, history: History): Promise<string> {
  if (name === 'ledger') {
    // A double effect a broken key dedupe would cause: the withdrawal applied a second time. The
    // ledger still reconciles (balance = Σ entries), so only the history can tell.
    const op = history.byKind('withdraw').find((o) => o.data?.withdraw?.__typename === 'Withdrawn');
    if (!op) return 'no acknowledged withdrawal to duplicate';
    const entry = (await db
      .collection<LedgerEntryDoc>('ledgerEntries')
      .findOne({ _id: new ObjectId(op.data.withdraw.entry.id as string) }))!;
    const account = await db
      .collection<AccountDoc>('accounts')
      .findOneAndUpdate({ _id: entry.accountId }, { $inc: { balance: entry.amount, version: 1 } }, { returnDocument: 'after' });
    await db.collection<LedgerEntryDoc>('ledgerEntries').insertOne({ ...entry, _id: new ObjectId(), balanceAfter: account!.balance });
    return `withdrawal #${op.id} (${-entry.amount} from ${entry.accountId}) applied a second time`;
  }
  if (name === 'capacity') {
    // A read-then-write claim: a second paid booking on a date of the capacity-1 resource.
    const slot = await db.collection<DateSlotDoc>('dateSlots').findOne({ capacity: 1 }, { sort: { version: -1 } });
    if (!slot) return 'no slot to overbook';
    const holdId = new ObjectId();
    await db.collection<DateSlotDoc>('dateSlots').updateOne(
      { _id: slot._id },
      {
        $push: {
          claims: {
            $each: [
              { holdId, userId: 'intruder', state: 'booked', expiresAt: null },
              { holdId: new ObjectId(), userId: 'intruder-2', state: 'booked', expiresAt: null },
            ],
          },
        },
      },
    );
    const now = new Date();
    await db.collection<BookingDoc>('bookings').insertOne({
      holdId,
      checkoutSessionId: 'cs_never_paid',
      paymentIntentId: null,
      userId: 'intruder',
      resourceId: slot.resourceId,
      dates: [slot.date],
      amount: 1000,
      currency: 'EUR',
      status: 'CONFIRMED',
      createdAt: now,
      updatedAt: now,
    });
    return `${slot.resourceId}/${slot.date} overbooked behind the API's back`;
  }
  if (name === 'expired-authorization') {
    // What a funds filter that ignores `expiresAt` would do: an authorization that lapsed keeps counting on its account.
    const now = new Date();
    const lapsed = await db.collection<AuthorizationDoc>('authorizations').findOne({ status: 'ACTIVE', expiresAt: { $lte: now } });
    if (!lapsed) return 'no lapsed authorization to keep counting';
    await db.collection<AccountDoc>('accounts').updateOne({ _id: lapsed.fromAccountId }, [
      {
        $set: {
          authorizations: {
            $concatArrays: [
              { $filter: { input: { $ifNull: ['$authorizations', []] }, cond: { $ne: ['$$this.authorizationId', lapsed._id] } } },
              [{ authorizationId: lapsed._id, amount: lapsed.amount, expiresAt: new Date(now.getTime() + 3_600_000) }],
            ],
          },
        },
      },
    ]);
    return `authorization ${lapsed._id} of account ${lapsed.fromAccountId} still counts after it expired`;
  }
  if (name === 'split-transaction') return 'subscribers see each transaction one date at a time';
  return 'subscribers drop every event after their third';
}
