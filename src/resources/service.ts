import { ObjectId, type Collection } from 'mongodb';
import type { Clock } from '../clock';
import { badInput } from '../graphql/errors';
import { parseObjectId } from '../mongo/ids';
import type { ResourceDoc, ResourceDocument } from './collection';

/** Capacity is stored per date slot as an array of claims; keep it small enough to scan. */
export const MAX_CAPACITY = 1000;
const MAX_NAME_LENGTH = 200;

export interface NewResource {
  name: string;
  capacity: number;
  pricePerDate: number;
  currency: string;
}

export interface ResourceService {
  create(input: NewResource): Promise<ResourceDocument>;
  find(id: string): Promise<ResourceDocument | null>;
  list(): Promise<ResourceDocument[]>;
}

export function resourceService(resources: Collection<ResourceDoc>, clock: Clock): ResourceService {
  return {
    async create(input) {
      const name = input.name.trim();
      if (name === '' || name.length > MAX_NAME_LENGTH) throw badInput('name', `must be 1 to ${MAX_NAME_LENGTH} characters`);
      if (input.capacity > MAX_CAPACITY) throw badInput('capacity', `must be at most ${MAX_CAPACITY}`);
      const doc: ResourceDocument = {
        _id: new ObjectId(),
        name,
        capacity: input.capacity,
        pricePerDate: input.pricePerDate,
        currency: input.currency.toUpperCase(),
        version: 1,
        createdAt: clock.now(),
      };
      await resources.insertOne(doc);
      return doc;
    },
    async find(id) {
      const _id = parseObjectId(id);
      return _id ? resources.findOne({ _id }) : null;
    },
    list() {
      return resources.find().sort({ _id: 1 }).limit(1000).toArray();
    },
  };
}
