import { type Db, ObjectId } from 'mongodb';
import { expect } from 'vitest';
import type { GraphQLResponse, TestApp } from './app';
import { authorize, capture, deposit, fundsOf, ledgerCheck, openAccount, voidAuthorization } from './ledger';
import { createResource, dayFromToday, newKey } from './operations';

/** The writes each operation makes inside its transaction, for the failpoint's `namespace`. */
export interface Writes {
  /** The conditional write: a findAndModify, or an update (the balances of a transfer's batch; the confirm's claims marked booked). */
  modify: { command: string; collection: string };
  /** An insert, or for a transaction that inserts nothing a second write (an update). */
  insert: { command: string; collection: string };
}

export type Answer = GraphQLResponse | { status: number; body: Record<string, unknown> };

/** One request, set up outside any failpoint, and what to expect of its answers and of the database. */
export interface Request {
  act(): Promise<Answer>;
  /** The answer says the effect happened (the first time it is reported). */
  applied(answer: Answer): void;
  /** The answer to a repeat (the same idempotency key, a redelivered event) once the effect is known. */
  repeated(answer: Answer, original: Answer): void;
  /** The effect is in the database exactly once. */
  inDatabase(): Promise<void>;
}

export interface Operation {
  name: string;
  /** A fault on a batch's own writes splits the batch, whose orders then write otherwise: it fires once, or up to `times`. */
  firesAtLeastOnce?: boolean;
  /** A Stripe event rather than a mutation: a redelivery answers `duplicate`, not the first answer. */
  webhook: boolean;
  writes: Writes;
  prepare(target: TestApp, user: string): Promise<Request>;
}

export const answeredTheSame = (answer: Answer, original: Answer) => expect(answer).toEqual(original);

const typename = (answer: Answer, field: string) => {
  const { data, errors } = answer as GraphQLResponse;
  expect(errors).toBeUndefined();
  return data[field].__typename as string;
};

const HOLD_WITH_MONEY = `mutation($input: HoldDatesInput!) {
  holdDates(input: $input) { __typename ... on DatesHeld { hold { id amount authorization { id status } } } }
}`;
const PAY_HOLD = `mutation($input: PayHoldInput!) {
  payHold(input: $input) { __typename ... on BookingConfirmed { booking { id status paymentMethod } transfer { id amount } } }
}`;
const CANCEL = `mutation($input: CancelBookingInput!) {
  cancelBooking(input: $input) { __typename ... on BookingCancelled { booking { id status refundStatus } } }
}`;

/** A payer with 1,000 and a payee, the payer's token. */
async function parties(target: TestApp, user: string) {
  const token = await target.token(user);
  const from = await openAccount(target, token);
  const to = await openAccount(target, await target.token(`${user}-payee`));
  await deposit(target, from, 1_000);
  return { token, from, to };
}

async function authorized(target: TestApp, token: string, from: string, to: string, amount: number): Promise<string> {
  const answer = await authorize(target, token, { fromAccountId: from, toAccountId: to, amount });
  expect(answer.data.authorizeTransfer.__typename).toBe('TransferAuthorized');
  return answer.data.authorizeTransfer.authorization.id;
}

/** A hold of two dates carrying its money (reserveFrom), made outside any failpoint. */
async function heldWithMoney(target: TestApp, token: string, accountId: string) {
  const resource = await createResource(target, { capacity: 1, pricePerDate: 100 });
  const dates = [dayFromToday(target, 20), dayFromToday(target, 21)];
  const answer = await target.gql(token, HOLD_WITH_MONEY, {
    input: { resourceId: resource.id, dates, idempotencyKey: newKey(), reserveFrom: accountId },
  });
  expect(answer.data.holdDates.__typename).toBe('DatesHeld');
  return { resource, dates, hold: answer.data.holdDates.hold as { id: string; amount: number } };
}

/** The operations that hold and move money in one transaction: authorize, capture, void, a hold with its money, payHold, a balance refund. */
export function moneyOperations(db: (target: TestApp) => Db): Operation[] {
  const authorizationsOf = (target: TestApp, from: string) =>
    db(target)
      .collection('authorizations')
      .find({ fromAccountId: new ObjectId(from) })
      .toArray();
  return [
    {
      name: 'authorizeTransfer',
      webhook: false,
      writes: { modify: { command: 'update', collection: 'accounts' }, insert: { command: 'insert', collection: 'authorizations' } },
      async prepare(target, user) {
        const { token, from, to } = await parties(target, user);
        const key = newKey();
        return {
          act: () => authorize(target, token, { fromAccountId: from, toAccountId: to, amount: 400, idempotencyKey: key }),
          applied: (answer) => expect(typename(answer, 'authorizeTransfer')).toBe('TransferAuthorized'),
          repeated: answeredTheSame,
          async inDatabase() {
            expect(await fundsOf(target, token, from)).toMatchObject({ balance: 1_000, reserved: 400, available: 600 });
            expect(await authorizationsOf(target, from)).toHaveLength(1);
            expect(await ledgerCheck(target)).toMatchObject({ ok: true, problems: [] });
          },
        };
      },
    },
    {
      name: 'captureTransfer',
      webhook: false,
      writes: { modify: { command: 'update', collection: 'accounts' }, insert: { command: 'update', collection: 'authorizations' } },
      async prepare(target, user) {
        const { token, from, to } = await parties(target, user);
        const id = await authorized(target, token, from, to, 400);
        const key = newKey();
        return {
          act: () => capture(target, token, id, 300, key),
          applied: (answer) => expect(typename(answer, 'captureTransfer')).toBe('TransferCompleted'),
          repeated: answeredTheSame,
          async inDatabase() {
            expect(await fundsOf(target, token, from)).toMatchObject({ balance: 700, reserved: 0, available: 700 });
            expect(
              await db(target)
                .collection('transfers')
                .countDocuments({ authorizationId: { $exists: true }, initiatedBy: user }),
            ).toBe(1);
            expect(await ledgerCheck(target)).toMatchObject({ ok: true, problems: [] });
          },
        };
      },
    },
    {
      name: 'voidTransfer',
      webhook: false,
      writes: { modify: { command: 'update', collection: 'accounts' }, insert: { command: 'update', collection: 'authorizations' } },
      async prepare(target, user) {
        const { token, from, to } = await parties(target, user);
        const id = await authorized(target, token, from, to, 400);
        const key = newKey();
        return {
          act: () => voidAuthorization(target, token, id, key),
          applied: (answer) => expect(typename(answer, 'voidTransfer')).toBe('TransferVoided'),
          repeated: answeredTheSame,
          async inDatabase() {
            expect(await fundsOf(target, token, from)).toMatchObject({ balance: 1_000, reserved: 0 });
            expect((await authorizationsOf(target, from)).map((a) => a.status)).toEqual(['VOIDED']);
            expect(await ledgerCheck(target)).toMatchObject({ ok: true, problems: [] });
          },
        };
      },
    },
    {
      name: 'holdDates with reserveFrom',
      webhook: false,
      writes: { modify: { command: 'update', collection: 'accounts' }, insert: { command: 'insert', collection: 'authorizations' } },
      async prepare(target, user) {
        const { token, from } = await parties(target, user);
        const resource = await createResource(target, { capacity: 1, pricePerDate: 100 });
        const dates = [dayFromToday(target, 20), dayFromToday(target, 21)];
        const input = { resourceId: resource.id, dates, idempotencyKey: newKey(), reserveFrom: from };
        return {
          act: () => target.gql(token, HOLD_WITH_MONEY, { input }),
          applied: (answer) => expect(typename(answer, 'holdDates')).toBe('DatesHeld'),
          repeated: answeredTheSame,
          async inDatabase() {
            expect(await db(target).collection('holds').countDocuments({ userId: user })).toBe(1);
            expect(await fundsOf(target, token, from)).toMatchObject({ balance: 1_000, reserved: 200 });
            expect(await ledgerCheck(target)).toMatchObject({ ok: true, problems: [] });
          },
        };
      },
    },
    {
      name: 'payHold',
      webhook: false,
      writes: { modify: { command: 'findAndModify', collection: 'holds' }, insert: { command: 'insert', collection: 'bookings' } },
      async prepare(target, user) {
        const { token, from } = await parties(target, user);
        const { hold } = await heldWithMoney(target, token, from);
        const input = { holdId: hold.id, accountId: from, idempotencyKey: newKey() };
        return {
          act: () => target.gql(token, PAY_HOLD, { input }),
          applied: (answer) => expect(typename(answer, 'payHold')).toBe('BookingConfirmed'),
          repeated: answeredTheSame,
          async inDatabase() {
            expect(await db(target).collection('bookings').countDocuments({ userId: user, status: 'CONFIRMED' })).toBe(1);
            expect(await fundsOf(target, token, from)).toMatchObject({ balance: 800, reserved: 0 });
            expect(await ledgerCheck(target)).toMatchObject({ ok: true, problems: [] });
          },
        };
      },
    },
    {
      name: 'cancelBooking paid from a balance',
      webhook: false,
      writes: { modify: { command: 'findAndModify', collection: 'bookings' }, insert: { command: 'insert', collection: 'transfers' } },
      async prepare(target, user) {
        const { token, from } = await parties(target, user);
        const { hold } = await heldWithMoney(target, token, from);
        const paid = await target.gql(token, PAY_HOLD, { input: { holdId: hold.id, accountId: from, idempotencyKey: newKey() } });
        const bookingId = paid.data.payHold.booking.id as string;
        const input = { bookingId, idempotencyKey: newKey() };
        return {
          act: () => target.gql(token, CANCEL, { input }),
          applied: (answer) => expect((answer as GraphQLResponse).data.cancelBooking.booking.refundStatus).toBe('SUCCEEDED'),
          repeated: answeredTheSame,
          async inDatabase() {
            expect(await fundsOf(target, token, from)).toMatchObject({ balance: 1_000, reserved: 0 });
            expect(
              await db(target)
                .collection('transfers')
                .countDocuments({ memo: `refund of booking ${bookingId}` }),
            ).toBe(1);
            expect(await ledgerCheck(target)).toMatchObject({ ok: true, problems: [] });
          },
        };
      },
    },
  ];
}
