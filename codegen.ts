import { createHash } from 'node:crypto';
import type { CodegenConfig } from '@graphql-codegen/cli';

/** The page's operations (plain JS in web/, no build step): in the manifest, and in web/operations.js for the page. */
const PAGE_OPERATIONS = 'web/operations.graphql';

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
          Authorization: '../ledger/collections#AuthorizationDocument',
          AccountUpdate: '../availability/accountUpdates#AccountUpdateMessage',
          AvailabilityUpdate: '../availability/availabilityUpdates#AvailabilityUpdateMessage',
          DateAvailability: '../availability/reader#DateAvailability as DateAvailabilityModel',
          TransferAuthorized: '../ledger/results#TransferAuthorizedResult',
          TransferVoided: '../ledger/results#TransferVoidedResult',
          AuthorizationNotActive: '../ledger/results#AuthorizationNotActiveResult',
          CheckoutStarted: '../payments/checkout#CheckoutStartedResult',
          HoldExpired: '../bookings/balancePayments#HoldExpiredResult',
          BookingConfirmed: '../bookings/balancePayments#BookingConfirmedResult',
        },
      },
    },
    // The typed client examples: the `graphql(`...`)` documents in examples/ become TypedDocumentNodes
    // (client preset); `codegen:check` covers them too. The preset also writes the trusted-documents
    // manifest, examples/gql/persisted-documents.json (sha256 in hex → document), of the examples'
    // operations and the page's: what a server started with TRUSTED_DOCUMENTS runs, and nothing else.
    'examples/gql/': {
      documents: ['examples/**/*.ts', '!examples/gql/**', PAGE_OPERATIONS],
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        // Bare hex, as clients send it in `extensions.persistedQuery.sha256Hash` (the preset's 'sha256' prefixes `sha256:`).
        persistedDocuments: { hashAlgorithm: (document: string) => createHash('sha256').update(document).digest('hex') },
      },
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
    // The page's operations, each with the text and hash the manifest holds, as a module the page imports.
    'web/operations.js': {
      documents: [PAGE_OPERATIONS],
      plugins: ['./scripts/codegen-web-operations.cjs'],
    },
  },
};

export default config;
