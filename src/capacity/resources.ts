import { type ClientSession, type Collection, type MongoClient, ObjectId } from 'mongodb';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { badInput } from '../errors';
import { type Page, type PageArgs, pageById } from '../mongo';
import { findAgain, findById } from '../mongo';
import { Rollback, withTransaction } from '../mongo';
import type { UserService } from '../users';
import type { ClaimSteps } from './claims';
import type { ResourceDoc, ResourceDocument } from './collections';
import { horizonDates, type InsertSlots } from './slotHorizon';

/** Capacity is stored per date slot as an array of claims; keep it small enough to scan. */
const MAX_CAPACITY = 1000;
const MAX_NAME_LENGTH = 200;

export interface NewResource {
  name: string;
  capacity: number;
  pricePerDate: number;
  currency: string;
}

export interface ResourceChange {
  id: string;
  expectedVersion: number;
  name?: string | null;
  capacity?: number | null;
  pricePerDate?: number | null;
}

export type ResourceUpdatedResult = { __typename: 'ResourceUpdated'; resource: ResourceDocument };
export type VersionConflictResult = { __typename: 'VersionConflict'; current: ResourceDocument };
export type CapacityBelowClaimsResult = { __typename: 'CapacityBelowClaims'; dates: string[] };
export type UpdateResourceResult = ResourceUpdatedResult | VersionConflictResult | CapacityBelowClaimsResult;

export interface ResourceDeps {
  client: MongoClient;
  resources: Collection<ResourceDoc>;
  claims: ClaimSteps;
  /** Slot creation (slotHorizon.ts): a resource is born with its whole horizon. */
  insertSlots: InsertSlots;
  users: UserService;
  clock: Clock;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_NAME_LENGTH) throw badInput('name', `must be 1 to ${MAX_NAME_LENGTH} characters`);
  return trimmed;
}

function checkCapacity(capacity: number): number {
  if (capacity > MAX_CAPACITY) throw badInput('capacity', `must be at most ${MAX_CAPACITY}`);
  return capacity;
}

export function resourceService({ client, resources, claims, insertSlots, users, clock }: ResourceDeps) {
  const find = (id: string): Promise<ResourceDocument | null> => findById(resources, id);

  /** An unknown resource is bad input, named by the field that carried its id. */
  async function requireResource(id: string, field = 'resourceId'): Promise<ResourceDocument> {
    const resource = await find(id);
    if (!resource) throw badInput(field, 'no resource has this id');
    return resource;
  }

  return {
    find,

    /** Price and currency as the caller's transaction sees them (for slots that do not carry them). */
    pricing: (session: ClientSession, id: ObjectId): Promise<Pick<ResourceDoc, 'pricePerDate' | 'currency'> | null> =>
      resources.findOne({ _id: id }, { session, projection: { _id: 0, pricePerDate: 1, currency: 1 } }),

    require: requireResource,

    /** Oldest first, in the order they were created. */
    list(page: PageArgs): Promise<Page<ResourceDocument>> {
      return pageById(resources, {}, page, 'oldestFirst');
    },

    /**
     * Admin only, checked inside the transaction that inserts (see UserService.authorizeAdmin). The
     * resource is inserted with its whole slot horizon, so no hold has to create a slot. G7 holds for
     * these slots without a write conflict: nothing can see the resource before this transaction
     * commits, and it commits with them, so any capacity or price change (whose transaction must find
     * the resource) sees every one of them in its snapshot and writes it.
     */
    async create(caller: Caller, input: NewResource): Promise<ResourceDocument> {
      const doc: ResourceDocument = {
        _id: new ObjectId(),
        name: checkName(input.name),
        capacity: checkCapacity(input.capacity),
        pricePerDate: input.pricePerDate,
        currency: input.currency.toUpperCase(),
        version: 1,
        createdAt: clock.now(),
      };
      return withTransaction(client, async (session) => {
        await users.authorizeAdmin(session, caller.id);
        await resources.insertOne({ ...doc }, { session });
        await insertSlots(session, doc._id, doc, horizonDates(doc.createdAt));
        return doc;
      });
    },

    /**
     * Optimistic locking: ONE conditional update on `{_id, version: expectedVersion}` that bumps the
     * version. A stale version gets the current resource back as `VersionConflict`. A capacity change
     * is applied to every date slot in the same transaction (see applyCapacity).
     */
    async update(caller: Caller, change: ResourceChange): Promise<UpdateResourceResult> {
      const set: Partial<ResourceDoc> = {};
      if (change.name != null) set.name = checkName(change.name);
      if (change.pricePerDate != null) set.pricePerDate = change.pricePerDate;
      if (change.capacity != null) set.capacity = checkCapacity(change.capacity);
      const current = await requireResource(change.id, 'id');
      return withTransaction<UpdateResourceResult>(client, async (session) => {
        await users.authorizeAdmin(session, caller.id);
        const updated = await resources.findOneAndUpdate(
          { _id: current._id, version: change.expectedVersion },
          { $set: set, $inc: { version: 1 } },
          { session, returnDocument: 'after' },
        );
        if (!updated) {
          return { __typename: 'VersionConflict', current: await findAgain(resources, current._id, session) };
        }
        if (set.pricePerDate !== undefined) await claims.applyPrice(session, current._id, set.pricePerDate);
        if (set.capacity !== undefined) {
          const over = await claims.applyCapacity(session, current._id, set.capacity, clock.now());
          if (over.length > 0) throw new Rollback<UpdateResourceResult>({ __typename: 'CapacityBelowClaims', dates: over });
        }
        return { __typename: 'ResourceUpdated', resource: updated };
      });
    },
  };
}

export type ResourceService = ReturnType<typeof resourceService>;
