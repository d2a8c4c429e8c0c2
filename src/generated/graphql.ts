import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ResourceDocument } from '../capacity/collections';
import type { ResourceUpdatedResult, VersionConflictResult } from '../capacity/resources';
import type { HoldDocument, BookingDocument } from '../bookings/collections';
import type { DatesHeldResult } from '../bookings/holds';
import type { BookingCancelledResult, BookingNotCancellableResult } from '../bookings/bookingService';
import type { UserView } from '../users/collection';
import type { AccountDocument, LedgerEntryDocument, TransferDocument, AuthorizationDocument } from '../ledger/collections';
import type { DepositedResult, WithdrawnResult, TransferCompletedResult, TransferAuthorizedResult, TransferVoidedResult, AuthorizationNotActiveResult } from '../ledger/results';
import type { AccountUpdateMessage } from '../availability/accountUpdates';
import type { AvailabilityUpdateMessage } from '../availability/availabilityUpdates';
import type { DateAvailability as DateAvailabilityModel } from '../availability/reader';
import type { CheckoutStartedResult } from '../payments/checkout';
import type { HoldExpiredResult, BookingConfirmedResult } from '../bookings/balancePayments';
import type { Context } from '../graphql/context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  Currency: { input: string; output: string; }
  DateTime: { input: Date; output: Date; }
  /**
   * The contract of the race-free booking and payments API.
   *
   * Money is always an integer count of minor units (cents) in a `PositiveInt`/`Int` no larger than
   * 2^53 - 1; never a float. Calendar dates are `LocalDate` (YYYY-MM-DD, UTC calendar).
   * Expected business outcomes (a date already taken, ...) are members of `...Payload` unions;
   * bad input and auth failures are GraphQL errors with `extensions.code`.
   */
  LocalDate: { input: string; output: string; }
  NonNegativeInt: { input: number; output: number; }
  PositiveInt: { input: number; output: number; }
  SafeInt: { input: number; output: number; }
};

export type Account = {
  __typename?: 'Account';
  /** balance − reserved: what a withdrawal, transfer or new authorization may use. */
  available: Scalars['NonNegativeInt']['output'];
  /** Minor units; never negative. */
  balance: Scalars['NonNegativeInt']['output'];
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['Currency']['output'];
  id: Scalars['ID']['output'];
  ownerId: Scalars['ID']['output'];
  /** Held by ACTIVE, unexpired authorizations. */
  reserved: Scalars['NonNegativeInt']['output'];
  /** Bumped by every change to the balance or to its authorizations. */
  version: Scalars['Int']['output'];
};

export type AccountConnection = {
  __typename?: 'AccountConnection';
  edges: Array<AccountEdge>;
  pageInfo: PageInfo;
};

export type AccountEdge = {
  __typename?: 'AccountEdge';
  cursor: Scalars['String']['output'];
  node: Account;
};

/** Nothing moved: no account has this id. */
export type AccountNotFound = {
  __typename?: 'AccountNotFound';
  accountId: Scalars['ID']['output'];
};

/** One committed transaction's changes to an account (or, with `reset`, its current state and no entries). */
export type AccountUpdate = {
  __typename?: 'AccountUpdate';
  account: Account;
  cursor: Scalars['String']['output'];
  entries: Array<LedgerEntry>;
  reset: Scalars['Boolean']['output'];
};

export type Authorization = {
  __typename?: 'Authorization';
  amount: Scalars['PositiveInt']['output'];
  /** What the capture moved (0 until captured). */
  capturedAmount: Scalars['NonNegativeInt']['output'];
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['Currency']['output'];
  expiresAt: Scalars['DateTime']['output'];
  fromAccountId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  memo: Maybe<Scalars['String']['output']>;
  status: AuthorizationStatus;
  toAccountId: Scalars['ID']['output'];
  /** The transfer its capture wrote. */
  transfer: Maybe<Transfer>;
};

export type AuthorizationConnection = {
  __typename?: 'AuthorizationConnection';
  edges: Array<AuthorizationEdge>;
  pageInfo: PageInfo;
};

export type AuthorizationEdge = {
  __typename?: 'AuthorizationEdge';
  cursor: Scalars['String']['output'];
  node: Authorization;
};

/** Nothing moved: `authorization.status` says why (captured, voided or expired). */
export type AuthorizationNotActive = {
  __typename?: 'AuthorizationNotActive';
  authorization: Authorization;
};

/** No authorization with this id involves an account of the caller. */
export type AuthorizationNotFound = {
  __typename?: 'AuthorizationNotFound';
  authorizationId: Scalars['ID']['output'];
};

export type AuthorizationStatus =
  /** Holding its amount of the source's funds until `expiresAt`. */
  | 'ACTIVE'
  | 'CAPTURED'
  /** Lapsed unused at `expiresAt`: its amount stopped counting as reserved that instant. */
  | 'EXPIRED'
  | 'VOIDED';

export type AuthorizeTransferInput = {
  amount: Scalars['PositiveInt']['input'];
  /** 1 to 604800 (7 days). */
  expiresInSeconds: Scalars['PositiveInt']['input'];
  fromAccountId: Scalars['ID']['input'];
  idempotencyKey: Scalars['String']['input'];
  /** Free text up to 500 characters. */
  memo?: InputMaybe<Scalars['String']['input']>;
  toAccountId: Scalars['ID']['input'];
};

export type AuthorizeTransferPayload = AccountNotFound | CurrencyMismatch | InsufficientFunds | TransferAuthorized;

/**
 * One committed transaction's changes to a range (or, with `reset`, the whole range's state).
 * `cursor` is opaque, totally ordered by commit and valid on every API instance: pass it as `after`
 * to resume.
 */
export type AvailabilityUpdate = {
  __typename?: 'AvailabilityUpdate';
  cursor: Scalars['String']['output'];
  /** Every date in the range the transaction changed (all of them when reset). */
  dates: Array<DateAvailability>;
  reset: Scalars['Boolean']['output'];
};

/** A hold paid (or being paid) by card through Stripe Checkout, or from a balance with `payHold`. */
export type Booking = {
  __typename?: 'Booking';
  /** Total paid in minor units of `currency`. */
  amount: Scalars['PositiveInt']['output'];
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['Currency']['output'];
  dates: Array<Scalars['LocalDate']['output']>;
  holdId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  paymentMethod: PaymentMethod;
  /** Set when the payment is being or has been refunded. */
  refundStatus: Maybe<RefundStatus>;
  resourceId: Scalars['ID']['output'];
  status: BookingStatus;
  userId: Scalars['ID']['output'];
};

export type BookingCancelled = {
  __typename?: 'BookingCancelled';
  booking: Booking;
};

export type BookingConfirmed = {
  __typename?: 'BookingConfirmed';
  booking: Booking;
  transfer: Transfer;
};

export type BookingConnection = {
  __typename?: 'BookingConnection';
  edges: Array<BookingEdge>;
  pageInfo: PageInfo;
};

export type BookingEdge = {
  __typename?: 'BookingEdge';
  cursor: Scalars['String']['output'];
  node: Booking;
};

/** Only a CONFIRMED booking can be cancelled; `booking.status` says what it is. */
export type BookingNotCancellable = {
  __typename?: 'BookingNotCancellable';
  booking: Booking;
};

/** No booking with this id belongs to the caller. */
export type BookingNotFound = {
  __typename?: 'BookingNotFound';
  bookingId: Scalars['ID']['output'];
};

export type BookingStatus =
  /** Cancelled after confirmation; its dates are free and the payment is refunded (or, not captured yet, its authorization voided: then `refundStatus` is null). */
  | 'CANCELLED'
  /** Paid, and its dates are booked. */
  | 'CONFIRMED'
  /** Checkout completed with a payment method that settles later (e.g. a bank debit). */
  | 'PENDING_PAYMENT'
  /** Charged at once (a Checkout opened before card payments were only authorized) after the hold was lost to someone else; the payment is refunded and nothing is booked. */
  | 'REFUNDED'
  /**
   * Nothing was charged and nothing is booked: the card was authorized after the hold was lost (the
   * authorization was voided), or the authorization could no longer be captured (it lapsed, or was
   * cancelled at Stripe; the dates were given back). Either way there is no refund.
   */
  | 'VOIDED';

export type CancelBookingInput = {
  bookingId: Scalars['ID']['input'];
  idempotencyKey: Scalars['String']['input'];
};

export type CancelBookingPayload = BookingCancelled | BookingNotCancellable | BookingNotFound;

/** Nothing changed: these dates already hold more claims than the requested capacity. */
export type CapacityBelowClaims = {
  __typename?: 'CapacityBelowClaims';
  dates: Array<Scalars['LocalDate']['output']>;
};

export type CaptureTransferInput = {
  /** At most the authorized amount; default: all of it. */
  amount?: InputMaybe<Scalars['PositiveInt']['input']>;
  authorizationId: Scalars['ID']['input'];
  idempotencyKey: Scalars['String']['input'];
};

export type CaptureTransferPayload = AuthorizationNotActive | AuthorizationNotFound | TransferCompleted;

export type CheckoutHoldInput = {
  holdId: Scalars['ID']['input'];
  idempotencyKey: Scalars['String']['input'];
};

export type CheckoutHoldPayload = CheckoutStarted | HoldExpired | HoldNotFound;

/**
 * Pay at `checkoutUrl`: the card is only authorized there. When Stripe reports it, the hold is
 * confirmed and the payment captured; if the hold was lost meanwhile, the authorization is voided
 * (the booking is `VOIDED`, nothing is charged).
 */
export type CheckoutStarted = {
  __typename?: 'CheckoutStarted';
  checkoutSessionId: Scalars['String']['output'];
  checkoutUrl: Scalars['String']['output'];
  hold: Hold;
};

export type CreateResourceInput = {
  capacity: Scalars['PositiveInt']['input'];
  currency: Scalars['Currency']['input'];
  name: Scalars['String']['input'];
  pricePerDate: Scalars['PositiveInt']['input'];
};

/** Nothing moved: the two accounts hold different currencies. */
export type CurrencyMismatch = {
  __typename?: 'CurrencyMismatch';
  fromCurrency: Scalars['Currency']['output'];
  toCurrency: Scalars['Currency']['output'];
};

export type DateAvailability = {
  __typename?: 'DateAvailability';
  date: Scalars['LocalDate']['output'];
  /** `<resourceId>:<date>`, stable. */
  id: Scalars['ID']['output'];
  remaining: Scalars['NonNegativeInt']['output'];
  resourceId: Scalars['ID']['output'];
  status: DateStatus;
  /**
   * Grows with every change to this date (0 while nothing was ever claimed on it). Of two answers
   * for one date, the one with the higher version is the newer; drop the other.
   */
  version: Scalars['NonNegativeInt']['output'];
};

export type DateStatus =
  /** Every unit of capacity is free. */
  | 'AVAILABLE'
  /** All capacity is booked (paid). */
  | 'BOOKED'
  /** All capacity is claimed and at least one claim is an unpaid hold. */
  | 'HELD'
  /** Some capacity is held or booked, some is still free. */
  | 'PARTIALLY_AVAILABLE';

export type DatesHeld = {
  __typename?: 'DatesHeld';
  hold: Hold;
};

/** Nothing was held: these dates had no free capacity left. */
export type DatesUnavailable = {
  __typename?: 'DatesUnavailable';
  dates: Array<Scalars['LocalDate']['output']>;
};

/** Money amounts in inputs: whole minor units, 1 to 2^53 - 1. */
export type DepositInput = {
  accountId: Scalars['ID']['input'];
  amount: Scalars['PositiveInt']['input'];
  idempotencyKey: Scalars['String']['input'];
};

export type DepositPayload = Deposited;

export type Deposited = {
  __typename?: 'Deposited';
  account: Account;
  entry: LedgerEntry;
};

export type Hold = {
  __typename?: 'Hold';
  /** Total price in minor units of `currency`. */
  amount: Scalars['PositiveInt']['output'];
  /** The money held with the dates (`holdDates` with `reserveFrom`); it lapses with the hold. */
  authorization: Maybe<Authorization>;
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['Currency']['output'];
  dates: Array<Scalars['LocalDate']['output']>;
  /** When the hold lapses and its dates become free again, unless it is confirmed first. */
  expiresAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  resourceId: Scalars['ID']['output'];
  status: HoldStatus;
  userId: Scalars['ID']['output'];
};

export type HoldConnection = {
  __typename?: 'HoldConnection';
  edges: Array<HoldEdge>;
  pageInfo: PageInfo;
};

export type HoldDatesInput = {
  /** 1 to 31 distinct dates, today (UTC) or later. */
  dates: Array<Scalars['LocalDate']['input']>;
  idempotencyKey: Scalars['String']['input'];
  /**
   * An account the caller owns, in the resource's currency: the hold's amount is authorized from it
   * to the house account in the same transaction, with the hold's expiry (dates and money together,
   * or neither). `payHold` captures it.
   */
  reserveFrom?: InputMaybe<Scalars['ID']['input']>;
  resourceId: Scalars['ID']['input'];
};

export type HoldDatesPayload = CurrencyMismatch | DatesHeld | DatesUnavailable | InsufficientFunds;

export type HoldEdge = {
  __typename?: 'HoldEdge';
  cursor: Scalars['String']['output'];
  node: Hold;
};

/** The hold is no longer held (it lapsed, was released, or another payment confirmed it): `hold.status` says which. */
export type HoldExpired = {
  __typename?: 'HoldExpired';
  hold: Hold;
};

/** No hold with this id belongs to the caller. */
export type HoldNotFound = {
  __typename?: 'HoldNotFound';
  holdId: Scalars['ID']['output'];
};

export type HoldStatus =
  | 'CONFIRMED'
  /** Lapsed: its dates are free again (swept or not: expiry is decided by `expiresAt`). */
  | 'EXPIRED'
  | 'HELD'
  | 'RELEASED';

/** Nothing moved: the account holds less than the amount. */
export type InsufficientFunds = {
  __typename?: 'InsufficientFunds';
  accountId: Scalars['ID']['output'];
  requested: Scalars['PositiveInt']['output'];
};

export type LedgerCheck = {
  __typename?: 'LedgerCheck';
  accountsChecked: Scalars['Int']['output'];
  ok: Scalars['Boolean']['output'];
  problems: Array<Scalars['String']['output']>;
};

export type LedgerEntry = {
  __typename?: 'LedgerEntry';
  accountId: Scalars['ID']['output'];
  /** Signed minor units: negative for money leaving the account. */
  amount: Scalars['SafeInt']['output'];
  /** The account's balance right after this entry. */
  balanceAfter: Scalars['NonNegativeInt']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  kind: LedgerEntryKind;
  transferId: Maybe<Scalars['ID']['output']>;
};

export type LedgerEntryConnection = {
  __typename?: 'LedgerEntryConnection';
  edges: Array<LedgerEntryEdge>;
  pageInfo: PageInfo;
};

export type LedgerEntryEdge = {
  __typename?: 'LedgerEntryEdge';
  cursor: Scalars['String']['output'];
  node: LedgerEntry;
};

export type LedgerEntryKind =
  | 'DEPOSIT'
  | 'TRANSFER_CREDIT'
  | 'TRANSFER_DEBIT'
  | 'WITHDRAWAL';

export type Mutation = {
  __typename?: 'Mutation';
  /** Reserves `amount` of the source account's available funds for a later capture; owner of the source only. */
  authorizeTransfer: AuthorizeTransferPayload;
  /**
   * Cancels a confirmed booking the caller owns: its dates are free at once and the payment is
   * refunded in full (the refund may show PENDING for a moment).
   */
  cancelBooking: CancelBookingPayload;
  /** Moves up to the authorized amount (default: all of it) from source to target; the rest is released. Once. */
  captureTransfer: CaptureTransferPayload;
  /**
   * Starts (or resumes) a Stripe Checkout for a hold the caller owns. The payment's webhook confirms
   * the hold; a hold lost in the meantime is refunded in full. Retrying with the same
   * `idempotencyKey` returns the first result.
   */
  checkoutHold: CheckoutHoldPayload;
  /** Admin only. */
  createResource: Resource;
  /** Admin only: money entering the system (later also Stripe top-ups). */
  deposit: DepositPayload;
  /**
   * Claims every date or none. Retrying with the same `idempotencyKey` returns the first result;
   * the same key with a different input is refused with `IDEMPOTENCY_KEY_REUSED`.
   */
  holdDates: HoldDatesPayload;
  /** Opens an empty account for the caller. */
  openAccount: Account;
  /**
   * Pays a hold the caller owns from one of their accounts, in ONE transaction: the hold is confirmed
   * only while it is live, its dates are booked, the amount moves to the house account (capturing the
   * hold's authorization when it has one from this account) and the booking is recorded. Retrying
   * with the same `idempotencyKey` returns the first result.
   */
  payHold: PayHoldPayload;
  /** Frees a hold's dates at once. Owner or admin. Releasing a hold that is no longer held is refused. */
  releaseHold: Hold;
  /** Admin only. Takes effect at once, even for tokens that still claim the old role. */
  setUserRole: User;
  /** Admin only. A suspended user's holds, withdrawals and transfers are refused. */
  suspendUser: User;
  /**
   * Owner of the account only. Starts a Stripe Checkout; when Stripe reports it paid, the amount is
   * deposited into the account exactly once, however often the event is delivered.
   */
  topUp: TopUpPayload;
  /** Owner of the source account only. Debit, credit, both ledger entries and the record commit together or not at all. */
  transfer: TransferPayload;
  /** Admin only. Optimistic locking: name the version you read; a stale one gets `VersionConflict`. */
  updateResource: UpdateResourcePayload;
  /** Releases an authorization without moving anything. */
  voidTransfer: VoidTransferPayload;
  /** Owner only: money leaving the system. Never overdraws. */
  withdraw: WithdrawPayload;
};


export type MutationAuthorizeTransferArgs = {
  input: AuthorizeTransferInput;
};


export type MutationCancelBookingArgs = {
  input: CancelBookingInput;
};


export type MutationCaptureTransferArgs = {
  input: CaptureTransferInput;
};


export type MutationCheckoutHoldArgs = {
  input: CheckoutHoldInput;
};


export type MutationCreateResourceArgs = {
  input: CreateResourceInput;
};


export type MutationDepositArgs = {
  input: DepositInput;
};


export type MutationHoldDatesArgs = {
  input: HoldDatesInput;
};


export type MutationOpenAccountArgs = {
  input: OpenAccountInput;
};


export type MutationPayHoldArgs = {
  input: PayHoldInput;
};


export type MutationReleaseHoldArgs = {
  input: ReleaseHoldInput;
};


export type MutationSetUserRoleArgs = {
  input: SetUserRoleInput;
};


export type MutationSuspendUserArgs = {
  input: SuspendUserInput;
};


export type MutationTopUpArgs = {
  input: TopUpInput;
};


export type MutationTransferArgs = {
  input: TransferInput;
};


export type MutationUpdateResourceArgs = {
  input: UpdateResourceInput;
};


export type MutationVoidTransferArgs = {
  input: VoidTransferInput;
};


export type MutationWithdrawArgs = {
  input: WithdrawInput;
};

export type OpenAccountInput = {
  currency: Scalars['Currency']['input'];
};

/** A page of a list: pass `endCursor` as `after` for the next page while `hasNextPage` is true. */
export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type PayHoldInput = {
  accountId: Scalars['ID']['input'];
  holdId: Scalars['ID']['input'];
  idempotencyKey: Scalars['String']['input'];
};

export type PayHoldPayload = AccountNotFound | BookingConfirmed | CurrencyMismatch | HoldExpired | HoldNotFound | InsufficientFunds;

export type PaymentMethod =
  /** An account's balance (`payHold`). */
  | 'BALANCE'
  /** Stripe Checkout. */
  | 'CARD';

export type Query = {
  __typename?: 'Query';
  /** An account the caller owns (admins see every account). */
  account: Maybe<Account>;
  /** An authorization from or to an account the caller owns (admins: any). */
  authorization: Maybe<Authorization>;
  /** Authorizations from or to an account the caller owns (admins: any), newest first. `first` is 1 to 100. */
  authorizations: AuthorizationConnection;
  /** Per-date availability of a resource over an inclusive range of at most 366 days. */
  availability: Array<DateAvailability>;
  /** A booking the caller owns (admins see every booking). */
  booking: Maybe<Booking>;
  /** A hold the caller owns (admins see every hold). */
  hold: Maybe<Hold>;
  /** Admins only: the platform's house accounts (one per currency, created on first use), which receive payments from balances. */
  houseAccounts: Array<Account>;
  /** Admin only: every balance equals the sum of its entries, and money neither appeared nor vanished. */
  ledgerCheck: LedgerCheck;
  /** An account's ledger entries, newest first. Owner or admin. `first` is 1 to 100 per page. */
  ledgerEntries: LedgerEntryConnection;
  /** The caller, as the token names them. */
  me: User;
  /** The caller's accounts, oldest first. `first` is 1 to 100 per page; pass `pageInfo.endCursor` as `after` for the next. */
  myAccounts: AccountConnection;
  /** The caller's bookings, newest first. `first` is 1 to 100 per page; pass `pageInfo.endCursor` as `after` for the next. */
  myBookings: BookingConnection;
  /** The caller's holds, newest first. `first` is 1 to 100 per page; pass `pageInfo.endCursor` as `after` for the next. */
  myHolds: HoldConnection;
  resource: Maybe<Resource>;
  /** Every resource, oldest first. `first` is 1 to 100 per page; pass `pageInfo.endCursor` as `after` for the next. */
  resources: ResourceConnection;
  /** Transfers into or out of an account, newest first. Owner or admin. `first` is 1 to 100 per page. */
  transfers: TransferConnection;
};


export type QueryAccountArgs = {
  id: Scalars['ID']['input'];
};


export type QueryAuthorizationArgs = {
  id: Scalars['ID']['input'];
};


export type QueryAuthorizationsArgs = {
  accountId: Scalars['ID']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryAvailabilityArgs = {
  from: Scalars['LocalDate']['input'];
  resourceId: Scalars['ID']['input'];
  to: Scalars['LocalDate']['input'];
};


export type QueryBookingArgs = {
  id: Scalars['ID']['input'];
};


export type QueryHoldArgs = {
  id: Scalars['ID']['input'];
};


export type QueryLedgerEntriesArgs = {
  accountId: Scalars['ID']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryMyAccountsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryMyBookingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryMyHoldsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryResourceArgs = {
  id: Scalars['ID']['input'];
};


export type QueryResourcesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryTransfersArgs = {
  accountId: Scalars['ID']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type RefundStatus =
  /**
   * Recorded; the refund request to Stripe has not succeeded yet. It is retried in the background,
   * waiting longer after each failure (at most 10 minutes).
   */
  | 'PENDING'
  | 'SUCCEEDED';

export type ReleaseHoldInput = {
  holdId: Scalars['ID']['input'];
};

export type Resource = {
  __typename?: 'Resource';
  /** How many holds or bookings one date can carry at once. */
  capacity: Scalars['PositiveInt']['output'];
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['Currency']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** Price of one date in minor units of `currency`. */
  pricePerDate: Scalars['PositiveInt']['output'];
  /** Bumped by every update; pass it back as `expectedVersion`. */
  version: Scalars['Int']['output'];
};

export type ResourceConnection = {
  __typename?: 'ResourceConnection';
  edges: Array<ResourceEdge>;
  pageInfo: PageInfo;
};

export type ResourceEdge = {
  __typename?: 'ResourceEdge';
  cursor: Scalars['String']['output'];
  node: Resource;
};

export type ResourceUpdated = {
  __typename?: 'ResourceUpdated';
  resource: Resource;
};

export type Role =
  | 'ADMIN'
  | 'USER';

export type SetUserRoleInput = {
  role: Role;
  userId: Scalars['ID']['input'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The same for one account the caller owns (admins: any): its balance, reserved and available, and the entries each transaction wrote. */
  accountUpdates: AccountUpdate;
  /**
   * Every committed change to the availability of `resourceId` on a date in the inclusive range
   * `from`..`to` (at most 366 days), from whichever API instance made it. Changes only: subscribe
   * first, then query `availability`, and keep per date the answer with the highest `version`.
   * Authenticated by `{ authorization: "Bearer <JWT>" }` in the graphql-ws `connection_init` payload.
   */
  availabilityChanged: DateAvailability;
  /**
   * The range's changes, one message per committed transaction that touched it, in commit order.
   * The first message is the range's current state (`reset: true`). With `after` (a `cursor` from an
   * earlier message) it first sends every change committed since, in order, then continues live; if
   * the server can no longer reach back that far, it sends one `reset: true` message with the current
   * state instead. A client never needs to refetch and never sees part of a transaction.
   */
  availabilityUpdates: AvailabilityUpdate;
};


export type SubscriptionAccountUpdatesArgs = {
  accountId: Scalars['ID']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
};


export type SubscriptionAvailabilityChangedArgs = {
  from: Scalars['LocalDate']['input'];
  resourceId: Scalars['ID']['input'];
  to: Scalars['LocalDate']['input'];
};


export type SubscriptionAvailabilityUpdatesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  from: Scalars['LocalDate']['input'];
  resourceId: Scalars['ID']['input'];
  to: Scalars['LocalDate']['input'];
};

export type SuspendUserInput = {
  userId: Scalars['ID']['input'];
};

export type TopUpInput = {
  accountId: Scalars['ID']['input'];
  /** Minor units of the account's currency, at most 99,999,999 (Stripe Checkout's limit). */
  amount: Scalars['PositiveInt']['input'];
  idempotencyKey: Scalars['String']['input'];
};

export type TopUpPayload = TopUpStarted;

export type TopUpStarted = {
  __typename?: 'TopUpStarted';
  checkoutSessionId: Scalars['String']['output'];
  checkoutUrl: Scalars['String']['output'];
  topUpId: Scalars['ID']['output'];
};

export type Transfer = {
  __typename?: 'Transfer';
  amount: Scalars['PositiveInt']['output'];
  /** The authorization this transfer captured, if it was one. */
  authorizationId: Maybe<Scalars['ID']['output']>;
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['Currency']['output'];
  fromAccountId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  memo: Maybe<Scalars['String']['output']>;
  toAccountId: Scalars['ID']['output'];
};

export type TransferAuthorized = {
  __typename?: 'TransferAuthorized';
  authorization: Authorization;
};

export type TransferCompleted = {
  __typename?: 'TransferCompleted';
  transfer: Transfer;
};

export type TransferConnection = {
  __typename?: 'TransferConnection';
  edges: Array<TransferEdge>;
  pageInfo: PageInfo;
};

export type TransferEdge = {
  __typename?: 'TransferEdge';
  cursor: Scalars['String']['output'];
  node: Transfer;
};

export type TransferInput = {
  amount: Scalars['PositiveInt']['input'];
  fromAccountId: Scalars['ID']['input'];
  idempotencyKey: Scalars['String']['input'];
  /** Free text up to 500 characters. */
  memo?: InputMaybe<Scalars['String']['input']>;
  toAccountId: Scalars['ID']['input'];
};

export type TransferPayload = AccountNotFound | CurrencyMismatch | InsufficientFunds | TransferCompleted;

export type TransferVoided = {
  __typename?: 'TransferVoided';
  authorization: Authorization;
};

export type UpdateResourceInput = {
  /** Lowering it below what any date already holds is refused with `CapacityBelowClaims`. */
  capacity?: InputMaybe<Scalars['PositiveInt']['input']>;
  expectedVersion: Scalars['Int']['input'];
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  pricePerDate?: InputMaybe<Scalars['PositiveInt']['input']>;
};

export type UpdateResourcePayload = CapacityBelowClaims | ResourceUpdated | VersionConflict;

/** A user as the database knows them: the token names the user, the database holds the role. */
export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
  role: Role;
  suspended: Scalars['Boolean']['output'];
};

/** Nothing changed: the resource was updated since you read it. Here it is now. */
export type VersionConflict = {
  __typename?: 'VersionConflict';
  current: Resource;
};

export type VoidTransferInput = {
  authorizationId: Scalars['ID']['input'];
  idempotencyKey: Scalars['String']['input'];
};

export type VoidTransferPayload = AuthorizationNotActive | AuthorizationNotFound | TransferVoided;

export type WithdrawInput = {
  accountId: Scalars['ID']['input'];
  amount: Scalars['PositiveInt']['input'];
  idempotencyKey: Scalars['String']['input'];
};

export type WithdrawPayload = InsufficientFunds | Withdrawn;

export type Withdrawn = {
  __typename?: 'Withdrawn';
  account: Account;
  entry: LedgerEntry;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;



/** Mapping of union types */
export type ResolversUnionTypes<_RefType extends Record<string, unknown>> = {
  AuthorizeTransferPayload:
    | ( AccountNotFound & { __typename: 'AccountNotFound' } )
    | ( CurrencyMismatch & { __typename: 'CurrencyMismatch' } )
    | ( InsufficientFunds & { __typename: 'InsufficientFunds' } )
    | ( TransferAuthorizedResult & { __typename: 'TransferAuthorized' } )
  ;
  CancelBookingPayload:
    | ( BookingCancelledResult & { __typename: 'BookingCancelled' } )
    | ( BookingNotCancellableResult & { __typename: 'BookingNotCancellable' } )
    | ( BookingNotFound & { __typename: 'BookingNotFound' } )
  ;
  CaptureTransferPayload:
    | ( AuthorizationNotActiveResult & { __typename: 'AuthorizationNotActive' } )
    | ( AuthorizationNotFound & { __typename: 'AuthorizationNotFound' } )
    | ( TransferCompletedResult & { __typename: 'TransferCompleted' } )
  ;
  CheckoutHoldPayload:
    | ( CheckoutStartedResult & { __typename: 'CheckoutStarted' } )
    | ( HoldExpiredResult & { __typename: 'HoldExpired' } )
    | ( HoldNotFound & { __typename: 'HoldNotFound' } )
  ;
  DepositPayload: ( DepositedResult & { __typename: 'Deposited' } );
  HoldDatesPayload:
    | ( CurrencyMismatch & { __typename: 'CurrencyMismatch' } )
    | ( DatesHeldResult & { __typename: 'DatesHeld' } )
    | ( DatesUnavailable & { __typename: 'DatesUnavailable' } )
    | ( InsufficientFunds & { __typename: 'InsufficientFunds' } )
  ;
  PayHoldPayload:
    | ( AccountNotFound & { __typename: 'AccountNotFound' } )
    | ( BookingConfirmedResult & { __typename: 'BookingConfirmed' } )
    | ( CurrencyMismatch & { __typename: 'CurrencyMismatch' } )
    | ( HoldExpiredResult & { __typename: 'HoldExpired' } )
    | ( HoldNotFound & { __typename: 'HoldNotFound' } )
    | ( InsufficientFunds & { __typename: 'InsufficientFunds' } )
  ;
  TopUpPayload: ( TopUpStarted & { __typename: 'TopUpStarted' } );
  TransferPayload:
    | ( AccountNotFound & { __typename: 'AccountNotFound' } )
    | ( CurrencyMismatch & { __typename: 'CurrencyMismatch' } )
    | ( InsufficientFunds & { __typename: 'InsufficientFunds' } )
    | ( TransferCompletedResult & { __typename: 'TransferCompleted' } )
  ;
  UpdateResourcePayload:
    | ( CapacityBelowClaims & { __typename: 'CapacityBelowClaims' } )
    | ( ResourceUpdatedResult & { __typename: 'ResourceUpdated' } )
    | ( VersionConflictResult & { __typename: 'VersionConflict' } )
  ;
  VoidTransferPayload:
    | ( AuthorizationNotActiveResult & { __typename: 'AuthorizationNotActive' } )
    | ( AuthorizationNotFound & { __typename: 'AuthorizationNotFound' } )
    | ( TransferVoidedResult & { __typename: 'TransferVoided' } )
  ;
  WithdrawPayload:
    | ( InsufficientFunds & { __typename: 'InsufficientFunds' } )
    | ( WithdrawnResult & { __typename: 'Withdrawn' } )
  ;
};


/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Account: ResolverTypeWrapper<AccountDocument>;
  AccountConnection: ResolverTypeWrapper<Omit<AccountConnection, 'edges'> & { edges: Array<ResolversTypes['AccountEdge']> }>;
  AccountEdge: ResolverTypeWrapper<Omit<AccountEdge, 'node'> & { node: ResolversTypes['Account'] }>;
  AccountNotFound: ResolverTypeWrapper<AccountNotFound>;
  AccountUpdate: ResolverTypeWrapper<AccountUpdateMessage>;
  Authorization: ResolverTypeWrapper<AuthorizationDocument>;
  AuthorizationConnection: ResolverTypeWrapper<Omit<AuthorizationConnection, 'edges'> & { edges: Array<ResolversTypes['AuthorizationEdge']> }>;
  AuthorizationEdge: ResolverTypeWrapper<Omit<AuthorizationEdge, 'node'> & { node: ResolversTypes['Authorization'] }>;
  AuthorizationNotActive: ResolverTypeWrapper<AuthorizationNotActiveResult>;
  AuthorizationNotFound: ResolverTypeWrapper<AuthorizationNotFound>;
  AuthorizationStatus: AuthorizationStatus;
  AuthorizeTransferInput: AuthorizeTransferInput;
  AuthorizeTransferPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['AuthorizeTransferPayload']>;
  AvailabilityUpdate: ResolverTypeWrapper<AvailabilityUpdateMessage>;
  Booking: ResolverTypeWrapper<BookingDocument>;
  BookingCancelled: ResolverTypeWrapper<BookingCancelledResult>;
  BookingConfirmed: ResolverTypeWrapper<BookingConfirmedResult>;
  BookingConnection: ResolverTypeWrapper<Omit<BookingConnection, 'edges'> & { edges: Array<ResolversTypes['BookingEdge']> }>;
  BookingEdge: ResolverTypeWrapper<Omit<BookingEdge, 'node'> & { node: ResolversTypes['Booking'] }>;
  BookingNotCancellable: ResolverTypeWrapper<BookingNotCancellableResult>;
  BookingNotFound: ResolverTypeWrapper<BookingNotFound>;
  BookingStatus: BookingStatus;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CancelBookingInput: CancelBookingInput;
  CancelBookingPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['CancelBookingPayload']>;
  CapacityBelowClaims: ResolverTypeWrapper<CapacityBelowClaims>;
  CaptureTransferInput: CaptureTransferInput;
  CaptureTransferPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['CaptureTransferPayload']>;
  CheckoutHoldInput: CheckoutHoldInput;
  CheckoutHoldPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['CheckoutHoldPayload']>;
  CheckoutStarted: ResolverTypeWrapper<CheckoutStartedResult>;
  CreateResourceInput: CreateResourceInput;
  Currency: ResolverTypeWrapper<Scalars['Currency']['output']>;
  CurrencyMismatch: ResolverTypeWrapper<CurrencyMismatch>;
  DateAvailability: ResolverTypeWrapper<DateAvailabilityModel>;
  DateStatus: DateStatus;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DatesHeld: ResolverTypeWrapper<DatesHeldResult>;
  DatesUnavailable: ResolverTypeWrapper<DatesUnavailable>;
  DepositInput: DepositInput;
  DepositPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['DepositPayload']>;
  Deposited: ResolverTypeWrapper<DepositedResult>;
  Hold: ResolverTypeWrapper<HoldDocument>;
  HoldConnection: ResolverTypeWrapper<Omit<HoldConnection, 'edges'> & { edges: Array<ResolversTypes['HoldEdge']> }>;
  HoldDatesInput: HoldDatesInput;
  HoldDatesPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['HoldDatesPayload']>;
  HoldEdge: ResolverTypeWrapper<Omit<HoldEdge, 'node'> & { node: ResolversTypes['Hold'] }>;
  HoldExpired: ResolverTypeWrapper<HoldExpiredResult>;
  HoldNotFound: ResolverTypeWrapper<HoldNotFound>;
  HoldStatus: HoldStatus;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  InsufficientFunds: ResolverTypeWrapper<InsufficientFunds>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  LedgerCheck: ResolverTypeWrapper<LedgerCheck>;
  LedgerEntry: ResolverTypeWrapper<LedgerEntryDocument>;
  LedgerEntryConnection: ResolverTypeWrapper<Omit<LedgerEntryConnection, 'edges'> & { edges: Array<ResolversTypes['LedgerEntryEdge']> }>;
  LedgerEntryEdge: ResolverTypeWrapper<Omit<LedgerEntryEdge, 'node'> & { node: ResolversTypes['LedgerEntry'] }>;
  LedgerEntryKind: LedgerEntryKind;
  LocalDate: ResolverTypeWrapper<Scalars['LocalDate']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  NonNegativeInt: ResolverTypeWrapper<Scalars['NonNegativeInt']['output']>;
  OpenAccountInput: OpenAccountInput;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PayHoldInput: PayHoldInput;
  PayHoldPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['PayHoldPayload']>;
  PaymentMethod: PaymentMethod;
  PositiveInt: ResolverTypeWrapper<Scalars['PositiveInt']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RefundStatus: RefundStatus;
  ReleaseHoldInput: ReleaseHoldInput;
  Resource: ResolverTypeWrapper<ResourceDocument>;
  ResourceConnection: ResolverTypeWrapper<Omit<ResourceConnection, 'edges'> & { edges: Array<ResolversTypes['ResourceEdge']> }>;
  ResourceEdge: ResolverTypeWrapper<Omit<ResourceEdge, 'node'> & { node: ResolversTypes['Resource'] }>;
  ResourceUpdated: ResolverTypeWrapper<ResourceUpdatedResult>;
  Role: Role;
  SafeInt: ResolverTypeWrapper<Scalars['SafeInt']['output']>;
  SetUserRoleInput: SetUserRoleInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  SuspendUserInput: SuspendUserInput;
  TopUpInput: TopUpInput;
  TopUpPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['TopUpPayload']>;
  TopUpStarted: ResolverTypeWrapper<TopUpStarted>;
  Transfer: ResolverTypeWrapper<TransferDocument>;
  TransferAuthorized: ResolverTypeWrapper<TransferAuthorizedResult>;
  TransferCompleted: ResolverTypeWrapper<TransferCompletedResult>;
  TransferConnection: ResolverTypeWrapper<Omit<TransferConnection, 'edges'> & { edges: Array<ResolversTypes['TransferEdge']> }>;
  TransferEdge: ResolverTypeWrapper<Omit<TransferEdge, 'node'> & { node: ResolversTypes['Transfer'] }>;
  TransferInput: TransferInput;
  TransferPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['TransferPayload']>;
  TransferVoided: ResolverTypeWrapper<TransferVoidedResult>;
  UpdateResourceInput: UpdateResourceInput;
  UpdateResourcePayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['UpdateResourcePayload']>;
  User: ResolverTypeWrapper<UserView>;
  VersionConflict: ResolverTypeWrapper<VersionConflictResult>;
  VoidTransferInput: VoidTransferInput;
  VoidTransferPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['VoidTransferPayload']>;
  WithdrawInput: WithdrawInput;
  WithdrawPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['WithdrawPayload']>;
  Withdrawn: ResolverTypeWrapper<WithdrawnResult>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Account: AccountDocument;
  AccountConnection: Omit<AccountConnection, 'edges'> & { edges: Array<ResolversParentTypes['AccountEdge']> };
  AccountEdge: Omit<AccountEdge, 'node'> & { node: ResolversParentTypes['Account'] };
  AccountNotFound: AccountNotFound;
  AccountUpdate: AccountUpdateMessage;
  Authorization: AuthorizationDocument;
  AuthorizationConnection: Omit<AuthorizationConnection, 'edges'> & { edges: Array<ResolversParentTypes['AuthorizationEdge']> };
  AuthorizationEdge: Omit<AuthorizationEdge, 'node'> & { node: ResolversParentTypes['Authorization'] };
  AuthorizationNotActive: AuthorizationNotActiveResult;
  AuthorizationNotFound: AuthorizationNotFound;
  AuthorizeTransferInput: AuthorizeTransferInput;
  AuthorizeTransferPayload: ResolversUnionTypes<ResolversParentTypes>['AuthorizeTransferPayload'];
  AvailabilityUpdate: AvailabilityUpdateMessage;
  Booking: BookingDocument;
  BookingCancelled: BookingCancelledResult;
  BookingConfirmed: BookingConfirmedResult;
  BookingConnection: Omit<BookingConnection, 'edges'> & { edges: Array<ResolversParentTypes['BookingEdge']> };
  BookingEdge: Omit<BookingEdge, 'node'> & { node: ResolversParentTypes['Booking'] };
  BookingNotCancellable: BookingNotCancellableResult;
  BookingNotFound: BookingNotFound;
  Boolean: Scalars['Boolean']['output'];
  CancelBookingInput: CancelBookingInput;
  CancelBookingPayload: ResolversUnionTypes<ResolversParentTypes>['CancelBookingPayload'];
  CapacityBelowClaims: CapacityBelowClaims;
  CaptureTransferInput: CaptureTransferInput;
  CaptureTransferPayload: ResolversUnionTypes<ResolversParentTypes>['CaptureTransferPayload'];
  CheckoutHoldInput: CheckoutHoldInput;
  CheckoutHoldPayload: ResolversUnionTypes<ResolversParentTypes>['CheckoutHoldPayload'];
  CheckoutStarted: CheckoutStartedResult;
  CreateResourceInput: CreateResourceInput;
  Currency: Scalars['Currency']['output'];
  CurrencyMismatch: CurrencyMismatch;
  DateAvailability: DateAvailabilityModel;
  DateTime: Scalars['DateTime']['output'];
  DatesHeld: DatesHeldResult;
  DatesUnavailable: DatesUnavailable;
  DepositInput: DepositInput;
  DepositPayload: ResolversUnionTypes<ResolversParentTypes>['DepositPayload'];
  Deposited: DepositedResult;
  Hold: HoldDocument;
  HoldConnection: Omit<HoldConnection, 'edges'> & { edges: Array<ResolversParentTypes['HoldEdge']> };
  HoldDatesInput: HoldDatesInput;
  HoldDatesPayload: ResolversUnionTypes<ResolversParentTypes>['HoldDatesPayload'];
  HoldEdge: Omit<HoldEdge, 'node'> & { node: ResolversParentTypes['Hold'] };
  HoldExpired: HoldExpiredResult;
  HoldNotFound: HoldNotFound;
  ID: Scalars['ID']['output'];
  InsufficientFunds: InsufficientFunds;
  Int: Scalars['Int']['output'];
  LedgerCheck: LedgerCheck;
  LedgerEntry: LedgerEntryDocument;
  LedgerEntryConnection: Omit<LedgerEntryConnection, 'edges'> & { edges: Array<ResolversParentTypes['LedgerEntryEdge']> };
  LedgerEntryEdge: Omit<LedgerEntryEdge, 'node'> & { node: ResolversParentTypes['LedgerEntry'] };
  LocalDate: Scalars['LocalDate']['output'];
  Mutation: Record<PropertyKey, never>;
  NonNegativeInt: Scalars['NonNegativeInt']['output'];
  OpenAccountInput: OpenAccountInput;
  PageInfo: PageInfo;
  PayHoldInput: PayHoldInput;
  PayHoldPayload: ResolversUnionTypes<ResolversParentTypes>['PayHoldPayload'];
  PositiveInt: Scalars['PositiveInt']['output'];
  Query: Record<PropertyKey, never>;
  ReleaseHoldInput: ReleaseHoldInput;
  Resource: ResourceDocument;
  ResourceConnection: Omit<ResourceConnection, 'edges'> & { edges: Array<ResolversParentTypes['ResourceEdge']> };
  ResourceEdge: Omit<ResourceEdge, 'node'> & { node: ResolversParentTypes['Resource'] };
  ResourceUpdated: ResourceUpdatedResult;
  SafeInt: Scalars['SafeInt']['output'];
  SetUserRoleInput: SetUserRoleInput;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  SuspendUserInput: SuspendUserInput;
  TopUpInput: TopUpInput;
  TopUpPayload: ResolversUnionTypes<ResolversParentTypes>['TopUpPayload'];
  TopUpStarted: TopUpStarted;
  Transfer: TransferDocument;
  TransferAuthorized: TransferAuthorizedResult;
  TransferCompleted: TransferCompletedResult;
  TransferConnection: Omit<TransferConnection, 'edges'> & { edges: Array<ResolversParentTypes['TransferEdge']> };
  TransferEdge: Omit<TransferEdge, 'node'> & { node: ResolversParentTypes['Transfer'] };
  TransferInput: TransferInput;
  TransferPayload: ResolversUnionTypes<ResolversParentTypes>['TransferPayload'];
  TransferVoided: TransferVoidedResult;
  UpdateResourceInput: UpdateResourceInput;
  UpdateResourcePayload: ResolversUnionTypes<ResolversParentTypes>['UpdateResourcePayload'];
  User: UserView;
  VersionConflict: VersionConflictResult;
  VoidTransferInput: VoidTransferInput;
  VoidTransferPayload: ResolversUnionTypes<ResolversParentTypes>['VoidTransferPayload'];
  WithdrawInput: WithdrawInput;
  WithdrawPayload: ResolversUnionTypes<ResolversParentTypes>['WithdrawPayload'];
  Withdrawn: WithdrawnResult;
};

export type AccountResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Account'] = ResolversParentTypes['Account']> = {
  available?: Resolver<ResolversTypes['NonNegativeInt'], ParentType, ContextType>;
  balance?: Resolver<ResolversTypes['NonNegativeInt'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['Currency'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  ownerId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  reserved?: Resolver<ResolversTypes['NonNegativeInt'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type AccountConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AccountConnection'] = ResolversParentTypes['AccountConnection']> = {
  edges?: Resolver<Array<ResolversTypes['AccountEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type AccountEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AccountEdge'] = ResolversParentTypes['AccountEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Account'], ParentType, ContextType>;
};

export type AccountNotFoundResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AccountNotFound'] = ResolversParentTypes['AccountNotFound']> = {
  accountId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type AccountUpdateResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AccountUpdate'] = ResolversParentTypes['AccountUpdate']> = {
  account?: Resolver<ResolversTypes['Account'], ParentType, ContextType>;
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  entries?: Resolver<Array<ResolversTypes['LedgerEntry']>, ParentType, ContextType>;
  reset?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type AuthorizationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Authorization'] = ResolversParentTypes['Authorization']> = {
  amount?: Resolver<ResolversTypes['PositiveInt'], ParentType, ContextType>;
  capturedAmount?: Resolver<ResolversTypes['NonNegativeInt'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['Currency'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  fromAccountId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  memo?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['AuthorizationStatus'], ParentType, ContextType>;
  toAccountId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  transfer?: Resolver<Maybe<ResolversTypes['Transfer']>, ParentType, ContextType>;
};

export type AuthorizationConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AuthorizationConnection'] = ResolversParentTypes['AuthorizationConnection']> = {
  edges?: Resolver<Array<ResolversTypes['AuthorizationEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type AuthorizationEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AuthorizationEdge'] = ResolversParentTypes['AuthorizationEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Authorization'], ParentType, ContextType>;
};

export type AuthorizationNotActiveResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AuthorizationNotActive'] = ResolversParentTypes['AuthorizationNotActive']> = {
  authorization?: Resolver<ResolversTypes['Authorization'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type AuthorizationNotFoundResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AuthorizationNotFound'] = ResolversParentTypes['AuthorizationNotFound']> = {
  authorizationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type AuthorizeTransferPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AuthorizeTransferPayload'] = ResolversParentTypes['AuthorizeTransferPayload']> = {
  __resolveType: TypeResolveFn<'AccountNotFound' | 'CurrencyMismatch' | 'InsufficientFunds' | 'TransferAuthorized', ParentType, ContextType>;
};

export type AvailabilityUpdateResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AvailabilityUpdate'] = ResolversParentTypes['AvailabilityUpdate']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  dates?: Resolver<Array<ResolversTypes['DateAvailability']>, ParentType, ContextType>;
  reset?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type BookingResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Booking'] = ResolversParentTypes['Booking']> = {
  amount?: Resolver<ResolversTypes['PositiveInt'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['Currency'], ParentType, ContextType>;
  dates?: Resolver<Array<ResolversTypes['LocalDate']>, ParentType, ContextType>;
  holdId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  paymentMethod?: Resolver<ResolversTypes['PaymentMethod'], ParentType, ContextType>;
  refundStatus?: Resolver<Maybe<ResolversTypes['RefundStatus']>, ParentType, ContextType>;
  resourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['BookingStatus'], ParentType, ContextType>;
  userId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type BookingCancelledResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BookingCancelled'] = ResolversParentTypes['BookingCancelled']> = {
  booking?: Resolver<ResolversTypes['Booking'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type BookingConfirmedResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BookingConfirmed'] = ResolversParentTypes['BookingConfirmed']> = {
  booking?: Resolver<ResolversTypes['Booking'], ParentType, ContextType>;
  transfer?: Resolver<ResolversTypes['Transfer'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type BookingConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BookingConnection'] = ResolversParentTypes['BookingConnection']> = {
  edges?: Resolver<Array<ResolversTypes['BookingEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type BookingEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BookingEdge'] = ResolversParentTypes['BookingEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Booking'], ParentType, ContextType>;
};

export type BookingNotCancellableResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BookingNotCancellable'] = ResolversParentTypes['BookingNotCancellable']> = {
  booking?: Resolver<ResolversTypes['Booking'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type BookingNotFoundResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BookingNotFound'] = ResolversParentTypes['BookingNotFound']> = {
  bookingId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type CancelBookingPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CancelBookingPayload'] = ResolversParentTypes['CancelBookingPayload']> = {
  __resolveType: TypeResolveFn<'BookingCancelled' | 'BookingNotCancellable' | 'BookingNotFound', ParentType, ContextType>;
};

export type CapacityBelowClaimsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CapacityBelowClaims'] = ResolversParentTypes['CapacityBelowClaims']> = {
  dates?: Resolver<Array<ResolversTypes['LocalDate']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type CaptureTransferPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CaptureTransferPayload'] = ResolversParentTypes['CaptureTransferPayload']> = {
  __resolveType: TypeResolveFn<'AuthorizationNotActive' | 'AuthorizationNotFound' | 'TransferCompleted', ParentType, ContextType>;
};

export type CheckoutHoldPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CheckoutHoldPayload'] = ResolversParentTypes['CheckoutHoldPayload']> = {
  __resolveType: TypeResolveFn<'CheckoutStarted' | 'HoldExpired' | 'HoldNotFound', ParentType, ContextType>;
};

export type CheckoutStartedResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CheckoutStarted'] = ResolversParentTypes['CheckoutStarted']> = {
  checkoutSessionId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  checkoutUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  hold?: Resolver<ResolversTypes['Hold'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export interface CurrencyScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Currency'], any> {
  name: 'Currency';
}

export type CurrencyMismatchResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CurrencyMismatch'] = ResolversParentTypes['CurrencyMismatch']> = {
  fromCurrency?: Resolver<ResolversTypes['Currency'], ParentType, ContextType>;
  toCurrency?: Resolver<ResolversTypes['Currency'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type DateAvailabilityResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DateAvailability'] = ResolversParentTypes['DateAvailability']> = {
  date?: Resolver<ResolversTypes['LocalDate'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  remaining?: Resolver<ResolversTypes['NonNegativeInt'], ParentType, ContextType>;
  resourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['DateStatus'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['NonNegativeInt'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DatesHeldResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DatesHeld'] = ResolversParentTypes['DatesHeld']> = {
  hold?: Resolver<ResolversTypes['Hold'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type DatesUnavailableResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DatesUnavailable'] = ResolversParentTypes['DatesUnavailable']> = {
  dates?: Resolver<Array<ResolversTypes['LocalDate']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type DepositPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DepositPayload'] = ResolversParentTypes['DepositPayload']> = {
  __resolveType: TypeResolveFn<'Deposited', ParentType, ContextType>;
};

export type DepositedResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Deposited'] = ResolversParentTypes['Deposited']> = {
  account?: Resolver<ResolversTypes['Account'], ParentType, ContextType>;
  entry?: Resolver<ResolversTypes['LedgerEntry'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type HoldResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Hold'] = ResolversParentTypes['Hold']> = {
  amount?: Resolver<ResolversTypes['PositiveInt'], ParentType, ContextType>;
  authorization?: Resolver<Maybe<ResolversTypes['Authorization']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['Currency'], ParentType, ContextType>;
  dates?: Resolver<Array<ResolversTypes['LocalDate']>, ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  resourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['HoldStatus'], ParentType, ContextType>;
  userId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type HoldConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['HoldConnection'] = ResolversParentTypes['HoldConnection']> = {
  edges?: Resolver<Array<ResolversTypes['HoldEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type HoldDatesPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['HoldDatesPayload'] = ResolversParentTypes['HoldDatesPayload']> = {
  __resolveType: TypeResolveFn<'CurrencyMismatch' | 'DatesHeld' | 'DatesUnavailable' | 'InsufficientFunds', ParentType, ContextType>;
};

export type HoldEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['HoldEdge'] = ResolversParentTypes['HoldEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Hold'], ParentType, ContextType>;
};

export type HoldExpiredResolvers<ContextType = Context, ParentType extends ResolversParentTypes['HoldExpired'] = ResolversParentTypes['HoldExpired']> = {
  hold?: Resolver<ResolversTypes['Hold'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type HoldNotFoundResolvers<ContextType = Context, ParentType extends ResolversParentTypes['HoldNotFound'] = ResolversParentTypes['HoldNotFound']> = {
  holdId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type InsufficientFundsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['InsufficientFunds'] = ResolversParentTypes['InsufficientFunds']> = {
  accountId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  requested?: Resolver<ResolversTypes['PositiveInt'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type LedgerCheckResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LedgerCheck'] = ResolversParentTypes['LedgerCheck']> = {
  accountsChecked?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ok?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  problems?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
};

export type LedgerEntryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LedgerEntry'] = ResolversParentTypes['LedgerEntry']> = {
  accountId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  amount?: Resolver<ResolversTypes['SafeInt'], ParentType, ContextType>;
  balanceAfter?: Resolver<ResolversTypes['NonNegativeInt'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['LedgerEntryKind'], ParentType, ContextType>;
  transferId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
};

export type LedgerEntryConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LedgerEntryConnection'] = ResolversParentTypes['LedgerEntryConnection']> = {
  edges?: Resolver<Array<ResolversTypes['LedgerEntryEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type LedgerEntryEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LedgerEntryEdge'] = ResolversParentTypes['LedgerEntryEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['LedgerEntry'], ParentType, ContextType>;
};

export interface LocalDateScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['LocalDate'], any> {
  name: 'LocalDate';
}

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  authorizeTransfer?: Resolver<ResolversTypes['AuthorizeTransferPayload'], ParentType, ContextType, RequireFields<MutationAuthorizeTransferArgs, 'input'>>;
  cancelBooking?: Resolver<ResolversTypes['CancelBookingPayload'], ParentType, ContextType, RequireFields<MutationCancelBookingArgs, 'input'>>;
  captureTransfer?: Resolver<ResolversTypes['CaptureTransferPayload'], ParentType, ContextType, RequireFields<MutationCaptureTransferArgs, 'input'>>;
  checkoutHold?: Resolver<ResolversTypes['CheckoutHoldPayload'], ParentType, ContextType, RequireFields<MutationCheckoutHoldArgs, 'input'>>;
  createResource?: Resolver<ResolversTypes['Resource'], ParentType, ContextType, RequireFields<MutationCreateResourceArgs, 'input'>>;
  deposit?: Resolver<ResolversTypes['DepositPayload'], ParentType, ContextType, RequireFields<MutationDepositArgs, 'input'>>;
  holdDates?: Resolver<ResolversTypes['HoldDatesPayload'], ParentType, ContextType, RequireFields<MutationHoldDatesArgs, 'input'>>;
  openAccount?: Resolver<ResolversTypes['Account'], ParentType, ContextType, RequireFields<MutationOpenAccountArgs, 'input'>>;
  payHold?: Resolver<ResolversTypes['PayHoldPayload'], ParentType, ContextType, RequireFields<MutationPayHoldArgs, 'input'>>;
  releaseHold?: Resolver<ResolversTypes['Hold'], ParentType, ContextType, RequireFields<MutationReleaseHoldArgs, 'input'>>;
  setUserRole?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationSetUserRoleArgs, 'input'>>;
  suspendUser?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationSuspendUserArgs, 'input'>>;
  topUp?: Resolver<ResolversTypes['TopUpPayload'], ParentType, ContextType, RequireFields<MutationTopUpArgs, 'input'>>;
  transfer?: Resolver<ResolversTypes['TransferPayload'], ParentType, ContextType, RequireFields<MutationTransferArgs, 'input'>>;
  updateResource?: Resolver<ResolversTypes['UpdateResourcePayload'], ParentType, ContextType, RequireFields<MutationUpdateResourceArgs, 'input'>>;
  voidTransfer?: Resolver<ResolversTypes['VoidTransferPayload'], ParentType, ContextType, RequireFields<MutationVoidTransferArgs, 'input'>>;
  withdraw?: Resolver<ResolversTypes['WithdrawPayload'], ParentType, ContextType, RequireFields<MutationWithdrawArgs, 'input'>>;
};

export interface NonNegativeIntScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['NonNegativeInt'], any> {
  name: 'NonNegativeInt';
}

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type PayHoldPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PayHoldPayload'] = ResolversParentTypes['PayHoldPayload']> = {
  __resolveType: TypeResolveFn<'AccountNotFound' | 'BookingConfirmed' | 'CurrencyMismatch' | 'HoldExpired' | 'HoldNotFound' | 'InsufficientFunds', ParentType, ContextType>;
};

export interface PositiveIntScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['PositiveInt'], any> {
  name: 'PositiveInt';
}

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  account?: Resolver<Maybe<ResolversTypes['Account']>, ParentType, ContextType, RequireFields<QueryAccountArgs, 'id'>>;
  authorization?: Resolver<Maybe<ResolversTypes['Authorization']>, ParentType, ContextType, RequireFields<QueryAuthorizationArgs, 'id'>>;
  authorizations?: Resolver<ResolversTypes['AuthorizationConnection'], ParentType, ContextType, RequireFields<QueryAuthorizationsArgs, 'accountId' | 'first'>>;
  availability?: Resolver<Array<ResolversTypes['DateAvailability']>, ParentType, ContextType, RequireFields<QueryAvailabilityArgs, 'from' | 'resourceId' | 'to'>>;
  booking?: Resolver<Maybe<ResolversTypes['Booking']>, ParentType, ContextType, RequireFields<QueryBookingArgs, 'id'>>;
  hold?: Resolver<Maybe<ResolversTypes['Hold']>, ParentType, ContextType, RequireFields<QueryHoldArgs, 'id'>>;
  houseAccounts?: Resolver<Array<ResolversTypes['Account']>, ParentType, ContextType>;
  ledgerCheck?: Resolver<ResolversTypes['LedgerCheck'], ParentType, ContextType>;
  ledgerEntries?: Resolver<ResolversTypes['LedgerEntryConnection'], ParentType, ContextType, RequireFields<QueryLedgerEntriesArgs, 'accountId' | 'first'>>;
  me?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  myAccounts?: Resolver<ResolversTypes['AccountConnection'], ParentType, ContextType, RequireFields<QueryMyAccountsArgs, 'first'>>;
  myBookings?: Resolver<ResolversTypes['BookingConnection'], ParentType, ContextType, RequireFields<QueryMyBookingsArgs, 'first'>>;
  myHolds?: Resolver<ResolversTypes['HoldConnection'], ParentType, ContextType, RequireFields<QueryMyHoldsArgs, 'first'>>;
  resource?: Resolver<Maybe<ResolversTypes['Resource']>, ParentType, ContextType, RequireFields<QueryResourceArgs, 'id'>>;
  resources?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryResourcesArgs, 'first'>>;
  transfers?: Resolver<ResolversTypes['TransferConnection'], ParentType, ContextType, RequireFields<QueryTransfersArgs, 'accountId' | 'first'>>;
};

export type ResourceResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Resource'] = ResolversParentTypes['Resource']> = {
  capacity?: Resolver<ResolversTypes['PositiveInt'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['Currency'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  pricePerDate?: Resolver<ResolversTypes['PositiveInt'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ResourceConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ResourceConnection'] = ResolversParentTypes['ResourceConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ResourceEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type ResourceEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ResourceEdge'] = ResolversParentTypes['ResourceEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Resource'], ParentType, ContextType>;
};

export type ResourceUpdatedResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ResourceUpdated'] = ResolversParentTypes['ResourceUpdated']> = {
  resource?: Resolver<ResolversTypes['Resource'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export interface SafeIntScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['SafeInt'], any> {
  name: 'SafeInt';
}

export type SubscriptionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  accountUpdates?: SubscriptionResolver<ResolversTypes['AccountUpdate'], "accountUpdates", ParentType, ContextType, RequireFields<SubscriptionAccountUpdatesArgs, 'accountId'>>;
  availabilityChanged?: SubscriptionResolver<ResolversTypes['DateAvailability'], "availabilityChanged", ParentType, ContextType, RequireFields<SubscriptionAvailabilityChangedArgs, 'from' | 'resourceId' | 'to'>>;
  availabilityUpdates?: SubscriptionResolver<ResolversTypes['AvailabilityUpdate'], "availabilityUpdates", ParentType, ContextType, RequireFields<SubscriptionAvailabilityUpdatesArgs, 'from' | 'resourceId' | 'to'>>;
};

export type TopUpPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TopUpPayload'] = ResolversParentTypes['TopUpPayload']> = {
  __resolveType: TypeResolveFn<'TopUpStarted', ParentType, ContextType>;
};

export type TopUpStartedResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TopUpStarted'] = ResolversParentTypes['TopUpStarted']> = {
  checkoutSessionId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  checkoutUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  topUpId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type TransferResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Transfer'] = ResolversParentTypes['Transfer']> = {
  amount?: Resolver<ResolversTypes['PositiveInt'], ParentType, ContextType>;
  authorizationId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['Currency'], ParentType, ContextType>;
  fromAccountId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  memo?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  toAccountId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type TransferAuthorizedResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TransferAuthorized'] = ResolversParentTypes['TransferAuthorized']> = {
  authorization?: Resolver<ResolversTypes['Authorization'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type TransferCompletedResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TransferCompleted'] = ResolversParentTypes['TransferCompleted']> = {
  transfer?: Resolver<ResolversTypes['Transfer'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type TransferConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TransferConnection'] = ResolversParentTypes['TransferConnection']> = {
  edges?: Resolver<Array<ResolversTypes['TransferEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type TransferEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TransferEdge'] = ResolversParentTypes['TransferEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Transfer'], ParentType, ContextType>;
};

export type TransferPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TransferPayload'] = ResolversParentTypes['TransferPayload']> = {
  __resolveType: TypeResolveFn<'AccountNotFound' | 'CurrencyMismatch' | 'InsufficientFunds' | 'TransferCompleted', ParentType, ContextType>;
};

export type TransferVoidedResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TransferVoided'] = ResolversParentTypes['TransferVoided']> = {
  authorization?: Resolver<ResolversTypes['Authorization'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type UpdateResourcePayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['UpdateResourcePayload'] = ResolversParentTypes['UpdateResourcePayload']> = {
  __resolveType: TypeResolveFn<'CapacityBelowClaims' | 'ResourceUpdated' | 'VersionConflict', ParentType, ContextType>;
};

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  role?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
  suspended?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type VersionConflictResolvers<ContextType = Context, ParentType extends ResolversParentTypes['VersionConflict'] = ResolversParentTypes['VersionConflict']> = {
  current?: Resolver<ResolversTypes['Resource'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type VoidTransferPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['VoidTransferPayload'] = ResolversParentTypes['VoidTransferPayload']> = {
  __resolveType: TypeResolveFn<'AuthorizationNotActive' | 'AuthorizationNotFound' | 'TransferVoided', ParentType, ContextType>;
};

export type WithdrawPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['WithdrawPayload'] = ResolversParentTypes['WithdrawPayload']> = {
  __resolveType: TypeResolveFn<'InsufficientFunds' | 'Withdrawn', ParentType, ContextType>;
};

export type WithdrawnResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Withdrawn'] = ResolversParentTypes['Withdrawn']> = {
  account?: Resolver<ResolversTypes['Account'], ParentType, ContextType>;
  entry?: Resolver<ResolversTypes['LedgerEntry'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  Account?: AccountResolvers<ContextType>;
  AccountConnection?: AccountConnectionResolvers<ContextType>;
  AccountEdge?: AccountEdgeResolvers<ContextType>;
  AccountNotFound?: AccountNotFoundResolvers<ContextType>;
  AccountUpdate?: AccountUpdateResolvers<ContextType>;
  Authorization?: AuthorizationResolvers<ContextType>;
  AuthorizationConnection?: AuthorizationConnectionResolvers<ContextType>;
  AuthorizationEdge?: AuthorizationEdgeResolvers<ContextType>;
  AuthorizationNotActive?: AuthorizationNotActiveResolvers<ContextType>;
  AuthorizationNotFound?: AuthorizationNotFoundResolvers<ContextType>;
  AuthorizeTransferPayload?: AuthorizeTransferPayloadResolvers<ContextType>;
  AvailabilityUpdate?: AvailabilityUpdateResolvers<ContextType>;
  Booking?: BookingResolvers<ContextType>;
  BookingCancelled?: BookingCancelledResolvers<ContextType>;
  BookingConfirmed?: BookingConfirmedResolvers<ContextType>;
  BookingConnection?: BookingConnectionResolvers<ContextType>;
  BookingEdge?: BookingEdgeResolvers<ContextType>;
  BookingNotCancellable?: BookingNotCancellableResolvers<ContextType>;
  BookingNotFound?: BookingNotFoundResolvers<ContextType>;
  CancelBookingPayload?: CancelBookingPayloadResolvers<ContextType>;
  CapacityBelowClaims?: CapacityBelowClaimsResolvers<ContextType>;
  CaptureTransferPayload?: CaptureTransferPayloadResolvers<ContextType>;
  CheckoutHoldPayload?: CheckoutHoldPayloadResolvers<ContextType>;
  CheckoutStarted?: CheckoutStartedResolvers<ContextType>;
  Currency?: GraphQLScalarType;
  CurrencyMismatch?: CurrencyMismatchResolvers<ContextType>;
  DateAvailability?: DateAvailabilityResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DatesHeld?: DatesHeldResolvers<ContextType>;
  DatesUnavailable?: DatesUnavailableResolvers<ContextType>;
  DepositPayload?: DepositPayloadResolvers<ContextType>;
  Deposited?: DepositedResolvers<ContextType>;
  Hold?: HoldResolvers<ContextType>;
  HoldConnection?: HoldConnectionResolvers<ContextType>;
  HoldDatesPayload?: HoldDatesPayloadResolvers<ContextType>;
  HoldEdge?: HoldEdgeResolvers<ContextType>;
  HoldExpired?: HoldExpiredResolvers<ContextType>;
  HoldNotFound?: HoldNotFoundResolvers<ContextType>;
  InsufficientFunds?: InsufficientFundsResolvers<ContextType>;
  LedgerCheck?: LedgerCheckResolvers<ContextType>;
  LedgerEntry?: LedgerEntryResolvers<ContextType>;
  LedgerEntryConnection?: LedgerEntryConnectionResolvers<ContextType>;
  LedgerEntryEdge?: LedgerEntryEdgeResolvers<ContextType>;
  LocalDate?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  NonNegativeInt?: GraphQLScalarType;
  PageInfo?: PageInfoResolvers<ContextType>;
  PayHoldPayload?: PayHoldPayloadResolvers<ContextType>;
  PositiveInt?: GraphQLScalarType;
  Query?: QueryResolvers<ContextType>;
  Resource?: ResourceResolvers<ContextType>;
  ResourceConnection?: ResourceConnectionResolvers<ContextType>;
  ResourceEdge?: ResourceEdgeResolvers<ContextType>;
  ResourceUpdated?: ResourceUpdatedResolvers<ContextType>;
  SafeInt?: GraphQLScalarType;
  Subscription?: SubscriptionResolvers<ContextType>;
  TopUpPayload?: TopUpPayloadResolvers<ContextType>;
  TopUpStarted?: TopUpStartedResolvers<ContextType>;
  Transfer?: TransferResolvers<ContextType>;
  TransferAuthorized?: TransferAuthorizedResolvers<ContextType>;
  TransferCompleted?: TransferCompletedResolvers<ContextType>;
  TransferConnection?: TransferConnectionResolvers<ContextType>;
  TransferEdge?: TransferEdgeResolvers<ContextType>;
  TransferPayload?: TransferPayloadResolvers<ContextType>;
  TransferVoided?: TransferVoidedResolvers<ContextType>;
  UpdateResourcePayload?: UpdateResourcePayloadResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
  VersionConflict?: VersionConflictResolvers<ContextType>;
  VoidTransferPayload?: VoidTransferPayloadResolvers<ContextType>;
  WithdrawPayload?: WithdrawPayloadResolvers<ContextType>;
  Withdrawn?: WithdrawnResolvers<ContextType>;
};

