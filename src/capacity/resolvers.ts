import { requireAdmin, requireCaller } from '../auth';
import type { Resolvers } from '../generated/graphql';

export const capacityResolvers: Resolvers = {
  Query: {
    resource: (_, { id }, { caller, services }) => {
      requireCaller(caller);
      return services.resources.find(id);
    },
    resources: (_, page, { caller, services }) => {
      requireCaller(caller);
      return services.resources.list(page);
    },
  },
  Mutation: {
    createResource: (_, { input }, { caller, services }) => services.resources.create(requireAdmin(caller), input),
    updateResource: (_, { input }, { caller, services }) => services.resources.update(requireAdmin(caller), input),
  },
  Resource: {
    id: (resource) => resource._id.toHexString(),
  },
};
