import type { AccountDocument, AuthorizationDocument, LedgerEntryDocument, TransferDocument } from './collections';

/** Payload members as stored by the idempotency store and replayed byte-for-byte on retry. */
interface Moved<Typename extends string> {
  __typename: Typename;
  account: AccountDocument;
  entry: LedgerEntryDocument;
}

export type DepositedResult = Moved<'Deposited'>;
export type WithdrawnResult = Moved<'Withdrawn'>;

export interface InsufficientFundsResult {
  __typename: 'InsufficientFunds';
  accountId: string;
  requested: number;
}

export interface CurrencyMismatchResult {
  __typename: 'CurrencyMismatch';
  fromCurrency: string;
  toCurrency: string;
}

export interface AccountNotFoundResult {
  __typename: 'AccountNotFound';
  accountId: string;
}

export interface TransferCompletedResult {
  __typename: 'TransferCompleted';
  transfer: TransferDocument;
}

export type DepositResult = DepositedResult;
export type WithdrawResult = WithdrawnResult | InsufficientFundsResult;
export type TransferResult = TransferCompletedResult | InsufficientFundsResult | CurrencyMismatchResult | AccountNotFoundResult;

export interface TransferAuthorizedResult {
  __typename: 'TransferAuthorized';
  authorization: AuthorizationDocument;
}

export interface TransferVoidedResult {
  __typename: 'TransferVoided';
  authorization: AuthorizationDocument;
}

/** Captured, voided or expired already: nothing moved. */
export interface AuthorizationNotActiveResult {
  __typename: 'AuthorizationNotActive';
  authorization: AuthorizationDocument;
}

export interface AuthorizationNotFoundResult {
  __typename: 'AuthorizationNotFound';
  authorizationId: string;
}

export type AuthorizeResult = TransferAuthorizedResult | InsufficientFundsResult | CurrencyMismatchResult | AccountNotFoundResult;
export type CaptureResult = TransferCompletedResult | AuthorizationNotActiveResult | AuthorizationNotFoundResult;
export type VoidResult = TransferVoidedResult | AuthorizationNotActiveResult | AuthorizationNotFoundResult;
