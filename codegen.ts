import type { CodegenConfig } from '@graphql-codegen/cli';

/** Resolver types are generated from schema.graphql; `npm run codegen:check` fails CI when they drift. */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        contextType: '../graphql/context#Context',
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false },
        scalars: {
          LocalDate: 'string',
          DateTime: 'Date',
          PositiveInt: 'number',
          NonNegativeInt: 'number',
          Currency: 'string',
          SafeInt: 'number',
        },
        // Union members must carry `__typename`: graphql-js's default type resolver then picks the
        // member, so no union needs a hand-written `__resolveType`.
        resolversNonOptionalTypename: { unionMember: true },
        // Only types whose value differs from the schema's shape (documents with ObjectIds) are
        // mapped; results made of scalars are checked against the generated types directly.
        mappers: {
          Resource: '../capacity/collections#ResourceDocument',
          ResourceUpdated: '../capacity/resources#ResourceUpdatedResult',
          VersionConflict: '../capacity/resources#VersionConflictResult',
          Hold: '../bookings/collections#HoldDocument',
          DatesHeld: '../bookings/holds#DatesHeldResult',
          Booking: '../bookings/collections#BookingDocument',
          BookingCancelled: '../bookings/bookingService#BookingCancelledResult',
          BookingNotCancellable: '../bookings/bookingService#BookingNotCancellableResult',
          User: '../users/collection#UserView',
          Account: '../ledger/collections#AccountDocument',
          LedgerEntry: '../ledger/collections#LedgerEntryDocument',
          Transfer: '../ledger/collections#TransferDocument',
          Deposited: '../ledger/results#DepositedResult',
          Withdrawn: '../ledger/results#WithdrawnResult',
          TransferCompleted: '../ledger/results#TransferCompletedResult',
          CheckoutStarted: '../payments/checkout#CheckoutStartedResult',
          HoldExpired: '../payments/checkout#HoldExpiredResult',
        },
      },
    },
    // The typed client examples: the `graphql(`...`)` documents in examples/ become TypedDocumentNodes
    // (client preset); `codegen:check` covers them too.
    'examples/gql/': {
      documents: ['examples/**/*.ts', '!examples/gql/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          LocalDate: 'string',
          DateTime: 'string',
          PositiveInt: 'number',
          NonNegativeInt: 'number',
          Currency: 'string',
          SafeInt: 'number',
        },
      },
    },
  },
};

export default config;
