import type { ObjectId } from 'mongodb';
import type { Caller } from '../auth';
import { badInput } from '../errors';
import { findById, type Page, type PageArgs, pageById } from '../mongo';
import type { AuthorizationDocument, TransferDocument } from './collections';
import type { LedgerParts } from './movements';
import type { AuthorizeResult, CaptureResult, VoidResult } from './results';
import { MAX_MEMO_LENGTH } from './transfers';

/** The longest an authorization may hold funds: 7 days. */
export const MAX_AUTHORIZATION_SECONDS = 604_800;

export type AuthorizationStatus = 'ACTIVE' | 'CAPTURED' | 'VOIDED' | 'EXPIRED';

/** An ACTIVE authorization past `expiresAt` is EXPIRED, the instant it passes (nothing writes it). */
export const authorizationStatus = (authorization: AuthorizationDocument, now: Date): AuthorizationStatus =>
  authorization.status === 'ACTIVE' && authorization.expiresAt <= now ? 'EXPIRED' : authorization.status;

export interface AuthorizeTransferInput {
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  expiresInSeconds: number;
  idempotencyKey: string;
  memo?: string | null;
}

export interface CaptureTransferInput {
  authorizationId: string;
  amount?: number | null;
  idempotencyKey: string;
}

export interface VoidTransferInput {
  authorizationId: string;
  idempotencyKey: string;
}

/** Two-phase transfers (TigerBeetle's pending → post / void, with a timeout), on the money engine. */
export function authorizationService(deps: LedgerParts) {
  const { collections, accounts, runIdempotent, committer } = deps;

  /** The authorization if the caller owns one of its accounts, or is an admin; anyone else is told it does not exist (G12). */
  async function findVisible(caller: Caller, id: string): Promise<AuthorizationDocument | null> {
    const authorization = await findById(collections.authorizations, id);
    if (!authorization || caller.role === 'admin') return authorization;
    const [from, to] = await Promise.all([
      accounts.find(authorization.fromAccountId.toHexString()),
      accounts.find(authorization.toAccountId.toHexString()),
    ]);
    return from?.ownerId === caller.id || to?.ownerId === caller.id ? authorization : null;
  }

  /** Its two accounts, read when the request arrived: they never change, so they are safe lock keys. */
  async function accountsOf(authorizationId: string): Promise<string[]> {
    const found = await findById(collections.authorizations, authorizationId);
    return found ? [found.fromAccountId.toHexString(), found.toAccountId.toHexString()] : [];
  }

  return {
    findAuthorization: findVisible,

    /** For callers that already showed the caller may see it (a hold's own authorization). */
    authorizationById: (id: ObjectId): Promise<AuthorizationDocument | null> => collections.authorizations.findOne({ _id: id }),

    /** From or to the account (which the caller must see), newest first. */
    authorizationsOf: (accountId: ObjectId, page: PageArgs): Promise<Page<AuthorizationDocument>> =>
      pageById(collections.authorizations, { $or: [{ fromAccountId: accountId }, { toAccountId: accountId }] }, page),

    transferOf: (authorization: AuthorizationDocument): Promise<TransferDocument | null> =>
      authorization.transferId ? collections.transfers.findOne({ _id: authorization.transferId }) : Promise.resolve(null),

    /** Owner of the source only; the funds check is the one of every debit (available funds, funds.ts). */
    authorizeTransfer(caller: Caller, input: AuthorizeTransferInput): Promise<AuthorizeResult> {
      if (input.fromAccountId === input.toAccountId) throw badInput('toAccountId', 'must differ from fromAccountId');
      if (input.memo && input.memo.length > MAX_MEMO_LENGTH) throw badInput('memo', `must be at most ${MAX_MEMO_LENGTH} characters`);
      if (input.expiresInSeconds > MAX_AUTHORIZATION_SECONDS) {
        throw badInput('expiresInSeconds', `must be 1 to ${MAX_AUTHORIZATION_SECONDS} (7 days)`);
      }
      const { idempotencyKey, ...rest } = input;
      const scope = `${caller.id}:authorizeTransfer`;
      return runIdempotent<AuthorizeResult>({ scope, key: idempotencyKey, input: rest, keyWithEffect: true }, (record) =>
        committer.authorize({
          key: `${scope}:${idempotencyKey}`,
          initiatedBy: caller.id,
          fromAccountId: input.fromAccountId,
          toAccountId: input.toAccountId,
          amount: input.amount,
          expiry: { inSeconds: input.expiresInSeconds },
          memo: input.memo ?? null,
          holdId: null,
          record,
        }),
      );
    },

    /** Owner of either account. Exactly once: see planCapture (authorizationPlans.ts). */
    captureTransfer(caller: Caller, input: CaptureTransferInput): Promise<CaptureResult> {
      const scope = `${caller.id}:captureTransfer`;
      const request = { scope, key: input.idempotencyKey, input: { authorizationId: input.authorizationId, amount: input.amount ?? null } };
      return runIdempotent<CaptureResult>({ ...request, keyWithEffect: true }, async (record) =>
        committer.capture({
          key: `${scope}:${input.idempotencyKey}`,
          initiatedBy: caller.id,
          authorizationId: input.authorizationId,
          accounts: await accountsOf(input.authorizationId),
          amount: input.amount ?? null,
          record,
        }),
      );
    },

    /** Owner of either account. */
    voidTransfer(caller: Caller, input: VoidTransferInput): Promise<VoidResult> {
      const scope = `${caller.id}:voidTransfer`;
      const request = { scope, key: input.idempotencyKey, input: { authorizationId: input.authorizationId } };
      return runIdempotent<VoidResult>({ ...request, keyWithEffect: true }, async (record) =>
        committer.void({
          key: `${scope}:${input.idempotencyKey}`,
          initiatedBy: caller.id,
          authorizationId: input.authorizationId,
          accounts: await accountsOf(input.authorizationId),
          record,
        }),
      );
    },
  };
}
