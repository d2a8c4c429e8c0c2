import type { ObjectId } from 'mongodb';
import type { RecordResult } from '../idempotency';
import { parseObjectId } from '../mongo';
import type { AuthorizeResult, CaptureResult, TransferResult, VoidResult, WithdrawResult } from './results';

/**
 * What every money order carries. `record` stores the result with the effect (the idempotency key's
 * record); null when the order is one step of another module's transaction, which records its own key.
 */
interface OrderBase<Result> {
  /** The request's idempotency scope and key: two orders with one key never share a batch. */
  key: string;
  initiatedBy: string;
  record: RecordResult<Result> | null;
}

/** A transfer as its owner asked for it; ids as the client sent them. */
export interface TransferOrder extends OrderBase<TransferResult> {
  kind: 'transfer';
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  memo: string | null;
}

export interface WithdrawalOrder extends OrderBase<WithdrawResult> {
  kind: 'withdrawal';
  accountId: string;
  amount: number;
}

/** Reserve `amount` of the source's available funds until the expiry (seconds from the transaction's clock, or an instant). */
export interface AuthorizeOrder extends OrderBase<AuthorizeResult> {
  kind: 'authorize';
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  expiry: { inSeconds: number } | { at: Date };
  memo: string | null;
  /** Chosen by the caller when something else must name the authorization in the same transaction (a hold). */
  authorizationId?: ObjectId;
  holdId: ObjectId | null;
}

/**
 * Capture or void one authorization. `accounts` are its two accounts as read when the request arrived
 * (an authorization's accounts never change): the batch's lock keys and the accounts it reads.
 */
interface AuthorizationStep<Result> extends OrderBase<Result> {
  authorizationId: string;
  accounts: string[];
}

export interface CaptureOrder extends AuthorizationStep<CaptureResult> {
  kind: 'capture';
  /** null: the whole authorized amount. */
  amount: number | null;
}

export interface VoidOrder extends AuthorizationStep<VoidResult> {
  kind: 'void';
}

export type Order = TransferOrder | WithdrawalOrder | AuthorizeOrder | CaptureOrder | VoidOrder;
export type OrderResult = TransferResult | WithdrawResult | AuthorizeResult | CaptureResult | VoidResult;

/** Lock keys: an id in one spelling, whatever the case of the hex; anything else names nothing. */
export const keyOf = (id: string) => parseObjectId(id)?.toHexString() ?? `invalid:${id}`;

/** The accounts an order names, as sent. */
export function accountIdsOf(order: Order): string[] {
  switch (order.kind) {
    case 'transfer':
    case 'authorize':
      return [order.fromAccountId, order.toAccountId];
    case 'withdrawal':
      return [order.accountId];
    case 'capture':
    case 'void':
      return order.accounts;
  }
}

/** An order's lock keys: its accounts, and for a capture or void its authorization (whose accounts may be unknown). */
export const lockKeysOf = (order: Order): string[] =>
  order.kind === 'capture' || order.kind === 'void'
    ? [`authorization:${keyOf(order.authorizationId)}`, ...order.accounts.map(keyOf)]
    : accountIdsOf(order).map(keyOf);
